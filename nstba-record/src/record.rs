//! The contract between typed records (`#[derive(Record)]`) and the client: every typed call goes
//! through the same code path as the untyped one, parameterised by these items.

use core::fmt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// RFC 3986: everything but the unreserved characters is percent-encoded in a path segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A record's internal id as NetSuite returns it (`"id": "123"`). Serialized as a string.
///
/// Read from a JSON string or a JSON number: subrecords (`billingAddress`, `addressbookAddress`)
/// carry numeric ids (`"id": 77`), and system records have negative ones (`"-5"`).
///
/// ```
/// use nstba_record::RecordId;
/// let n: RecordId = serde_json::from_str("77")?;
/// let s: RecordId = serde_json::from_str(r#""-5""#)?;
/// assert_eq!((n.as_str(), s.as_str()), ("77", "-5"));
/// assert_eq!(serde_json::to_string(&n)?, r#""77""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IdVisitor).map(RecordId)
    }
}

/// Reads an id written as a JSON string or an integer (`"12"`, `12`, `"-5"`, `-5`).
struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an internal id (a string or an integer)")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// `Option<String>` from an id written as a string, an integer or `null`.
fn opt_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<RecordId>::deserialize(d).map(|o| o.map(|id| id.0))
}

impl RecordId {
    /// Wraps an internal id.
    pub fn new(id: impl Into<String>) -> Self {
        RecordId(id.into())
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({})", self.0)
    }
}

impl From<&str> for RecordId {
    fn from(s: &str) -> Self {
        RecordId(s.to_owned())
    }
}

impl From<String> for RecordId {
    fn from(s: String) -> Self {
        RecordId(s)
    }
}

impl From<u64> for RecordId {
    fn from(n: u64) -> Self {
        RecordId(n.to_string())
    }
}

/// How a request addresses one record: by internal id or by external id (`eid:`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecordKey {
    /// Internal id: `/customer/123`.
    Id(RecordId),
    /// External id: `/customer/eid:ACME-1`.
    External(String),
}

impl RecordKey {
    /// An external-id key.
    pub fn external(id: impl Into<String>) -> Self {
        RecordKey::External(id.into())
    }

    /// The path segment: `123` or `eid:<percent-encoded external id>`.
    pub fn path_segment(&self) -> String {
        match self {
            RecordKey::Id(id) => {
                percent_encoding::utf8_percent_encode(id.as_str(), PATH_SEGMENT).to_string()
            }
            RecordKey::External(eid) => format!(
                "eid:{}",
                percent_encoding::utf8_percent_encode(eid, PATH_SEGMENT)
            ),
        }
    }
}

impl From<RecordId> for RecordKey {
    fn from(id: RecordId) -> Self {
        RecordKey::Id(id)
    }
}

impl From<&RecordId> for RecordKey {
    fn from(id: &RecordId) -> Self {
        RecordKey::Id(id.clone())
    }
}

impl From<&str> for RecordKey {
    /// `"eid:X"` is an external id, anything else an internal id.
    fn from(s: &str) -> Self {
        match s.strip_prefix("eid:") {
            Some(e) => RecordKey::External(e.to_owned()),
            None => RecordKey::Id(RecordId::new(s)),
        }
    }
}

impl From<String> for RecordKey {
    /// `"eid:X"` is an external id, anything else an internal id.
    fn from(s: String) -> Self {
        RecordKey::from(s.as_str())
    }
}

impl From<&String> for RecordKey {
    /// `"eid:X"` is an external id, anything else an internal id.
    fn from(s: &String) -> Self {
        RecordKey::from(s.as_str())
    }
}

impl From<u64> for RecordKey {
    fn from(n: u64) -> Self {
        RecordKey::Id(RecordId::from(n))
    }
}

