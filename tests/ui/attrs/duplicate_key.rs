use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    #[netsuite(rename = "companyName", rename = "entityId")]
    name: Option<String>,
}

fn main() {}
