//! The one route table: (method, path pattern) → handler.
//!
//! Patterns are matched segment by segment on the percent-decoded, non-empty segments of the path.
//! A pattern segment is a literal, `{name}` (any one segment), `{name:ident}` (one identifier
//! segment: a letter or `_`, then letters, digits, `_`), `prefix{name}` (one segment starting with the
//! literal `prefix`, e.g. `@{action}`; the value is what follows it, never empty), or a final
//! `{name:**}` (every remaining segment, possibly none, joined with `/`). The first pattern in table order that matches the path
//! picks the resource; the rows with that pattern then pick the handler by method (`*`: any method),
//! and a method no row names gets the resource family's 405.

use super::oauth2::{SCOPE_REST, SCOPE_RESTLETS};
use crate::api::problem::{self, Problem, Resp};
use crate::api::{
    actions, governance, jobs, metadata, records, restlets, suiteql, tokens, transform, Handler,
};

/// How a family's errors are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// The REST problem body (`o:errorDetails`).
    Rest,
    /// The RESTlet body `{"error":{"code","message"}}`.
    Restlet,
}

/// How a family's callers authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// OAuth 1.0a Token-Based Authentication, under the account's concurrency limit.
    Tba,
    /// `NLAuth` user credentials (`/rest/issuetoken`).
    NlAuth,
    /// None at the gate: the OAuth 2.0 token endpoint verifies the client assertion in the body.
    ClientAssertion,
}

/// A group of routes sharing authentication, error style and the 405 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// The REST record API.
    Records,
    /// The metadata catalog.
    Metadata,
    /// SuiteQL.
    SuiteQl,
    /// RESTlets.
    Restlet,
    /// `/rest/issuetoken`.
    IssueToken,
    /// `/rest/revoketoken`.
    RevokeToken,
    /// The OAuth 2.0 token endpoint.
    OAuth2Token,
    /// The asynchronous job API `/services/rest/async/v1/job`.
    AsyncJobs,
    /// `/services/rest/system/v1` (`governanceLimits`).
    System,
}

impl Family {
    /// How callers authenticate.
    pub fn scheme(self) -> Scheme {
        match self {
            Family::IssueToken => Scheme::NlAuth,
            Family::OAuth2Token => Scheme::ClientAssertion,
            Family::Records
            | Family::Metadata
            | Family::SuiteQl
            | Family::Restlet
            | Family::RevokeToken
            | Family::AsyncJobs
            | Family::System => Scheme::Tba,
        }
    }

    /// The OAuth 2.0 scope a `Bearer` token needs here (`None`: TBA only).
    pub fn bearer_scope(self) -> Option<&'static str> {
        match self {
            Family::Records
            | Family::Metadata
            | Family::SuiteQl
            | Family::AsyncJobs
            | Family::System => Some(SCOPE_REST),
            Family::Restlet => Some(SCOPE_RESTLETS),
            Family::IssueToken | Family::RevokeToken | Family::OAuth2Token => None,
        }
    }

    /// How errors are written.
    pub fn style(self) -> Style {
        match self {
            Family::Restlet | Family::IssueToken | Family::RevokeToken => Style::Restlet,
            Family::Records
            | Family::Metadata
            | Family::SuiteQl
            | Family::OAuth2Token
            | Family::AsyncJobs
            | Family::System => Style::Rest,
        }
    }

    /// The answer to a method no route of the resource takes.
    pub fn method_not_allowed(self, method: &str) -> Resp {
        let detail = match self {
            Family::SuiteQl => "SuiteQL queries are sent with POST.".to_owned(),
            Family::Metadata => {
                format!("The method {method} is not allowed on the metadata catalog.")
            }
            Family::OAuth2Token => return tokens::oauth2_error(405, "invalid_request"),
            Family::Records
            | Family::Restlet
            | Family::IssueToken
            | Family::RevokeToken
            | Family::AsyncJobs
            | Family::System => {
                format!("The method {method} is not allowed on this resource.")
            }
        };
        match self.style() {
            Style::Rest => Problem::new(405, "INVALID_REQUEST", detail).into_response(),
            Style::Restlet => problem::restlet_error(405, "INVALID_REQUEST", &detail),
        }
    }
}

