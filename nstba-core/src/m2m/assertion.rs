//! Building the client assertion (the JWT of the client-credentials grant).

use super::key::{PrivateKey, Signing};
use super::{AssertionError, KeyKind};
use crate::{AccountId, Clock, NonceSource, RandomNonce, SystemClock};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use core::fmt;
use core::str::FromStr;
use p521::ecdsa::signature::Signer as _;
use serde::{Deserialize, Serialize};

/// Default assertion lifetime: `exp = iat + 300` s.
pub const DEFAULT_LIFETIME: u64 = 300;

/// Longest assertion lifetime NetSuite accepts: `exp` at most 60 minutes after `iat`.
pub const MAX_LIFETIME: u64 = 3600;

/// The token URL of an account: `https://<label>.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token`.
///
/// It is both where the token request goes and the assertion's `aud`. Built only from a validated
/// [`AccountId`], so the assertion cannot be aimed at another host.
///
/// ```
/// use nstba_core::{m2m::token_url, AccountId};
/// assert_eq!(
///     token_url(&AccountId::parse("1234567_SB1")?),
///     "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
/// );
/// # Ok::<(), nstba_core::Error>(())
/// ```
pub fn token_url(account: &AccountId) -> String {
    format!(
        "{}/services/rest/auth/oauth2/v1/token",
        account.rest_base_url()
    )
}

/// A JWS algorithm NetSuite accepts for client assertions.
///
/// RS256 and every other name are refused by [`Algorithm::parse`] with
/// [`AssertionError::UnsupportedAlgorithm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PSS with SHA-256 (RSA 3072 or 4096 bits).
    PS256,
    /// RSASSA-PSS with SHA-384 (RSA 3072 or 4096 bits).
    PS384,
    /// RSASSA-PSS with SHA-512 (RSA 3072 or 4096 bits).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
}

impl Algorithm {
    /// Every accepted algorithm.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
    ];

    /// The JOSE name (`PS256`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
        }
    }

    /// Parses a JOSE algorithm name (exact, case-sensitive as in JWS headers).
    ///
    /// ```
    /// use nstba_core::m2m::{Algorithm, AssertionError};
    /// assert_eq!(Algorithm::parse("ES384")?, Algorithm::ES384);
    /// let err = Algorithm::parse("RS256").unwrap_err();
    /// assert!(matches!(err, AssertionError::UnsupportedAlgorithm { .. }));
    /// assert!(err.to_string().contains("no longer accepts RS256"));
    /// # Ok::<(), AssertionError>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, AssertionError> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| AssertionError::UnsupportedAlgorithm {
                alg: name.to_owned(),
            })
    }

    /// Whether `key` can sign with this algorithm (RSA of 3072/4096 bits for PS*, the matching curve
    /// for ES*).
    pub fn fits(self, key: KeyKind) -> bool {
        self.check_key(key).is_ok()
    }

    pub(crate) fn check_key(self, key: KeyKind) -> Result<(), &'static str> {
        let (ok, needs) = match self {
            Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => (
                matches!(key, KeyKind::Rsa { bits } if bits == 3072 || bits == 4096),
                "an RSA key of 3072 or 4096 bits",
            ),
            Algorithm::ES256 => (key == KeyKind::P256, "a P-256 key"),
            Algorithm::ES384 => (key == KeyKind::P384, "a P-384 key"),
            Algorithm::ES512 => (key == KeyKind::P521, "a P-521 key"),
        };
        if ok {
            Ok(())
        } else {
            Err(needs)
        }
    }

    pub(crate) fn jsonwebtoken(self) -> Option<jsonwebtoken::Algorithm> {
        Some(match self {
            Algorithm::PS256 => jsonwebtoken::Algorithm::PS256,
            Algorithm::PS384 => jsonwebtoken::Algorithm::PS384,
            Algorithm::PS512 => jsonwebtoken::Algorithm::PS512,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::ES384 => jsonwebtoken::Algorithm::ES384,
            Algorithm::ES512 => return None,
        })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = AssertionError;
    fn from_str(s: &str) -> Result<Self, AssertionError> {
        Algorithm::parse(s)
    }
}