/// A reference to another record, as NetSuite returns it: `{"id": "1", "refName": "USD", "links": […]}`
/// (may carry `externalId`; the id may be a JSON number or negative, `"-5"` for the system user).
///
/// When writing, only `id` (or `externalId`) is sent. The catalog's references to record types
/// (`$ref` to `customer`, `oneOf [customer, nsResource, vendor]`) are all this shape on the wire.
///
/// ```
/// use nstba_record::RecordRef;
/// let r: RecordRef = serde_json::from_str(
///     r#"{"id":"-5","refName":"System","externalId":"SYS","links":[{"rel":"self","href":"x"}]}"#,
/// )?;
/// assert_eq!((r.id.as_deref(), r.ref_name.as_deref()), (Some("-5"), Some("System")));
/// let n: RecordRef = serde_json::from_str(r#"{"id":77}"#)?;
/// assert_eq!(n.id.as_deref(), Some("77"));
/// assert_eq!(serde_json::to_string(&r)?, r#"{"id":"-5","externalId":"SYS"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordRef {
    /// Internal id of the referenced record.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_id"
    )]
    pub id: Option<String>,
    /// Display name NetSuite sends with the reference (read-only).
    #[serde(default, skip_serializing)]
    pub ref_name: Option<String>,
    /// External id of the referenced record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl RecordRef {
    /// A reference by internal id.
    pub fn id(id: impl Into<String>) -> Self {
        RecordRef {
            id: Some(id.into()),
            ..Default::default()
        }
    }

    /// A reference by external id.
    pub fn external(id: impl Into<String>) -> Self {
        RecordRef {
            external_id: Some(id.into()),
            ..Default::default()
        }
    }
}

/// What kind of value a field holds; decides which filter operators it offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text: `IS`, `CONTAIN`, `START_WITH`, `END_WITH`.
    String,
    /// Integer or decimal: `EQUAL`, `GREATER`, `LESS`, `BETWEEN`, …
    Number,
    /// Boolean: `IS`.
    Boolean,
    /// Date or date-time: `AFTER`, `BEFORE`, `ON`, …
    Date,
    /// Reference to another record (`ANY_OF` on its id).
    Reference,
    /// Sublist or subrecord (not filterable).
    Sublist,
}

/// One field of a record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The Rust field name.
    pub name: &'static str,
    /// The JSON / `q=` name (`companyName`, `custentity_tier`).
    pub wire: &'static str,
    /// The SuiteQL column name (lower-cased wire name).
    pub column: &'static str,
    /// The value kind.
    pub kind: FieldKind,
    /// Read-only in NetSuite (`readOnly: true` in the catalog, `#[netsuite(read_only)]`): decoded when
    /// read, never sent on create, update or upsert, and not part of the patch type.
    pub read_only: bool,
    /// Selected by typed SuiteQL (`false` with `#[netsuite(skip_select)]`, for REST fields that have
    /// no SuiteQL column of that name).
    pub selected: bool,
}

/// A NetSuite record type with a Rust representation. Implemented by `#[derive(Record)]`; can be
/// implemented by hand.
///
/// The client's typed operations (`get`, `create`, `update`, `upsert`, `delete`, `list`, SuiteQL) are
/// the untyped ones with `T::RECORD_TYPE` as the record type and serde doing the (de)serialization.
pub trait Record: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The REST record type (`customer`, `salesOrder`, `customrecord_x`).
    const RECORD_TYPE: &'static str;
    /// The SuiteQL table (`customer`, `transaction`, `customrecord_x`).
    const TABLE: &'static str;
    /// Every field, in declaration order.
    const FIELDS: &'static [FieldInfo];

    /// The internal id, when the value came from NetSuite.
    fn id(&self) -> Option<&RecordId>;
}

/// A [`Record`] with typed field handles and a patch type; implemented by `#[derive(Record)]`.
pub trait TypedRecord: Record {
    /// The field handles (`<Name>Fields`).
    type Fields;
    /// The partial update (`<Name>Patch`): every field unchanged, cleared or set.
    type Patch: Serialize + Default;

    /// The field handles.
    fn fields() -> Self::Fields;
}
