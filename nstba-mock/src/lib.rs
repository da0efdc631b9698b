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
//! Beyond reads and writes it answers record transforms, record actions (`@approve`, `@reject`),
//! attach/detach, `governanceLimits`, asynchronous requests (`Prefer: respond-async` → a job whose
//! tasks keep the synchronous answers), batches on collection URLs and idempotency keys (a key runs
//! once; a resend gets `IDEMPOTENCY_ERROR` with the first job's `Location`). A request keeps running
//! when its client disconnects, and [`Fault::drop_after_processing`] loses the answer of a write that
//! landed, so "timed out / connection lost, but applied" can be tested.
//!
//! OAuth 2.0 machine-to-machine sits beside TBA: the token endpoint verifies JWT client assertions
//! (see [`MockNetSuite::m2m_assertion`] for the demo client's) and issues bearer tokens that REST,
//! SuiteQL and RESTlets accept within their scopes.
//!
//! ```
//! use nstba_core::{Request, Stamp};
//! use nstba_mock::{MockNetSuite, RejectReason};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ns = MockNetSuite::builder().demo_data().start().await?;
//! let creds = ns.credentials(); // the demo credentials
//! let url = format!("{}/services/rest/record/v1/customer/1?fields=companyName", ns.base_url());
//! let auth = creds.key().authorization(&Request::new("GET", &url), &Stamp::now())?;
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

mod api;
mod demo;
mod error;
mod http;
mod store;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use api::restlets::{RestletCall, RestletError};

pub use demo::{
    ACCOUNT as DEMO_ACCOUNT, CONSUMER_KEY as DEMO_CONSUMER_KEY,
    CONSUMER_SECRET as DEMO_CONSUMER_SECRET, TOKEN_ID as DEMO_TOKEN_ID,
    TOKEN_SECRET as DEMO_TOKEN_SECRET,
};
pub use nstba_core::{AccountId, Clock, Credentials, FixedClock, SystemClock};
pub use serde_json::Value;

pub use error::MockError;
pub use http::audit::{AuditEntry, RejectReason};
pub use http::faults::{Fault, FaultKind};
pub use http::oauth2::{KNOWN_SCOPES as M2M_SCOPES, TOKEN_PATH as OAUTH2_TOKEN_PATH};
pub use http::Counters;
pub use store::dates::{DateFormat, UnknownDateFormat};

/// The demo OAuth 2.0 client id (M2M integration), registered with the demo certificate.
pub const DEMO_M2M_CLIENT_ID: &str =
    "5f2c9b4e0d7a41c38e6b2a9d1c0f7e43b8a6d5c2e1f09a7b3c4d5e6f7a8b9c0d";
/// The demo OAuth 2.0 certificate id (the `kid` of the demo client's assertions).
pub const DEMO_M2M_CERTIFICATE_ID: &str = "Zm9vYmFyLWRlbW8tY2VydGlmaWNhdGUtaWQtMDAwMQ";
/// The scopes the demo M2M client may ask for.
pub const DEMO_M2M_SCOPES: [&str; 2] = ["rest_webservices", "restlets"];

