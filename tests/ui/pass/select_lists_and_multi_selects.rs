// Hand-written records take select lists (`SelectValue<E>` of a `select_list!` enum) and
// multi-selects (`MultiSelect`) with no attribute; a select list is filtered by its id.
#![deny(missing_docs, warnings)]
//! Select lists and multi-selects.
use nstba::record::{select_list, MultiSelect, SelectValue};
use nstba::{Record, RecordId};

select_list! {
    /// Order status.
    pub enum Status {
        /// Pending fulfillment.
        PendingFulfillment = "B",
        /// Closed.
        Closed = "H",
    }
}

/// An order.
#[derive(Record)]
#[netsuite(record = "salesOrder")]
pub struct Order {
    /// Id.
    #[netsuite(id)]
    pub id: Option<RecordId>,
    /// Status.
    pub status: Option<SelectValue<Status>>,
    /// Subsidiaries.
    #[netsuite(rename = "subsidiary")]
    pub subsidiaries: Option<MultiSelect>,
}

fn main() {
    let _ = Order::fields().status.is(Status::Closed.as_str());
}
