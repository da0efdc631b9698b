//! `#[derive(Record)]` for strongly typed NetSuite records. (Filled in by the derive issue.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

/// Derives `nstba::Record` for a struct describing one NetSuite record type.
#[proc_macro_derive(Record, attributes(netsuite))]
pub fn derive_record(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