use api::restlets::{RestletHandler, Restlets};
use http::gate::{GateConfig, Integration, User};
use http::oauth2::M2mRegistration;
use http::{Server, ServerConfig};
use nstba_core::m2m::{Algorithm, ClientAssertion, KeyKind, PrivateKey, PublicKey};
use nstba_core::secrecy::{ExposeSecret, SecretString};
use store::Store;

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
    pub(crate) m2m_clients: Vec<(String, String, PublicKey, Vec<String>)>,
    pub(crate) m2m_key_pem: Option<SecretString>,
    pub(crate) access_token_lifetime: Duration,
    pub(crate) date_format: DateFormat,
    pub(crate) jobs: api::jobs::JobConfig,
    pub(crate) connections: http::ConnectionLimits,
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
            m2m_clients: Vec::new(),
            m2m_key_pem: None,
            access_token_lifetime: Duration::from_secs(3600),
            date_format: DateFormat::default(),
            jobs: api::jobs::JobConfig::default(),
            connections: http::ConnectionLimits::default(),
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

    /// Stores records in this SQLite file instead of memory (opened in WAL mode, so SuiteQL reads a
    /// snapshot beside the record API).
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

    /// Registers an OAuth 2.0 M2M certificate: `certificate_id` (the assertions' `kid`) with its public
    /// key, for the client `client_id` (the assertions' `iss`) in the account of the first registered
    /// credentials, allowed `scopes` (`rest_webservices`, `restlets`, `suite_analytics`). Several
    /// certificates may belong to one client; its allowed scopes are the union. The demo client
    /// ([`DEMO_M2M_CLIENT_ID`]) is always registered too.
    pub fn m2m_client<I, S>(
        mut self,
        client_id: &str,
        certificate_id: &str,
        key: PublicKey,
        scopes: I,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        if let Some(bad) = scopes.iter().find(|s| !M2M_SCOPES.contains(&s.as_str())) {
            self.errors.push(format!(
                "unknown OAuth 2.0 scope {bad:?} for client {client_id:?} (known: rest_webservices, restlets, suite_analytics)"
            ));
        } else if client_id.trim().is_empty() || certificate_id.trim().is_empty() {
            self.errors
                .push("an M2M client needs a client id and a certificate id".into());
        } else {
            self.m2m_clients
                .push((client_id.to_owned(), certificate_id.to_owned(), key, scopes));
        }
        self
    }

    /// The private key (PEM: PKCS#8, SEC1 or PKCS#1; EC P-256/P-384/P-521 or RSA 3072/4096) of the
    /// demo M2M certificate, instead of a P-256 key generated at start. The algorithm follows the key
    /// (ES256/ES384/ES512, PS256 for RSA).
    pub fn m2m_private_key_pem(mut self, pem: &str) -> Self {
        self.m2m_key_pem = Some(SecretString::from(pem.to_owned()));
        self
    }

    /// Lifetime of the OAuth 2.0 access tokens issued (default one hour, as NetSuite; at least 1 s).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// The account's date-format preference (default `M/D/YYYY`): SuiteQL shows every date and
    /// timestamp column in it, date only, as NetSuite does; `TO_CHAR(col, 'YYYY-MM-DD"T"HH24:MI:SS')`
    /// gives a fixed format with the time.
    pub fn date_format(mut self, format: DateFormat) -> Self {
        self.date_format = format;
        self
    }

    /// How long an asynchronous job (`Prefer: respond-async`) stays `pending` before its tasks run
    /// (default 20 ms; zero runs it as soon as a blocking thread is free).
    pub fn async_job_delay(mut self, d: Duration) -> Self {
        self.jobs.delay = d;
        self
    }

    /// How many asynchronous jobs (with their idempotency keys) are remembered (default 10 000, at
    /// least 1): beyond that the oldest job is forgotten, and its key may be used again.
    pub fn async_job_retention(mut self, jobs: usize) -> Self {
        self.jobs.retention = jobs.max(1);
        self
    }

    /// Listens on this port of 127.0.0.1 (default 0: an ephemeral port).
    pub fn port(mut self, p: u16) -> Self {
        self.port = p;
        self
    }

    /// The most connections held open at once (default 1 024). At the cap, the connection idle the
    /// longest (no request in progress) is closed for a new one; when every connection is busy, a
    /// new one is closed at once.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.connections.max_connections = n.max(1);
        self
    }

    /// How long a connection may take to send a request's headers, and how long a kept-alive
    /// connection may stay idle between requests, before it is closed (default 10 s).
    pub fn header_read_timeout(mut self, d: Duration) -> Self {
        self.connections.header_read_timeout = d;
        self
    }

    /// How long an authenticated request may take to send its body (default 60 s; then 408).
    pub fn body_timeout(mut self, d: Duration) -> Self {
        self.connections.body_timeout = d;
        self
    }

    /// Binds 127.0.0.1 and starts serving.
    pub async fn start(self) -> Result<MockNetSuite, MockError> {
        if let Some(e) = self.errors.first() {
            return Err(MockError::Config(e.clone()));
        }
        if let Some((ty, _)) = self.seeds.iter().find(|(ty, _)| !store::is_ident(ty)) {
            return Err(MockError::Config(format!("invalid record type {ty:?}")));
        }
        // Opening and seeding may take a while (100 000 rows): not on an async worker.
        let (path, timeout, demo_data, seeds, date_format) = (
            self.database_file,
            self.query_timeout,
            self.demo_data,
            self.seeds,
            self.date_format,
        );
        let store = tokio::task::spawn_blocking(move || {
            open_store(path.as_deref(), timeout, demo_data, seeds)
                .map(|store| store.with_date_format(date_format))
        })
        .await
        .map_err(|e| MockError::Store(e.to_string()))??;
        let mut restlets = Restlets::default();
        for (script, deploy, handler) in self.restlets {
            restlets.insert(script, deploy, handler);
        }
        let mut credentials = self.credentials.into_iter();
        let first = credentials.next().unwrap_or_else(demo::credentials);
        let m2m = M2mDemo::new(first.account(), self.m2m_key_pem)?;
        let mut registrations = vec![M2mRegistration {
            account: first.account().clone(),
            client_id: DEMO_M2M_CLIENT_ID.to_owned(),
            certificate_id: DEMO_M2M_CERTIFICATE_ID.to_owned(),
            key: m2m.assertion.key().public_key(),
            scopes: DEMO_M2M_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }];
        for (client_id, certificate_id, key, scopes) in self.m2m_clients {
            registrations.push(M2mRegistration {
                account: first.account().clone(),
                client_id,
                certificate_id,
                key,
                scopes,
            });
        }
        let config = ServerConfig {
            gate: GateConfig {
                first,
                more: credentials.collect(),
                integrations: self.integrations,
                demo: Integration {
                    account: demo::account(),
                    consumer_key: demo::CONSUMER_KEY.to_owned(),
                    consumer_secret: demo::CONSUMER_SECRET.to_owned().into(),
                },
                users: self.users,
                clock: self.clock,
                verify_signatures: self.verify_signatures,
                m2m: registrations,
                access_token_lifetime: self.access_token_lifetime.as_secs().max(1),
            },
            concurrency_limit: self.concurrency_limit,
            faults: self.faults,
            latency: self.latency,
            port: self.port,
            jobs: self.jobs,
            connections: self.connections,
        };
        let running = http::start(config, store, restlets).await?;
        Ok(MockNetSuite {
            server: running.server,
            addr: running.addr,
            task: running.task,
            m2m,
        })
    }
}

