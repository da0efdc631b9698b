use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer(Option<RecordId>, Option<String>);

fn main() {}
