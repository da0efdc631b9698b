//! The client, its builder, and the one send path every call goes through: authorize → limiter →
//! send → classify → (backoff → authorize again → send …).

use crate::auth::{Authorize, M2m, RequestParts, SyncAuthorizer, TokenCache};
use crate::error::{parse_netsuite_error, snippet, Answered, Error, ErrorKind, Result};
use crate::limiter::{ClientLimiter, LimiterError, LimiterScope};
use crate::retry::{self, Effect, Failure, RetryPolicy};
use bytes::Bytes;
use nstba_core::m2m::{Algorithm, ClientAssertion, KeyKind, PrivateKey};
use nstba_core::{AccountId, Authorizer, Credentials, Tba};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;
use url::Url;

/// NetSuite's base concurrency limit (standard and developer accounts).
pub const DEFAULT_CONCURRENCY: usize = 5;

/// The environment variables [`Client::from_env`] reads besides the five TBA credential variables
/// ([`nstba_core::ENV_VARIABLES`]): the OAuth 2.0 M2M variables ([`M2M_ENV_VARIABLES`]) and the
/// optional `NETSUITE_BASE_URL`, `NETSUITE_RESTLET_URL`, `NETSUITE_CONCURRENCY` and `NSTBA_LIMITER`.
pub const CLIENT_ENV_VARIABLES: [&str; 9] = [
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY_PATH",
    "NETSUITE_SCOPES",
    "NETSUITE_ALGORITHM",
    "NETSUITE_BASE_URL",
    "NETSUITE_RESTLET_URL",
    "NETSUITE_CONCURRENCY",
    "NSTBA_LIMITER",
];

/// The OAuth 2.0 M2M variables [`Client::from_env`] reads (with `NETSUITE_ACCOUNT_ID`): the first
/// three are required, `NETSUITE_SCOPES` (default `rest_webservices,restlets`) and
/// `NETSUITE_ALGORITHM` (default from the key: PS256 for RSA, ES256/ES384/ES512 by curve) optional.
pub const M2M_ENV_VARIABLES: [&str; 5] = [
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY_PATH",
    "NETSUITE_SCOPES",
    "NETSUITE_ALGORITHM",
];

/// The scopes M2M asks for when `NETSUITE_SCOPES` is not set.
pub const DEFAULT_M2M_SCOPES: [&str; 2] = ["rest_webservices", "restlets"];

/// An async NetSuite client: records, SuiteQL, RESTlets and token endpoints.
///
/// Every request is signed at send time (a fresh nonce and timestamp per attempt), passes through one
/// concurrency limiter per client (never more requests in flight than [`ClientBuilder::concurrency`]) and
/// the account's limiter (shared by the account's clients in the process, or across processes through
/// Redis: [`ClientBuilder::limiter`]), and is retried according to the [`RetryPolicy`]. Cloning is cheap
/// and clones share the connection pool and the limiters.
///
/// ```no_run
/// # async fn demo() -> Result<(), nstba_client::Error> {
/// use nstba_client::Client;
/// use futures_util::StreamExt;
///
/// let client = Client::from_env()?;
/// let customer: serde_json::Value = client.record("customer").get("42").send().await?;
/// let mut rows = client
///     .suiteql::<serde_json::Value>("SELECT id, companyname FROM customer ORDER BY id")
///     .stream();
/// while let Some(row) = rows.next().await {
///     println!("{}", row?);
/// }
/// # let _ = customer; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    pub(crate) authorizer: Arc<dyn Authorize>,
    pub(crate) account: Option<AccountId>,
    pub(crate) base_url: String,
    pub(crate) restlet_url: String,
    limiter: Arc<ClientLimiter>,
    pub(crate) concurrency: usize,
    retry: RetryPolicy,
    timeout: Option<Duration>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("account", &self.inner.account.as_ref().map(|a| a.realm()))
            .field("base_url", &self.inner.base_url)
            .field("restlet_url", &self.inner.restlet_url)
            .field("concurrency", &self.inner.concurrency)
            .field("account_limiter", &self.inner.limiter.account())
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Obtain one with [`Client::builder`].
///
/// ```
/// use nstba_client::{Client, RetryPolicy};
/// use nstba_core::{AccountId, Credentials};
/// use std::time::Duration;
///
/// let creds = Credentials::new(AccountId::parse("1234567_SB1")?, "ck", "cs", "tk", "ts")?;
/// let client = Client::builder()
///     .credentials(creds)
///     .concurrency(15)
///     .timeout(Duration::from_secs(120))
///     .retry(RetryPolicy::default().max_attempts(5))
///     .build()?;
/// assert_eq!(client.concurrency(), 15);
/// assert_eq!(client.base_url(), "https://1234567-sb1.suitetalk.api.netsuite.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct ClientBuilder {
    authorizer: Option<AuthChoice>,
    account: Option<AccountId>,
    base_url: Option<String>,
    restlet_url: Option<String>,
    concurrency: usize,
    limiter: LimiterScope,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    strict_property_names: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("account", &self.account.as_ref().map(|a| a.realm()))
            .field("base_url", &self.base_url)
            .field("restlet_url", &self.restlet_url)
            .field("concurrency", &self.concurrency)
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

