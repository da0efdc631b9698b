use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer<T> {
    #[netsuite(id)]
    id: Option<RecordId>,
    extra: Option<T>,
}

fn main() {}
