//! The one error type of `nstba-client`.
//!
//! [`Error`] is one pointer wide: what went wrong is an [`ErrorKind`] in a box, next to what the
//! failed request could have done on NetSuite's side (read, idempotent write, write). Whether a
//! failure is transient, whether the request is safe to send again and whether a write may have been
//! applied all come from one classifier ([`crate::retry`]), the same one the send loop uses.

use crate::retry::{self, Effect, Failure};
use core::fmt;
use std::time::Duration;

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// The usual causes of NetSuite's `INVALID_LOGIN` / `INVALID_LOGIN_ATTEMPT`, which all look the same
/// from the outside (the real reason is only in the account's Login Audit Trail).
pub const INVALID_LOGIN_CHECKLIST: &[&str] = &[
    "account id / realm spelling (realm is upper case with underscore, e.g. 1234567_SB1; the host uses 1234567-sb1)",
    "clock skew: the machine's clock must be within about 5 minutes of NetSuite's",
    "the access token is revoked, inactive, or belongs to another integration record (consumer key)",
    "the token's role lacks the \"User Access Tokens\" / \"Log in using Access Tokens\" permission or the record's permission",
    "wrong account host (sandbox vs production) in the base URL",
];

/// The usual causes of a refused OAuth 2.0 client-credentials token request (`invalid_client`,
/// `invalid_grant`, …): NetSuite's answer never says which one (the detail, such as
/// `InvalidSignature` or `ScopeMismatched`, is only in the account's Login Audit Trail).
pub const TOKEN_REFUSED_CHECKLIST: &[&str] = &[
    "client id: NETSUITE_CLIENT_ID must be the integration record's client id (the assertion's iss)",
    "certificate id: NETSUITE_CERTIFICATE_ID (the assertion's kid) must be the id shown on the OAuth 2.0 Client Credentials (M2M) Setup page for this certificate",
    "algorithm and key size: PS256/PS384/PS512 with an RSA key of 3072 or 4096 bits, or ES256/ES384/ES512 with a P-256/P-384/P-521 key; RS256 is no longer accepted; the private key must match the uploaded certificate",
    "scopes: NETSUITE_SCOPES (rest_webservices, restlets, suite_analytics) must be enabled on the integration record",
    "role/entity mapping: the M2M setup page must map this certificate to an active entity and role, and the role needs the permissions the calls use",
    "clock skew: the machine's clock must be within a few minutes of NetSuite's (iat/exp of the assertion)",
    "certificate expiry: the certificate must not be expired or revoked (valid at most 2 years)",
    "account id: the token URL and the assertion's aud use NETSUITE_ACCOUNT_ID (sandbox vs production)",
];

