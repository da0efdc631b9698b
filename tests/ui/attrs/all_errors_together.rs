// One derive, four mistakes: all are reported, and no follow-up errors from the stub impls.
use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "salesorder", tabel = "transaction")]
struct SalesOrder {
    #[netsuite(id)]
    id: Option<RecordId>,
    #[netsuite(custom = "tier")]
    tier: Option<String>,
    lines: Vec<u8>,
}

fn uses_it(_: &SalesOrder) -> &'static str {
    <SalesOrder as nstba::Record>::RECORD_TYPE
}

fn main() {}
