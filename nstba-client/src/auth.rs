//! How requests are authorized: the async [`Authorize`] step of the send path, the TBA adapter and the
//! OAuth 2.0 machine-to-machine authorizer ([`M2m`]).
//!
//! The send path is `authorize → acquire the limiter → send → classify → retry`, and authorization
//! runs afresh on every attempt: TBA signs with a fresh nonce and timestamp, M2M hands out its cached
//! bearer token (fetching or refreshing it first when needed). When a REST or RESTlet call is answered
//! with 401, the client asks the authorizer ([`Authorize::on_unauthorized`]) whether fresh
//! authorization could help; M2M drops the refused token and the call is sent once more with a new one.

use crate::client::check_url;
use nstba_core::m2m::{
    parse_token_error, parse_token_response, token_request_body, token_url, AccessToken,
    AssertionError, ClientAssertion, TokenErrorCode, TokenResponseError,
};
use nstba_core::{Clock, NonceSource, RandomNonce, Request, SystemClock};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use url::Url;

/// A boxed, `Send` future: what [`Authorize::authorize`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The request being authorized: method and final URL (query included), as it will be sent.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The final URL, query included.
    pub url: &'a Url,
    /// The raw text of an `application/x-www-form-urlencoded` body, whose parameters OAuth 1.0a
    /// signs (`None` for every other body: JSON is never signed).
    pub form_body: Option<&'a str>,
}

/// The authorization step of the client's send path: produces the `Authorization` header of one
/// attempt.
///
/// Called once per attempt, after the URL is final and before the attempt waits for a slot of the
/// concurrency limiter. Implementations: TBA (any [`nstba_core::Authorizer`], via
/// [`ClientBuilder::authorizer`](crate::ClientBuilder::authorizer) or
/// [`ClientBuilder::credentials`](crate::ClientBuilder::credentials)) and OAuth 2.0 M2M ([`M2m`], via
/// [`ClientBuilder::m2m`](crate::ClientBuilder::m2m)); plug in your own with
/// [`ClientBuilder::async_authorizer`](crate::ClientBuilder::async_authorizer).
///
/// ```
/// use nstba_client::{AuthError, Authorize, BoxFuture, RequestParts};
/// use reqwest::header::HeaderValue;
///
/// /// A fixed bearer token (for example from a secrets manager).
/// struct StaticBearer(HeaderValue);
///
/// impl Authorize for StaticBearer {
///     fn authorize<'a>(&'a self, _: &'a RequestParts<'a>) -> BoxFuture<'a, Result<HeaderValue, AuthError>> {
///         Box::pin(async move { Ok(self.0.clone()) })
///     }
/// }
/// ```
pub trait Authorize: Send + Sync {
    /// The `Authorization` header value for `request`.
    fn authorize<'a>(
        &'a self,
        request: &'a RequestParts<'a>,
    ) -> BoxFuture<'a, Result<HeaderValue, AuthError>>;

    /// NetSuite answered 401 to a request authorized with `rejected`. Returns `true` when authorizing
    /// again could give a different, accepted header (a refreshed token): the client then sends the
    /// call once more, at most once per call. The default (TBA) returns `false`: the same credentials
    /// would be refused again.
    fn on_unauthorized(&self, rejected: &HeaderValue) -> bool {
        let _ = rejected;
        false
    }

    /// For OAuth 2.0: one new access token, asked for now (the cache is neither read nor
    /// replaced). `None` (the default, and TBA) when this authorizer has no token endpoint.
    fn fetch_access_token(&self) -> Option<BoxFuture<'_, Result<AccessToken, AuthError>>> {
        None
    }
}