/// One entry of NetSuite's `o:errorDetails` (or a RESTlet's `{"error": {"code", "message"}}`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ErrorDetail {
    /// `o:errorCode`, for example `INVALID_LOGIN`, `NONEXISTENT_ID`, `USER_ERROR`.
    pub code: Option<String>,
    /// `detail`: the human-readable message.
    pub detail: String,
    /// `o:errorPath` (or `o:errorQueryParam`) when NetSuite names the offending field.
    pub path: Option<String>,
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(code) = &self.code {
            write!(f, "[{code}] ")?;
        }
        f.write_str(&self.detail)?;
        if let Some(path) = &self.path {
            write!(f, " (at {path})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in a NetSuite call.
///
/// One pointer wide (the [`ErrorKind`] is boxed), so `Result<T, Error>` stays small. Match on
/// [`Error::kind`]; ask [`Error::is_transient`] whether the failure may pass, and
/// [`Error::is_safe_to_resend`] whether sending the same request again is harmless. When a write may
/// have been applied although it failed, [`Error::may_have_been_applied`] says so and so does the
/// message.
///
/// No error ever carries a secret: `Authorization` headers, consumer/token secrets and passwords are
/// never stored, and URLs are kept without query values.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    /// What the failed request could have done on NetSuite's side.
    effect: Effect,
    /// An earlier attempt of the same request failed after it may have reached NetSuite (it was
    /// resent because that was safe); whatever the last attempt says, that one may have been applied.
    earlier_attempt_ambiguous: bool,
}

/// What went wrong: the variants of [`Error`] (see [`Error::kind`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A call was built with an argument NetSuite would reject (bad record type, page size, …).
    #[error("invalid input: {what}: {reason}")]
    InvalidInput {
        /// What was wrong (argument name).
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The client could not be configured (missing or malformed setting or environment variable).
    #[error("configuration error{}: {reason}", variable.as_ref().map(|v| format!(" in {v}")).unwrap_or_default())]
    Config {
        /// The environment variable(s) or builder setting at fault.
        variable: Option<String>,
        /// Why.
        reason: String,
    },
    /// The request could not be signed.
    #[error("signing failed: {0}")]
    Sign(#[from] nstba_core::Error),
    /// The request or response could not be serialized into / decoded from JSON before sending.
    #[error("could not encode the request body: {0}")]
    Encode(#[source] serde_json::Error),
    /// The connection failed (DNS, TCP, TLS, reset, closed before the response).
    #[error("{method} {path}: transport error{}: {source}", if *connect { " (connecting)" } else { "" })]
    Transport {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// `true` when the failure happened while connecting, so the request was never sent.
        connect: bool,
        /// The underlying error (URL stripped).
        #[source]
        source: reqwest::Error,
    },
    /// The per-request timeout elapsed.
    #[error("{method} {path}: timed out after {elapsed:?}")]
    Timeout {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// How long the attempt ran.
        elapsed: Duration,
    },
    /// A successful response whose body does not match the expected type.
    #[error(
        "{method} {path}: cannot decode the response (HTTP {status}) at `{json_path}`: {message}"
    )]
    Decode {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// HTTP status of the response.
        status: u16,
        /// Where in the JSON document decoding failed (`items[3].amount`; `.` for the root).
        json_path: String,
        /// The serde message.
        message: String,
        /// The start of the body (at most 2 000 bytes), for debugging.
        body: String,
    },
    /// The response is well-formed HTTP but not what the NetSuite protocol promises (for example a
    /// create without a `Location` header).
    #[error("{method} {path}: unexpected response (HTTP {status}): {reason}")]
    UnexpectedResponse {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// HTTP status.
        status: u16,
        /// What was missing or wrong.
        reason: String,
    },
    /// NetSuite answered with an error status.
    #[error("{}", DisplayNetSuite(self))]
    NetSuite {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// HTTP status (`400`, `401`, `404`, `429`, …).
        status: u16,
        /// The `title` of the error document (or the HTTP reason phrase).
        title: String,
        /// Every `o:errorDetails` entry.
        details: Vec<ErrorDetail>,
        /// The raw body (at most 8 000 bytes).
        body: String,
        /// `Retry-After` when the response carried one.
        retry_after: Option<Duration>,
    },
    /// A SuiteQL query matches more rows than offset paging can reach (100 000); use
    /// `.keyset(column)` to continue past the cap.
    #[error("the SuiteQL query has {total_results} rows, more than the {cap} offset paging can reach; order by a unique column and use .keyset(column)")]
    TooManyRows {
        /// `totalResults` as NetSuite reported it.
        total_results: u64,
        /// The paging cap.
        cap: u64,
    },
    /// The task fetching one SuiteQL page panicked (for example in the row type's `Deserialize`) or
    /// was cancelled (the Tokio runtime shutting down). The stream ends with this error.
    #[error("SuiteQL page at offset {offset}: the page task {}: {message}", if *panicked { "panicked" } else { "was cancelled" })]
    PageTaskFailed {
        /// Offset of the page the task was fetching.
        offset: u64,
        /// `true` for a panic, `false` for a cancellation.
        panicked: bool,
        /// The panic message (or the cancellation reason).
        message: String,
    },
    /// The OAuth 2.0 token endpoint refused the client assertion (`invalid_client`, `invalid_grant`,
    /// …); the message lists the usual causes ([`TOKEN_REFUSED_CHECKLIST`]). The call itself was not
    /// sent.
    #[error("{}", DisplayTokenRefused(self))]
    TokenRefused {
        /// The OAuth `error` code.
        code: nstba_core::m2m::TokenErrorCode,
        /// The `error_description`, if any.
        description: Option<String>,
        /// The token endpoint's HTTP status.
        status: u16,
    },
    /// The request could not be authorized for another reason (the client assertion could not be
    /// built, the token endpoint could not be reached or answered nonsense, a custom authorizer
    /// failed). The call itself was not sent.
    #[error("authorization failed: {0}")]
    Authorization(#[source] crate::auth::AuthError),
    /// An async job did not give the expected outcome: still pending when polling gave up, or task
    /// results of an unexpected shape. (A task that failed is its own NetSuite error.)
    #[error("async job {job_id}: {reason}")]
    Job {
        /// The job id.
        job_id: String,
        /// What went wrong.
        reason: String,
    },
    /// The client was closed ([`crate::Client::close`]) before this request got a slot of the
    /// limiter; it was never sent.
    #[error("{method} {path}: the client was closed before the request was sent")]
    LimiterClosed {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
    },
    /// The Redis server of the shared limiter ([`crate::LimiterScope::Redis`]) could not be used
    /// and the limiter is set to fail ([`crate::OnUnavailable::Fail`]); the request was never sent
    /// and is not retried.
    #[error("{method} {path}: not sent: the shared limiter at {url} is unavailable: {reason}")]
    LimiterUnavailable {
        /// HTTP method.
        method: String,
        /// URL path (no query values).
        path: String,
        /// The Redis URL, password redacted.
        url: String,
        /// What failed.
        reason: String,
    },
}

struct DisplayNetSuite<'a>(&'a ErrorKind);

impl fmt::Display for DisplayNetSuite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ErrorKind::NetSuite {
            method,
            path,
            status,
            title,
            details,
            ..
        } = self.0
        else {
            return Ok(());
        };
        write!(f, "{method} {path}: NetSuite error HTTP {status}: {title}")?;
        for d in details {
            write!(f, "; {d}")?;
        }
        if self.0.is_invalid_login() {
            f.write_str(". Usual causes of INVALID_LOGIN: ")?;
            for (i, item) in INVALID_LOGIN_CHECKLIST.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "({}) {item}", i + 1)?;
            }
        }
        Ok(())
    }
}

