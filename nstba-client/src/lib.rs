//! Async NetSuite client: records, SuiteQL, RESTlets and token endpoints, every request signed by
//! [`nstba_core`]. (Operations are filled in by the nstba-client issue.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod record;

pub use record::{FieldInfo, FieldKind, Record, RecordId, RecordKey, RecordRef};