/// One row of the table.
pub(crate) struct Route {
    /// HTTP method, or `*` for any.
    pub method: &'static str,
    /// The path pattern.
    pub pattern: &'static str,
    /// The family.
    pub family: Family,
    /// The handler.
    pub handler: Handler,
}

const fn route(
    method: &'static str,
    pattern: &'static str,
    family: Family,
    handler: Handler,
) -> Route {
    Route {
        method,
        pattern,
        family,
        handler,
    }
}

/// Every route the emulator answers.
pub(crate) static ROUTES: &[Route] = &[
    route(
        "GET",
        "/services/rest/record/v1/metadata-catalog",
        Family::Metadata,
        metadata::catalog,
    ),
    route(
        "GET",
        "/services/rest/record/v1/metadata-catalog/{type}",
        Family::Metadata,
        metadata::describe,
    ),
    route(
        "GET",
        "/services/rest/record/v1/{type:ident}",
        Family::Records,
        records::list,
    ),
    route(
        "POST",
        "/services/rest/record/v1/{type:ident}",
        Family::Records,
        records::create,
    ),
    route(
        "PATCH",
        "/services/rest/record/v1/{type:ident}",
        Family::Records,
        jobs::batch_only,
    ),
    route(
        "PUT",
        "/services/rest/record/v1/{type:ident}",
        Family::Records,
        jobs::batch_only,
    ),
    route(
        "DELETE",
        "/services/rest/record/v1/{type:ident}",
        Family::Records,
        jobs::batch_only,
    ),
    route(
        "GET",
        "/services/rest/record/v1/{type:ident}/{id}",
        Family::Records,
        records::get,
    ),
    route(
        "PATCH",
        "/services/rest/record/v1/{type:ident}/{id}",
        Family::Records,
        records::patch,
    ),
    route(
        "PUT",
        "/services/rest/record/v1/{type:ident}/{id}",
        Family::Records,
        records::put,
    ),
    route(
        "DELETE",
        "/services/rest/record/v1/{type:ident}/{id}",
        Family::Records,
        records::delete,
    ),
    route(
        "POST",
        "/services/rest/record/v1/{type:ident}/{id}/@{action}",
        Family::Records,
        actions::action,
    ),
    route(
        "POST",
        "/services/rest/record/v1/{type:ident}/{id}/!transform/{target}",
        Family::Records,
        transform::transform,
    ),
    route(
        "POST",
        "/services/rest/record/v1/{type:ident}/{id}/!attach/{what}/{whatId}",
        Family::Records,
        actions::attach,
    ),
    route(
        "POST",
        "/services/rest/record/v1/{type:ident}/{id}/!detach/{what}/{whatId}",
        Family::Records,
        actions::detach,
    ),
    route(
        "GET",
        "/services/rest/record/v1/{type:ident}/{id}/{sublist}",
        Family::Records,
        records::get_sublist,
    ),
    route(
        "*",
        "/services/rest/record/v1/{rest:**}",
        Family::Records,
        records::no_such_resource,
    ),
    route(
        "GET",
        "/services/rest/async/v1/job/{job}",
        Family::AsyncJobs,
        jobs::job,
    ),
    route(
        "GET",
        "/services/rest/async/v1/job/{job}/task",
        Family::AsyncJobs,
        jobs::tasks,
    ),
    route(
        "GET",
        "/services/rest/async/v1/job/{job}/task/{task}",
        Family::AsyncJobs,
        jobs::task,
    ),
    route(
        "GET",
        "/services/rest/async/v1/job/{job}/task/{task}/result",
        Family::AsyncJobs,
        jobs::result,
    ),
    route(
        "GET",
        "/services/rest/system/v1/governanceLimits",
        Family::System,
        governance::limits,
    ),
    route(
        "POST",
        "/services/rest/query/v1/suiteql",
        Family::SuiteQl,
        suiteql::query,
    ),
    route(
        "GET",
        "/app/site/hosting/restlet.nl",
        Family::Restlet,
        restlets::call,
    ),
    route(
        "POST",
        "/app/site/hosting/restlet.nl",
        Family::Restlet,
        restlets::call,
    ),
    route(
        "PUT",
        "/app/site/hosting/restlet.nl",
        Family::Restlet,
        restlets::call,
    ),
    route(
        "DELETE",
        "/app/site/hosting/restlet.nl",
        Family::Restlet,
        restlets::call,
    ),
    route("GET", "/rest/issuetoken", Family::IssueToken, tokens::issue),
    route(
        "POST",
        "/rest/issuetoken",
        Family::IssueToken,
        tokens::issue,
    ),
    route(
        "GET",
        "/rest/revoketoken",
        Family::RevokeToken,
        tokens::revoke,
    ),
    route(
        "POST",
        "/rest/revoketoken",
        Family::RevokeToken,
        tokens::revoke,
    ),
    route(
        "POST",
        "/services/rest/auth/oauth2/v1/token",
        Family::OAuth2Token,
        tokens::oauth2_token,
    ),
];

