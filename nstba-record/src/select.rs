//! Select-list (enum) fields and multi-select fields, in every form NetSuite sends them.
//!
//! - A select-list value comes as `{"id": "B", "refName": "Pending Fulfillment"}` (2025 catalogs)
//!   or as a bare string `"B"` (2019–2020 accounts, `simpleEnumFormat=true`); ids the catalog did
//!   not list occur in real data. [`SelectList`] (implemented by [`select_list!`](crate::select_list))
//!   maps ids to an enum with an `Unknown(String)` fallback; [`SelectValue`] keeps the `refName`
//!   next to it. Both are written as NetSuite accepts them: `{"id": "B"}`.
//! - A multi-select field is an `nsResourceCollection`: [`MultiSelect`], which tells a link stub
//!   ("not fetched") apart from an empty selection.

use crate::{RecordRef, Sublist};
use core::fmt;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An enum of a select list's ids. Implemented by [`select_list!`](crate::select_list) (which the
/// generator uses) or by hand.
///
/// `from_id` never fails: an id the enum does not list becomes its "unknown" variant, keeping the
/// text.
pub trait SelectList: Sized {
    /// The value for a NetSuite id (`"B"`), or the unknown variant holding it.
    fn from_id(id: &str) -> Self;
    /// The NetSuite id.
    fn id(&self) -> &str;
    /// Whether the id is one the enum lists.
    fn is_known(&self) -> bool;
}

/// A select-list value with the display name NetSuite sent (`refName`), read from
/// `{"id": "B", "refName": "Pending Fulfillment"}` or from a bare `"B"`, written as `{"id": "B"}`.
///
/// ```
/// use nstba_record::{select_list, SelectList, SelectValue};
/// select_list! {
///     /// Sales order status.
///     pub enum Status {
///         /// Pending fulfillment.
///         PendingFulfillment = "B",
///     }
/// }
/// let v: SelectValue<Status> = serde_json::from_str(r#"{"id":"B","refName":"Pending Fulfillment"}"#)?;
/// assert_eq!(v.value, Status::PendingFulfillment);
/// assert_eq!(v.ref_name.as_deref(), Some("Pending Fulfillment"));
/// let bare: SelectValue<Status> = serde_json::from_str(r#""B""#)?;
/// assert_eq!((bare.value, bare.ref_name), (Status::PendingFulfillment, None));
/// let odd: SelectValue<Status> = serde_json::from_str(r#"{"id":"Pending Receipt","refName":"Pending Receipt"}"#)?;
/// assert_eq!(odd.value, Status::Unknown("Pending Receipt".into()));
/// assert_eq!(serde_json::to_string(&v)?, r#"{"id":"B"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SelectValue<E> {
    /// The value.
    pub value: E,
    /// The display name NetSuite sent with it (read-only; never written).
    pub ref_name: Option<String>,
}

impl<E> SelectValue<E> {
    /// A value to write (no display name).
    pub fn new(value: E) -> Self {
        SelectValue {
            value,
            ref_name: None,
        }
    }
}

impl<E> From<E> for SelectValue<E> {
    fn from(value: E) -> Self {
        SelectValue::new(value)
    }
}

impl<E: SelectList> Serialize for SelectValue<E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_id(self.value.id(), s)
    }
}

impl<'de, E: SelectList> Deserialize<'de> for SelectValue<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (id, ref_name) = deserialize_id(d)?;
        Ok(SelectValue {
            value: E::from_id(&id),
            ref_name,
        })
    }
}

/// Writes a select-list id as NetSuite accepts it: `{"id": "B"}`.
pub fn serialize_id<S: Serializer>(id: &str, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry("id", id)?;
    m.end()
}

/// Reads a select-list value: `{"id", "refName"[, "links"]}` or a bare string. Returns the id and
/// the display name, if any.
///
/// # Errors
///
/// When the value is neither a string nor an object with an `id`.
pub fn deserialize_id<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<(String, Option<String>), D::Error> {
    d.deserialize_any(SelectVisitor)
}

struct SelectVisitor;

