use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    #[netsuite(custom = "cust_tier")]
    tier: Option<String>,
}

fn main() {}
