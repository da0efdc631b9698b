use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    #[netsuite(id)]
    internal_id: Option<RecordId>,
}

fn main() {}