/// The JOSE header of a client assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionHeader {
    /// Always `JWT` in assertions this module builds.
    pub typ: Option<String>,
    /// The JWS algorithm name.
    pub alg: String,
    /// The certificate id from NetSuite's M2M setup page.
    pub kid: Option<String>,
}

/// The claims of a client assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// The integration's client id.
    pub iss: String,
    /// Comma-separated scopes (`rest_webservices,restlets`).
    pub scope: String,
    /// The token URL the assertion is meant for.
    pub aud: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// Unique assertion id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl AssertionClaims {
    /// The scopes, split on commas (and spaces, which some clients use), empty parts dropped.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// How to build client assertions for one integration and certificate.
///
/// Holds the client id (`iss`), certificate id (`kid`), algorithm, private key, scopes (default
/// `rest_webservices`), audience (the account's [`token_url`]) and lifetime (default
/// [`DEFAULT_LIFETIME`]). [`ClientAssertion::build`] takes the time and `jti` as inputs, so it is
/// deterministic for ES* (RFC 6979 signatures); PS* signatures are randomized by design.
/// See the [module docs](super) for a full example.
#[derive(Clone)]
pub struct ClientAssertion {
    client_id: String,
    certificate_id: String,
    algorithm: Algorithm,
    key: PrivateKey,
    scope: String,
    audience: String,
    lifetime: u64,
}

impl fmt::Debug for ClientAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAssertion")
            .field("client_id", &self.client_id)
            .field("certificate_id", &self.certificate_id)
            .field("algorithm", &self.algorithm)
            .field("key", &self.key)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