/// The authorization the builder was given.
#[derive(Clone)]
enum AuthChoice {
    Ready(Arc<dyn Authorize>),
    /// Bound to the client's connection pool and limiter in `build`, with a token cache of its own
    /// unless one is given (see [`ClientBuilder::share_m2m_token`]).
    M2m(Box<M2m>, Option<Arc<TokenCache>>),
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            authorizer: None,
            account: None,
            base_url: None,
            restlet_url: None,
            concurrency: DEFAULT_CONCURRENCY,
            limiter: LimiterScope::default(),
            strict_property_names: false,
            timeout: Some(Duration::from_secs(300)),
            retry: RetryPolicy::default(),
            user_agent: concat!("nstba/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// Signs with TBA using these credentials; also sets the account (and so the default URLs).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.account = Some(credentials.account().clone());
        self.authorizer = Some(AuthChoice::Ready(Arc::new(SyncAuthorizer(Arc::new(
            Tba::new(credentials),
        )))));
        self
    }

    /// Signs with a custom synchronous [`Authorizer`] (for example [`Tba`] with an injected clock).
    /// Set the account with [`ClientBuilder::account`] or both URLs explicitly.
    pub fn authorizer(mut self, authorizer: Arc<dyn Authorizer>) -> Self {
        self.authorizer = Some(AuthChoice::Ready(Arc::new(SyncAuthorizer(authorizer))));
        self
    }

    /// Authorizes with a custom async [`Authorize`] step. Set the account with
    /// [`ClientBuilder::account`] or both URLs explicitly.
    pub fn async_authorizer(mut self, authorizer: Arc<dyn Authorize>) -> Self {
        self.authorizer = Some(AuthChoice::Ready(authorizer));
        self
    }

