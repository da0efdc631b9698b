//! SuiteQL `POST /services/rest/query/v1/suiteql`.

use super::paging::{page_links, paging, MAX_RESULTS};
use super::problem::{self, Problem, Resp, COLLECTION};
use super::Ctx;
use hyper::StatusCode;
use serde_json::{json, Value};

/// Runs one page of a SuiteQL query.
pub(crate) fn query(ctx: &Ctx) -> Resp {
    match run(ctx) {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

fn run(ctx: &Ctx) -> Result<Resp, Problem> {
    let transient = ctx
        .prefer
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("transient"));
    if !transient {
        return Err(Problem::new(
            400,
            "INVALID_PARAMETER",
            "SuiteQL requests must carry the header 'Prefer: transient'.",
        ));
    }
    let (limit, offset) = paging(ctx)?;
    let body: Value = serde_json::from_slice(&ctx.body).map_err(|e| {
        Problem::invalid_content(format!(
            "Invalid content in the request body: the JSON is malformed ({e})."
        ))
    })?;
    let Some(q) = body.get("q").and_then(Value::as_str) else {
        return Err(Problem::invalid_content(
            "Invalid content in the request body: expected {\"q\": \"<SuiteQL query>\"}.",
        ));
    };
    let (total, rows) =
        crate::store::suiteql::query(ctx.store(), q, limit, offset).map_err(|d| {
            Problem::new(
                400,
                "INVALID_PARAMETER",
                format!("Invalid search query. Detailed unprocessed description follows. {d}"),
            )
        })?;
    let base = format!("{}/services/rest/query/v1/suiteql", ctx.base);
    let href_for = |off: usize| format!("{base}?limit={limit}&offset={off}");
    let count = rows.len();
    let body = json!({
        "links": page_links(href_for, limit, offset, total, Some("POST")),
        "count": count,
        "hasMore": offset + count < total.min(MAX_RESULTS),
        "items": rows,
        "offset": offset,
        "totalResults": total,
    });
    Ok(problem::json_response(StatusCode::OK, &body, COLLECTION))
}
