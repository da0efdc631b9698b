//! OAuth 2.0 machine-to-machine (client credentials) for NetSuite, sans I/O.
//!
//! NetSuite's successor to TBA for server integrations: the client signs a short-lived JWT (the *client
//! assertion*) with the private key of a certificate uploaded on the M2M setup page, posts it to the
//! account's token URL and gets a bearer access token back. This module builds and verifies that JWT,
//! renders the token request body and parses the token response; sending the request is the caller's
//! job.
//!
//! - [`ClientAssertion`] builds assertions: header `typ`/`alg`/`kid`, claims `iss`, `scope`, `aud`
//!   (the token URL, see [`token_url`]), `iat`, `exp`, `jti`.
//! - [`PrivateKey`] / [`PublicKey`] read PEM keys: RSA 3072/4096 bits for PS256/PS384/PS512, EC
//!   P-256/P-384/P-521 for ES256/ES384/ES512. RS256 (RSASSA-PKCS1-v1_5) is refused: NetSuite no longer
//!   accepts it.
//! - [`token_request_body`], [`parse_token_response`]: the form body and the typed answer.
//! - [`verify_assertion`]: the server side (used by the emulator).
//!
//! ```
//! use nstba_core::m2m::{
//!     parse_token_response, token_request_body, verify_assertion, Algorithm, ClientAssertion,
//!     PrivateKey,
//! };
//! use nstba_core::AccountId;
//! use std::collections::HashMap;
//!
//! # let pem = include_str!("../../tests/fixtures/m2m/p256.pem");
//! let key = PrivateKey::from_pem(pem)?; // the PEM text of "PRIVATE KEY" (PKCS#8)
//! let account = AccountId::parse("1234567_SB1")?;
//! let assertion = ClientAssertion::new(&account, "client-id", "cert-id", Algorithm::ES256, key)?
//!     .with_scopes(["rest_webservices", "restlets"])?;
//! // Production: assertion.build_now(). Here a fixed time and jti, for a stable example.
//! let jwt = assertion.build(1_700_000_000, "jti-1")?;
//! let body = token_request_body(&jwt);
//! assert!(body.starts_with("grant_type=client_credentials&client_assertion_type=urn%3Aietf"));
//!
//! // The server side: verify with the certificate's public key, looked up by kid.
//! let keys = HashMap::from([("cert-id".to_owned(), assertion.key().public_key())]);
//! let verified = verify_assertion(&jwt, &keys, assertion.audience(), 1_700_000_010, 300)?;
//! assert_eq!(verified.claims.iss, "client-id");
//! assert_eq!(verified.claims.scope, "rest_webservices,restlets");
//!
//! let token = parse_token_response(br#"{"access_token":"abc","expires_in":"3600","token_type":"bearer"}"#)?;
//! assert_eq!(token.expires_in(), 3600);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assertion;
mod key;
mod token;
mod verify;

pub use assertion::{
    token_url, Algorithm, AssertionClaims, AssertionHeader, ClientAssertion, DEFAULT_LIFETIME,
    MAX_LIFETIME,
};
pub use key::{KeyKind, PrivateKey, PublicKey};
pub use token::{
    parse_token_error, parse_token_response, token_request_body, AccessToken, TokenError,
    TokenErrorCode, TokenResponseError, CLIENT_ASSERTION_TYPE,
};
pub use verify::{verify_assertion, Rejection, VerifiedAssertion, DEFAULT_SKEW};

/// Why a key could not be read or an assertion could not be built.
///
/// Never carries key material: key errors name where the key came from (`the private key at
/// /path/key.pem`) and what is wrong with it, never its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// The JWS algorithm is not one NetSuite accepts for client assertions.
    #[error(
        "JWS algorithm {alg:?} is not accepted for NetSuite client assertions: NetSuite no longer \
         accepts RS256 (RSASSA-PKCS1-v1_5); use one of PS256, PS384, PS512, ES256, ES384, ES512"
    )]
    UnsupportedAlgorithm {
        /// The algorithm name as given.
        alg: String,
    },
    /// A key file could not be read.
    #[error("cannot read {origin}: {reason}")]
    UnreadableKey {
        /// Where the key was looked for (`the private key at <path>`).
        origin: String,
        /// The I/O error.
        reason: String,
    },
    /// The PEM text is not a key of a supported kind.
    #[error("{origin} {reason}")]
    InvalidKey {
        /// Where the key came from (`the private key`, `the private key at <path>`, `the public key`).
        origin: String,
        /// What is wrong with it (never its content).
        reason: String,
    },
    /// An RSA key is not 3072 or 4096 bits long.
    #[error(
        "{origin} is an RSA key of {bits} bits: NetSuite accepts RSA keys of 3072 or 4096 bits"
    )]
    RsaKeySize {
        /// Where the key came from.
        origin: String,
        /// The modulus length in bits.
        bits: usize,
    },
    /// The key does not fit the algorithm (an EC key for PS256, a P-256 key for ES384, …).
    #[error("{algorithm} needs {needs}, but the key is {key}")]
    KeyAlgorithmMismatch {
        /// The chosen algorithm.
        algorithm: Algorithm,
        /// What the algorithm needs (`an RSA key`, `a P-384 key`).
        needs: &'static str,
        /// What the key is.
        key: KeyKind,
    },
    /// The assertion lifetime is zero or longer than [`MAX_LIFETIME`] seconds.
    #[error("assertion lifetime of {seconds} s is not allowed: it must be 1 to 3600 s (exp less than 60 minutes after iat)")]
    InvalidLifetime {
        /// The lifetime asked for.
        seconds: u64,
    },
    /// A claim or header value is unusable (empty client id, scope with a comma, …).
    #[error("invalid {name} {value:?}: {reason}")]
    InvalidClaim {
        /// The claim (`iss`, `kid`, `scope`, `jti`).
        name: &'static str,
        /// The value as given (these are identifiers, never secrets).
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The signing library failed (not expected with a key that was read successfully).
    #[error("signing the assertion with {algorithm} failed: {reason}")]
    Signing {
        /// The algorithm.
        algorithm: Algorithm,
        /// The library's message (never key material).
        reason: String,
    },
}