    /// Authorizes with OAuth 2.0 machine-to-machine (client credentials): `Authorization: Bearer`
    /// with a cached access token (see [`M2m`]). Takes a [`ClientAssertion`] or an [`M2m`] (to set a
    /// clock or the refresh margin); also sets the account the assertion is for (and so the default
    /// URLs). With a [`ClientBuilder::base_url`] override, the token request goes to
    /// `<base_url>/services/rest/auth/oauth2/v1/token` too.
    ///
    /// ```
    /// use nstba_client::Client;
    /// use nstba_core::m2m::{Algorithm, ClientAssertion, PrivateKey};
    /// use nstba_core::AccountId;
    ///
    /// # let pem = include_str!("../../nstba-core/tests/fixtures/m2m/p256.pem");
    /// let key = PrivateKey::from_pem(pem)?;
    /// let account = AccountId::parse("1234567_SB1")?;
    /// let assertion = ClientAssertion::new(&account, "client-id", "cert-id", Algorithm::ES256, key)?
    ///     .with_scopes(["rest_webservices", "restlets"])?;
    /// let client = Client::builder().m2m(assertion).build()?;
    /// assert_eq!(client.base_url(), "https://1234567-sb1.suitetalk.api.netsuite.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn m2m(mut self, m2m: impl Into<M2m>) -> Self {
        let m2m = m2m.into();
        if let Some(account) = m2m.account() {
            self.account = Some(account);
        }
        self.authorizer = Some(AuthChoice::M2m(Box::new(m2m), None));
        self
    }

    /// The account (derives the default REST and RESTlet URLs; needed for `issue_token`).
    pub fn account(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// Overrides the REST base URL (`https://<label>.suitetalk.api.netsuite.com`), e.g. for a proxy or
    /// an emulator. Paths such as `/services/rest/record/v1/…` are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the RESTlet base URL (`https://<label>.restlets.api.netsuite.com`).
    pub fn restlet_url(mut self, url: impl Into<String>) -> Self {
        self.restlet_url = Some(url.into());
        self
    }

    /// The most requests in flight at once, across every call of this client and its clones
    /// (default 5, NetSuite's base limit). Must be at least 1. Also the size of the account
    /// limiter this client creates ([`ClientBuilder::limiter`]).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// Where requests are counted against the account's concurrency limit, besides this client's
    /// own [`concurrency`](ClientBuilder::concurrency): by default ([`LimiterScope::Account`]) one
    /// in-process limiter shared by every client of the same account; [`LimiterScope::Client`]
    /// opts out; [`LimiterScope::Redis`] shares the limit with every process using the same Redis.
    /// `NSTBA_LIMITER` sets it for [`Client::from_env`].
    ///
    /// ```
    /// use nstba_client::{Client, LimiterScope, RedisLimit};
    /// use nstba_core::{AccountId, Credentials};
    ///
    /// let creds = Credentials::new(AccountId::parse("1234567_SB1")?, "ck", "cs", "tk", "ts")?;
    /// let fleet = RedisLimit::new("redis://127.0.0.1:6379/0")?; // connects on the first request
    /// let client = Client::builder()
    ///     .credentials(creds)
    ///     .limiter(LimiterScope::Redis(fleet))
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn limiter(mut self, scope: LimiterScope) -> Self {
        self.limiter = scope;
        self
    }

    /// Per-attempt timeout, from sending to the end of the response body (default 300 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Strict mode: send `X-NetSuite-PropertyNameValidation: Error` on every request, so NetSuite
    /// rejects a misspelled field name instead of silently ignoring it (its default is `Warning`).
    pub fn strict_property_names(mut self, on: bool) -> Self {
        self.strict_property_names = on;
        self
    }

    /// With M2M authorization, makes every client built from this builder (and its clones) share one
    /// access token cache. For clients built one after the other for the same server, as
    /// [`ClientBuilder::build_sized_by_governance`] does; other builders keep a cache per client.
    pub(crate) fn share_m2m_token(mut self) -> Self {
        if let Some(AuthChoice::M2m(_, cache @ None)) = &mut self.authorizer {
            *cache = Some(Arc::default());
        }
        self
    }

    /// Builds the client. Fails with [`ErrorKind::Config`] when no credentials/authorizer are set, a URL
    /// is not an absolute http(s) URL, or the concurrency is 0.
    pub fn build(self) -> Result<Client> {
        let authorizer = self.authorizer.ok_or_else(|| {
            Error::config(Some("credentials"), "no credentials or authorizer set")
        })?;
        if self.concurrency == 0 {
            return Err(Error::config(Some("concurrency"), "must be at least 1"));
        }
        let base_url_override = self.base_url.clone();
        let base_url = match (self.base_url, &self.account) {
            (Some(u), _) => check_url("base_url", &u)?,
            (None, Some(a)) => a.rest_base_url(),
            (None, None) => {
                return Err(Error::config(
                    Some("base_url"),
                    "set an account or the base URL",
                ))
            }
        };
        let restlet_url = match (self.restlet_url, &self.account) {
            (Some(u), _) => check_url("restlet_url", &u)?,
            (None, Some(a)) => a.restlet_base_url(),
            (None, None) => base_url.clone(),
        };
        let ua = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::config(Some("user_agent"), "not a valid header value"))?;
        let mut default_headers = reqwest::header::HeaderMap::new();
        if self.strict_property_names {
            default_headers.insert(
                "x-netsuite-propertynamevalidation",
                HeaderValue::from_static("Error"),
            );
        }
        let http = reqwest::Client::builder()
            .tls_backend_rustls()
            .default_headers(default_headers)
            .user_agent(ua)
            .pool_max_idle_per_host(self.concurrency.max(8))
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::config(None, format!("cannot build the HTTP client: {e}")))?;
        // The account limiter's key: the realm (with the base URL when it is overridden, in
        // process: another server, e.g. an emulator, is another account), or the base URL alone.
        let fleet_key = match &self.account {
            Some(a) => a.realm().to_owned(),
            None => base_url.clone(),
        };
        let process_key = match (&self.account, &base_url_override) {
            (Some(a), Some(_)) => format!("{}@{base_url}", a.realm()),
            _ => fleet_key.clone(),
        };
        let limiter = Arc::new(ClientLimiter::new(
            self.concurrency,
            self.limiter
                .resolve(&process_key, &fleet_key, self.concurrency),
        ));
        let authorizer: Arc<dyn Authorize> = match authorizer {
            AuthChoice::Ready(a) => a,
            AuthChoice::M2m(m2m, cache) => Arc::new((*m2m).bind(
                base_url_override.as_deref(),
                http.clone(),
                limiter.clone(),
                self.timeout,
                cache.unwrap_or_default(),
            )?),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                authorizer,
                account: self.account,
                base_url,
                restlet_url,
                limiter,
                concurrency: self.concurrency,
                retry: self.retry,
                timeout: self.timeout,
            }),
        })
    }
}

/// TBA credentials from the five `NETSUITE_*` TBA variables; errors name the variable.
fn tba_from_lookup(lookup: &dyn Fn(&str) -> Option<String>, m2m_any: bool) -> Result<Credentials> {
    Credentials::from_lookup(lookup).map_err(|e| {
        let mut reason = e.to_string();
        if matches!(e, nstba_core::Error::MissingVariables { .. }) && !m2m_any {
            reason.push_str(
                " (for OAuth 2.0 M2M instead, set NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and \
                 NETSUITE_PRIVATE_KEY_PATH)",
            );
        }
        Error::from(ErrorKind::Config {
            variable: match &e {
                nstba_core::Error::MissingVariables { names } => Some(names.join(", ")),
                nstba_core::Error::InvalidAccountId { .. } => Some("NETSUITE_ACCOUNT_ID".into()),
                nstba_core::Error::InvalidCredential { name, .. } => Some(
                    match *name {
                        "consumer key" => "NETSUITE_CONSUMER_KEY",
                        "consumer secret" => "NETSUITE_CONSUMER_SECRET",
                        "token id" => "NETSUITE_TOKEN_ID",
                        "token secret" => "NETSUITE_TOKEN_SECRET",
                        other => other,
                    }
                    .into(),
                ),
                _ => None,
            },
            reason,
        })
    })
}

