//! NetSuite's paging rules and page links, shared by record lists and SuiteQL.

use super::problem::Problem;
use super::Ctx;
use serde_json::{json, Value};

/// Most results a list can reach.
pub(crate) const MAX_RESULTS: usize = 100_000;
/// Largest page.
pub(crate) const MAX_LIMIT: usize = 1000;

/// Parses `limit` / `offset` with NetSuite's rules.
pub(crate) fn paging(ctx: &Ctx) -> Result<(usize, usize), Problem> {
    let limit = match ctx.param("limit") {
        None => MAX_LIMIT,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(Problem::invalid_param(
                    "limit",
                    format!("Invalid value for the limit parameter: '{l}'. The limit must be between 1 and {MAX_LIMIT}."),
                ))
            }
        },
    };
    let offset = match ctx.param("offset") {
        None => 0,
        Some(o) => match o.trim().parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                return Err(Problem::invalid_param(
                    "offset",
                    format!("Invalid value for the offset parameter: '{o}'."),
                ))
            }
        },
    };
    if offset % limit != 0 {
        return Err(Problem::invalid_param(
            "offset",
            format!("Invalid value for the offset parameter: {offset}. The offset must be a multiple of the limit ({limit})."),
        ));
    }
    if offset >= MAX_RESULTS {
        return Err(Problem::invalid_param(
            "offset",
            format!("Invalid value for the offset parameter: {offset}. At most {MAX_RESULTS} results can be paged through."),
        ));
    }
    Ok((limit, offset))
}

/// The `links` of a page: self, first, prev, next, last.
pub(crate) fn page_links(
    href_for: impl Fn(usize) -> String,
    limit: usize,
    offset: usize,
    total: usize,
    method: Option<&str>,
) -> Value {
    let reachable = total.min(MAX_RESULTS);
    let last = if reachable == 0 {
        0
    } else {
        ((reachable - 1) / limit) * limit
    };
    let mut out = Vec::new();
    let mut push = |rel: &str, off: usize| {
        let mut l = json!({"rel": rel, "href": href_for(off)});
        if let Some(m) = method {
            l["method"] = Value::String(m.to_owned());
        }
        out.push(l);
    };
    push("self", offset);
    push("first", 0);
    if offset > 0 {
        push("prev", offset.saturating_sub(limit));
    }
    if offset + limit < reachable {
        push("next", offset + limit);
    }
    push("last", last);
    Value::Array(out)
}
