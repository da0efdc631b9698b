//! `#[derive(Record)]` for strongly typed NetSuite records.
//!
//! Use it through the facade: `nstba::Record` (feature `derive`, on by default). The attribute
//! grammar is documented on [`macro@Record`].
//!
//! The crate reads in stages: `ast` builds a borrowed model of the input keeping spans, `attr`
//! parses the `#[netsuite(…)]` attributes, `valid` checks the rules that span several fields, and
//! `expand` writes the code. Every stage accumulates its errors; on error the derive emits them all
//! together plus stub impls, so users see the real error and not a cascade.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ast;
mod attr;
mod expand;
mod suggest;
mod valid;

use proc_macro::TokenStream;

/// Derives `nstba::Record` (plus serde, typed field handles and a patch type) for a struct that
/// describes one NetSuite record type.
///
/// ```text
/// #[derive(Record)]
/// #[netsuite(record = "customer")]
/// pub struct Customer {
///     #[netsuite(id)] pub id: Option<RecordId>,
///     pub company_name: Option<String>,                  // wire `companyName`, column `companyname`
///     #[netsuite(custom = "custentity_tier")] pub tier: Option<String>,
///     #[netsuite(external_id)] pub external_id: Option<String>,
/// }
/// ```
///
/// # Container attributes: `#[netsuite(…)]` on the struct
/// - `record = "customer"` — the REST record type. Checked against the standard record types;
///   `customrecord…` ids are accepted as they are.
/// - `unchecked` — accept a `record` type the macro does not know (new or account-specific types).
/// - `table = "transaction"` — the SuiteQL table (default: derived from the record type).
/// - `subrecord` — the struct is a sublist line or a subrecord: no record type, no id field; only
///   the serde impls (with the same wire names) are generated.
/// - `crate = "path"` — where the facade is (default `::nstba`), for a renamed dependency.
///
/// # Field attributes
/// - `id` — the internal id (`RecordId` or `Option<RecordId>`); exactly one per record.
/// - `external_id` — the external id (wire `externalId`).
/// - `rename = "wireName"` — the JSON / `q=` name (default: camelCase of the Rust name).
/// - `custom = "custentity_x"` — a custom field by script id (prefix checked).
/// - `column = "name"` — the SuiteQL column (default: the lower-cased wire name).
/// - `kind = "string" | "number" | "boolean" | "date" | "reference"` — the field kind, for types
///   the macro cannot map by itself.
/// - `subrecord` — a nested subrecord value (any serde type; not filterable, not selected in SuiteQL).
/// - `read_only` — NetSuite sets it (`readOnly` in the catalog): read, never sent on create, update or
///   upsert, and left out of `<Name>Patch`.
/// - `skip_select` — left out of typed SuiteQL selects (a REST field with no SuiteQL column of that name).
/// - `no_filter` — NetSuite does not filter on it (not in the record's `x-ns-filterable` list): the
///   field gets no handle in `<Name>Fields`, so a filter on it does not compile.
///
/// Fields of type `Sublist<T>` are sublists; they are sent and read as `{"items": […]}`.
/// `MultiSelect` fields are multi-selects (no filter handle); `SelectValue<E>` fields are select
/// lists, filtered by id as text.
///
/// # Generated items
/// `impl Record`, `impl TypedRecord`, `Serialize` and `Deserialize` (do not derive serde yourself),
/// `<Name>Fields` (typed filter handles, from `Name::fields()`) and `<Name>Patch` (every field a
/// `Patch<T>`: unchanged, cleared or set).
#[proc_macro_derive(Record, attributes(netsuite))]
pub fn derive_record(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