/// The M2M client assertion from `NETSUITE_ACCOUNT_ID` and the M2M variables; errors name the
/// variable.
fn m2m_from_lookup(set: &dyn Fn(&str) -> Option<String>) -> Result<ClientAssertion> {
    let required = [
        "NETSUITE_ACCOUNT_ID",
        "NETSUITE_CLIENT_ID",
        "NETSUITE_CERTIFICATE_ID",
        "NETSUITE_PRIVATE_KEY_PATH",
    ];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|name| set(name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::config(
            Some(&missing.join(", ")),
            format!(
                "OAuth 2.0 M2M needs NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID, \
                 NETSUITE_CERTIFICATE_ID and NETSUITE_PRIVATE_KEY_PATH; missing or empty: {}",
                missing.join(", ")
            ),
        ));
    }
    let get = |name: &str| set(name).unwrap_or_default().trim().to_owned();
    let config = |name: &str, e: &dyn std::fmt::Display| Error::config(Some(name), e.to_string());
    // Validated before any URL (the token URL, the assertion's aud) is built from it.
    let account = AccountId::parse(&get("NETSUITE_ACCOUNT_ID"))
        .map_err(|e| config("NETSUITE_ACCOUNT_ID", &e))?;
    let key = PrivateKey::from_pem_file(get("NETSUITE_PRIVATE_KEY_PATH"))
        .map_err(|e| config("NETSUITE_PRIVATE_KEY_PATH", &e))?;
    let algorithm = match set("NETSUITE_ALGORITHM") {
        Some(name) => {
            Algorithm::parse(name.trim()).map_err(|e| config("NETSUITE_ALGORITHM", &e))?
        }
        None => match key.kind() {
            KeyKind::Rsa { .. } => Algorithm::PS256,
            KeyKind::P256 => Algorithm::ES256,
            KeyKind::P384 => Algorithm::ES384,
            KeyKind::P521 => Algorithm::ES512,
            other => {
                return Err(Error::config(
                    Some("NETSUITE_ALGORITHM"),
                    format!("no default algorithm for {other}: set NETSUITE_ALGORITHM"),
                ))
            }
        },
    };
    let assertion = ClientAssertion::new(
        &account,
        get("NETSUITE_CLIENT_ID"),
        get("NETSUITE_CERTIFICATE_ID"),
        algorithm,
        key,
    )
    .map_err(|e| {
        let variable = match &e {
            nstba_core::m2m::AssertionError::InvalidClaim { name: "iss", .. } => {
                "NETSUITE_CLIENT_ID"
            }
            nstba_core::m2m::AssertionError::InvalidClaim { name: "kid", .. } => {
                "NETSUITE_CERTIFICATE_ID"
            }
            _ => "NETSUITE_ALGORITHM",
        };
        config(variable, &e)
    })?;
    let scopes = match set("NETSUITE_SCOPES") {
        Some(list) => list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>(),
        None => DEFAULT_M2M_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    };
    assertion
        .with_scopes(scopes)
        .map_err(|e| config("NETSUITE_SCOPES", &e))
}