/// The resource a path names.
pub(crate) struct Matched {
    /// The family of the resource.
    pub family: Family,
    /// The row for the request's method; `None`: the method is not allowed.
    pub route: Option<&'static Route>,
    /// The values of the pattern's `{name}` segments.
    pub params: Vec<(&'static str, String)>,
}

/// Finds the resource of `path` and the route for `method` (`None`: no resource has that path).
pub(crate) fn lookup(method: &str, path: &str) -> Option<Matched> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect();
    let (first, params) = ROUTES
        .iter()
        .find_map(|r| match_pattern(r.pattern, &segments).map(|p| (r, p)))?;
    let route = ROUTES
        .iter()
        .find(|r| r.pattern == first.pattern && (r.method == "*" || r.method == method));
    Some(Matched {
        family: first.family,
        route,
        params,
    })
}

/// The 404 of a path no route knows.
pub(crate) fn not_found(path: &str) -> Resp {
    Problem::new(
        404,
        "NONEXISTENT_ID",
        format!("The requested path {path} does not exist."),
    )
    .into_response()
}

fn match_pattern(
    pattern: &'static str,
    segments: &[String],
) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut rest = segments.iter();
    for part in pattern.split('/').filter(|s| !s.is_empty()) {
        let (prefix, param) = match part.find('{') {
            Some(at) => (
                &part[..at],
                part[at..]
                    .strip_prefix('{')
                    .and_then(|p| p.strip_suffix('}')),
            ),
            None => (part, None),
        };
        let Some(param) = param else {
            if rest.next()? != part {
                return None;
            }
            continue;
        };
        if !prefix.is_empty() {
            let value = rest
                .next()?
                .strip_prefix(prefix)
                .filter(|v| !v.is_empty())?;
            params.push((param, value.to_owned()));
            continue;
        }
        let (name, kind) = param.split_once(':').unwrap_or((param, ""));
        if kind == "**" {
            let tail: Vec<&str> = rest.by_ref().map(String::as_str).collect();
            params.push((name, tail.join("/")));
            return Some(params);
        }
        let value = rest.next()?;
        if kind == "ident" && !crate::store::is_ident(value) {
            return None;
        }
        params.push((name, value.clone()));
    }
    rest.next().is_none().then_some(params)
}

