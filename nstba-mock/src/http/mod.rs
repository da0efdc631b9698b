//! The HTTP side: accept loop, fault rules, the authentication gate, governance, and the route
//! table that hands each request to its handler on a blocking thread.
//!
//! Order per request, like a gateway in front of NetSuite: faults → route lookup (unknown path:
//! 404) → authentication from the headers (TBA or an OAuth 2.0 bearer token with the family's
//! scope, NLAuth for `/rest/issuetoken`, none at the gate for the OAuth 2.0 token endpoint, which
//! checks the client assertion in its body itself; failure: 401 and an audit entry, the body never
//! read) → the account's concurrency slot and artificial latency (TBA and bearer) → the body (at most
//! NetSuite's 104 MiB, refused when declared or streamed larger; a form-encoded TBA body is read
//! before its signature is checked, after every other check) → 405 for a method the resource lacks
//! → the handler (or, for `Prefer: respond-async`, an asynchronous job) → drop-after-processing
//! faults. Each request runs in its own task, so a client that disconnects does not cancel it.
//!
//! Connections: at most [`ConnectionLimits::max_connections`] open, request headers (and the idle
//! time between kept-alive requests) within [`ConnectionLimits::header_read_timeout`], a body
//! within [`ConnectionLimits::body_timeout`].

pub(crate) mod audit;
pub(crate) mod faults;
pub(crate) mod gate;
pub(crate) mod limits;
pub(crate) mod oauth2;
pub(crate) mod routes;

use crate::api::problem::{self, Problem, Resp};
use crate::api::{App, Ctx, Restlets};
use crate::store::Store;
use audit::AuditEntry;
use faults::{fault_response, path_matches, Fault, Faults, Verdict};
use gate::{Gate, GateConfig, Received};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::Request;
use limits::{Limits, Slot};
use routes::{Scheme, Style};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// NetSuite's request size limit.
pub(crate) const BODY_LIMIT: usize = 104 * 1024 * 1024;
/// The largest body the OAuth 2.0 token endpoint reads (a client-credentials form).
const TOKEN_BODY_LIMIT: usize = 64 * 1024;

/// Request counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Every request received (including rejected, throttled and faulted ones).
    pub requests: u64,
    /// Requests that passed authentication.
    pub authenticated: u64,
    /// Requests rejected by authentication (sum of `rejections`).
    pub rejected: u64,
    /// Rejections by reason.
    pub rejections: BTreeMap<audit::RejectReason, u64>,
    /// Requests refused by the concurrency limit (429 / `SSS_REQUEST_LIMIT_EXCEEDED`).
    pub throttled: u64,
    /// Requests answered (or dropped) by a fault rule.
    pub faulted: u64,
    /// Requests being handled right now.
    pub in_flight: usize,
    /// The most requests handled at the same time since start (or the last reset).
    pub max_in_flight: usize,
    /// OAuth 2.0 access tokens issued by the token endpoint.
    pub access_tokens_issued: u64,
    /// Connections open now.
    pub open_connections: usize,
    /// Connections closed because the connection cap was reached: the longest-idle one closed for
    /// a new one, or a new one closed when every connection was busy.
    pub connections_shed: u64,
    /// Entries kept in the audit log, and the bytes they take (bounded).
    pub audit_entries: usize,
    /// Bytes the kept audit entries take.
    pub audit_bytes: usize,
    /// SuiteQL: store rows copied to (or removed from) the query side since start.
    pub suiteql_rows_synced: u64,
    /// SuiteQL: full copies of the store made for the query side since start (a database file needs
    /// none; in memory, one when the query side starts).
    pub suiteql_full_copies: u64,
    /// SuiteQL: record-type views (re)built since start.
    pub suiteql_views_rebuilt: u64,
    /// SuiteQL: entries and bytes of query text held by the count cache (bounded).
    pub suiteql_count_cache: (usize, usize),
}

/// The error that makes hyper close the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

/// How the server is set up.
pub(crate) struct ServerConfig {
    pub gate: GateConfig,
    pub concurrency_limit: usize,
    pub faults: Vec<Fault>,
    pub latency: Vec<(Option<String>, Duration)>,
    pub port: u16,
    pub jobs: crate::api::jobs::JobConfig,
    pub connections: ConnectionLimits,
}

/// How many connections are held, and for how long a client may keep one without sending.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// The most connections open at once.
    pub max_connections: usize,
    /// The longest a request's headers may take to arrive; also the longest a kept-alive
    /// connection stays idle between requests.
    pub header_read_timeout: Duration,
    /// The longest an authenticated request's body may take to arrive.
    pub body_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// State shared by the server tasks and the `MockNetSuite` handle.
