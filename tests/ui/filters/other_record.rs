use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    email: Option<String>,
}

#[derive(Record)]
#[netsuite(record = "vendor")]
struct Vendor {
    #[netsuite(id)]
    id: Option<RecordId>,
    email: Option<String>,
}

fn main() {
    let _ = Customer::fields()
        .email
        .is("a@b.c")
        .and(Vendor::fields().email.is("a@b.c"));
}
