//! The handlers: record API, metadata catalog, SuiteQL, RESTlets, token endpoints.
//!
//! A handler is a plain function `fn(&Ctx) -> Resp`. It sees the request only through [`Ctx`] (what
//! the route matched, the query, the body, the few headers handlers read, who is calling) and the
//! application state only through [`App`] (the store, the RESTlet registry, the token service). It
//! knows nothing of the HTTP server; the server runs it on a blocking thread, so a handler may wait on
//! the store.

pub(crate) mod actions;
pub(crate) mod governance;
pub(crate) mod jobs;
pub(crate) mod metadata;
pub(crate) mod paging;
pub(crate) mod problem;
pub(crate) mod records;
pub(crate) mod restlets;
pub(crate) mod suiteql;
pub(crate) mod tokens;
pub(crate) mod transform;
pub(crate) mod validation;

use crate::store::Store;
use bytes::Bytes;
use std::sync::Arc;

pub(crate) use problem::Resp;
pub(crate) use restlets::Restlets;
pub(crate) use tokens::Tokens;

/// A request handler.
pub(crate) type Handler = fn(&Ctx) -> Resp;

/// What handlers work on beyond the request.
pub(crate) struct App {
    /// The record store.
    pub store: Store,
    /// The registered RESTlets.
    pub restlets: Restlets,
    /// Issues and revokes tokens (the server's authentication side implements it).
    pub tokens: Arc<dyn Tokens>,
    /// Asynchronous jobs and their idempotency keys.
    pub jobs: jobs::Jobs,
    /// The account's concurrency limit (what `governanceLimits` reports).
    pub concurrency_limit: usize,
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The realm of the caller's account.
    pub account: String,
    /// The token the request was signed with (TBA only).
    pub token_id: Option<String>,
}

/// Everything a handler knows about a request.
#[derive(Clone)]
pub(crate) struct Ctx {
    /// The application state.
    pub app: Arc<App>,
    /// HTTP method.
    pub method: String,
    /// The path as received.
    pub path: String,
    /// Path and query as received.
    pub path_and_query: String,
    /// The values of the route's `{name}` segments, percent-decoded.
    pub path_params: Vec<(&'static str, String)>,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The `Accept` header ("" when absent).
    pub accept: String,
    /// Every `Prefer` header value, comma-joined.
    pub prefer: String,
    /// The request headers (for the few that only some handlers read: idempotency key, validation
    /// preferences, `Content-Type`).
    pub headers: hyper::HeaderMap,
    /// The request body.
    pub body: Bytes,
    /// `http://{Host}` as received: the base of every link.
    pub base: String,
    /// Who is calling.
    pub caller: Caller,
}

impl Ctx {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the route's `{name}` segment ("" if the route has none).
    pub fn segment(&self, name: &str) -> &str {
        self.path_params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A request header as text (`None`: absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.app.store
    }
}
