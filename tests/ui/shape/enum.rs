use nstba::Record;

#[derive(Record)]
#[netsuite(record = "customer")]
enum Customer {
    Person,
    Company,
}

fn main() {}