pub(crate) fn check_url(name: &str, value: &str) -> Result<String> {
    let bad =
        |reason: &str| Error::config(Some(name), format!("{reason} (got {:?})", redact(value)));
    let url = Url::parse(value.trim()).map_err(|_| bad("not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an http(s) URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn redact(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => value.to_owned(),
    }
}

impl Client {
    /// A builder with the defaults: concurrency 5, 300 s timeout, [`RetryPolicy::default`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from the environment.
    ///
    /// Authorization, by the variables that are set (with `NETSUITE_ACCOUNT_ID` in both cases):
    /// - **TBA** (OAuth 1.0a) when `NETSUITE_CONSUMER_KEY`, `NETSUITE_CONSUMER_SECRET`,
    ///   `NETSUITE_TOKEN_ID` and `NETSUITE_TOKEN_SECRET` are all set — TBA stays the default;
    /// - otherwise **OAuth 2.0 M2M** when any of `NETSUITE_CLIENT_ID`, `NETSUITE_CERTIFICATE_ID`,
    ///   `NETSUITE_PRIVATE_KEY_PATH` is set: all three are required (the error names the missing ones),
    ///   the key file is PEM (PKCS#8, SEC1 or PKCS#1); optional `NETSUITE_SCOPES` (comma-separated,
    ///   default `rest_webservices,restlets`) and `NETSUITE_ALGORITHM` (default PS256 for an RSA key,
    ///   ES256/ES384/ES512 for a P-256/P-384/P-521 key);
    /// - otherwise the error names the missing TBA variables.
    ///
    /// Optional for both: `NETSUITE_BASE_URL` (every call, the M2M token request included, goes
    /// there), `NETSUITE_RESTLET_URL`, `NETSUITE_CONCURRENCY`, and `NSTBA_LIMITER` (`account`,
    /// `client` or `redis://host:port[/db]`, see [`LimiterScope::parse`]). The account id is validated before
    /// any URL is built. Errors name the variable and never show a secret.
    pub fn from_env() -> Result<Client> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Client::from_env`], reading variables through `lookup`.
    ///
    /// ```
    /// use nstba_client::{Client, Error};
    /// let err = Client::from_lookup(|name| match name {
    ///     "NETSUITE_ACCOUNT_ID" => Some("123456".into()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(err.to_string().contains("NETSUITE_TOKEN_SECRET"));
    ///
    /// // Part of the OAuth 2.0 M2M set: the error names what is missing.
    /// let err = Client::from_lookup(|name| match name {
    ///     "NETSUITE_ACCOUNT_ID" => Some("123456".into()),
    ///     "NETSUITE_CLIENT_ID" => Some("client-id".into()),
    ///     _ => None,
    /// })
    /// .unwrap_err();
    /// assert!(err.to_string().contains("NETSUITE_CERTIFICATE_ID, NETSUITE_PRIVATE_KEY_PATH"));
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Client> {
        let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let tba_complete = nstba_core::ENV_VARIABLES[1..]
            .iter()
            .all(|name| set(name).is_some());
        let m2m_any = M2M_ENV_VARIABLES[..3]
            .iter()
            .any(|name| set(name).is_some());
        let builder = if !tba_complete && m2m_any {
            Client::builder().m2m(m2m_from_lookup(&set)?)
        } else {
            Client::builder().credentials(tba_from_lookup(&lookup, m2m_any)?)
        };
        builder.with_lookup_options(&set)
    }
}

impl ClientBuilder {
    /// The optional variables shared by TBA and M2M.
    fn with_lookup_options(self, set: &dyn Fn(&str) -> Option<String>) -> Result<Client> {
        let mut builder = self;
        if let Some(url) = set("NETSUITE_BASE_URL") {
            builder = builder.base_url(check_url("NETSUITE_BASE_URL", &url)?);
        }
        if let Some(url) = set("NETSUITE_RESTLET_URL") {
            builder = builder.restlet_url(check_url("NETSUITE_RESTLET_URL", &url)?);
        }
        if let Some(n) = set("NETSUITE_CONCURRENCY") {
            let n: usize = n.trim().parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Error::config(
                    Some("NETSUITE_CONCURRENCY"),
                    format!("must be a whole number of at least 1 (got {n:?})"),
                )
            })?;
            builder = builder.concurrency(n);
        }
        if let Some(value) = set("NSTBA_LIMITER") {
            let scope = LimiterScope::parse(&value)
                .map_err(|e| Error::config(Some("NSTBA_LIMITER"), e.to_string()))?;
            builder = builder.limiter(scope);
        }
        builder.build()
    }
}

impl Client {
    /// The REST base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The RESTlet base URL.
    pub fn restlet_url(&self) -> &str {
        &self.inner.restlet_url
    }

    /// The concurrency limit.
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// The account, when known.
    pub fn account(&self) -> Option<&AccountId> {
        self.inner.account.as_ref()
    }

    /// Requests currently holding a slot of this client's own limiter (sent, or waiting for a slot of
    /// the account's).
    pub fn in_flight(&self) -> usize {
        self.inner.limiter.in_flight()
    }

    /// The account limiter this client shares ([`ClientBuilder::limiter`]); `None` with
    /// [`LimiterScope::Client`].
    pub fn account_limiter(&self) -> Option<&crate::Limiter> {
        self.inner.limiter.account()
    }