/// Why a request could not be authorized. Never carries a secret (private key, access token, TBA
/// secrets, the token endpoint's answer body).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// TBA signing failed.
    #[error(transparent)]
    Sign(#[from] nstba_core::Error),
    /// The M2M client assertion could not be built.
    #[error("cannot build the OAuth 2.0 client assertion: {0}")]
    Assertion(#[from] AssertionError),
    /// The token endpoint refused the client assertion with an OAuth error
    /// (`invalid_client`, `invalid_grant`, …).
    #[error("the token endpoint refused the client assertion: HTTP {status} {code}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenRefused {
        /// The OAuth `error` code.
        code: TokenErrorCode,
        /// The `error_description`, if any.
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The token request failed without an OAuth error: connection failure, timeout, an error status
    /// without an OAuth body, an unreadable answer.
    #[error("token request failed{}: {reason}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    TokenEndpoint {
        /// The HTTP status, when an answer came.
        status: Option<u16>,
        /// What went wrong (never the body: it may hold a token).
        reason: String,
        /// `true` when a later attempt may succeed (connection failure, timeout, 429, 5xx).
        transient: bool,
    },
    /// A custom authorizer failed.
    #[error("authorization failed: {message}")]
    Other {
        /// What went wrong (must not contain secrets).
        message: String,
        /// `true` when a later attempt may succeed.
        transient: bool,
    },
}

impl AuthError {
    /// `true` when authorizing again later may succeed (the call itself was never sent).
    pub fn is_transient(&self) -> bool {
        match self {
            AuthError::TokenRefused { code, .. } => token_code_is_transient(code),
            AuthError::TokenEndpoint { transient, .. } | AuthError::Other { transient, .. } => {
                *transient
            }
            AuthError::Sign(_) | AuthError::Assertion(_) => false,
        }
    }
}

/// `server_error` and `temporarily_unavailable` may pass; every other OAuth error needs a fix.
pub(crate) fn token_code_is_transient(code: &TokenErrorCode) -> bool {
    matches!(
        code,
        TokenErrorCode::ServerError | TokenErrorCode::TemporarilyUnavailable
    )
}

/// Any synchronous [`nstba_core::Authorizer`] (TBA) as an [`Authorize`] step.
pub(crate) struct SyncAuthorizer(pub(crate) Arc<dyn nstba_core::Authorizer>);

impl Authorize for SyncAuthorizer {
    fn authorize<'a>(
        &'a self,
        request: &'a RequestParts<'a>,
    ) -> BoxFuture<'a, Result<HeaderValue, AuthError>> {
        let header = self
            .0
            .authorize(&match request.form_body {
                Some(body) => {
                    Request::new(request.method.as_str(), request.url.as_str()).form_body(body)
                }
                None => Request::new(request.method.as_str(), request.url.as_str()),
            })
            .map_err(AuthError::from)
            .and_then(|h| header_value(&h));
        Box::pin(std::future::ready(header))
    }
}

fn header_value(value: &str) -> Result<HeaderValue, AuthError> {
    let mut h = HeaderValue::from_str(value).map_err(|_| AuthError::Other {
        message: "the Authorization value is not a valid header value".into(),
        transient: false,
    })?;
    h.set_sensitive(true);
    Ok(h)
}

/// The token endpoint path, appended to a base URL override.
pub const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// Default for [`M2m::refresh_before`]: a token is replaced 60 s before it expires.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(60);