/// The demo M2M credentials: the assertion builder (client id, certificate id, key) and the PEM.
struct M2mDemo {
    assertion: ClientAssertion,
    pem: SecretString,
}

impl M2mDemo {
    fn new(account: &AccountId, pem: Option<SecretString>) -> Result<M2mDemo, MockError> {
        let pem = match pem {
            Some(p) => p,
            None => generate_p256_pem()?,
        };
        let config = |e: nstba_core::m2m::AssertionError| {
            MockError::Config(format!("the demo M2M key: {e}"))
        };
        let key = PrivateKey::from_pem_with_origin(pem.expose_secret(), "the demo M2M private key")
            .map_err(config)?;
        let algorithm = match key.kind() {
            KeyKind::P256 => Algorithm::ES256,
            KeyKind::P384 => Algorithm::ES384,
            KeyKind::P521 => Algorithm::ES512,
            _ => Algorithm::PS256,
        };
        let assertion = ClientAssertion::new(
            account,
            DEMO_M2M_CLIENT_ID,
            DEMO_M2M_CERTIFICATE_ID,
            algorithm,
            key,
        )
        .and_then(|a| a.with_scopes(DEMO_M2M_SCOPES))
        .map_err(config)?;
        Ok(M2mDemo { assertion, pem })
    }
}