struct DisplayTokenRefused<'a>(&'a ErrorKind);

impl fmt::Display for DisplayTokenRefused<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ErrorKind::TokenRefused {
            code,
            description,
            status,
        } = self.0
        else {
            return Ok(());
        };
        write!(
            f,
            "the OAuth 2.0 token endpoint refused the client assertion: HTTP {status} {code}"
        )?;
        if let Some(d) = description {
            write!(f, " ({d})")?;
        }
        f.write_str(". The detail is only in the account's Login Audit Trail; usual causes: ")?;
        for (i, item) in TOKEN_REFUSED_CHECKLIST.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "({}) {item}", i + 1)?;
        }
        Ok(())
    }
}

impl ErrorKind {
    /// `true` for `INVALID_LOGIN` / `INVALID_LOGIN_ATTEMPT` (or a bare 401).
    fn is_invalid_login(&self) -> bool {
        match self {
            ErrorKind::NetSuite {
                status, details, ..
            } => {
                details.iter().any(|d| {
                    matches!(
                        d.code.as_deref(),
                        Some("INVALID_LOGIN" | "INVALID_LOGIN_ATTEMPT")
                    )
                }) || (*status == 401 && details.is_empty())
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("effect", &self.0.effect)
            .field(
                "earlier_attempt_ambiguous",
                &self.0.earlier_attempt_ambiguous,
            )
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.kind, f)?;
        match self.applied() {
            Applied::No => Ok(()),
            Applied::Yes => f.write_str(
                "; NetSuite accepted the write, so it was applied: only the reply could not be read",
            ),
            Applied::Maybe => f.write_str(
                "; the write may have been applied on NetSuite (it was sent, the outcome is unknown); \
                 it was not sent again because repeating it could apply it twice: check before sending it again",
            ),
            Applied::MaybeIdempotent => f.write_str(
                "; the write may have been applied on NetSuite (it was sent, the outcome is unknown); \
                 sending it again is safe (it is idempotent)",
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0.kind)
    }
}

impl From<ErrorKind> for Error {
    /// Wraps a kind; a request's effect is taken from its method (POST: a write that is not
    /// idempotent; PUT, PATCH, DELETE: idempotent writes; others: reads).
    fn from(kind: ErrorKind) -> Self {
        let effect = kind.method().map_or(Effect::Read, Effect::of_method);
        Error(Box::new(Inner {
            kind,
            effect,
            earlier_attempt_ambiguous: false,
        }))
    }
}

impl From<crate::auth::AuthError> for Error {
    /// TBA signing errors stay [`ErrorKind::Sign`]; refused token requests become
    /// [`ErrorKind::TokenRefused`]; the rest [`ErrorKind::Authorization`].
    fn from(e: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError;
        match e {
            AuthError::Sign(e) => ErrorKind::Sign(e),
            AuthError::TokenRefused {
                code,
                description,
                status,
            } => ErrorKind::TokenRefused {
                code,
                description,
                status,
            },
            other => ErrorKind::Authorization(other),
        }
        .into()
    }
}

impl From<nstba_core::Error> for Error {
    fn from(e: nstba_core::Error) -> Self {
        ErrorKind::Sign(e).into()
    }
}

/// What is known about whether a failed write took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Applied {
    /// Nothing was written (a read, a refusal, a request never sent, a rejected request).
    No,
    /// NetSuite answered 2xx to the write; only reading the reply failed.
    Yes,
    /// A non-idempotent write was sent and the outcome is unknown.
    Maybe,
    /// An idempotent write was sent and the outcome is unknown.
    MaybeIdempotent,
}

impl ErrorKind {
    /// The HTTP method of the failed request, when the error belongs to one.
    fn method(&self) -> Option<&str> {
        match self {
            ErrorKind::Transport { method, .. }
            | ErrorKind::Timeout { method, .. }
            | ErrorKind::Decode { method, .. }
            | ErrorKind::UnexpectedResponse { method, .. }
            | ErrorKind::NetSuite { method, .. }
            | ErrorKind::LimiterClosed { method, .. }
            | ErrorKind::LimiterUnavailable { method, .. } => Some(method),
            _ => None,
        }
    }

