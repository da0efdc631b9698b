use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    #[netsuite(renam = "companyName")]
    name: Option<String>,
}

fn main() {}
