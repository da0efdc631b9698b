//! # nstba-record — what a NetSuite record is, in Rust and on the wire
//!
//! The runtime that `#[derive(Record)]` (crate `nstba-macros`, through the facade `nstba`) targets,
//! and that the client, the generator and the emulator share:
//! - the [`Record`] / [`TypedRecord`] traits and their field descriptions ([`FieldInfo`]);
//! - ids and references: [`RecordId`], [`RecordKey`] (internal or `eid:`), [`RecordRef`];
//! - values as NetSuite writes them ([`values`]: [`Date`], [`DateTime`], numbers and `T`/`F` as
//!   strings);
//! - select lists and multi-selects ([`select`]: [`SelectList`], [`SelectValue`], [`MultiSelect`],
//!   [`select_list!`]) in every form NetSuite sends them;
//! - [`Sublist`] (expanded lines or a link stub), [`Patch`] (unchanged / cleared / set);
//! - typed field handles ([`Field`], [`kind`]) and the [`Filter`] tree with its two renderers
//!   (`q=` and SuiteQL);
//! - NetSuite's naming facts, one table each: [`types`] (record types, transaction type codes,
//!   SuiteQL tables) and [`names`] (custom-field prefixes, the camelCase rule, the identifier rule).
//!
//! It depends on serde only (plus `percent-encoding` for `eid:` path segments), so the proc-macro
//! crate can read its tables without pulling the signer's HMAC/URL/RNG crates into the build.
//!
//! ```
//! use nstba_record::{Patch, RecordKey, Sublist};
//! assert_eq!(RecordKey::from("eid:ACME 1").path_segment(), "eid:ACME%201");
//! assert_eq!(Patch::<u32>::default(), Patch::Unchanged);
//! let stub: Sublist<u32> = serde_json::from_str(r#"{"links":[]}"#)?;
//! assert!(!stub.is_expanded());
//! # Ok::<(), serde_json::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod field;
mod filter;
pub mod names;
mod patch;
mod record;
pub mod select;
#[doc(hidden)]
pub mod ser;
mod sublist;
pub mod suiteql;
pub mod types;
pub mod values;

pub use field::{kind, DateValue, Field, NumberValue};
pub use filter::{Filter, FilterError};
pub use patch::Patch;
pub use record::{FieldInfo, FieldKind, Record, RecordId, RecordKey, RecordRef, TypedRecord};
pub use select::{MultiSelect, SelectList, SelectValue};
pub use sublist::Sublist;

#[doc(hidden)]
pub use serde as __serde;
pub use values::{Date, DateTime, ParseDateError};
