//! The HTTP server: accept loop, faults, authentication, governance, routing.

use crate::auth::{Auth, Identity, Received, Rejection};
use crate::problem::{self, Problem, Resp};
use crate::store::Store;
use crate::{
    AuditEntry, Counters, Fault, FaultKind, MockBuilder, MockError, MockNetSuite, RejectReason,
    RestletCall, RestletHandler,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Request, Response, StatusCode};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// NetSuite's request size limit.
const BODY_LIMIT: usize = 104 * 1024 * 1024;

/// The error that makes hyper close the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

struct FaultState {
    rule: Fault,
    remaining: AtomicU64,
    rng: Mutex<StdRng>,
}

impl FaultState {
    /// Whether this rule fires for `path` (consumes one of `times`).
    fn fires(&self, path: &str) -> bool {
        if let Some(pattern) = &self.rule.path {
            if !path_matches(pattern, path) {
                return false;
            }
        }
        if let Some(f) = self.rule.fraction {
            let roll: f64 = self
                .rng
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .random::<f64>();
            if roll >= f {
                return false;
            }
        }
        if self.rule.times.is_some() {
            return self
                .remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        }
        true
    }
}

/// A prefix, or a glob when the pattern contains `*` (which matches any run of characters).
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    if !pattern.contains('*') {
        return path.starts_with(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().unwrap_or((&"", &[]));
    let Some(mut tail) = path.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if last {
            return part.is_empty() || tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

/// The most audit entries kept (the oldest are dropped first).
const AUDIT_CAP: usize = 100_000;

/// The Login Audit Trail: the newest entries, and how many older ones were dropped.
#[derive(Default)]
struct AuditLog {
    entries: std::collections::VecDeque<AuditEntry>,
    dropped: usize,
}

/// State shared by the server tasks and the [`MockNetSuite`] handle.
pub(crate) struct Shared {
    pub auth: Auth,
    pub store: Store,
    limit: usize,
    faults: Vec<FaultState>,
    latency: Vec<(Option<String>, Duration)>,
    restlets: HashMap<(String, String), RestletHandler>,
    audit: Mutex<AuditLog>,
    requests: AtomicU64,
    authenticated: AtomicU64,
    rejected: AtomicU64,
    throttled: AtomicU64,
    faulted: AtomicU64,
    rejections: Mutex<BTreeMap<RejectReason, u64>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    account_in_flight: RwLock<HashMap<String, Arc<AtomicUsize>>>,
}

impl Shared {
    pub fn audit_log(&self) -> Vec<AuditEntry> {
        let log = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        log.entries.iter().cloned().collect()
    }

    pub fn audit_log_since(&self, from: usize) -> Vec<AuditEntry> {
        let log = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        let skip = from.saturating_sub(log.dropped);
        log.entries.iter().skip(skip).cloned().collect()
    }

    pub fn counters(&self) -> Counters {
        let rejections = self
            .rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Counters {
            requests: self.requests.load(Ordering::SeqCst),
            authenticated: self.authenticated.load(Ordering::SeqCst),
            rejected: self.rejected.load(Ordering::SeqCst),
            rejections,
            throttled: self.throttled.load(Ordering::SeqCst),
            faulted: self.faulted.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
        }
    }

    pub fn reset_counters(&self) {
        for c in [
            &self.requests,
            &self.authenticated,
            &self.rejected,
            &self.throttled,
            &self.faulted,
        ] {
            c.store(0, Ordering::SeqCst);
        }
        self.rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        *self.audit.lock().unwrap_or_else(|e| e.into_inner()) = AuditLog::default();
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    fn reject(&self, method: &str, path: &str, rej: Rejection) {
        self.rejected.fetch_add(1, Ordering::SeqCst);
        *self
            .rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(rej.reason)
            .or_default() += 1;
        let entry = AuditEntry {
            time: self.auth.now(),
            method: method.to_owned(),
            path: path.to_owned(),
            realm: rej.realm,
            consumer_key: rej.consumer_key,
            token_id: rej.token_id,
            reason: rej.reason,
            detail: rej.detail,
        };
        tracing::info!(target: "nstba_mock::audit", "{entry}");
        let mut log = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        if log.entries.len() >= AUDIT_CAP {
            log.entries.pop_front();
            log.dropped += 1;
        }
        log.entries.push_back(entry);
    }

    fn slot(&self, realm: &str) -> Option<Slot> {
        let counter = {
            let map = self
                .account_in_flight
                .read()
                .unwrap_or_else(|e| e.into_inner());
            map.get(realm).cloned()
        };
        let counter = match counter {
            Some(c) => c,
            None => self
                .account_in_flight
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(realm.to_owned())
                .or_default()
                .clone(),
        };
        let prev = counter.fetch_add(1, Ordering::SeqCst);
        if prev >= self.limit {
            counter.fetch_sub(1, Ordering::SeqCst);
            self.throttled.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(counter))
    }
}

/// One of an account's concurrency slots; released on drop.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a request in flight; released on drop.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) async fn start(b: MockBuilder) -> Result<MockNetSuite, MockError> {
    if let Some(e) = b.errors.first() {
        return Err(MockError::Config(e.clone()));
    }
    let mut store =
        Store::open(b.database_file.as_deref()).map_err(|e| MockError::Store(e.to_string()))?;
    store.query_timeout = b.query_timeout;
    if b.demo_data {
        for (ty, records) in crate::demo::data() {
            if store.count(ty) == 0 {
                store
                    .bulk(ty, records)
                    .map_err(|e| MockError::Store(e.to_string()))?;
            }
        }
    }
    for (ty, records) in b.seeds {
        if !crate::store::is_ident(&ty) {
            return Err(MockError::Config(format!("invalid record type {ty:?}")));
        }
        store
            .bulk(&ty, records)
            .map_err(|e| MockError::Store(e.to_string()))?;
    }
    let credentials = if b.credentials.is_empty() {
        vec![crate::demo::credentials()]
    } else {
        b.credentials
    };
    let auth = Auth::new(
        &credentials,
        b.integrations,
        b.users,
        b.clock,
        b.verify_signatures,
    );
    let faults = b
        .faults
        .into_iter()
        .map(|rule| FaultState {
            remaining: AtomicU64::new(rule.times.unwrap_or(u64::MAX)),
            rng: Mutex::new(StdRng::seed_from_u64(rule.seed)),
            rule,
        })
        .collect();
    let shared = Arc::new(Shared {
        auth,
        store,
        limit: b.concurrency_limit,
        faults,
        latency: b.latency,
        restlets: b
            .restlets
            .into_iter()
            .map(|(s, d, h)| ((s, d), h))
            .collect(),
        audit: Mutex::new(AuditLog::default()),
        requests: AtomicU64::new(0),
        authenticated: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
        throttled: AtomicU64::new(0),
        faulted: AtomicU64::new(0),
        rejections: Mutex::new(BTreeMap::new()),
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        account_in_flight: RwLock::new(HashMap::new()),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", b.port)).await?;
    let addr = listener.local_addr()?;
    let task_shared = shared.clone();
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else {
                        // Out of file descriptors or similar: do not spin.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let shared = task_shared.clone();
                    connections.spawn(async move {
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let service = hyper::service::service_fn(move |req| {
                            let shared = shared.clone();
                            async move { handle(shared, req).await }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(io, service)
                            .await;
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    Ok(MockNetSuite { shared, addr, task })
}

/// Where a request goes, and which error style it gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Record,
    SuiteQl,
    Restlet,
    IssueToken,
    RevokeToken,
    Other,
}

fn area(path: &str) -> Area {
    if path.starts_with("/services/rest/record/v1") {
        Area::Record
    } else if path == "/services/rest/query/v1/suiteql" {
        Area::SuiteQl
    } else if path == "/app/site/hosting/restlet.nl" {
        Area::Restlet
    } else if path == "/rest/issuetoken" {
        Area::IssueToken
    } else if path == "/rest/revoketoken" {
        Area::RevokeToken
    } else {
        Area::Other
    }
}

/// Everything a handler needs about the request.
pub(crate) struct Ctx<'a> {
    pub shared: &'a Shared,
    pub method: &'a str,
    pub path: &'a str,
    pub params: Vec<(String, String)>,
    pub headers: &'a hyper::HeaderMap,
    pub body: &'a [u8],
    /// `http://{Host}` as received: the base of every link.
    pub base: String,
    pub identity: Identity,
}

impl Ctx<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, DropConnection> {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight::enter(&shared);
    let path = req.uri().path().to_owned();

    // Faults come first, like a gateway in front of NetSuite.
    let mut delay = Duration::ZERO;
    for f in &shared.faults {
        if !f.fires(&path) {
            continue;
        }
        match f.rule.kind {
            FaultKind::Delay(d) => delay += d,
            FaultKind::DropConnection => {
                shared.faulted.fetch_add(1, Ordering::SeqCst);
                return Err(DropConnection);
            }
            FaultKind::Status(s) => {
                shared.faulted.fetch_add(1, Ordering::SeqCst);
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                return Ok(fault_response(s, area(&path)));
            }
        }
    }
    if !delay.is_zero() {
        shared.faulted.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(delay).await;
    }

    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => {
            return Ok(Problem::new(
                413,
                "INVALID_CONTENT",
                "The request body is too large or could not be read.",
            )
            .into_response())
        }
    };
    Ok(route(&shared, &parts, &body).await)
}

fn fault_response(status: u16, area: Area) -> Resp {
    let detail = match status {
        429 => "Concurrent request limit exceeded. Request blocked.",
        502 => "Bad Gateway.",
        503 => "Service Unavailable. Please try again later.",
        _ => "An unexpected error occurred.",
    };
    let mut resp = match area {
        Area::Restlet | Area::IssueToken | Area::RevokeToken => {
            problem::restlet_error(status, "UNEXPECTED_ERROR", detail)
        }
        _ => Problem::new(status, "UNEXPECTED_ERROR", detail).into_response(),
    };
    if status == 429 || status == 503 {
        resp.headers_mut()
            .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

async fn route(
    shared_arc: &Arc<Shared>,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
) -> Resp {
    let shared: &Shared = shared_arc;
    let path = parts.uri.path();
    let method = parts.method.as_str();
    let area = area(path);
    if area == Area::Other {
        return Problem::new(
            404,
            "NONEXISTENT_ID",
            format!("The requested path {path} does not exist."),
        )
        .into_response();
    }
    let query = parts.uri.query().unwrap_or("");
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let authorization = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(path);

    if area == Area::IssueToken {
        return issue_token(shared, method, path_and_query, authorization, &params);
    }

    // The URL as received: scheme http (the emulator speaks plain HTTP), the Host header with its
    // port, path and query as sent.
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let url = format!("http://{host}{path_and_query}");
    let form_body = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .map(|_| std::str::from_utf8(body).unwrap_or("\u{fffd}"));
    let restlet_style = matches!(area, Area::Restlet | Area::RevokeToken);
    let received = Received {
        method,
        url: &url,
        authorization,
        form_body,
    };
    let identity = match shared.auth.verify(&received) {
        Ok(id) => id,
        Err(rej) => {
            shared.reject(method, path_and_query, rej);
            return if restlet_style {
                problem::restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")
            } else {
                problem::invalid_login()
            };
        }
    };
    shared.authenticated.fetch_add(1, Ordering::SeqCst);

    let Some(_slot) = shared.slot(&identity.realm) else {
        return if restlet_style {
            problem::restlet_error(
                400,
                "SSS_REQUEST_LIMIT_EXCEEDED",
                "The request could not be processed: the concurrency limit of the account was exceeded.",
            )
        } else {
            let mut r = Problem::new(
                429,
                "CONCURRENCY_LIMIT_EXCEEDED",
                "Concurrent request limit exceeded. Request blocked.",
            )
            .into_response();
            r.headers_mut()
                .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        };
    };
    let latency: Duration = shared
        .latency
        .iter()
        .filter(|(prefix, _)| prefix.as_deref().is_none_or(|p| path_matches(p, path)))
        .map(|(_, d)| *d)
        .sum();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let base = format!("http://{host}");
    if area == Area::SuiteQl {
        // SQLite may work for a while: keep it off the async workers.
        let shared = shared_arc.clone();
        let (method, path) = (method.to_owned(), path.to_owned());
        let (headers, body) = (parts.headers.clone(), body.clone());
        let run = tokio::task::spawn_blocking(move || {
            crate::suiteql::handle(&Ctx {
                shared: &shared,
                method: &method,
                path: &path,
                params,
                headers: &headers,
                body: &body,
                base,
                identity,
            })
        });
        return match run.await {
            Ok(resp) => resp,
            Err(_) => Problem::new(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")
                .into_response(),
        };
    }
    let ctx = Ctx {
        shared,
        method,
        path,
        params,
        headers: &parts.headers,
        body,
        base,
        identity,
    };
    match area {
        Area::Record => crate::records::handle(&ctx),
        Area::SuiteQl => crate::suiteql::handle(&ctx),
        Area::Restlet => restlet(&ctx),
        Area::RevokeToken => {
            shared.auth.revoke(&ctx.identity.token_id);
            problem::json_response(
                StatusCode::OK,
                &serde_json::json!({}),
                "application/json;charset=utf-8",
            )
        }
        Area::IssueToken | Area::Other => problem::restlet_error(404, "NOT_FOUND", "Not found."),
    }
}

fn issue_token(
    shared: &Shared,
    method: &str,
    path_and_query: &str,
    authorization: Option<&str>,
    params: &[(String, String)],
) -> Resp {
    let account = match shared.auth.check_nlauth(authorization) {
        Ok(a) => a,
        Err(rej) => {
            shared.reject(method, path_and_query, rej);
            return problem::restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.");
        }
    };
    let Some(ck) = params
        .iter()
        .find(|(k, _)| k == "consumerKey")
        .map(|(_, v)| v.as_str())
    else {
        return problem::restlet_error(
            400,
            "INVALID_REQUEST",
            "The consumerKey query parameter is required.",
        );
    };
    match shared.auth.issue_token(&account, ck) {
        Ok((token_id, token_secret)) => problem::json_response(
            StatusCode::OK,
            &serde_json::json!({"tokenId": token_id, "tokenSecret": token_secret}),
            "application/json;charset=utf-8",
        ),
        Err(detail) => {
            shared.reject(
                method,
                path_and_query,
                Rejection {
                    reason: RejectReason::UnknownConsumer,
                    detail,
                    realm: Some(account.realm().to_owned()),
                    consumer_key: Some(ck.to_owned()),
                    token_id: None,
                },
            );
            problem::restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")
        }
    }
}

fn restlet(ctx: &Ctx<'_>) -> Resp {
    let script = ctx.param("script").unwrap_or("").to_owned();
    let deploy = ctx.param("deploy").unwrap_or("").to_owned();
    let Some(handler) = ctx.shared.restlets.get(&(script, deploy)) else {
        return problem::restlet_error(
            400,
            "SSS_INVALID_SCRIPTLET_ID",
            "That Suitelet is invalid, disabled, or no longer exists.",
        );
    };
    let body = if ctx.body.iter().all(u8::is_ascii_whitespace) || ctx.method == "GET" {
        None
    } else {
        match serde_json::from_slice::<serde_json::Value>(ctx.body) {
            Ok(v) => Some(v),
            Err(_) => Some(serde_json::Value::String(
                String::from_utf8_lossy(ctx.body).into_owned(),
            )),
        }
    };
    let call = RestletCall {
        method: ctx.method.to_owned(),
        params: ctx.params.clone(),
        body,
        account: ctx.identity.realm.clone(),
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(call)));
    let Ok(outcome) = outcome else {
        return problem::restlet_error(
            500,
            "UNEXPECTED_ERROR",
            "An unexpected SuiteScript error has occurred.",
        );
    };
    match outcome {
        Ok(serde_json::Value::String(s)) => {
            let mut r = Response::new(Full::new(Bytes::from(s)));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain;charset=utf-8"),
            );
            r
        }
        Ok(v) => problem::json_response(StatusCode::OK, &v, "application/json;charset=utf-8"),
        Err(e) => problem::restlet_error(e.status, &e.code, &e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn path_patterns() {
        assert!(path_matches(
            "/services/rest/query",
            "/services/rest/query/v1/suiteql"
        ));
        assert!(!path_matches(
            "/services/rest/query",
            "/services/rest/record/v1/x"
        ));
        assert!(path_matches(
            "/services/rest/record/v1/*/1",
            "/services/rest/record/v1/customer/1"
        ));
        assert!(!path_matches(
            "/services/rest/record/v1/*/1",
            "/services/rest/record/v1/customer/12"
        ));
        assert!(path_matches("*suiteql", "/services/rest/query/v1/suiteql"));
        assert!(path_matches("/a/*/c/*", "/a/b/c/d/e"));
        assert!(!path_matches("/a/*/c/*", "/a/b/x/d"));
        assert!(path_matches("*", "/anything"));
    }
}