    /// The URL path of the failed request, when the error belongs to one.
    fn path(&self) -> Option<&str> {
        match self {
            ErrorKind::Transport { path, .. }
            | ErrorKind::Timeout { path, .. }
            | ErrorKind::Decode { path, .. }
            | ErrorKind::UnexpectedResponse { path, .. }
            | ErrorKind::NetSuite { path, .. }
            | ErrorKind::LimiterClosed { path, .. }
            | ErrorKind::LimiterUnavailable { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The kind, by value.
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }

    pub(crate) fn kind_mut(&mut self) -> &mut ErrorKind {
        &mut self.0.kind
    }

    /// Records what the failed request could have done on NetSuite's side (the send path knows it
    /// better than the method alone: a SuiteQL POST is a read, a PATCH adding sublist lines is not
    /// idempotent).
    pub(crate) fn with_effect(mut self, effect: Effect) -> Self {
        self.0.effect = effect;
        self
    }

    /// Records that an earlier attempt of this request failed after it may have reached NetSuite
    /// (the send loop resent it because that was safe).
    pub(crate) fn after_ambiguous_attempt(mut self) -> Self {
        self.0.earlier_attempt_ambiguous = true;
        self
    }

    fn failure(&self) -> Failure {
        retry::classify(&self.0.kind)
    }

    /// `true` for a transient failure: one that may pass if the request is sent again later — HTTP
    /// 429, 500, 502, 503, 504, governance refusals (`SSS_REQUEST_LIMIT_EXCEEDED`,
    /// `CONCURRENCY_LIMIT_EXCEEDED`, `WS_REQUEST_BLOCKED`), connection failures and timeouts.
    ///
    /// Transient is not the same as safe to send again: a create that timed out is transient, but
    /// it may have been applied (see [`Error::is_safe_to_resend`]).
    pub fn is_transient(&self) -> bool {
        self.failure() != Failure::Permanent
    }

    /// `true` when sending the same request again is both useful (the failure is transient) and
    /// harmless: NetSuite certainly did not process it (a connection that failed before sending, 429,
    /// 503, a governance refusal), or it is a read or an idempotent write (GET, SuiteQL, PUT,
    /// PATCH of fields, DELETE).
    ///
    /// `false` for a write that is not idempotent (a create, a RESTlet POST, a PATCH adding sublist
    /// lines) whose request may have reached NetSuite: it may have been applied, and sending it again
    /// could apply it twice. The client's retry loop resends exactly when this is `true`.
    pub fn is_safe_to_resend(&self) -> bool {
        if self.0.earlier_attempt_ambiguous && self.0.effect == Effect::Write {
            return false;
        }
        retry::may_resend(self.failure(), self.0.effect)
    }

    /// Same as [`Error::is_transient`]: the failure may pass if the request is sent again later.
    ///
    /// Kept under its old name; before sending a write again yourself, ask
    /// [`Error::is_safe_to_resend`] instead.
    pub fn is_retryable(&self) -> bool {
        self.is_transient()
    }

    /// `true` when the failed request was a write that may have been applied on NetSuite anyway:
    /// it was sent and the outcome is unknown (timeout, connection lost after sending, 500, 502,
    /// 504) — on the last attempt or on an earlier one that was resent because resending was safe —,
    /// or NetSuite accepted it and only its reply could not be read. The message says so too.
    ///
    /// A write that may have been applied is never [safe to resend](Error::is_safe_to_resend) unless
    /// it is idempotent (an async write with its idempotency key, PUT/PATCH of fields, DELETE). To
    /// create records exactly once across lost replies, use the async calls with an idempotency key
    /// (for example [`crate::Records::create_once`]).
    pub fn may_have_been_applied(&self) -> bool {
        self.applied() != Applied::No
    }

    fn applied(&self) -> Applied {
        let effect = self.0.effect;
        if effect == Effect::Read {
            return Applied::No;
        }
        let failure = self.failure();
        if self.0.earlier_attempt_ambiguous && failure != Failure::Ambiguous {
            return match effect {
                Effect::Write => Applied::Maybe,
                _ => Applied::MaybeIdempotent,
            };
        }
        match failure {
            Failure::Ambiguous if effect == Effect::Write => Applied::Maybe,
            Failure::Ambiguous => Applied::MaybeIdempotent,
            Failure::Refused => Applied::No,
            Failure::Permanent => match &self.0.kind {
                ErrorKind::Decode { status, .. } | ErrorKind::UnexpectedResponse { status, .. }
                    if (200..300).contains(status) =>
                {
                    Applied::Yes
                }
                _ => Applied::No,
            },
        }
    }

    /// The HTTP method of the failed request, when the error belongs to one.
    pub fn method(&self) -> Option<&str> {
        self.0.kind.method()
    }

    /// The URL path (no query values) of the failed request, when the error belongs to one.
    pub fn path(&self) -> Option<&str> {
        self.0.kind.path()
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match &self.0.kind {
            ErrorKind::NetSuite { status, .. }
            | ErrorKind::Decode { status, .. }
            | ErrorKind::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The parsed `o:errorDetails` of an [`ErrorKind::NetSuite`] (empty otherwise).
    pub fn details(&self) -> &[ErrorDetail] {
        match &self.0.kind {
            ErrorKind::NetSuite { details, .. } => details,
            _ => &[],
        }
    }

    /// The NetSuite error codes (`o:errorCode`) of an [`ErrorKind::NetSuite`], in order.
    pub fn codes(&self) -> Vec<&str> {
        self.details()
            .iter()
            .filter_map(|d| d.code.as_deref())
            .collect()
    }

    /// `Retry-After` of an [`ErrorKind::NetSuite`] response that carried one.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.0.kind {
            ErrorKind::NetSuite { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// `true` for `INVALID_LOGIN` / `INVALID_LOGIN_ATTEMPT` (or a bare 401).
    pub fn is_invalid_login(&self) -> bool {
        self.0.kind.is_invalid_login()
    }

    /// The checklist of usual causes: [`INVALID_LOGIN_CHECKLIST`] for an `INVALID_LOGIN`,
    /// [`TOKEN_REFUSED_CHECKLIST`] for a refused OAuth 2.0 token request.
    pub fn checklist(&self) -> Option<&'static [&'static str]> {
        if matches!(self.0.kind, ErrorKind::TokenRefused { .. }) {
            return Some(TOKEN_REFUSED_CHECKLIST);
        }
        self.is_invalid_login().then_some(INVALID_LOGIN_CHECKLIST)
    }

    /// `true` when NetSuite refused the request for governance reasons before processing it
    /// (`SSS_REQUEST_LIMIT_EXCEEDED`, `CONCURRENCY_LIMIT_EXCEEDED`, `WS_REQUEST_BLOCKED`).
    pub fn is_limit_exceeded(&self) -> bool {
        retry::is_limit_exceeded(&self.0.kind)
    }

    /// The raw response body, when the error came with one.
    pub fn body(&self) -> Option<&str> {
        match &self.0.kind {
            ErrorKind::NetSuite { body, .. } | ErrorKind::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        ErrorKind::InvalidInput {
            what,
            reason: reason.into(),
        }
        .into()
    }

    pub(crate) fn config(variable: Option<&str>, reason: impl Into<String>) -> Self {
        ErrorKind::Config {
            variable: variable.map(str::to_owned),
            reason: reason.into(),
        }
        .into()
    }
}

/// Truncates `bytes` to at most `max` bytes of (lossy) UTF-8.
pub(crate) fn snippet(bytes: &[u8], max: usize) -> String {
    let cut = &bytes[..bytes.len().min(max)];
    String::from_utf8_lossy(cut).into_owned()
}

/// The request a NetSuite error answered: method and path (no query values).
pub(crate) struct Answered<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
}

/// Parses a NetSuite error body: REST (`title`, `o:errorDetails`) or RESTlet (`error.code/message`).
pub(crate) fn parse_netsuite_error(
    request: Answered<'_>,
    status: u16,
    reason: &str,
    bytes: &[u8],
    retry_after: Option<Duration>,
) -> ErrorKind {
    let mut title = reason.to_owned();
    let mut details = Vec::new();
    if let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if let Some(t) = doc.get("title").and_then(|t| t.as_str()) {
            title = t.to_owned();
        }
        if let Some(list) = doc.get("o:errorDetails").and_then(|d| d.as_array()) {
            for d in list {
                let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                details.push(ErrorDetail {
                    code: text("o:errorCode"),
                    detail: text("detail").unwrap_or_default(),
                    path: text("o:errorPath").or_else(|| text("o:errorQueryParam")),
                });
            }
        }
        if let Some(e) = doc.get("error").and_then(|e| e.as_object()) {
            let text = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            details.push(ErrorDetail {
                code: text("code"),
                detail: text("message").unwrap_or_default(),
                path: None,
            });
        }
    }
    ErrorKind::NetSuite {
        method: request.method.to_owned(),
        path: request.path.to_owned(),
        status,
        title,
        details,
        body: snippet(bytes, 8000),
        retry_after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(method: &str, status: u16, reason: &str, body: &[u8]) -> Error {
        let at = Answered {
            method,
            path: "/services/rest/record/v1/customer",
        };
        Error::from(parse_netsuite_error(at, status, reason, body, None))
    }

    fn timeout(method: &str) -> Error {
        ErrorKind::Timeout {
            method: method.to_owned(),
            path: "/services/rest/record/v1/customer".to_owned(),
            elapsed: Duration::from_secs(300),
        }
        .into()
    }

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(size_of::<Error>(), size_of::<usize>());
        assert_eq!(size_of::<Result<()>>(), size_of::<usize>());
    }

    #[test]
    fn parses_rest_error_and_prints_checklist() {
        let body = br#"{"type":"x","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt.","o:errorCode":"INVALID_LOGIN"}]}"#;
        let e = ns("GET", 401, "Unauthorized", body);
        assert!(e.is_invalid_login());
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.codes(), vec!["INVALID_LOGIN"]);
        let s = e.to_string();
        assert!(s.contains("INVALID_LOGIN"), "{s}");
        assert!(s.contains("clock skew"), "{s}");
        assert!(!e.is_retryable());
        assert!(!e.is_transient());
        assert!(!e.is_safe_to_resend());
    }

    #[test]
    fn netsuite_errors_carry_method_and_path() {
        let e = ns("PATCH", 400, "Bad Request", br#"{"title":"Bad"}"#);
        assert_eq!(e.method(), Some("PATCH"));
        assert_eq!(e.path(), Some("/services/rest/record/v1/customer"));
        let s = e.to_string();
        assert!(
            s.starts_with("PATCH /services/rest/record/v1/customer: NetSuite error HTTP 400: Bad"),
            "{s}"
        );
        match e.kind() {
            ErrorKind::NetSuite { method, path, .. } => {
                assert_eq!(
                    (method.as_str(), path.as_str()),
                    ("PATCH", "/services/rest/record/v1/customer")
                );
            }
            other => panic!("not a NetSuite error: {other:?}"),
        }
    }

    #[test]
    fn parses_restlet_limit_error_as_retryable() {
        let body = br#"{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"too many"}}"#;
        let e = ns("POST", 400, "Bad Request", body);
        assert!(e.is_retryable());
        assert!(e.is_limit_exceeded());
        assert_eq!(e.codes(), vec!["SSS_REQUEST_LIMIT_EXCEEDED"]);
        // Refused before processing: even a POST is safe to send again, and nothing was applied.
        assert!(e.is_safe_to_resend());
        assert!(!e.may_have_been_applied());
    }

    #[test]
    fn error_path_is_kept() {
        let body = br#"{"title":"Bad","o:errorDetails":[{"detail":"no","o:errorCode":"NONEXISTENT_FIELD","o:errorPath":"foo"},{"detail":"two","o:errorCode":"USER_ERROR"}]}"#;
        let e = ns("GET", 400, "Bad Request", body);
        match e.kind() {
            ErrorKind::NetSuite { details, .. } => {
                assert_eq!(details.len(), 2);
                assert_eq!(details[0].path.as_deref(), Some("foo"));
            }
            _ => panic!("not a NetSuite error"),
        }
        assert_eq!(e.details().len(), 2);
        assert!(!e.to_string().contains("Usual causes"));
    }

    #[test]
    fn non_json_body_is_fine() {
        let e = ns("GET", 503, "Service Unavailable", b"<html>");
        assert!(e.is_retryable());
        assert_eq!(e.body(), Some("<html>"));
    }

    #[test]
    fn a_create_that_may_have_landed_is_transient_but_not_safe() {
        let e = timeout("POST");
        assert!(e.is_transient());
        assert!(e.is_retryable());
        assert!(!e.is_safe_to_resend());
        assert!(e.may_have_been_applied());
        let s = e.to_string();
        assert!(s.contains("may have been applied"), "{s}");
        assert!(s.contains("not sent again"), "{s}");

        for status in [500, 502, 504] {
            let e = ns("POST", status, "", b"");
            assert!(e.is_transient(), "{status}");
            assert!(!e.is_safe_to_resend(), "{status}");
            assert!(e.to_string().contains("may have been applied"), "{e}");
        }
        for status in [429, 503] {
            let e = ns("POST", status, "", b"");
            assert!(e.is_transient() && e.is_safe_to_resend(), "{status}");
            assert!(!e.may_have_been_applied(), "{status}");
            assert!(!e.to_string().contains("applied"), "{e}");
        }
    }

    #[test]
    fn an_earlier_ambiguous_attempt_is_remembered() {
        // A PUT timed out, was resent (idempotent) and then rejected: the first one may have landed.
        let e = ns("PUT", 400, "Bad Request", b"").after_ambiguous_attempt();
        assert!(e.may_have_been_applied());
        assert!(!e.is_safe_to_resend());
        assert!(e.to_string().contains("may have been applied"), "{e}");
        // A create refused (429) after an earlier ambiguous attempt cannot happen in the send loop
        // (a create is not resent), but if it did the message would still warn.
        let e = ns("POST", 429, "", b"").after_ambiguous_attempt();
        assert!(e.may_have_been_applied());
        assert!(!e.is_safe_to_resend());
        assert!(e.to_string().contains("not sent again"), "{e}");
        // Reads never apply anything.
        let e = ns("GET", 404, "", b"").after_ambiguous_attempt();
        assert!(!e.may_have_been_applied());
    }

    #[test]
    fn reads_and_idempotent_writes_are_safe_to_resend() {
        let e = timeout("GET");
        assert!(e.is_transient() && e.is_safe_to_resend());
        assert!(!e.may_have_been_applied());
        assert!(!e.to_string().contains("applied"), "{e}");

        let e = timeout("PUT");
        assert!(e.is_transient() && e.is_safe_to_resend());
        assert!(e.may_have_been_applied());
        assert!(e.to_string().contains("idempotent"), "{e}");

        // The send path knows better than the method: a SuiteQL POST is a read, a PATCH adding
        // sublist lines is not idempotent.
        let e = timeout("POST").with_effect(Effect::Read);
        assert!(e.is_safe_to_resend() && !e.may_have_been_applied());
        let e = timeout("PATCH").with_effect(Effect::Write);
        assert!(e.is_transient() && !e.is_safe_to_resend());
    }

    #[test]
    fn permanent_failures_are_neither() {
        for e in [
            ns("POST", 400, "Bad Request", b""),
            ns("GET", 404, "Not Found", b""),
            ns("GET", 501, "Not Implemented", b""),
            Error::invalid("x", "y"),
            ErrorKind::LimiterClosed {
                method: "POST".into(),
                path: "/p".into(),
            }
            .into(),
        ] {
            assert!(!e.is_transient(), "{e}");
            assert!(!e.is_safe_to_resend(), "{e}");
            assert!(!e.may_have_been_applied(), "{e}");
        }
    }

    #[test]
    fn an_accepted_write_with_an_unreadable_reply_says_it_was_applied() {
        let e: Error = ErrorKind::UnexpectedResponse {
            method: "POST".into(),
            path: "/services/rest/record/v1/customer".into(),
            status: 204,
            reason: "no Location header on a create".into(),
        }
        .into();
        assert!(!e.is_transient());
        assert!(e.may_have_been_applied());
        assert!(e.to_string().contains("it was applied"), "{e}");
        let e: Error = ErrorKind::Decode {
            method: "GET".into(),
            path: "/p".into(),
            status: 200,
            json_path: ".".into(),
            message: "m".into(),
            body: String::new(),
        }
        .into();
        assert!(!e.may_have_been_applied());
    }
}