impl<'de> Visitor<'de> for SelectVisitor {
    type Value = (String, Option<String>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a select-list value: a string id or {\"id\", \"refName\"}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok((v.to_owned(), None))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok((v.to_string(), None))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok((v.to_string(), None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut id: Option<String> = None;
        let mut ref_name: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => id = Some(map.next_value::<crate::RecordId>()?.as_str().to_owned()),
                "refName" => ref_name = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        Ok((id, ref_name))
    }
}

/// Declares a select-list enum: the listed ids, an `Unknown(String)` variant for any other id, and
/// [`SelectList`], `From<&str>`, `as_str`, `Display` and serde impls (read from `{"id", "refName"}`
/// or a bare string, written as `{"id": …}`). Wrap the field type in [`SelectValue`] to keep the
/// `refName` too. (The generator writes the same `SelectList` impl out in full, so generated code
/// reads on its own.)
///
/// ```
/// nstba_record::select_list! {
///     /// Country.
///     pub enum Country {
///         /// New Zealand.
///         Nz = "NZ",
///         /// United States.
///         Us = "US",
///     }
/// }
/// use nstba_record::SelectList;
/// assert_eq!(Country::from_id("NZ"), Country::Nz);
/// assert_eq!(Country::from("FR"), Country::Unknown("FR".into()));
/// let c: Country = serde_json::from_str(r#"{"id":"US","refName":"United States"}"#)?;
/// assert_eq!((c.as_str(), serde_json::to_string(&c)?.as_str()), ("US", r#"{"id":"US"}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! select_list {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// An id the catalog did not list (kept as sent).
            Unknown(::std::string::String),
        }

        impl $name {
            /// The NetSuite id.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $id, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl $crate::SelectList for $name {
            fn from_id(id: &str) -> Self {
                match id {
                    $( $id => Self::$variant, )*
                    other => Self::Unknown(::std::string::ToString::to_string(other)),
                }
            }
            fn id(&self) -> &str {
                self.as_str()
            }
            fn is_known(&self) -> bool {
                !::core::matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(id: &str) -> Self {
                <Self as $crate::SelectList>::from_id(id)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::select::serialize_id(self.as_str(), s)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                let (id, _) = $crate::select::deserialize_id(d)?;
                ::core::result::Result::Ok(<Self as $crate::SelectList>::from_id(&id))
            }
        }
    };
}

/// A multi-select field (`$ref nsResourceCollection` in the catalog): the selected records.
///
/// Read from the collection NetSuite sends when sub-resources are expanded
/// (`{"links", "count", "hasMore", "items": [{"id", "refName", "links"}], "offset", "totalResults"}`)
/// or from the link stub it sends otherwise (`{"links": [{"rel": "self", "href": "…"}]}`), which
/// reads as *not expanded* ([`MultiSelect::is_expanded`] is `false`), never as an empty selection.
/// Written as NetSuite accepts it: `{"items": [{"id": "101"}, …]}`.
///
/// ```
/// use nstba_record::MultiSelect;
/// let m: MultiSelect = serde_json::from_str(r#"{"links":[],"count":2,"hasMore":false,
///     "items":[{"id":"101","refName":"East","links":[]},{"id":"102","refName":"West","links":[]}],
///     "offset":0,"totalResults":2}"#)?;
/// assert!(m.is_expanded());
/// assert_eq!(m.ids().collect::<Vec<_>>(), ["101", "102"]);
/// assert_eq!(serde_json::to_string(&m)?, r#"{"items":[{"id":"101"},{"id":"102"}]}"#);
/// let stub: MultiSelect = serde_json::from_str(r#"{"links":[{"rel":"self","href":"x/subsidiary"}]}"#)?;
/// assert!(!stub.is_expanded());
/// assert_eq!(MultiSelect::from_ids(["7"]).refs()[0].id.as_deref(), Some("7"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MultiSelect(Sublist<RecordRef>);

impl MultiSelect {
    /// A selection of these references.
    pub fn new(refs: Vec<RecordRef>) -> Self {
        MultiSelect(Sublist::new(refs))
    }