/// OAuth 2.0 machine-to-machine (client credentials) authorization: `Authorization: Bearer <token>`.
///
/// Built from a [`ClientAssertion`] and given to [`ClientBuilder::m2m`](crate::ClientBuilder::m2m)
/// (a bare `ClientAssertion` works too). The client then:
/// - fetches an access token with `POST <token URL>` (the form body of
///   [`nstba_core::m2m::token_request_body`], a newly signed assertion with a fresh `jti` each time).
///   The token URL is the account's ([`nstba_core::m2m::token_url`]), or
///   `<base_url>/services/rest/auth/oauth2/v1/token` when the client has a base URL override (an
///   emulator, a proxy);
/// - caches the token and replaces it [`refresh_before`](M2m::refresh_before) it expires (at most half
///   its lifetime early), by the injectable [`Clock`];
/// - fetches once for any number of concurrent callers (single flight): callers arriving while a
///   fetch runs wait for it and share its token — or its error, so a refused assertion is not sent once
///   per waiting caller; while a token that is about to expire is being replaced, callers keep using it;
/// - on a 401 from a REST or RESTlet call, drops the refused token; the call is sent once more with a
///   new one (once: if the new token is refused too, the 401 is returned);
/// - sends token requests through the client's concurrency limiter. Whether NetSuite counts the token
///   endpoint toward the account's concurrency limit is not documented; counting it costs one slot for
///   one short request per token lifetime, and cannot cause a 429.
///
/// `Debug` shows the client id, certificate id, algorithm and scopes — never the key or a token.
#[derive(Clone)]
pub struct M2m {
    assertion: ClientAssertion,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
    refresh_before: Duration,
}

impl fmt::Debug for M2m {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("M2m")
            .field("client_id", &self.assertion.client_id())
            .field("certificate_id", &self.assertion.certificate_id())
            .field("algorithm", &self.assertion.algorithm())
            .field("scope", &self.assertion.scope())
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

impl From<ClientAssertion> for M2m {
    fn from(assertion: ClientAssertion) -> Self {
        M2m::new(assertion)
    }
}

impl M2m {
    /// M2M with the system clock, random `jti`s and [`DEFAULT_REFRESH_BEFORE`].
    pub fn new(assertion: ClientAssertion) -> Self {
        M2m {
            assertion,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
            refresh_before: DEFAULT_REFRESH_BEFORE,
        }
    }

    /// Replaces the clock (assertion `iat` and token expiry both follow it).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the clock with a shared one (tests advance it while the client runs).
    pub fn with_shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the source of assertion `jti`s.
    pub fn with_nonces(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Arc::new(nonces);
        self
    }

    /// How long before expiry a token is replaced (default 60 s; never more than half the token's
    /// lifetime).
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }

    /// The client assertion.
    pub fn assertion(&self) -> &ClientAssertion {
        &self.assertion
    }

    /// The account the assertion is for, read back from its audience (the account's token URL).
    pub(crate) fn account(&self) -> Option<nstba_core::AccountId> {
        let url = Url::parse(self.assertion.audience()).ok()?;
        let label = url
            .host_str()?
            .strip_suffix(".suitetalk.api.netsuite.com")?;
        let account = nstba_core::AccountId::parse(label).ok()?;
        (token_url(&account) == self.assertion.audience()).then_some(account)
    }

    /// Binds this configuration to a client's HTTP connection pool and limiter.
    pub(crate) fn bind(
        self,
        base_url_override: Option<&str>,
        http: reqwest::Client,
        limiter: Arc<crate::limiter::ClientLimiter>,
        timeout: Option<Duration>,
        cache: Arc<TokenCache>,
    ) -> crate::Result<M2mAuthorizer> {
        let url = match base_url_override {
            Some(base) => format!("{}{TOKEN_PATH}", check_url("base_url", base)?),
            // The audience is the account's token URL, built from a validated AccountId.
            None => self.assertion.audience().to_owned(),
        };
        let token_url = Url::parse(&url).map_err(|e| {
            crate::Error::config(Some("base_url"), format!("cannot build the token URL: {e}"))
        })?;
        Ok(M2mAuthorizer {
            config: self,
            token_url,
            http,
            limiter,
            timeout,
            cache,
        })
    }
}

/// A cached access token.
struct Cached {
    /// `Bearer <token>`, marked sensitive.
    header: HeaderValue,
    /// Unix time from which the token is replaced.
    refresh_at: u64,
    /// Unix time the token expires.
    expires_at: u64,
}

