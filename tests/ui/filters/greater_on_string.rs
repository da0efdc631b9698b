use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    email: Option<String>,
}

fn main() {
    let _ = Customer::fields().email.greater(100.0);
}
