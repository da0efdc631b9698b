//! # nstba-mock — a NetSuite emulator that verifies TBA exactly as NetSuite does
//!
//! Start one in process on an ephemeral `127.0.0.1` port, point a client at [`MockNetSuite::base_url`],
//! and it answers the REST record API, SuiteQL, RESTlets and the token endpoints — after verifying every
//! request's OAuth 1.0a HMAC-SHA256 signature over the request *as received* (method, `Host` header with
//! port, path, every query parameter, form body), the realm (exact case), the clock (±300 s of an
//! injectable clock) and the nonce (≥ 6 characters, never reused). Failures answer `401 INVALID_LOGIN`
//! with no hint, like NetSuite; the reason goes to [`MockNetSuite::audit_log`], like NetSuite's Login
//! Audit Trail.
//!
//! ```
//! use nstba_core::{Request, Stamp};
//! use nstba_mock::{MockNetSuite, RejectReason};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ns = MockNetSuite::builder().demo_data().start().await?;
//! let creds = ns.credentials(); // the demo credentials
//! let url = format!("{}/services/rest/record/v1/customer/1?fields=companyName", ns.base_url());
//! let auth = creds.key().sign(&Request::new("GET", &url), &Stamp::now())?.into_authorization();
//!
//! let http = reqwest::Client::new();
//! let customer: serde_json::Value =
//!     http.get(&url).header("Authorization", &auth).send().await?.json().await?;
//! assert_eq!(customer["companyName"], "Acme Corporation");
//!
//! // The same header again: NetSuite (and the emulator) reject a reused nonce, without saying why…
//! let replay = http.get(&url).header("Authorization", &auth).send().await?;
//! assert_eq!(replay.status(), 401);
//! // …except in the Login Audit Trail.
//! assert_eq!(ns.audit_log()[0].reason, RejectReason::NonceReused);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod demo;
mod metadata;
mod problem;
mod qparse;
mod records;
mod server;
mod store;
mod suiteql;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use demo::{
    ACCOUNT as DEMO_ACCOUNT, CONSUMER_KEY as DEMO_CONSUMER_KEY,
    CONSUMER_SECRET as DEMO_CONSUMER_SECRET, TOKEN_ID as DEMO_TOKEN_ID,
    TOKEN_SECRET as DEMO_TOKEN_SECRET,
};
pub use nstba_core::{AccountId, Clock, Credentials, FixedClock, SystemClock};
pub use serde_json::Value;

use crate::server::Shared;

/// Why a request was rejected (what NetSuite's Login Audit Trail would show).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RejectReason {
    /// No `Authorization` header.
    MissingHeader,
    /// The `Authorization` header is not a parsable `OAuth` (or `NLAuth`) header.
    MalformedHeader,
    /// The realm is missing, unknown, or not in the exact realm spelling of the token's account.
    WrongRealm,
    /// The consumer key is not a registered integration.
    UnknownConsumer,
    /// The token id is not registered for this consumer.
    UnknownToken,
    /// The token was revoked.
    RevokedToken,
    /// `oauth_signature_method` is not `HMAC-SHA256`.
    UnsupportedSignatureMethod,
    /// `oauth_version` is present and not `1.0`.
    UnsupportedVersion,
    /// The timestamp is missing, not a number, or more than 300 s from the emulator clock.
    TimestampOutOfRange,
    /// The nonce is missing, shorter than 6 characters or not alphanumeric.
    InvalidNonce,
    /// The nonce was already used.
    NonceReused,
    /// The signature does not match the request as received.
    BadSignature,
    /// NLAuth: unknown user, wrong password, wrong role or wrong account.
    InvalidUserCredentials,
}

impl RejectReason {
    /// A stable snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::MissingHeader => "missing_header",
            RejectReason::MalformedHeader => "malformed_header",
            RejectReason::WrongRealm => "wrong_realm",
            RejectReason::UnknownConsumer => "unknown_consumer",
            RejectReason::UnknownToken => "unknown_token",
            RejectReason::RevokedToken => "revoked_token",
            RejectReason::UnsupportedSignatureMethod => "unsupported_signature_method",
            RejectReason::UnsupportedVersion => "unsupported_version",
            RejectReason::TimestampOutOfRange => "timestamp_out_of_range",
            RejectReason::InvalidNonce => "invalid_nonce",
            RejectReason::NonceReused => "nonce_reused",
            RejectReason::BadSignature => "bad_signature",
            RejectReason::InvalidUserCredentials => "invalid_user_credentials",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One authentication rejection. Never contains a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Emulator clock (Unix seconds) when the request was rejected.
    pub time: u64,
    /// HTTP method.
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// The realm from the header, if any.
    pub realm: Option<String>,
    /// The consumer key from the header, if any.
    pub consumer_key: Option<String>,
    /// The token id from the header, if any.
    pub token_id: Option<String>,
    /// Why it was rejected.
    pub reason: RejectReason,
    /// A human-readable explanation (e.g. the skew in seconds). No secret.
    pub detail: String,
}