/// The access token of an [`M2mAuthorizer`] and the single flight that replaces it. One per client;
/// [`crate::ClientBuilder::build_sized_by_governance`] gives its probe and the client it builds the
/// same one, so the client uses the token the probe fetched.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Held while a token is fetched: the single flight.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    token: Option<Cached>,
    /// Counts finished fetches, so callers that waited for one can tell it happened.
    fetches: u64,
    /// The error of the last fetch, shared with the callers that waited for it.
    failure: Option<AuthError>,
}

/// [`M2m`] bound to a client: token URL, connection pool, limiter, cache.
pub(crate) struct M2mAuthorizer {
    config: M2m,
    token_url: Url,
    http: reqwest::Client,
    limiter: Arc<crate::limiter::ClientLimiter>,
    timeout: Option<Duration>,
    cache: Arc<TokenCache>,
}

impl fmt::Debug for M2mAuthorizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("M2mAuthorizer")
            .field("config", &self.config)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

impl M2mAuthorizer {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.cache
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached header when it should be used at `now`: before `refresh_at`, or (when `stale_ok`)
    /// until it expires.
    fn cached(&self, now: u64, stale_ok: bool) -> Option<HeaderValue> {
        let state = self.state();
        let t = state.token.as_ref()?;
        let limit = if stale_ok { t.expires_at } else { t.refresh_at };
        (now < limit).then(|| t.header.clone())
    }

    async fn bearer(&self) -> Result<HeaderValue, AuthError> {
        let now = self.config.clock.now();
        if let Some(h) = self.cached(now, false) {
            return Ok(h);
        }
        let seen = self.state().fetches;
        let _gate = match self.cache.gate.try_lock() {
            Ok(gate) => gate,
            Err(_) => {
                // A fetch is running: keep using a token that has not expired yet.
                if let Some(h) = self.cached(now, true) {
                    return Ok(h);
                }
                self.cache.gate.lock().await
            }
        };
        {
            let state = self.state();
            if state.fetches != seen {
                // A fetch finished while this caller waited: share its outcome.
                if let Some(h) = state.token.as_ref().filter(|t| now < t.refresh_at) {
                    return Ok(h.header.clone());
                }
                if let Some(e) = &state.failure {
                    return Err(e.clone());
                }
            }
        }
        let outcome = self.fetch().await;
        let mut state = self.state();
        state.fetches += 1;
        match outcome {
            Ok(token) => {
                let header = token.header.clone();
                state.token = Some(token);
                state.failure = None;
                Ok(header)
            }
            Err(e) => {
                state.failure = Some(e.clone());
                Err(e)
            }
        }
    }

    /// One token request, cached from its answer.
    async fn fetch(&self) -> Result<Cached, AuthError> {
        let now = self.config.clock.now();
        let token = self.request_token(now).await?;
        let lifetime = token.expires_in();
        let margin = self.config.refresh_before.as_secs().min(lifetime / 2);
        let mut header = header_value(&token.authorization())?;
        header.set_sensitive(true);
        Ok(Cached {
            header,
            refresh_at: now.saturating_add(lifetime - margin),
            expires_at: now.saturating_add(lifetime),
        })
    }

