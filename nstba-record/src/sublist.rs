//! Sublists: the lines of `item` on a sales order, `addressbook` on a customer, as NetSuite sends them.

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A sublist (`item` on a sales order, `addressbook` on a customer), sent as `{"items": […]}` and read
/// from NetSuite's collection shape `{"links", "items", "totalResults", "count", "hasMore", "offset"}`.
///
/// One type serves a record's sublist field and a sublist read on its own
/// (`GET /{type}/{id}/{sublist}`). NetSuite returns the lines only when asked to expand
/// sub-resources (`get(..).expand_sub_resources(true)`); otherwise it sends a link stub
/// (`{"links": […]}`), which reads as *not expanded* ([`Sublist::is_expanded`] is `false`), not as
/// an empty sublist.
///
/// ```
/// use nstba_record::Sublist;
/// let lines: Sublist<u32> = serde_json::from_str(r#"{"links":[],"items":[1,2],"totalResults":2}"#)?;
/// assert_eq!(lines.len(), 2);
/// assert_eq!(serde_json::to_string(&lines)?, r#"{"items":[1,2]}"#);
/// let stub: Sublist<u32> = serde_json::from_str(r#"{"links":[{"rel":"self","href":"x"}]}"#)?;
/// assert!(stub.is_empty() && !stub.is_expanded());
/// let page: Sublist<u32> = serde_json::from_str(r#"{"items":[3],"totalResults":7,"hasMore":true,"offset":2,"count":1}"#)?;
/// assert_eq!((page.total_results(), page.has_more(), page.offset()), (Some(7), true, Some(2)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct Sublist<T> {
    items: Vec<T>,
    expanded: bool,
    total_results: Option<u64>,
    has_more: bool,
    offset: Option<u64>,
}

impl<T> Default for Sublist<T> {
    fn default() -> Self {
        Sublist {
            items: Vec::new(),
            expanded: false,
            total_results: None,
            has_more: false,
            offset: None,
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
            total_results: None,
            has_more: false,
            offset: None,
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

    /// The total number of lines, when NetSuite reported it (`totalResults`).
    pub fn total_results(&self) -> Option<u64> {
        self.total_results
    }

    /// Whether more lines follow this response (`hasMore`).
    pub fn has_more(&self) -> bool {
        self.has_more
    }

    /// The offset of this response's first line, when NetSuite reported it.
    pub fn offset(&self) -> Option<u64> {
        self.offset
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
        #[serde(rename_all = "camelCase")]
        struct Wire<T> {
            #[serde(default = "Option::default")]
            items: Option<Vec<T>>,
            #[serde(default)]
            total_results: Option<u64>,
            #[serde(default)]
            has_more: bool,
            #[serde(default)]
            offset: Option<u64>,
        }
        let w = Wire::<T>::deserialize(d)?;
        Ok(Sublist {
            expanded: w.items.is_some(),
            items: w.items.unwrap_or_default(),
            total_results: w.total_results,
            has_more: w.has_more,
            offset: w.offset,
        })
    }
}
