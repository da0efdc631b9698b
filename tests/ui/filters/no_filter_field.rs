// A field outside the record's `x-ns-filterable` list (`#[netsuite(no_filter)]`) has no handle,
// so a filter on it does not compile; the filterable field next to it still has one.
use nstba::{Record, RecordId};

#[derive(Record)]
#[netsuite(record = "customer")]
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    email: Option<String>,
    #[netsuite(no_filter)]
    comments: Option<String>,
}

fn main() {
    let _ = Customer::fields().email.is("a@b.c");
    let _ = Customer::fields().comments.contains("late");
}