fn check_identifier(name: &'static str, value: &str) -> Result<(), AssertionError> {
    let bad = |reason| AssertionError::InvalidClaim {
        name,
        value: value.to_owned(),
        reason,
    };
    if value.trim().is_empty() {
        return Err(bad("it is empty"));
    }
    if value.len() > 1024 {
        return Err(bad("it is longer than 1024 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(bad("it contains control characters"));
    }
    Ok(())
}

impl ClientAssertion {
    /// Sets up assertions for `account`, signed by `key` with `algorithm`.
    ///
    /// Fails when the client id or certificate id is empty or has control characters, or when the key
    /// does not fit the algorithm ([`AssertionError::KeyAlgorithmMismatch`]).
    pub fn new(
        account: &AccountId,
        client_id: impl Into<String>,
        certificate_id: impl Into<String>,
        algorithm: Algorithm,
        key: PrivateKey,
    ) -> Result<Self, AssertionError> {
        let client_id = client_id.into();
        let certificate_id = certificate_id.into();
        check_identifier("iss", &client_id)?;
        check_identifier("kid", &certificate_id)?;
        algorithm
            .check_key(key.kind())
            .map_err(|needs| AssertionError::KeyAlgorithmMismatch {
                algorithm,
                needs,
                key: key.kind(),
            })?;
        Ok(ClientAssertion {
            client_id,
            certificate_id,
            algorithm,
            key,
            scope: "rest_webservices".to_owned(),
            audience: token_url(account),
            lifetime: DEFAULT_LIFETIME,
        })
    }

    /// Sets the scopes (`rest_webservices`, `restlets`, `suite_analytics`), sent comma-separated.
    ///
    /// Each scope must be non-empty letters, digits and `_`; at least one is needed.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Result<Self, AssertionError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut joined = String::new();
        for scope in scopes {
            let scope = scope.as_ref();
            if scope.is_empty()
                || !scope
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(AssertionError::InvalidClaim {
                    name: "scope",
                    value: scope.to_owned(),
                    reason: "a scope must be letters, digits and '_' (e.g. rest_webservices)",
                });
            }
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(scope);
        }
        if joined.is_empty() {
            return Err(AssertionError::InvalidClaim {
                name: "scope",
                value: String::new(),
                reason: "at least one scope is needed (e.g. rest_webservices)",
            });
        }
        self.scope = joined;
        Ok(self)
    }

    /// Sets the lifetime (`exp - iat`) in seconds: 1 to [`MAX_LIFETIME`] (3600).
    pub fn with_lifetime(mut self, seconds: u64) -> Result<Self, AssertionError> {
        if seconds == 0 || seconds > MAX_LIFETIME {
            return Err(AssertionError::InvalidLifetime { seconds });
        }
        self.lifetime = seconds;
        Ok(self)
    }

    /// The `aud` claim: the account's token URL (also where the token request goes).
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The client id (`iss`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The certificate id (`kid`).
    pub fn certificate_id(&self) -> &str {
        &self.certificate_id
    }

    /// The comma-separated `scope` claim.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The lifetime in seconds.
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The claims [`ClientAssertion::build`] would sign for this time and `jti`.
    pub fn claims(&self, now_unix: u64, jti: &str) -> Result<AssertionClaims, AssertionError> {
        check_identifier("jti", jti)?;
        Ok(AssertionClaims {
            iss: self.client_id.clone(),
            scope: self.scope.clone(),
            aud: self.audience.clone(),
            iat: now_unix,
            exp: now_unix.saturating_add(self.lifetime),
            jti: Some(jti.to_owned()),
        })
    }

    /// Builds and signs the assertion issued at `now_unix` with the unique id `jti`: the compact JWS
    /// `base64url(header).base64url(claims).base64url(signature)`.
    pub fn build(&self, now_unix: u64, jti: &str) -> Result<String, AssertionError> {
        let claims = self.claims(now_unix, jti)?;
        let header = AssertionHeader {
            typ: Some("JWT".to_owned()),
            alg: self.algorithm.as_str().to_owned(),
            kid: Some(self.certificate_id.clone()),
        };
        let signing_failed = |reason: String| AssertionError::Signing {
            algorithm: self.algorithm,
            reason,
        };
        let header = serde_json::to_vec(&header).map_err(|e| signing_failed(e.to_string()))?;
        let claims = serde_json::to_vec(&claims).map_err(|e| signing_failed(e.to_string()))?;
        let mut jwt = URL_SAFE_NO_PAD.encode(header);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut jwt);
        let signature = sign(self.algorithm, &self.key, jwt.as_bytes()).map_err(signing_failed)?;
        jwt.push('.');
        jwt.push_str(&signature);
        Ok(jwt)
    }

    /// Builds an assertion issued now (system clock) with a fresh random `jti` (24 characters from a
    /// CSPRNG).
    pub fn build_now(&self) -> Result<String, AssertionError> {
        self.build_with(&SystemClock, &RandomNonce)
    }

    /// Builds an assertion with the time from `clock` and the `jti` from `nonces`.
    pub fn build_with(
        &self,
        clock: &dyn Clock,
        nonces: &dyn NonceSource,
    ) -> Result<String, AssertionError> {
        self.build(clock.now(), &nonces.nonce())
    }
}

/// Signs `message` and returns the base64url (unpadded) signature: `jsonwebtoken` for PS*/ES256/ES384,
/// `p521` for ES512 (fixed-size `r || s`, as JWS requires).
fn sign(algorithm: Algorithm, key: &PrivateKey, message: &[u8]) -> Result<String, String> {
    match (&key.signing, algorithm.jsonwebtoken()) {
        (Signing::Rsa(k) | Signing::P256(k) | Signing::P384(k), Some(alg)) => {
            jsonwebtoken::crypto::sign(message, k, alg).map_err(|e| e.to_string())
        }
        (Signing::P521(k), None) => {
            let signature: p521::ecdsa::Signature =
                k.try_sign(message).map_err(|e| e.to_string())?;
            Ok(URL_SAFE_NO_PAD.encode(signature.to_bytes()))
        }
        _ => Err("the key does not fit the algorithm".to_owned()),
    }
}
