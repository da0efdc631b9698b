//! The typed layer `#[derive(Record)]` targets: field handles and filters ([`Field`], [`Filter`]),
//! partial updates ([`Patch`]), sublists ([`Sublist`]), typed SuiteQL ([`Select`]) and the typed
//! operations ([`ClientExt::typed`] → [`TypedRecords`]).

mod field;
mod ops;
mod select;
#[doc(hidden)]
pub mod ser;

pub use field::{kind, DateValue, Field, Filter, FilterError, NumberValue};
pub use ops::{ClientExt, TypedList, TypedRecords};
pub use select::{decode_row, Select};

use crate::client::Record;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A [`Record`] with typed field handles and a patch type; implemented by `#[derive(Record)]`.
pub trait TypedRecord: Record {
    /// The field handles (`<Name>Fields`).
    type Fields;
    /// The partial update (`<Name>Patch`): every field unchanged, cleared or set.
    type Patch: Serialize + Default;

    /// The field handles.
    fn fields() -> Self::Fields;
}

/// One field of a partial update: leave it as it is, clear it (send `null`), or set it.
///
/// ```
/// use nstba::typed::Patch;
/// let p: Patch<String> = Patch::set("x");
/// assert_eq!(p, Patch::Set("x".to_owned()));
/// assert_eq!(Patch::<String>::default(), Patch::Unchanged);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent: NetSuite keeps the current value.
    Unchanged,
    /// Sent as `null`: NetSuite clears the field.
    Clear,
    /// Sent with this value.
    Set(T),
}

// Hand-written: a derive would require `T: Default`.
#[allow(clippy::derivable_impls)]
impl<T> Default for Patch<T> {
    fn default() -> Self {
        Patch::Unchanged
    }
}

impl<T> From<T> for Patch<T> {
    fn from(v: T) -> Self {
        Patch::Set(v)
    }
}

impl<T> Patch<T> {
    /// `Set(v)`.
    pub fn set(v: impl Into<T>) -> Self {
        Patch::Set(v.into())
    }

    /// Whether the field is left unchanged.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }
}

/// A typed sublist (`item` on a sales order, `addressbook` on a customer), sent and read as
/// `{"items": […]}`. NetSuite returns the lines only when asked to expand sub-resources
/// (`get(..).expand_sub_resources(true)`); otherwise the sublist reads as empty.
///
/// ```
/// use nstba::typed::Sublist;
/// let lines: Sublist<u32> = serde_json::from_str(r#"{"links":[],"items":[1,2],"totalResults":2}"#)?;
/// assert_eq!(lines.len(), 2);
/// assert_eq!(serde_json::to_string(&lines)?, r#"{"items":[1,2]}"#);
/// let stub: Sublist<u32> = serde_json::from_str(r#"{"links":[{"rel":"self","href":"x"}]}"#)?;
/// assert!(stub.is_empty() && !stub.is_expanded());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Sublist<T> {
    items: Vec<T>,
    expanded: bool,
}

impl<T> Default for Sublist<T> {
    fn default() -> Self {
        Sublist {
            items: Vec::new(),
            expanded: false,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sublist<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

impl<T> Sublist<T> {
    /// A sublist with these lines.
    pub fn new(items: Vec<T>) -> Self {
        Sublist {
            items,
            expanded: true,
        }
    }

    /// The lines.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The lines, mutably.
    pub fn items_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }

    /// The lines, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no lines.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether NetSuite sent the lines (`items`), rather than a link stub.
    pub fn is_expanded(&self) -> bool {
        self.expanded
    }

    /// An iterator over the lines.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T> From<Vec<T>> for Sublist<T> {
    fn from(items: Vec<T>) -> Self {
        Sublist::new(items)
    }
}

impl<T> FromIterator<T> for Sublist<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Sublist::new(iter.into_iter().collect())
    }
}

impl<T> IntoIterator for Sublist<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Sublist<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: Serialize> Serialize for Sublist<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a, T> {
            items: &'a [T],
        }
        Wire { items: &self.items }.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sublist<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(bound = "T: Deserialize<'de>")]
        struct Wire<T> {
            #[serde(default = "Option::default")]
            items: Option<Vec<T>>,
        }
        let w = Wire::<T>::deserialize(d)?;
        Ok(Sublist {
            expanded: w.items.is_some(),
            items: w.items.unwrap_or_default(),
        })
    }
}