/// A fresh EC P-256 private key as PKCS#8 PEM.
fn generate_p256_pem() -> Result<SecretString, MockError> {
    use p256::pkcs8::EncodePrivateKey as _;
    use rand::Rng as _;
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    // A random 32-byte string is a valid scalar except with probability ~2^-32: retry then.
    for _ in 0..8 {
        rand::rng().fill_bytes(bytes.as_mut());
        if let Ok(key) = p256::SecretKey::from_slice(bytes.as_ref()) {
            let pem = key
                .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
                .map_err(|e| MockError::Config(format!("cannot encode the demo M2M key: {e}")))?;
            return Ok(SecretString::from(pem.as_str().to_owned()));
        }
    }
    Err(MockError::Config(
        "cannot generate the demo M2M key".to_owned(),
    ))
}

/// Opens the store and loads the demo data (into an empty store) and the seeds.
fn open_store(
    path: Option<&std::path::Path>,
    query_timeout: Duration,
    demo_data: bool,
    seeds: Vec<(String, Vec<serde_json::Value>)>,
) -> Result<Store, MockError> {
    let store_error = |e: store::StoreError| MockError::Store(e.to_string());
    let mut store = Store::open(path).map_err(store_error)?;
    store.query_timeout = query_timeout;
    if demo_data {
        for (ty, records) in demo::data() {
            if store.count(ty) == 0 {
                store.bulk(ty, records).map_err(store_error)?;
            }
        }
    }
    for (ty, records) in seeds {
        store.bulk(&ty, records).map_err(store_error)?;
    }
    Ok(store)
}

