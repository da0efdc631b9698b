use nstba::{Record, RecordId};

#[derive(Record)]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
}

fn main() {}