impl fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} rejected: {} ({}) realm={} consumer={} token={}",
            self.time,
            self.method,
            self.path,
            self.reason,
            self.detail,
            self.realm.as_deref().unwrap_or("-"),
            self.consumer_key.as_deref().unwrap_or("-"),
            self.token_id.as_deref().unwrap_or("-"),
        )
    }
}

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
    pub rejections: BTreeMap<RejectReason, u64>,
    /// Requests refused by the concurrency limit (429 / `SSS_REQUEST_LIMIT_EXCEEDED`).
    pub throttled: u64,
    /// Requests answered (or dropped) by a fault rule.
    pub faulted: u64,
    /// Requests being handled right now.
    pub in_flight: usize,
    /// The most requests handled at the same time since start (or the last reset).
    pub max_in_flight: usize,
}

/// A RESTlet invocation handed to a registered handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestletCall {
    /// HTTP method (`GET`, `POST`, `PUT`, `DELETE`).
    pub method: String,
    /// Every query parameter (including `script` and `deploy`), decoded, in order.
    pub params: Vec<(String, String)>,
    /// The body: parsed JSON, a JSON string for a non-JSON body, `None` when empty.
    pub body: Option<serde_json::Value>,
    /// The realm of the calling account.
    pub account: String,
}

impl RestletCall {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An error a RESTlet handler throws: answered as `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestletError {
    /// HTTP status (400 by default).
    pub status: u16,
    /// Error code, e.g. `SSS_MISSING_REQD_ARGUMENT`.
    pub code: String,
    /// Message.
    pub message: String,
}

impl RestletError {
    /// A 400 error with a code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        RestletError {
            status: 400,
            code: code.into(),
            message: message.into(),
        }
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

impl fmt::Display for RestletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RestletError {}

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// Binding or serving failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite store failed.
    #[error("store error: {0}")]
    Store(String),
    /// A builder value is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// What a fault rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this HTTP status (429, 500, 502, 503, …) and a NetSuite-shaped error body.
    Status(u16),
    /// Close the connection without answering.
    DropConnection,
    /// Wait this long, then handle the request normally.
    Delay(Duration),
}

/// A fault rule: what to do, to which requests, how often.
///
/// ```
/// use nstba_mock::Fault;
/// let f = Fault::status(503).times(2).path("/services/rest/query");
/// let g = Fault::drop_connection().fraction(0.1);
/// # let _ = (f, g);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: Option<u64>,
    pub(crate) fraction: Option<f64>,
    pub(crate) path: Option<String>,
    pub(crate) seed: u64,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            times: None,
            fraction: None,
            path: None,
            seed: 0x005e_ed0f_fa17,
        }
    }

    /// Answer with `status` (429 / 500 / 502 / 503 …).
    pub fn status(status: u16) -> Self {
        Fault::new(FaultKind::Status(status))
    }

    /// Drop the connection without answering.
    pub fn drop_connection() -> Self {
        Fault::new(FaultKind::DropConnection)
    }

    /// Respond slowly: wait `d` before handling.
    pub fn delay(d: Duration) -> Self {
        Fault::new(FaultKind::Delay(d))
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// A fraction (0.0–1.0) of matching requests, chosen by a seeded deterministic RNG.
    pub fn fraction(mut self, f: f64) -> Self {
        self.fraction = Some(f.clamp(0.0, 1.0));
        self
    }

    /// The seed of the RNG behind [`Fault::fraction`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Only requests whose path starts with `prefix`; a pattern with `*` is a glob over the whole
    /// path (`/services/rest/record/v1/*/1`).
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path = Some(prefix.into());
        self
    }

    /// What the rule does.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }
}

/// A registered RESTlet handler.
pub(crate) type RestletHandler =
    Arc<dyn Fn(RestletCall) -> Result<serde_json::Value, RestletError> + Send + Sync>;

/// An integration record whose consumer secret the emulator knows (needed to issue tokens).
#[derive(Clone)]
pub(crate) struct Integration {
    pub account: AccountId,
    pub consumer_key: String,
    pub consumer_secret: nstba_core::secrecy::SecretString,
}

