//! NetSuite's transaction type codes, from the one table in `nstba-record`, in the emulator's
//! lower-cased record types.

use std::sync::LazyLock;

/// Transaction record types (lower case) with a known SuiteQL `transaction.type` code, and that code.
pub(crate) static TRANSACTION_TYPES: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    nstba_record::types::TRANSACTION_TYPES
        .iter()
        .filter_map(|(t, code)| code.map(|c| (t.to_ascii_lowercase(), c)))
        .collect()
});