pub(crate) struct Server {
    pub app: Arc<App>,
    pub gate: Arc<Gate>,
    limits: Limits,
    faults: Faults,
    latency: Vec<(Option<String>, Duration)>,
    connections: ConnectionLimits,
    requests: AtomicU64,
    authenticated: AtomicU64,
    faulted: AtomicU64,
    /// Connections closed at the cap (idle ones evicted, or new ones refused).
    connections_shed: AtomicU64,
    /// Connections open now.
    open_connections: AtomicUsize,
}

impl Server {
    /// The audit entries from index `from` on.
    pub fn audit_log_since(&self, from: usize) -> Vec<AuditEntry> {
        self.gate.audit.since(from)
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        let (rejected, rejections) = self.gate.audit.counts();
        let (throttled, in_flight, max_in_flight) = self.limits.snapshot();
        let (audit_entries, audit_bytes) = self.gate.audit.size();
        let sync = self.app.store.sync_stats();
        Counters {
            requests: self.requests.load(Ordering::SeqCst),
            authenticated: self.authenticated.load(Ordering::SeqCst),
            rejected,
            rejections,
            throttled,
            faulted: self.faulted.load(Ordering::SeqCst),
            in_flight,
            max_in_flight,
            access_tokens_issued: self.gate.oauth2().issued(),
            open_connections: self.open_connections.load(Ordering::SeqCst),
            connections_shed: self.connections_shed.load(Ordering::SeqCst),
            audit_entries,
            audit_bytes,
            suiteql_rows_synced: sync.rows_synced,
            suiteql_full_copies: sync.full_copies,
            suiteql_views_rebuilt: sync.views_rebuilt,
            suiteql_count_cache: sync.count_cache,
        }
    }

    /// Zeroes the counters and clears the audit log.
    pub fn reset_counters(&self) {
        for c in [&self.requests, &self.authenticated, &self.faulted] {
            c.store(0, Ordering::SeqCst);
        }
        self.gate.audit.clear();
        self.gate.oauth2().reset_issued();
        self.limits.reset();
    }
}

/// A started server.
pub(crate) struct Running {
    pub server: Arc<Server>,
    pub addr: std::net::SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds 127.0.0.1 and serves until the returned task is aborted.
pub(crate) async fn start(
    config: ServerConfig,
    store: Store,
    restlets: Restlets,
) -> std::io::Result<Running> {
    let gate = Arc::new(Gate::new(config.gate));
    let app = Arc::new(App {
        store,
        restlets,
        tokens: gate.clone(),
        jobs: crate::api::jobs::Jobs::new(config.jobs),
        concurrency_limit: config.concurrency_limit,
    });
    let server = Arc::new(Server {
        app,
        gate,
        limits: Limits::new(config.concurrency_limit),
        faults: Faults::new(config.faults),
        latency: config.latency,
        connections: config.connections,
        requests: AtomicU64::new(0),
        authenticated: AtomicU64::new(0),
        faulted: AtomicU64::new(0),
        connections_shed: AtomicU64::new(0),
        open_connections: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(accept_loop(listener, server.clone()));
    Ok(Running { server, addr, task })
}

/// What the accept loop knows of one open connection.
struct Tracked {
    abort: tokio::task::AbortHandle,
    /// Requests of the connection in progress.
    busy: Arc<AtomicUsize>,
    /// When the connection last started or finished a request (ms since the loop started).
    last_active: Arc<AtomicU64>,
}

/// Accepts connections up to the cap. hyper closes a connection whose request headers do not arrive
/// within the header-read timeout, which also bounds how long a kept-alive connection sits idle. At
/// the cap, the connection idle the longest is closed for the new one; if every one is busy, the
/// new one is closed at once.
async fn accept_loop(listener: tokio::net::TcpListener, server: Arc<Server>) {
    let mut connections = tokio::task::JoinSet::new();
    let mut tracked: std::collections::HashMap<tokio::task::Id, Tracked> =
        std::collections::HashMap::new();
    let epoch = std::time::Instant::now();
    let limits = server.connections;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .keep_alive(true)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: do not spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                if tracked.len() >= limits.max_connections {
                    let idlest = tracked
                        .iter()
                        .filter(|(_, t)| t.busy.load(Ordering::SeqCst) == 0)
                        .min_by_key(|(_, t)| t.last_active.load(Ordering::SeqCst))
                        .map(|(id, _)| *id);
                    server.connections_shed.fetch_add(1, Ordering::SeqCst);
                    match idlest.and_then(|id| tracked.remove(&id)) {
                        Some(t) => {
                            t.abort.abort();
                            server.open_connections.fetch_sub(1, Ordering::SeqCst);
                        }
                        None => {
                            drop(stream);
                            continue;
                        }
                    }
                }
                let _ = stream.set_nodelay(true);
                let busy = Arc::new(AtomicUsize::new(0));
                let now_ms = epoch.elapsed().as_millis() as u64;
                let last_active = Arc::new(AtomicU64::new(now_ms));
                let (server2, builder2) = (server.clone(), builder.clone());
                let (busy2, last2) = (busy.clone(), last_active.clone());
                server.open_connections.fetch_add(1, Ordering::SeqCst);
                let abort = connections.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper::service::service_fn(move |req| {
                        let server = server2.clone();
                        let active = Active::enter(busy2.clone(), last2.clone(), epoch);
                        // Its own task: a client that disconnects (a timeout) does not cancel a
                        // request the server has received, as with NetSuite — the write lands.
                        let work = tokio::spawn(async move {
                            let _active = active;
                            handle(server, req).await
                        });
                        async move { work.await.unwrap_or(Ok(unexpected_error(Style::Rest))) }
                    });
                    let _ = builder2.serve_connection(io, service).await;
                });
                tracked.insert(abort.id(), Tracked { abort, busy, last_active });
            }
            Some(done) = connections.join_next_with_id(), if !connections.is_empty() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                if tracked.remove(&id).is_some() {
                    server.open_connections.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
    }
}

