//! The HTTP side: accept loop, fault rules, the authentication gate, governance, and the route
//! table that hands each request to its handler on a blocking thread.
//!
//! Order per request, like a gateway in front of NetSuite: faults → body (at most NetSuite's 104 MiB)
//! → route lookup (unknown path: 404) → authentication (TBA or an OAuth 2.0 bearer token with the
//! family's scope, NLAuth for `/rest/issuetoken`, none at the gate for the OAuth 2.0 token endpoint,
//! which checks the client assertion itself; failure: 401 and an audit entry) → the account's
//! concurrency slot and artificial latency (TBA and bearer) → 405 for a method the resource lacks →
//! the handler (or, for `Prefer: respond-async`, an asynchronous job) → drop-after-processing faults.
//! Each request runs in its own task, so a client that disconnects does not cancel it.

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
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::Request;
use limits::{Limits, Slot};
use routes::{Scheme, Style};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// NetSuite's request size limit.
const BODY_LIMIT: usize = 104 * 1024 * 1024;

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
}

/// State shared by the server tasks and the `MockNetSuite` handle.
pub(crate) struct Server {
    pub app: Arc<App>,
    pub gate: Arc<Gate>,
    limits: Limits,
    faults: Faults,
    latency: Vec<(Option<String>, Duration)>,
    requests: AtomicU64,
    authenticated: AtomicU64,
    faulted: AtomicU64,
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
        requests: AtomicU64::new(0),
        authenticated: AtomicU64::new(0),
        faulted: AtomicU64::new(0),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(accept_loop(listener, server.clone()));
    Ok(Running { server, addr, task })
}

async fn accept_loop(listener: tokio::net::TcpListener, server: Arc<Server>) {
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
                let server = server.clone();
                connections.spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper::service::service_fn(move |req| {
                        let server = server.clone();
                        // Its own task: a client that disconnects (a timeout) does not cancel a
                        // request the server has received, as with NetSuite — the write lands.
                        let work = tokio::spawn(handle(server, req));
                        async move { work.await.unwrap_or(Ok(unexpected_error(Style::Rest))) }
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

    let (caller, _slot) = match matched.family.scheme() {
        Scheme::NlAuth => {
            match server
                .gate
                .authenticate_user(authorization, method, path_and_query)
            {
                Some(caller) => (caller, None),
                None => return Ok(invalid_login(style)),
            }
        }
        Scheme::ClientAssertion => (
            crate::api::Caller {
                account: String::new(),
                token_id: None,
            },
            None,
        ),
        Scheme::Tba => {
            let url = format!("http://{host}{path_and_query}");
            let form_body = header(&parts.headers, CONTENT_TYPE)
                .filter(|ct| {
                    ct.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("application/x-www-form-urlencoded")
                })
                .map(|_| std::str::from_utf8(&body).unwrap_or("\u{fffd}"));
            let received = Received {
                method,
                url: &url,
                authorization,
                form_body,
            };
            let bearer_scope = matched.family.bearer_scope();
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
            (caller, Some::<Slot>(slot))
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
