use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    balance: Option<f64>,
}

fn main() {
    let _ = Customer::fields().balance.starts_with("1");
}
