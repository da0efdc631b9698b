// Custom record types, the `unchecked` opt-out, `table`, `column` and `kind` are accepted.
#![deny(missing_docs, warnings)]
//! Accepted spellings.
use nstba::{Record, RecordId};

/// A custom record.
#[derive(Record)]
#[netsuite(record = "customrecord_tier_rule")]
pub struct TierRule {
    /// Id.
    #[netsuite(id)]
    pub id: RecordId,
    /// A custom field on a custom record.
    #[netsuite(custom = "custrecord_tier", column = "custrecord_tier")]
    pub tier: Option<String>,
    /// Read as a string; filtered as a number.
    #[netsuite(kind = "number")]
    pub raw: Option<serde_json::Value>,
}

/// A type this crate does not know yet.
#[derive(Record)]
#[netsuite(record = "brandNewRecord", unchecked, table = "brandnew")]
pub struct BrandNew {
    /// Id.
    #[netsuite(id)]
    pub id: Option<RecordId>,
}

// Private and unused: the generated items must not warn (dead code) either.
#[derive(Record)]
#[netsuite(record = "vendor")]
struct Private {
    #[netsuite(id)]
    id: Option<RecordId>,
    name: Option<String>,
}

fn main() {
    assert_eq!(<TierRule as Record>::TABLE, "customrecord_tier_rule");
    assert_eq!(<BrandNew as Record>::TABLE, "brandnew");
    let _ = TierRule::fields().raw.greater(1).to_query();
}
