use nstba::Record;

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    company_name: Option<String>,
}

fn main() {}
