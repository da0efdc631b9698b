// After a derive error, the items the derive promises still exist, so the user sees the one real
// error (the record type) and not a cascade from code that uses them.
use nstba::typed::Patch;
use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "custmer")]
pub struct Customer {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub email: Option<String>,
    pub balance: Option<f64>,
}

fn uses_them() -> (CustomerFields, CustomerPatch) {
    let f: CustomerFields = Customer::fields();
    let _filter = f.email.starts_with("a").and(f.balance.greater(1));
    let patch = CustomerPatch {
        email: Patch::set("x"),
        ..Customer::patch()
    };
    (f, patch)
}

fn main() {
    let _ = uses_them;
}
