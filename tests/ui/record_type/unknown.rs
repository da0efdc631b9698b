use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "custmer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
}

fn main() {}