/// A user for `/rest/issuetoken`.
#[derive(Clone)]
pub(crate) struct User {
    pub account: AccountId,
    pub email: String,
    pub password: nstba_core::secrecy::SecretString,
    pub role: String,
}

/// Configures and starts a [`MockNetSuite`].
pub struct MockBuilder {
    pub(crate) credentials: Vec<Credentials>,
    pub(crate) integrations: Vec<Integration>,
    pub(crate) users: Vec<User>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) concurrency_limit: usize,
    pub(crate) faults: Vec<Fault>,
    pub(crate) verify_signatures: bool,
    pub(crate) latency: Vec<(Option<String>, Duration)>,
    pub(crate) seeds: Vec<(String, Vec<serde_json::Value>)>,
    pub(crate) demo_data: bool,
    pub(crate) database_file: Option<PathBuf>,
    pub(crate) restlets: Vec<(String, String, RestletHandler)>,
    pub(crate) port: u16,
    pub(crate) errors: Vec<String>,
    pub(crate) query_timeout: Duration,
}

impl fmt::Debug for MockBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockBuilder")
            .field("credentials", &self.credentials)
            .field("users", &self.users.len())
            .field("concurrency_limit", &self.concurrency_limit)
            .field("faults", &self.faults)
            .field("verify_signatures", &self.verify_signatures)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            credentials: Vec::new(),
            integrations: Vec::new(),
            users: Vec::new(),
            clock: Arc::new(SystemClock),
            concurrency_limit: 5,
            faults: Vec::new(),
            verify_signatures: true,
            latency: Vec::new(),
            seeds: Vec::new(),
            demo_data: false,
            database_file: None,
            restlets: Vec::new(),
            port: 0,
            errors: Vec::new(),
            query_timeout: Duration::from_secs(10),
        }
    }
}

impl MockBuilder {
    /// Registers credentials (integration + token). Several are allowed, for several accounts. Without
    /// any, the [demo credentials](MockNetSuite::demo_credentials) are registered.
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials.push(c);
        self
    }

    /// Registers an integration record with its consumer secret, so that `/rest/issuetoken` can issue
    /// tokens for it. (Consumers registered only through [`MockBuilder::credentials`] can verify
    /// requests but not issue tokens, because [`Credentials`] never hands out its secrets; the demo
    /// integration is always known.)
    pub fn integration(mut self, account: &str, consumer_key: &str, consumer_secret: &str) -> Self {
        match AccountId::parse(account) {
            Ok(account) => self.integrations.push(Integration {
                account,
                consumer_key: consumer_key.to_owned(),
                consumer_secret: consumer_secret.to_owned().into(),
            }),
            Err(e) => self.errors.push(e.to_string()),
        }
        self
    }

    /// Registers a user for `/rest/issuetoken` (NLAuth account/email/password/role).
    pub fn user(mut self, account: &str, email: &str, password: &str, role: &str) -> Self {
        match AccountId::parse(account) {
            Ok(account) => self.users.push(User {
                account,
                email: email.to_owned(),
                password: password.to_owned().into(),
                role: role.to_owned(),
            }),
            Err(e) => self.errors.push(e.to_string()),
        }
        self
    }

    /// The clock timestamps are checked against (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Concurrent requests allowed per account (default 5, NetSuite's standard account limit).
    pub fn concurrency_limit(mut self, n: usize) -> Self {
        self.concurrency_limit = n.max(1);
        self
    }

    /// Adds a fault rule. Rules are checked in order; delays add up, the first firing status or
    /// drop rule answers.
    pub fn fault(mut self, rule: Fault) -> Self {
        self.faults.push(rule);
        self
    }

    /// Verify signatures (default `true`). Off only to measure client overhead: every other check
    /// (realm, keys, clock, nonce) still runs.
    pub fn verify_signatures(mut self, on: bool) -> Self {
        self.verify_signatures = on;
        self
    }

    /// Artificial latency added to every authenticated request (inside the concurrency slot).
    pub fn latency(mut self, per_request: Duration) -> Self {
        self.latency.push((None, per_request));
        self
    }

    /// Artificial latency for requests whose path starts with `prefix` (or matches it as a `*` glob).
    pub fn latency_for(mut self, prefix: &str, per_request: Duration) -> Self {
        self.latency.push((Some(prefix.to_owned()), per_request));
        self
    }

    /// Loads the built-in demo data set: subsidiaries, currencies, customers with an addressbook
    /// sublist, inventory items, sales orders with item lines.
    pub fn demo_data(mut self) -> Self {
        self.demo_data = true;
        self
    }

    /// Seeds records from `{"customer": [{…}, …], "salesOrder": [...]}`.
    pub fn seed_json(mut self, v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Object(map) => {
                for (ty, list) in map {
                    match list {
                        serde_json::Value::Array(items) => self.seeds.push((ty, items)),
                        other => self.seeds.push((ty, vec![other])),
                    }
                }
            }
            _ => self
                .errors
                .push("seed JSON must be an object of record type → array of records".into()),
        }
        self
    }

    /// Seeds many records of one type in one transaction (100 000 rows take well under a second).
    pub fn seed_records(
        mut self,
        record_type: &str,
        records: impl IntoIterator<Item = serde_json::Value>,
    ) -> Self {
        self.seeds
            .push((record_type.to_owned(), records.into_iter().collect()));
        self
    }

    /// Stores records in this SQLite file instead of memory.
    pub fn database_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.database_file = Some(path.into());
        self
    }

    /// Registers a RESTlet handler for `script` / `deploy`.
    pub fn restlet<F>(mut self, script: &str, deploy: &str, handler: F) -> Self
    where
        F: Fn(RestletCall) -> Result<serde_json::Value, RestletError> + Send + Sync + 'static,
    {
        self.restlets
            .push((script.to_owned(), deploy.to_owned(), Arc::new(handler)));
        self
    }

    /// The longest a SuiteQL query may run before it is stopped with a 400 (default 10 s).
    pub fn query_timeout(mut self, d: Duration) -> Self {
        self.query_timeout = d;
        self
    }

    /// Listens on this port of 127.0.0.1 (default 0: an ephemeral port).
    pub fn port(mut self, p: u16) -> Self {
        self.port = p;
        self
    }

    /// Binds 127.0.0.1 and starts serving.
    pub async fn start(self) -> Result<MockNetSuite, MockError> {
        server::start(self).await
    }
}