    /// Closes this client and every clone of it: requests waiting for a slot of the limiter, and
    /// every later request, fail with [`ErrorKind::LimiterClosed`] without being sent (and are not
    /// retried); requests already sent finish normally. Closing twice is harmless.
    ///
    /// ```
    /// # use nstba_client::{Client, ErrorKind};
    /// # use nstba_core::{AccountId, Credentials};
    /// # let creds = Credentials::new(AccountId::parse("123456")?, "ck", "cs", "tk", "ts")?;
    /// let client = Client::builder().credentials(creds).build()?;
    /// client.close();
    /// assert!(client.is_closed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&self) {
        self.inner.limiter.close();
    }

    /// `true` once [`Client::close`] was called on this client or a clone.
    pub fn is_closed(&self) -> bool {
        self.inner.limiter.is_closed()
    }

    /// Sends one call: waits for the limiter, signs, sends, retries per policy.
    pub(crate) async fn execute(&self, call: Call) -> Result<Reply> {
        let span = tracing::info_span!(
            "netsuite.request",
            method = %call.method,
            path = %log_path(&call.url),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let start = Instant::now();
        // Boxed: keeps the futures of every public call small (cheap to move into executors).
        let result = Box::pin(self.execute_inner(&call, &span).instrument(span.clone())).await;
        span.record("elapsed_ms", start.elapsed().as_millis() as u64);
        result
    }

    async fn execute_inner(&self, call: &Call, span: &tracing::Span) -> Result<Reply> {
        let policy = &self.inner.retry;
        let mut attempt: u32 = 0;
        // An earlier attempt may have been processed although it failed.
        let mut ambiguous = false;
        // A 401 leads to fresh authorization and one more send, once per call.
        let mut reauthorized = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            // Authorized afresh on every attempt, before waiting for the limiter.
            let outcome = match self.authorization(call).await {
                Ok(auth) => self.send(call, &auth).await.map(|reply| (reply, auth)),
                Err(e) => Err(e),
            };
            let err = match outcome {
                Ok((reply, auth)) => {
                    span.record("status", reply.status);
                    if (200..300).contains(&reply.status) || call.accept.is_some_and(|f| f(&reply))
                    {
                        return Ok(reply);
                    }
                    // Every 401 is reported (a refused token is never used again); the call is sent
                    // once more at most once.
                    if reply.status == 401
                        && matches!(call.auth, Auth::Authorizer)
                        && self.inner.authorizer.on_unauthorized(&auth)
                        && !reauthorized
                    {
                        // Refused before processing: sending again is harmless, even for a write.
                        tracing::debug!(
                            "401: authorizing again (refreshed token) and resending once"
                        );
                        reauthorized = true;
                        attempt -= 1;
                        continue;
                    }
                    if reply.status == 404 && ambiguous && call.gone_is_done {
                        // An earlier attempt may have deleted it already.
                        return Ok(reply);
                    }
                    reply.error()
                }
                Err(e) => e,
            };
            // An attempt before this one may have been processed: the error says so.
            let err = if ambiguous {
                err.after_ambiguous_attempt()
            } else {
                err
            };
            // The same classification `Error::is_safe_to_resend` gives the caller.
            ambiguous |= retry::classify(err.kind()) == Failure::Ambiguous;
            if !err.is_safe_to_resend() || attempt >= policy.attempts() {
                return Err(err);
            }
            let delay = policy.delay(attempt + 1, err.retry_after());
            tracing::debug!(attempt, ?delay, error = %err, "retrying NetSuite request");
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt without retries: authorize, then send.
    pub(crate) async fn attempt(&self, call: &Call) -> Result<Reply> {
        let auth = self.authorization(call).await?;
        self.send(call, &auth).await
    }

    /// The `Authorization` header of one attempt (marked sensitive).
    async fn authorization(&self, call: &Call) -> Result<HeaderValue> {
        let mut auth = match &call.auth {
            Auth::Authorizer => {
                let parts = RequestParts {
                    method: &call.method,
                    url: &call.url,
                    form_body: call.form_body(),
                };
                self.inner
                    .authorizer
                    .authorize(&parts)
                    .await
                    .map_err(|e| Error::from(e).with_effect(call.effect))?
            }
            Auth::Header(secret) => HeaderValue::from_str(secret.expose_secret())
                .map_err(|_| Error::invalid("authorization", "not a valid header value"))?,
        };
        auth.set_sensitive(true);
        Ok(auth)
    }

    /// Waits for the limiter and sends one authorized attempt.
    async fn send(&self, call: &Call, auth: &HeaderValue) -> Result<Reply> {
        let permit = self.inner.limiter.acquire().await.map_err(|e| {
            let (method, path) = (call.method.to_string(), call.url.path().to_owned());
            let kind = match e {
                LimiterError::Unavailable { url, reason } => ErrorKind::LimiterUnavailable {
                    method,
                    path,
                    url,
                    reason,
                },
                _ => ErrorKind::LimiterClosed { method, path },
            };
            Error::from(kind).with_effect(call.effect)
        })?;
        let reply = self.send_holding_slot(call, auth).await;
        // Given back before returning (a shared limiter's slot is not left to a background task).
        permit.release().await;
        reply
    }

    /// Sends one authorized attempt while holding a slot of the limiter.
    async fn send_holding_slot(&self, call: &Call, auth: &HeaderValue) -> Result<Reply> {
        let inner = &*self.inner;
        let started = Instant::now();
        let mut rb = inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, auth.clone());
        for (k, v) in &call.headers {
            rb = rb.header(k, v);
        }
        if let Some(body) = &call.body {
            let content_type = call
                .content_type
                .clone()
                .unwrap_or(HeaderValue::from_static("application/json"));
            rb = rb.header(CONTENT_TYPE, content_type).body(body.clone());
        }
        if let Some(t) = inner.timeout {
            rb = rb.timeout(t);
        }
        let map = |e: reqwest::Error| transport_error(call, e, started);
        let mut resp = rb.send().await.map_err(map)?;
        let status = resp.status();
        let headers = std::mem::take(resp.headers_mut());
        let body = resp.bytes().await.map_err(map)?;
        Ok(Reply {
            status: status.as_u16(),
            headers,
            body,
            method: call.method.clone(),
            path: call.url.path().to_owned(),
            effect: call.effect,
        })
    }

    pub(crate) fn rest_url(&self, path_and_query: &str) -> Result<Url> {
        join(&self.inner.base_url, path_and_query)
    }

    pub(crate) fn restlet_join(&self, path_and_query: &str) -> Result<Url> {
        join(&self.inner.restlet_url, path_and_query)
    }
}

