//! SuiteQL `POST /services/rest/query/v1/suiteql`.

use super::paging::{page_links, paging, MAX_RESULTS};
use super::problem::{Problem, Resp, COLLECTION};
use super::Ctx;
use hyper::StatusCode;
use serde_json::Value;

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
    let body = Page {
        links: page_links(href_for, limit, offset, total, Some("POST")),
        count,
        has_more: offset + count < total.min(MAX_RESULTS),
        items: rows,
        offset,
        total_results: total,
    };
    // Serialized from the struct so each item keeps NetSuite's key order (`links` first).
    let bytes = serde_json::to_vec(&body).map_err(|e| {
        Problem::new(
            400,
            "INVALID_PARAMETER",
            format!("The result cannot be written: {e}"),
        )
    })?;
    let mut resp = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(bytes)));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(COLLECTION),
    );
    Ok(resp)
}

/// One page of SuiteQL results.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    links: Value,
    count: usize,
    has_more: bool,
    items: Vec<crate::store::suiteql::Row>,
    offset: usize,
    total_results: usize,
}