    /// One token request: an assertion stamped `now`, through the client's limiter.
    async fn request_token(&self, now: u64) -> Result<AccessToken, AuthError> {
        let jwt = self
            .config
            .assertion
            .build(now, &self.config.nonces.nonce())?;
        let failed =
            |reason: String, status: Option<u16>, transient: bool| AuthError::TokenEndpoint {
                status,
                reason,
                transient,
            };
        let permit = self.limiter.acquire().await.map_err(|e| match e {
            crate::LimiterError::Closed => failed(
                "the client was closed before the token request was sent".into(),
                None,
                false,
            ),
            other => failed(format!("token request not sent: {other}"), None, false),
        })?;
        let mut rb = self
            .http
            .post(self.token_url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(token_request_body(&jwt));
        if let Some(t) = self.timeout {
            rb = rb.timeout(t);
        }
        let transport = |e: reqwest::Error| {
            let what = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "connection failed"
            };
            // Without the URL: only the path is interesting, and it is fixed.
            failed(
                format!(
                    "POST {}: {what}: {}",
                    self.token_url.path(),
                    e.without_url()
                ),
                None,
                true,
            )
        };
        let resp = rb.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(transport)?;
        permit.release().await;
        if (200..300).contains(&status) {
            return match parse_token_response(&body) {
                Ok(token) => Ok(token),
                Err(TokenResponseError::Refused(e)) => Err(AuthError::TokenRefused {
                    code: e.code,
                    description: e.description,
                    status,
                }),
                Err(e) => Err(failed(e.to_string(), Some(status), false)),
            };
        }
        match parse_token_error(&body) {
            Some(e) => Err(AuthError::TokenRefused {
                code: e.code,
                description: e.description,
                status,
            }),
            None => Err(failed(
                "the token endpoint answered without an OAuth error".into(),
                Some(status),
                matches!(status, 429 | 500 | 502 | 503 | 504),
            )),
        }
    }
}

impl Authorize for M2mAuthorizer {
    fn authorize<'a>(
        &'a self,
        _request: &'a RequestParts<'a>,
    ) -> BoxFuture<'a, Result<HeaderValue, AuthError>> {
        Box::pin(self.bearer())
    }

    fn fetch_access_token(&self) -> Option<BoxFuture<'_, Result<AccessToken, AuthError>>> {
        Some(Box::pin(self.request_token(self.config.clock.now())))
    }

    fn on_unauthorized(&self, rejected: &HeaderValue) -> bool {
        let mut state = self.state();
        if state.token.as_ref().is_some_and(|t| t.header == rejected) {
            state.token = None;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nstba_core::m2m::{Algorithm, PrivateKey};
    use nstba_core::AccountId;

    fn assertion(account: &str) -> ClientAssertion {
        let pem = include_str!("../../nstba-core/tests/fixtures/m2m/p256.pem");
        ClientAssertion::new(
            &AccountId::parse(account).unwrap(),
            "client",
            "kid",
            Algorithm::ES256,
            PrivateKey::from_pem(pem).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn the_account_is_read_back_from_the_audience() {
        for (given, realm) in [
            ("1234567_SB1", "1234567_SB1"),
            ("tstdrv123", "TSTDRV123"),
            ("1234567-rp", "1234567_RP"),
        ] {
            let m2m = M2m::new(assertion(given));
            assert_eq!(m2m.account().unwrap().realm(), realm);
        }
    }

    #[test]
    fn token_errors_map_to_kinds_and_transience() {
        let refused = |code| AuthError::TokenRefused {
            code,
            description: None,
            status: 400,
        };
        assert!(!refused(TokenErrorCode::InvalidClient).is_transient());
        assert!(refused(TokenErrorCode::TemporarilyUnavailable).is_transient());
        let e = crate::Error::from(refused(TokenErrorCode::InvalidGrant));
        assert!(matches!(e.kind(), crate::ErrorKind::TokenRefused { .. }));
        assert!(!e.is_transient());
        let e = crate::Error::from(refused(TokenErrorCode::ServerError));
        assert!(e.is_transient() && e.is_safe_to_resend());
        let down = AuthError::TokenEndpoint {
            status: Some(503),
            reason: "r".into(),
            transient: true,
        };
        let e = crate::Error::from(down);
        assert!(matches!(e.kind(), crate::ErrorKind::Authorization(_)));
        // The call was never sent: even a create may be sent again.
        let e = e.with_effect(crate::retry::Effect::Write);
        assert!(e.is_safe_to_resend() && !e.may_have_been_applied());
        let e = crate::Error::from(AuthError::Sign(nstba_core::Error::InvalidCredential {
            name: "token secret",
            reason: "empty",
        }));
        assert!(matches!(e.kind(), crate::ErrorKind::Sign(_)));
    }
}
