//! The one error type of `nstba-core`.

/// Everything that can go wrong while parsing account ids, reading credentials or signing.
///
/// No variant ever carries a secret: consumer and token secrets are never part of an error, and URLs
/// have any `user:password@` part replaced by `***@` before they are stored here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The account id is not one of the spellings NetSuite uses (`1234567`, `1234567_SB1`,
    /// `1234567-sb1`, `TSTDRV1234567`, …).
    #[error("invalid NetSuite account id {value:?}: {reason}")]
    InvalidAccountId {
        /// The value as given.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// One or more credential variables are missing or empty.
    #[error("missing or empty environment variable(s): {}", names.join(", "))]
    MissingVariables {
        /// Every missing or empty variable, in the order they are read.
        names: Vec<&'static str>,
    },
    /// A credential value is unusable (for example empty or containing whitespace).
    #[error("invalid {name}: {reason}")]
    InvalidCredential {
        /// Which credential (never its value when it is a secret).
        name: &'static str,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The URL cannot be signed: not absolute, not http/https, no host, or unparsable.
    #[error("cannot sign URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given, with any `user:password@` part redacted.
        url: String,
        /// Why it cannot be signed.
        reason: String,
    },
    /// The HTTP method is not a valid method token.
    #[error("invalid HTTP method {method:?}: must be a token such as GET or POST")]
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// The nonce does not meet NetSuite's rules (at least 6 characters, alphanumeric).
    #[error("invalid nonce {nonce:?}: {reason}")]
    InvalidNonce {
        /// The nonce as given.
        nonce: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An extra protocol parameter is not allowed (must be `oauth_*` and not one the signer sets).
    #[error("invalid OAuth parameter {name:?}: {reason}")]
    InvalidParameter {
        /// The parameter name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An `Authorization` header value could not be parsed as an `OAuth` header.
    #[error("invalid OAuth Authorization header: {reason}")]
    InvalidHeader {
        /// What is wrong with it.
        reason: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Replaces the user-info part of something that looks like a URL so that a password typed into a
/// URL never reaches an error message.
pub(crate) fn redact_url(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{}://***@{}", &url[..scheme_end], &rest[at + 1..]);
        }
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redacts_user_info() {
        assert_eq!(
            redact_url("https://bob:hunter2@h.example/p?x=1"),
            "https://***@h.example/p?x=1"
        );
        assert_eq!(redact_url("https://h.example/a@b"), "https://h.example/a@b");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