/// A request in progress on a connection: the connection is busy until it is dropped.
struct Active {
    busy: Arc<AtomicUsize>,
    last_active: Arc<AtomicU64>,
    epoch: std::time::Instant,
}

impl Active {
    fn enter(
        busy: Arc<AtomicUsize>,
        last_active: Arc<AtomicU64>,
        epoch: std::time::Instant,
    ) -> Active {
        busy.fetch_add(1, Ordering::SeqCst);
        last_active.store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        Active {
            busy,
            last_active,
            epoch,
        }
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        self.last_active
            .store(self.epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(server: Arc<Server>, req: Request<Incoming>) -> Result<Resp, DropConnection> {
    server.requests.fetch_add(1, Ordering::SeqCst);
    let _in_flight = server.limits.enter();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let method = parts.method.as_str();
    let matched = routes::lookup(method, path);
    let style = matched.as_ref().map_or(Style::Rest, |m| m.family.style());

    match server.faults.check(method, path) {
        Verdict::Drop => {
            server.faulted.fetch_add(1, Ordering::SeqCst);
            return Err(DropConnection);
        }
        Verdict::Answer(delay, status) => {
            server.faulted.fetch_add(1, Ordering::SeqCst);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            return Ok(fault_response(status, style));
        }
        Verdict::Proceed(delay) => {
            if !delay.is_zero() {
                server.faulted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
            }
        }
    }

    let Some(matched) = matched else {
        return Ok(routes::not_found(path));
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(path);
    let authorization = header(&parts.headers, AUTHORIZATION);
    // The URL as received: scheme http (the emulator speaks plain HTTP), the Host header with its
    // port, path and query as sent.
    let host = header(&parts.headers, HOST)
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let is_form = header(&parts.headers, CONTENT_TYPE).is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    let limit = match matched.family.scheme() {
        Scheme::ClientAssertion => TOKEN_BODY_LIMIT,
        Scheme::NlAuth | Scheme::Tba => BODY_LIMIT,
    };
    let declared =
        header(&parts.headers, CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
    let timeout = server.connections.body_timeout;

    // Authentication from the headers comes first: a request that fails it is answered without its
    // body being read (the connection is then closed). The body is read after, at most `limit`
    // bytes, refused as soon as it is declared or streamed larger.
    let (caller, _slot, body) = match matched.family.scheme() {
        Scheme::NlAuth => {
            let Some(caller) = server
                .gate
                .authenticate_user(authorization, method, path_and_query)
            else {
                return Ok(invalid_login(style));
            };
            let body = match read_body(body, declared, limit, timeout).await {
                Ok(b) => b,
                Err(resp) => return Ok(resp),
            };
            (caller, None, body)
        }
        Scheme::ClientAssertion => {
            let body = match read_body(body, declared, limit, timeout).await {
                Ok(b) => b,
                Err(resp) => return Ok(resp),
            };
            let caller = crate::api::Caller {
                account: String::new(),
                token_id: None,
            };
            (caller, None, body)
        }
        Scheme::Tba => {
            let url = format!("http://{host}{path_and_query}");
            let bearer_scope = matched.family.bearer_scope();
            let mut incoming = Some(body);
            let mut received = Received {
                method,
                url: &url,
                authorization,
                form_body: None,
            };
            // A form-encoded body is part of the TBA signature: check all else first, then read it.
            let body = if is_form {
                if !server
                    .gate
                    .precheck(&received, path_and_query, bearer_scope)
                {
                    return Ok(invalid_login(style));
                }
                let Some(stream) = incoming.take() else {
                    return Ok(unexpected_error(style));
                };
                match read_body(stream, declared, limit, timeout).await {
                    Ok(b) => Some(b),
                    Err(resp) => return Ok(resp),
                }
            } else {
                None
            };
            received.form_body = body
                .as_deref()
                .map(|b| std::str::from_utf8(b).unwrap_or("\u{fffd}"));
            let Some(caller) = server
                .gate
                .authenticate(&received, path_and_query, bearer_scope)
            else {
                return Ok(invalid_login(style));
            };
            server.authenticated.fetch_add(1, Ordering::SeqCst);
            let Some(slot) = server.limits.slot(&caller.account) else {
                return Ok(throttled(style));
            };
            let latency: Duration = server
                .latency
                .iter()
                .filter(|(prefix, _)| prefix.as_deref().is_none_or(|p| path_matches(p, path)))
                .map(|(_, d)| *d)
                .sum();
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let body = match (body, incoming) {
                (Some(b), _) => b,
                (None, Some(stream)) => match read_body(stream, declared, limit, timeout).await {
                    Ok(b) => b,
                    Err(resp) => return Ok(resp),
                },
                (None, None) => bytes::Bytes::new(),
            };
            (caller, Some::<Slot>(slot), body)
        }
    };

    let Some(route) = matched.route else {
        return Ok(matched.family.method_not_allowed(method));
    };
    let ctx = Ctx {
        app: server.app.clone(),
        method: method.to_owned(),
        path: path.to_owned(),
        path_and_query: path_and_query.to_owned(),
        path_params: matched.params,
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        accept: header(&parts.headers, ACCEPT).unwrap_or("").to_owned(),
        prefer: parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(","),
        headers: parts.headers.clone(),
        body,
        base: format!("http://{host}"),
        caller,
    };
    // Handlers use the store, which may wait (a write behind another, a long SuiteQL): never on an
    // async worker. Record and SuiteQL requests may ask to run as an asynchronous job.
    let handler = route.handler;
    let may_run_async = matches!(
        matched.family,
        routes::Family::Records | routes::Family::SuiteQl
    );
    let resp = match tokio::task::spawn_blocking(move || {
        crate::api::jobs::dispatch(handler, may_run_async, &ctx)
    })
    .await
    {
        Ok(resp) => resp,
        Err(_) => unexpected_error(style),
    };
    if server.faults.drop_after_processing(method, path) {
        server.faulted.fetch_add(1, Ordering::SeqCst);
        return Err(DropConnection);
    }
    Ok(resp)
}

/// Reads a request body of at most `limit` bytes within `timeout`: refused at once when declared
/// larger, and as soon as more than `limit` bytes have arrived otherwise.
async fn read_body(
    body: Incoming,
    declared: Option<u64>,
    limit: usize,
    timeout: Duration,
) -> Result<bytes::Bytes, Resp> {
    let too_large = || {
        Problem::new(
            413,
            "INVALID_CONTENT",
            format!("The request body is larger than {limit} bytes."),
        )
        .into_response()
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(Problem::new(
            400,
            "INVALID_CONTENT",
            "The request body could not be read.",
        )
        .into_response()),
        Err(_) => Err(Problem::new(
            408,
            "INVALID_CONTENT",
            "The request body did not arrive in time.",
        )
        .into_response()),
    }
}

fn header(headers: &hyper::HeaderMap, name: hyper::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn invalid_login(style: Style) -> Resp {
    match style {
        Style::Restlet => {
            problem::restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.")
        }
        Style::Rest => problem::invalid_login(),
    }
}

fn throttled(style: Style) -> Resp {
    match style {
        Style::Restlet => problem::restlet_error(
            400,
            "SSS_REQUEST_LIMIT_EXCEEDED",
            "The request could not be processed: the concurrency limit of the account was exceeded.",
        ),
        Style::Rest => {
            let mut r = Problem::new(
                429,
                "CONCURRENCY_LIMIT_EXCEEDED",
                "Concurrent request limit exceeded. Request blocked.",
            )
            .into_response();
            r.headers_mut()
                .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
    }
}

fn unexpected_error(style: Style) -> Resp {
    match style {
        Style::Restlet => {
            problem::restlet_error(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")
        }
        Style::Rest => {
            Problem::new(500, "UNEXPECTED_ERROR", "An unexpected error occurred.").into_response()
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_tests;