/// A running emulator. Stops (accept loop and every connection) when dropped.
pub struct MockNetSuite {
    pub(crate) server: Arc<Server>,
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) task: tokio::task::JoinHandle<()>,
    m2m: M2mDemo,
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
        self.server.gate.first_credentials()
    }

    /// Where OAuth 2.0 token requests go: `http://127.0.0.1:PORT/services/rest/auth/oauth2/v1/token`.
    ///
    /// Assertions may name this URL or NetSuite's real token URL of the account
    /// ([`nstba_core::m2m::token_url`], what [`ClientAssertion`] uses) as `aud`.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base_url(), OAUTH2_TOKEN_PATH)
    }

    /// The demo M2M credentials as an assertion builder: client [`DEMO_M2M_CLIENT_ID`], certificate
    /// [`DEMO_M2M_CERTIFICATE_ID`], the demo private key, scopes `rest_webservices,restlets`, audience
    /// the account's NetSuite token URL. Post what it builds to [`MockNetSuite::token_url`].
    ///
    /// ```
    /// use nstba_core::m2m::token_request_body;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let ns = nstba_mock::MockNetSuite::builder().demo_data().start().await?;
    /// let jwt = ns.m2m_assertion().build_now()?; // system clock, random jti
    /// let http = reqwest::Client::new();
    /// let answer: serde_json::Value = http
    ///     .post(ns.token_url())
    ///     .header("Content-Type", "application/x-www-form-urlencoded")
    ///     .body(token_request_body(&jwt))
    ///     .send().await?.json().await?;
    /// assert_eq!(answer["token_type"], "bearer");
    /// let token = answer["access_token"].as_str().unwrap();
    /// let customer = http
    ///     .get(format!("{}/services/rest/record/v1/customer/1", ns.base_url()))
    ///     .bearer_auth(token)
    ///     .send().await?;
    /// assert_eq!(customer.status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn m2m_assertion(&self) -> ClientAssertion {
        self.m2m.assertion.clone()
    }

    /// The demo M2M client id.
    pub fn m2m_client_id(&self) -> &str {
        self.m2m.assertion.client_id()
    }

    /// The demo M2M certificate id.
    pub fn m2m_certificate_id(&self) -> &str {
        self.m2m.assertion.certificate_id()
    }

    /// The demo M2M private key.
    pub fn m2m_private_key(&self) -> PrivateKey {
        self.m2m.assertion.key().clone()
    }

    /// The demo M2M private key as PEM text (a secret: `Debug` redacts it).
    pub fn m2m_private_key_pem(&self) -> SecretString {
        self.m2m.pem.clone()
    }

    /// Writes the demo M2M private key (PEM) to `path`, readable by the owner only (mode 0600 on
    /// Unix), replacing any file there.
    pub fn write_private_key(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        write_private_file(path.as_ref(), self.m2m.pem.expose_secret().as_bytes())
    }

    /// Every authentication rejection so far, oldest first (the newest 100 000 are kept).
    pub fn audit_log(&self) -> Vec<AuditEntry> {
        self.server.audit_log_since(0)
    }

    /// The audit entries from index `from` on, counting every entry since start or the last reset
    /// (for polling: pass the number of entries seen so far).
    pub fn audit_log_since(&self, from: usize) -> Vec<AuditEntry> {
        self.server.audit_log_since(from)
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.server.counters()
    }

    /// Zeroes the counters (in-flight stays; max in flight restarts from it) and clears the audit log.
    pub fn reset_counters(&self) {
        self.server.reset_counters();
    }

    /// Revokes a token: later requests with it are rejected as `revoked_token`.
    pub fn revoke_token(&self, token_id: &str) {
        self.server.gate.revoke(token_id);
    }

    /// Stores a record (a JSON object) and returns its internal id.
    ///
    /// A body that is not an object is stored as an empty record; a duplicate `externalId` is dropped
    /// from the body (see the `tracing` warning) so the record is still stored.
    pub fn insert_record(&self, record_type: &str, body: serde_json::Value) -> String {
        self.server
            .app
            .store
            .insert_lenient(record_type, body)
            .to_string()
    }

    /// A stored record as JSON (with `id`), as stored (references not expanded).
    pub fn record(&self, record_type: &str, id: &str) -> Option<serde_json::Value> {
        let id: i64 = id.parse().ok()?;
        self.server
            .app
            .store
            .get(record_type, id)
            .map(serde_json::Value::Object)
    }

    /// How many records of this type are stored.
    pub fn record_count(&self, record_type: &str) -> usize {
        self.server.app.store.count(record_type)
    }

    /// Every stored record of a type, as stored (with `id`), lowest id first.
    pub fn records_of(&self, record_type: &str) -> Vec<serde_json::Value> {
        self.server
            .app
            .store
            .sample(record_type, i64::MAX as usize)
            .into_iter()
            .map(serde_json::Value::Object)
            .collect()
    }

    /// How many stored records of a type have `field` equal to `value` (top-level field, as stored;
    /// e.g. `("customer", "externalId", json!("C-1"))`).
    pub fn count_where(&self, record_type: &str, field: &str, value: &serde_json::Value) -> usize {
        self.records_of(record_type)
            .iter()
            .filter(|r| r.get(field) == Some(value))
            .count()
    }

    /// The values of `field` that more than one stored record of the type carries, with how many
    /// carry each (sorted by value text): empty when no two records share a value. Records without
    /// the field are not counted.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let ns = nstba_mock::MockNetSuite::builder().start().await?;
    /// for name in ["a", "b", "a"] {
    ///     ns.insert_record("customer", serde_json::json!({ "companyName": name }));
    /// }
    /// assert_eq!(ns.duplicates_of("customer", "companyName"), [(serde_json::json!("a"), 2)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn duplicates_of(&self, record_type: &str, field: &str) -> Vec<(serde_json::Value, usize)> {
        let mut counts: std::collections::BTreeMap<String, (serde_json::Value, usize)> =
            std::collections::BTreeMap::new();
        for r in self.records_of(record_type) {
            if let Some(v) = r.get(field).filter(|v| !v.is_null()) {
                counts.entry(v.to_string()).or_insert((v.clone(), 0)).1 += 1;
            }
        }
        counts.into_values().filter(|(_, n)| *n > 1).collect()
    }

    /// How many asynchronous jobs are remembered (see [`MockBuilder::async_job_retention`]).
    pub fn async_job_count(&self) -> usize {
        self.server.app.jobs.len()
    }
}

/// Writes `bytes` to a file only its owner can read (0600 on Unix, also when the file existed).
#[cfg(unix)]
fn write_private_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Writes `bytes` to `path`.
#[cfg(not(unix))]
fn write_private_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
