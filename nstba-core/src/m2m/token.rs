//! The token request body and the token endpoint's answers.

use core::fmt;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The `client_assertion_type` of the client-credentials grant with a JWT assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The `application/x-www-form-urlencoded` body of the token request:
/// `grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=<JWT>`.
///
/// POST it to [`super::token_url`] with `Content-Type: application/x-www-form-urlencoded`.
///
/// ```
/// use nstba_core::m2m::token_request_body;
/// assert_eq!(
///     token_request_body("aaa.bbb.ccc"),
///     "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=aaa.bbb.ccc"
/// );
/// ```
pub fn token_request_body(assertion: &str) -> String {
    format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion={}",
        crate::encode(CLIENT_ASSERTION_TYPE),
        crate::encode(assertion)
    )
}

/// An access token from the token endpoint. `Debug` does not show the token.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    expires_in: u64,
    token_type: String,
}

impl AccessToken {
    /// The token, for `Authorization: Bearer <token>`.
    pub fn secret(&self) -> &SecretString {
        &self.token
    }

    /// The `Authorization` header value: `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token.expose_secret())
    }

    /// Seconds the token is valid for (NetSuite: 3600). There is no refresh token: request a new one
    /// before it expires.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The Unix time the token expires, given when it was issued.
    pub fn expires_at(&self, issued_at_unix: u64) -> u64 {
        issued_at_unix.saturating_add(self.expires_in)
    }

    /// The `token_type` (always `bearer`, any case).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[REDACTED]")
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// The OAuth 2.0 `error` code of a token error response (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorCode {
    /// `invalid_request`: a missing or malformed parameter.
    InvalidRequest,
    /// `invalid_client`: client authentication failed (unknown client, bad signature, unknown kid).
    InvalidClient,
    /// `invalid_grant`: the assertion is invalid or expired (details in NetSuite's Login Audit Trail).
    InvalidGrant,
    /// `unauthorized_client`: the client may not use this grant.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`.
    InvalidScope,
    /// `server_error`.
    ServerError,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// Any other code, as sent.
    Other(String),
}

impl TokenErrorCode {
    /// Maps an `error` value to a code.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => TokenErrorCode::InvalidRequest,
            "invalid_client" => TokenErrorCode::InvalidClient,
            "invalid_grant" => TokenErrorCode::InvalidGrant,
            "unauthorized_client" => TokenErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => TokenErrorCode::UnsupportedGrantType,
            "invalid_scope" => TokenErrorCode::InvalidScope,
            "server_error" => TokenErrorCode::ServerError,
            "temporarily_unavailable" => TokenErrorCode::TemporarilyUnavailable,
            other => TokenErrorCode::Other(other.to_owned()),
        }
    }

    /// The wire form (`invalid_grant`, …).
    pub fn as_str(&self) -> &str {
        match self {
            TokenErrorCode::InvalidRequest => "invalid_request",
            TokenErrorCode::InvalidClient => "invalid_client",
            TokenErrorCode::InvalidGrant => "invalid_grant",
            TokenErrorCode::UnauthorizedClient => "unauthorized_client",
            TokenErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            TokenErrorCode::InvalidScope => "invalid_scope",
            TokenErrorCode::ServerError => "server_error",
            TokenErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            TokenErrorCode::Other(s) => s,
        }
    }
}

impl fmt::Display for TokenErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token error response: `{"error": "...", "error_description"?: "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token request refused: {code}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
pub struct TokenError {
    /// The `error` code.
    pub code: TokenErrorCode,
    /// The `error_description`, if any.
    pub description: Option<String>,
}

/// Why a token endpoint answer did not yield an access token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenResponseError {
    /// The endpoint answered with an OAuth error.
    #[error(transparent)]
    Refused(#[from] TokenError),
    /// The answer is neither a token nor an OAuth error (never includes the body: it may hold a token).
    #[error("malformed token response: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    String(String),
}

#[derive(Deserialize)]
struct RawResponse {
    access_token: Option<String>,
    expires_in: Option<NumberOrString>,
    token_type: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn malformed(reason: impl Into<String>) -> TokenResponseError {
    TokenResponseError::Malformed {
        reason: reason.into(),
    }
}

fn parse_raw(body: &[u8]) -> Result<RawResponse, TokenResponseError> {
    // Only the position and category: serde_json's own message can quote a value, maybe a token.
    serde_json::from_slice(body).map_err(|e| {
        malformed(format!(
            "not the expected JSON object ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// Parses a token endpoint answer (whatever the HTTP status): an access token, or the OAuth error.
///
/// `expires_in` may be a number or a string of digits; `token_type` must be `bearer` (any case).
///
/// ```
/// use nstba_core::m2m::{parse_token_response, TokenErrorCode, TokenResponseError};
/// let token = parse_token_response(br#"{"access_token":"eyJ","expires_in":3600,"token_type":"bearer"}"#)?;
/// assert_eq!(token.authorization(), "Bearer eyJ");
/// match parse_token_response(br#"{"error":"invalid_grant"}"#) {
///     Err(TokenResponseError::Refused(e)) => assert_eq!(e.code, TokenErrorCode::InvalidGrant),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), TokenResponseError>(())
/// ```
pub fn parse_token_response(body: &[u8]) -> Result<AccessToken, TokenResponseError> {
    let raw = parse_raw(body)?;
    if let Some(code) = raw.error {
        return Err(TokenResponseError::Refused(TokenError {
            code: TokenErrorCode::parse(&code),
            description: raw.error_description,
        }));
    }
    let token = raw
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("no access_token"))?;
    let expires_in = match raw.expires_in {
        Some(NumberOrString::Number(n)) => n,
        Some(NumberOrString::String(s)) => s
            .trim()
            .parse::<u64>()
            .map_err(|_| malformed(format!("expires_in {s:?} is not a number of seconds")))?,
        None => return Err(malformed("no expires_in")),
    };
    let token_type = raw.token_type.ok_or_else(|| malformed("no token_type"))?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed(format!(
            "token_type {token_type:?} is not \"bearer\""
        )));
    }
    Ok(AccessToken {
        token: SecretString::from(token),
        expires_in,
        token_type,
    })
}

/// Parses a token error body (`{"error": …, "error_description"?: …}`); `None` when the body is not
/// one.
pub fn parse_token_error(body: &[u8]) -> Option<TokenError> {
    let raw = parse_raw(body).ok()?;
    Some(TokenError {
        code: TokenErrorCode::parse(&raw.error?),
        description: raw.error_description,
    })
}
