//! `GET /services/rest/system/v1/governanceLimits`: the account's concurrency limit.
//!
//! NetSuite answers `{"accountConcurrencyLimit", "accountUnallocatedConcurrencyLimit",
//! "integrationLimitType"}` (plus `integrationConcurrencyLimit` when a limit is allocated to the
//! integration). The emulator allocates nothing to integrations: the limit type is `accountLimit` and
//! the whole account limit (the builder's `concurrency_limit`) is unallocated.

use super::problem::{json_response, Resp};
use super::Ctx;
use hyper::StatusCode;
use serde_json::json;

/// The account's limits.
pub(crate) fn limits(ctx: &Ctx) -> Resp {
    let limit = ctx.app.concurrency_limit;
    json_response(
        StatusCode::OK,
        &json!({
            "accountConcurrencyLimit": limit,
            "accountUnallocatedConcurrencyLimit": limit,
            "integrationLimitType": "accountLimit",
        }),
        "application/json",
    )
}
