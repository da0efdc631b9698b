//! # nstba — NetSuite Token-Based Authentication and typed records for Rust
//!
//! The facade most users depend on. It re-exports:
//! - [`core`] (`nstba-core`): the sans-IO TBA signer — [`AccountId`], [`Credentials`], [`Tba`],
//!   [`TokenPassport`];
//! - [`client`] (`nstba-client`): the async client whose every request is signed, limited and retried;
//! - with the `derive` feature (on by default), `#[derive(Record)]` and its typed layer [`typed`]
//!   (field handles and filters, patches, sublists, typed SuiteQL, [`ClientExt::typed`]);
//! - with the `mock` feature, `mock` (`nstba-mock`): the NetSuite emulator for tests.
//!
//! ## Typed records
//! Describe a record once; the derive checks it at compile time (record type, custom field
//! prefixes, unique wire names, one id field, mappable types) and generates serde, typed field
//! handles and a patch type. The attribute grammar is documented on [`macro@Record`].
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use nstba::typed::{ClientExt, Patch};
//! use nstba::{Record, RecordId, RecordRef};
//!
//! #[derive(Record, Debug, Clone)]
//! #[netsuite(record = "customer")]
//! pub struct Customer {
//!     #[netsuite(id)]
//!     pub id: Option<RecordId>,
//!     pub company_name: Option<String>,          // wire `companyName`, SuiteQL `companyname`
//!     pub balance: Option<f64>,
//!     pub subsidiary: Option<RecordRef>,
//!     #[netsuite(custom = "custentity_tier")]
//!     pub tier: Option<String>,
//! }
//!
//! # async fn demo(client: nstba::client::Client) -> Result<(), nstba::client::Error> {
//! let customers = client.typed::<Customer>();
//! let f = Customer::fields();
//! let big: Vec<Customer> = customers
//!     .list(f.company_name.starts_with("A").and(f.balance.greater(1000)))
//!     .records()
//!     .try_collect()
//!     .await?;
//! for c in &big {
//!     let patch = CustomerPatch { tier: Patch::set("gold"), ..Customer::patch() };
//!     customers.update(c.id.as_ref().unwrap(), &patch).send().await?;
//! }
//! let rows: Vec<Customer> = customers.select().filter(f.tier.is("gold")).stream().try_collect().await?;
//! # let _ = rows; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use nstba_client as client;
pub use nstba_core as core;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use nstba_mock as mock;
pub use nstba_record as record;

pub use nstba_core::{
    AccountId, Authorizer, Credentials, Error as SignError, Explain, Request, Stamp, Tba, TbaKey,
    TokenPassport,
};
pub use nstba_record::{
    values, FieldInfo, FieldKind, Filter, Patch, Record, RecordId, RecordKey, RecordRef, Sublist,
    TypedRecord,
};

#[cfg(feature = "derive")]
#[cfg_attr(docsrs, doc(cfg(feature = "derive")))]
pub use nstba_macros::Record;

pub use nstba_client::ClientExt;

/// The typed layer `#[derive(Record)]` targets, in one place: field handles and filters
/// ([`Field`](typed::Field), [`Filter`](typed::Filter)), partial updates ([`Patch`](typed::Patch)),
/// sublists ([`Sublist`](typed::Sublist)), typed SuiteQL ([`Select`](typed::Select)) and the typed
/// operations ([`ClientExt::typed`](typed::ClientExt::typed) → [`TypedRecords`](typed::TypedRecords)).
/// Re-exported from `nstba-record` (the types) and `nstba-client` (the operations).
///
/// ```
/// use nstba::{Record, RecordId, RecordRef};
/// use nstba::values::Date;
///
/// #[derive(Record, Debug)]
/// #[netsuite(record = "customer")]
/// pub struct Customer {
///     #[netsuite(id)]
///     pub id: Option<RecordId>,
///     pub email: Option<String>,
///     pub balance: Option<f64>,
///     pub is_inactive: Option<bool>,
///     pub date_created: Option<Date>,
///     pub subsidiary: Option<RecordRef>,
/// }
///
/// let f = Customer::fields();
/// let filter = f.email.starts_with("ap@")
///     .and(f.balance.greater(100.0))
///     .and(f.is_inactive.is(false).or(f.date_created.after(Date::new(2024, 1, 31).unwrap())));
/// assert_eq!(
///     filter.to_query()?,
///     r#"email START_WITH "ap@" AND balance GREATER 100 AND (isInactive IS false OR dateCreated AFTER "1/31/2024")"#
/// );
/// assert_eq!(
///     filter.to_suiteql()?,
///     r"email LIKE 'ap@%' ESCAPE '\' AND balance > 100 AND (isinactive = 'F' OR datecreated >= TO_DATE('2024-02-01', 'YYYY-MM-DD'))"
/// );
/// assert_eq!(f.subsidiary.any_of(["1", "2"]).to_query()?, "subsidiary ANY_OF [1, 2]");
/// # Ok::<(), nstba::typed::FilterError>(())
/// ```
///
/// ```compile_fail
/// # use nstba::{Record, RecordId};
/// # #[derive(Record)] #[netsuite(record = "customer")]
/// # pub struct Customer { #[netsuite(id)] pub id: Option<RecordId>, pub balance: Option<f64> }
/// Customer::fields().balance.starts_with("1"); // numbers have no START_WITH
/// ```
pub mod typed {
    pub use nstba_client::{decode_row, ClientExt, Select, TypedList, TypedRecords};
    pub use nstba_record::{
        kind, DateValue, Field, Filter, FilterError, NumberValue, Patch, Sublist, TypedRecord,
    };
}

/// Items the code generated by `#[derive(Record)]` refers to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use nstba_record;
    pub use serde;
    pub use serde_json;
}
