//! The one error type of `nstba-client`.

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
/// No variant ever carries a secret: `Authorization` headers, consumer/token secrets and passwords are
/// never stored, and URLs are kept without query values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
}

struct DisplayNetSuite<'a>(&'a Error);

impl fmt::Display for DisplayNetSuite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Error::NetSuite {
            status,
            title,
            details,
            ..
        } = self.0
        else {
            return Ok(());
        };
        write!(f, "NetSuite error HTTP {status}: {title}")?;
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

/// Error codes NetSuite uses when it rejected a request before processing it because of governance.
pub(crate) const LIMIT_CODES: &[&str] = &[
    "SSS_REQUEST_LIMIT_EXCEEDED",
    "CONCURRENCY_LIMIT_EXCEEDED",
    "WS_REQUEST_BLOCKED",
];

impl Error {
    /// `true` when sending the same request again later may succeed: 429, 502, 503, 504, governance
    /// codes (`SSS_REQUEST_LIMIT_EXCEEDED`, `CONCURRENCY_LIMIT_EXCEEDED`), transport failures and
    /// timeouts. (The client's retry loop is stricter for creates, which it never repeats once they may
    /// have reached the server.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::NetSuite { status, .. } => {
                matches!(status, 429 | 502 | 503 | 504) || self.is_limit_exceeded()
            }
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NetSuite { status, .. }
            | Error::Decode { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The NetSuite error codes (`o:errorCode`) of a [`Error::NetSuite`], in order.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            Error::NetSuite { details, .. } => {
                details.iter().filter_map(|d| d.code.as_deref()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// `true` for `INVALID_LOGIN` / `INVALID_LOGIN_ATTEMPT` (or a bare 401).
    pub fn is_invalid_login(&self) -> bool {
        match self {
            Error::NetSuite {
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

    /// The checklist of usual `INVALID_LOGIN` causes when this is one.
    pub fn checklist(&self) -> Option<&'static [&'static str]> {
        self.is_invalid_login().then_some(INVALID_LOGIN_CHECKLIST)
    }

    /// `true` when NetSuite refused the request for governance reasons before processing it.
    pub(crate) fn is_limit_exceeded(&self) -> bool {
        match self {
            Error::NetSuite { details, .. } => details
                .iter()
                .any(|d| d.code.as_deref().is_some_and(|c| LIMIT_CODES.contains(&c))),
            _ => false,
        }
    }

    /// The raw response body, when the error came with one.
    pub fn body(&self) -> Option<&str> {
        match self {
            Error::NetSuite { body, .. } | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }
}

/// Truncates `bytes` to at most `max` bytes of (lossy) UTF-8.
pub(crate) fn snippet(bytes: &[u8], max: usize) -> String {
    let cut = &bytes[..bytes.len().min(max)];
    String::from_utf8_lossy(cut).into_owned()
}

/// Parses a NetSuite error body: REST (`title`, `o:errorDetails`) or RESTlet (`error.code/message`).
pub(crate) fn parse_netsuite_error(
    status: u16,
    reason: &str,
    bytes: &[u8],
    retry_after: Option<Duration>,
) -> Error {
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
    Error::NetSuite {
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

    #[test]
    fn parses_rest_error_and_prints_checklist() {
        let body = br#"{"type":"x","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt.","o:errorCode":"INVALID_LOGIN"}]}"#;
        let e = parse_netsuite_error(401, "Unauthorized", body, None);
        assert!(e.is_invalid_login());
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.codes(), vec!["INVALID_LOGIN"]);
        let s = e.to_string();
        assert!(s.contains("INVALID_LOGIN"), "{s}");
        assert!(s.contains("clock skew"), "{s}");
        assert!(!e.is_retryable());
    }

    #[test]
    fn parses_restlet_limit_error_as_retryable() {
        let body = br#"{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED","message":"too many"}}"#;
        let e = parse_netsuite_error(400, "Bad Request", body, None);
        assert!(e.is_retryable());
        assert_eq!(e.codes(), vec!["SSS_REQUEST_LIMIT_EXCEEDED"]);
    }

    #[test]
    fn error_path_is_kept() {
        let body = br#"{"title":"Bad","o:errorDetails":[{"detail":"no","o:errorCode":"NONEXISTENT_FIELD","o:errorPath":"foo"},{"detail":"two","o:errorCode":"USER_ERROR"}]}"#;
        let e = parse_netsuite_error(400, "Bad Request", body, None);
        match &e {
            Error::NetSuite { details, .. } => {
                assert_eq!(details.len(), 2);
                assert_eq!(details[0].path.as_deref(), Some("foo"));
            }
            _ => panic!("not a NetSuite error"),
        }
        assert!(!e.to_string().contains("Usual causes"));
    }

    #[test]
    fn non_json_body_is_fine() {
        let e = parse_netsuite_error(503, "Service Unavailable", b"<html>", None);
        assert!(e.is_retryable());
        assert_eq!(e.body(), Some("<html>"));
    }
}