/// A running emulator. Stops (accept loop and every connection) when dropped.
pub struct MockNetSuite {
    pub(crate) shared: Arc<Shared>,
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for MockNetSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockNetSuite")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for MockNetSuite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MockNetSuite {
    /// A builder with defaults: demo credentials, system clock, concurrency limit 5, no faults.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The demo credentials: account `1234567_SB1` and fixed, public, hex-looking keys and secrets.
    pub fn demo_credentials() -> Credentials {
        demo::credentials()
    }

    /// `http://127.0.0.1:PORT`: append `/services/rest/...`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT`: the same server answers `/app/site/hosting/restlet.nl` and `/rest/…`.
    pub fn restlet_url(&self) -> String {
        self.base_url()
    }

    /// The socket address served.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// The first registered credentials (the demo ones by default).
    pub fn credentials(&self) -> Credentials {
        self.shared.auth.first_credentials()
    }

    /// Every authentication rejection so far, oldest first (the newest 100 000 are kept).
    pub fn audit_log(&self) -> Vec<AuditEntry> {
        self.shared.audit_log()
    }

    /// The audit entries from index `from` on, counting every entry since start or the last reset
    /// (for polling: pass the number of entries seen so far).
    pub fn audit_log_since(&self, from: usize) -> Vec<AuditEntry> {
        self.shared.audit_log_since(from)
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }

    /// Zeroes the counters (in-flight stays; max in flight restarts from it) and clears the audit log.
    pub fn reset_counters(&self) {
        self.shared.reset_counters();
    }

    /// Revokes a token: later requests with it are rejected as `revoked_token`.
    pub fn revoke_token(&self, token_id: &str) {
        self.shared.auth.revoke(token_id);
    }

    /// Stores a record (a JSON object) and returns its internal id.
    ///
    /// A body that is not an object is stored as an empty record; a duplicate `externalId` is dropped
    /// from the body (see the `tracing` warning) so the record is still stored.
    pub fn insert_record(&self, record_type: &str, body: serde_json::Value) -> String {
        self.shared
            .store
            .insert_lenient(record_type, body)
            .to_string()
    }

    /// A stored record as JSON (with `id`), as stored (references not expanded).
    pub fn record(&self, record_type: &str, id: &str) -> Option<serde_json::Value> {
        let id: i64 = id.parse().ok()?;
        self.shared
            .store
            .get(record_type, id)
            .map(serde_json::Value::Object)
    }

    /// How many records of this type are stored.
    pub fn record_count(&self, record_type: &str) -> usize {
        self.shared.store.count(record_type)
    }
}
