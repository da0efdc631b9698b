//! `#[derive(Record)]` for strongly typed NetSuite records. (Filled in by the derive issue.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
