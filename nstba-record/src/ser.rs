//! Serialization helpers the derive calls once per field (generic, so each value type is compiled
//! once rather than once per field). Not a public API.

use crate::{Patch, Sublist};
use serde::ser::SerializeMap;
use serde::Serialize;

/// `Some(v)` is sent, `None` is not.
pub fn opt<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &'static str,
    v: &Option<T>,
) -> Result<(), M::Error> {
    match v {
        Some(v) => m.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// Always sent.
pub fn value<M: SerializeMap, T: Serialize + ?Sized>(
    m: &mut M,
    key: &'static str,
    v: &T,
) -> Result<(), M::Error> {
    m.serialize_entry(key, v)
}

/// Sent when it has lines.
pub fn sublist<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &'static str,
    v: &Sublist<T>,
) -> Result<(), M::Error> {
    if v.is_empty() {
        Ok(())
    } else {
        m.serialize_entry(key, v)
    }
}

/// `Unchanged` is not sent, `Clear` is sent as `null`, `Set(v)` as `v`.
pub fn patch<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &'static str,
    v: &Patch<T>,
) -> Result<(), M::Error> {
    match v {
        Patch::Unchanged => Ok(()),
        Patch::Clear => m.serialize_entry(key, &None::<()>),
        Patch::Set(v) => m.serialize_entry(key, v),
    }
}
