use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    company_name: Option<String>,
    #[netsuite(rename = "companyName")]
    name: Option<String>,
}

fn main() {}