    /// A selection of records by internal id.
    pub fn from_ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        MultiSelect::new(ids.into_iter().map(RecordRef::id).collect())
    }

    /// Whether NetSuite sent the selection (`items`), rather than a link stub.
    pub fn is_expanded(&self) -> bool {
        self.0.is_expanded()
    }

    /// The selected references (empty when not expanded: check [`MultiSelect::is_expanded`]).
    pub fn refs(&self) -> &[RecordRef] {
        self.0.items()
    }

    /// The internal ids of the selected records that have one.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|r| r.id.as_deref())
    }

    /// The total number of selected records, when NetSuite reported it (`totalResults`).
    pub fn total_results(&self) -> Option<u64> {
        self.0.total_results()
    }

    /// The collection, with its paging details.
    pub fn as_sublist(&self) -> &Sublist<RecordRef> {
        &self.0
    }
}

impl From<Vec<RecordRef>> for MultiSelect {
    fn from(refs: Vec<RecordRef>) -> Self {
        MultiSelect::new(refs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;

    crate::select_list! {
        /// Test list.
        enum Level {
            /// One.
            One = "1",
            /// A listed id spelled like the fallback variant.
            Unknown_ = "Unknown",
        }
    }

    #[test]
    fn select_values_in_every_form() {
        let v: SelectValue<Level> =
            serde_json::from_str(r#"{"refName":"One","id":"1","links":[]}"#).unwrap();
        assert_eq!((v.value, v.ref_name.as_deref()), (Level::One, Some("One")));
        // Numeric ids (some select lists are keyed by internal id).
        let n: SelectValue<Level> = serde_json::from_str(r#"{"id":1}"#).unwrap();
        assert_eq!(n.value, Level::One);
        let listed: Level = serde_json::from_str(r#""Unknown""#).unwrap();
        assert_eq!(listed, Level::Unknown_);
        assert!(listed.is_known());
        let other: Level = serde_json::from_str(r#""7""#).unwrap();
        assert_eq!(other, Level::Unknown("7".into()));
        assert!(!other.is_known());
        assert_eq!(other.to_string(), "7");
        let written = serde_json::to_string(&SelectValue::new(Level::Unknown("7".into()))).unwrap();
        assert_eq!(written, r#"{"id":"7"}"#);
    }

    #[test]
    fn bad_select_values_are_errors_naming_the_value() {
        let err = serde_json::from_str::<SelectValue<Level>>("true").unwrap_err();
        assert!(err.to_string().contains("boolean `true`"), "{err}");
        let err = serde_json::from_str::<SelectValue<Level>>(r#"{"refName":"One"}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `id`"), "{err}");
        let err = serde_json::from_str::<Level>("[1]").unwrap_err();
        assert!(err.to_string().contains("select-list value"), "{err}");
    }

    #[test]
    fn ids_and_references_reject_what_is_not_an_id() {
        let err = serde_json::from_str::<RecordId>("1.5").unwrap_err();
        assert!(err.to_string().contains("floating point `1.5`"), "{err}");
        let err = serde_json::from_str::<RecordRef>(r#"{"id":false}"#).unwrap_err();
        assert!(err.to_string().contains("boolean `false`"), "{err}");
        let r: RecordRef = serde_json::from_str(r#"{"id":null,"refName":"x"}"#).unwrap();
        assert_eq!(r.id, None);
        let r: RecordRef = serde_json::from_str(r#"{"id":-10}"#).unwrap();
        assert_eq!(r.id.as_deref(), Some("-10"));
    }

    #[test]
    fn multi_select_stub_empty_and_written() {
        let empty: MultiSelect = serde_json::from_str(
            r#"{"links":[],"count":0,"hasMore":false,"items":[],"offset":0,"totalResults":0}"#,
        )
        .unwrap();
        assert!(empty.is_expanded() && empty.refs().is_empty());
        let stub: MultiSelect =
            serde_json::from_str(r#"{"links":[{"rel":"self","href":"h"}]}"#).unwrap();
        assert!(!stub.is_expanded());
        assert_ne!(stub, empty, "a stub is not an empty selection");
        let numeric: MultiSelect = serde_json::from_str(r#"{"items":[{"id":5}]}"#).unwrap();
        assert_eq!(numeric.ids().collect::<Vec<_>>(), ["5"]);
        assert_eq!(
            serde_json::to_string(&MultiSelect::from_ids(["1", "-5"])).unwrap(),
            r#"{"items":[{"id":"1"},{"id":"-5"}]}"#
        );
    }
}