/// Percent-decodes a path segment (invalid escapes are kept as they are).
fn decode_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(method: &str, path: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let m = lookup(method, path)?;
        Some((m.route?.pattern, m.params))
    }

    #[test]
    fn the_table_routes_by_path_then_method() {
        let (p, params) = found("GET", "/services/rest/record/v1/customer/eid:A%2FB").unwrap();
        assert_eq!(p, "/services/rest/record/v1/{type:ident}/{id}");
        assert_eq!(
            params,
            [("type", "customer".into()), ("id", "eid:A/B".into())]
        );
        // A literal resource wins over the `{type}` one, and keeps its 405.
        let m = lookup("POST", "/services/rest/record/v1/metadata-catalog").unwrap();
        assert_eq!((m.family, m.route.is_none()), (Family::Metadata, true));
        // A method the resource lacks: the family's 405, not the catch-all.
        let m = lookup("OPTIONS", "/services/rest/record/v1/customer").unwrap();
        assert_eq!((m.family, m.route.is_none()), (Family::Records, true));
        // An action segment (`@…`) picks its own resource; a sublist does not match it.
        let (p, params) = found("POST", "/services/rest/record/v1/salesOrder/7/@approve").unwrap();
        assert_eq!(p, "/services/rest/record/v1/{type:ident}/{id}/@{action}");
        assert_eq!(params[2], ("action", "approve".into()));
        let m = lookup("GET", "/services/rest/record/v1/salesOrder/7/@approve").unwrap();
        assert!(m.route.is_none(), "GET on an action: 405");
        let (p, _) = found("GET", "/services/rest/record/v1/salesOrder/7/item").unwrap();
        assert_eq!(p, "/services/rest/record/v1/{type:ident}/{id}/{sublist}");
        // A bare `@` is no action.
        let (p, _) = found("GET", "/services/rest/record/v1/salesOrder/7/@").unwrap();
        assert_eq!(p, "/services/rest/record/v1/{type:ident}/{id}/{sublist}");
        // Not an identifier, too deep, or nothing: the catch-all, with what followed.
        for (path, rest) in [
            ("/services/rest/record/v1/%ZZ/1", "%ZZ/1"),
            (
                "/services/rest/record/v1/customer/1/addressbook/1",
                "customer/1/addressbook/1",
            ),
            ("/services/rest/record/v1/", ""),
            (
                "/services/rest/record/v1/metadata-catalog/a/b",
                "metadata-catalog/a/b",
            ),
        ] {
            let (p, params) = found("DELETE", path).unwrap();
            assert_eq!(p, "/services/rest/record/v1/{rest:**}", "{path}");
            assert_eq!(params, [("rest", rest.into())], "{path}");
        }
        assert!(lookup("GET", "/services/rest/nothing").is_none());
        assert!(lookup("GET", "/").is_none());
        let m = lookup("PATCH", "/app/site/hosting/restlet.nl").unwrap();
        assert_eq!((m.family, m.route.is_none()), (Family::Restlet, true));
        assert_eq!(
            lookup("POST", "/rest/issuetoken").unwrap().family.scheme(),
            Scheme::NlAuth
        );
    }

    #[test]
    fn every_route_is_reachable() {
        for (i, r) in ROUTES.iter().enumerate() {
            let path: String = r
                .pattern
                .split('/')
                .map(|s| match s {
                    "{type:ident}" => "customer",
                    "{rest:**}" => "x-y/1/2/3/4",
                    s if s.starts_with('{') => "1",
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = if r.method == "*" { "OPTIONS" } else { r.method };
            let m = lookup(method, &path).unwrap_or_else(|| panic!("{path}"));
            assert!(
                m.route.is_some_and(|hit| std::ptr::eq(hit, &ROUTES[i])),
                "row {i} ({} {}) is shadowed",
                r.method,
                r.pattern
            );
        }
    }

    #[test]
    fn api_md_lists_exactly_these_routes() {
        let doc = include_str!("../../API.md");
        let documented: Vec<(&str, &str)> = doc
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let method = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                let pattern = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
                pattern.starts_with('/').then_some((method, pattern))
            })
            .collect();
        let table: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.method, r.pattern)).collect();
        assert_eq!(documented, table);
    }
}