fn join(base: &str, path_and_query: &str) -> Result<Url> {
    let s = format!("{base}{path_and_query}");
    Url::parse(&s).map_err(|e| Error::invalid("url", format!("cannot build a URL: {e}")))
}

fn transport_error(call: &Call, e: reqwest::Error, started: Instant) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout {
            method: call.method.to_string(),
            path: call.url.path().to_owned(),
            elapsed: started.elapsed(),
        }
    } else {
        ErrorKind::Transport {
            method: call.method.to_string(),
            path: call.url.path().to_owned(),
            connect: e.is_connect(),
            source: e.without_url(),
        }
    };
    Error::from(kind).with_effect(call.effect)
}

/// `/services/rest/query/v1/suiteql?limit&offset`: the path with query parameter names only.
pub(crate) fn log_path(url: &Url) -> String {
    let mut s = url.path().to_owned();
    let mut first = true;
    for (k, _) in url.query_pairs() {
        s.push(if first { '?' } else { '&' });
        first = false;
        s.push_str(&k);
    }
    s
}

/// How a call is authorized.
pub(crate) enum Auth {
    /// The client's authorizer (TBA or M2M), per attempt.
    Authorizer,
    /// A fixed header value (NLAuth for the issue-token endpoint).
    Header(SecretString),
}

/// One logical request.
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Bytes>,
    /// What the request may do on NetSuite's side (decides whether it may be sent again).
    pub(crate) effect: Effect,
    pub(crate) auth: Auth,
    /// A 404 after an ambiguous failure means an earlier attempt succeeded (DELETE).
    pub(crate) gone_is_done: bool,
    /// The body's `Content-Type` (default `application/json`).
    pub(crate) content_type: Option<HeaderValue>,
    /// A non-2xx reply the caller reads itself instead of it becoming an error (an
    /// `IDEMPOTENCY_ERROR` pointing at the original job, the stored answer of an async task).
    pub(crate) accept: Option<fn(&Reply) -> bool>,
}

impl Call {
    /// A call whose effect follows from its method ([`Effect::of_method`]).
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Call {
            effect: Effect::of_method(method.as_str()),
            method,
            url,
            headers: Vec::new(),
            body: None,
            auth: Auth::Authorizer,
            gone_is_done: false,
            content_type: None,
            accept: None,
        }
    }

    /// The body's text when it is `application/x-www-form-urlencoded` (its parameters are signed).
    fn form_body(&self) -> Option<&str> {
        let ct = self.content_type.as_ref()?.to_str().ok()?;
        if !ct
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return None;
        }
        std::str::from_utf8(self.body.as_deref()?).ok()
    }

    pub(crate) fn json_body(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Overrides the effect the method implies (a SuiteQL POST reads; a PATCH adding sublist lines
    /// is not idempotent).
    pub(crate) fn effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }
}

/// A response with its body read.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) effect: Effect,
}

impl Reply {
    fn reason(&self) -> &'static str {
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
    }

    /// Decodes the body as `T`, reporting the JSON path of a mismatch. An empty body decodes as `null`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let bytes: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        decode(bytes).map_err(|(json_path, message)| self.decode_error(json_path, message))
    }

    pub(crate) fn decode_error(&self, json_path: String, message: String) -> Error {
        Error::from(ErrorKind::Decode {
            method: self.method.to_string(),
            path: self.path.clone(),
            status: self.status,
            json_path,
            message,
            body: snippet(&self.body, 2000),
        })
        .with_effect(self.effect)
    }

    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn unexpected(&self, reason: impl Into<String>) -> Error {
        Error::from(ErrorKind::UnexpectedResponse {
            method: self.method.to_string(),
            path: self.path.clone(),
            status: self.status,
            reason: reason.into(),
        })
        .with_effect(self.effect)
    }

    /// The error a non-2xx reply stands for.
    pub(crate) fn error(&self) -> Error {
        let kind = parse_netsuite_error(
            Answered {
                method: self.method.as_str(),
                path: &self.path,
            },
            self.status,
            self.reason(),
            &self.body,
            retry::retry_after(&self.headers),
        );
        Error::from(kind).with_effect(self.effect)
    }
}

/// Deserializes with the JSON path of the first mismatch.
pub(crate) fn decode<T: DeserializeOwned>(
    bytes: &[u8],
) -> core::result::Result<T, (String, String)> {
    // Fast path; the path-tracking deserializer runs only to explain a failure.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))?;
    de.end().map_err(|e| (".".to_owned(), e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::new(
            AccountId::parse("1234567_SB1").unwrap(),
            "ck",
            "super-secret-consumer",
            "tk",
            "super-secret-token",
        )
        .unwrap()
    }

    #[test]
    fn builder_defaults_and_validation() {
        let c = Client::builder().credentials(creds()).build().unwrap();
        assert_eq!(c.concurrency(), 5);
        assert_eq!(
            c.restlet_url(),
            "https://1234567-sb1.restlets.api.netsuite.com"
        );
        let e = Client::builder()
            .credentials(creds())
            .concurrency(0)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("concurrency"));
        let e = Client::builder()
            .credentials(creds())
            .base_url("ftp://x")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("base_url"));
        assert!(Client::builder().build().is_err());
        let c = Client::builder()
            .credentials(creds())
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Client::builder().credentials(creds()).build().unwrap();
        let s = format!("{c:?} {:?}", Client::builder().credentials(creds()));
        assert!(!s.contains("super-secret"), "{s}");
    }

    #[test]
    fn from_lookup_names_variables() {
        let vars = |extra: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                let base = [
                    ("NETSUITE_ACCOUNT_ID", "123456"),
                    ("NETSUITE_CONSUMER_KEY", "ck"),
                    ("NETSUITE_CONSUMER_SECRET", "cs-secret-value"),
                    ("NETSUITE_TOKEN_ID", "tk"),
                    ("NETSUITE_TOKEN_SECRET", "ts-secret-value"),
                ];
                extra
                    .iter()
                    .chain(base.iter())
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let c = Client::from_lookup(vars(&[
            ("NETSUITE_BASE_URL", "http://127.0.0.1:1234"),
            ("NETSUITE_CONCURRENCY", "12"),
        ]))
        .unwrap();
        assert_eq!(c.concurrency(), 12);
        assert_eq!(c.base_url(), "http://127.0.0.1:1234");
        let e = Client::from_lookup(vars(&[("NETSUITE_CONCURRENCY", "lots")])).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_CONCURRENCY"), "{e}");
        let e = Client::from_lookup(vars(&[("NETSUITE_BASE_URL", "nope")])).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_BASE_URL"), "{e}");
        let e = Client::from_lookup(vars(&[("NETSUITE_ACCOUNT_ID", "!!")])).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_ACCOUNT_ID"), "{e}");
        let e = Client::from_lookup(vars(&[("NETSUITE_TOKEN_SECRET", "a b")])).unwrap_err();
        assert!(e.to_string().contains("NETSUITE_TOKEN_SECRET"), "{e}");
        assert!(!e.to_string().contains("a b"), "{e}");
    }

    #[test]
    fn log_path_has_names_only() {
        let u = Url::parse("http://h/services/rest/query/v1/suiteql?limit=10&offset=20").unwrap();
        assert_eq!(log_path(&u), "/services/rest/query/v1/suiteql?limit&offset");
    }

    #[test]
    fn classification() {
        let reply = |method: Method, status: u16, body: &'static [u8], effect: Effect| Reply {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body),
            method,
            path: "/p".into(),
            effect,
        };
        let resend = |status: u16, body: &'static [u8], effect: Effect| {
            let method = Method::POST;
            reply(method, status, body, effect)
                .error()
                .is_safe_to_resend()
        };
        assert!(resend(429, b"", Effect::Write));
        assert!(resend(503, b"", Effect::Write));
        assert!(!resend(502, b"", Effect::Write));
        assert!(resend(504, b"", Effect::Read));
        assert!(resend(504, b"", Effect::IdempotentWrite));
        assert!(!resend(400, b"", Effect::Read));
        let limit = br#"{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"x"}}"#;
        assert!(resend(400, limit, Effect::Write));
        // The reply's effect (from the call) wins over the method's.
        let e = reply(Method::POST, 504, b"", Effect::Read).error();
        assert!(e.is_safe_to_resend() && !e.may_have_been_applied());
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("2"));
        let e = Reply {
            headers,
            ..reply(Method::GET, 429, b"", Effect::Read)
        }
        .error();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!((e.method(), e.path()), (Some("GET"), Some("/p")));
    }

    #[test]
    fn public_futures_and_streams_are_send() {
        fn send<T: Send>(_: &T) {}
        fn send_unpin<T: Send + Unpin>(_: &T) {}
        let c = Client::builder().credentials(creds()).build().unwrap();
        let records = c.record("customer");
        send(&records.get("1").send());
        send(&records.create(&serde_json::json!({})).send());
        send(&records.update("1", &serde_json::json!({})).send());
        send(&records.upsert("x", &serde_json::json!({})).send());
        send(&records.delete("1").send());
        send(&records.sublist::<serde_json::Value>("1", "item").send());
        send_unpin(&records.list().stream());
        send_unpin(&records.list_records());
        send_unpin(&c.suiteql::<serde_json::Value>("SELECT 1").stream());
        send_unpin(&c.suiteql::<serde_json::Value>("SELECT 1").pages());
        send(&c.restlet("s", "d").send::<serde_json::Value>());
        send(&c.issue_token("e", "p", "3", "ck").send());
        send(&c.revoke_token());
    }

    #[test]
    fn decode_reports_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Row {
            n: u32,
        }
        let (path, _) = decode::<Vec<Row>>(br#"[{"n":1},{"n":"x"}]"#).unwrap_err();
        assert_eq!(path, "[1].n");
    }
}
