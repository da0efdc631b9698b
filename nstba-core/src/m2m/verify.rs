//! Verifying client assertions (the token endpoint's side; the emulator uses it).

use super::assertion::{Algorithm, AssertionClaims, AssertionHeader, MAX_LIFETIME};
use super::key::{PublicKey, Verifying};
use super::KeyKind;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p521::ecdsa::signature::Verifier as _;
use std::collections::HashMap;

/// Default allowed clock skew, in seconds, for `iat` and `exp`.
pub const DEFAULT_SKEW: u64 = 300;

/// A verified assertion: its algorithm, certificate id and claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// The algorithm it was signed with.
    pub algorithm: Algorithm,
    /// The certificate id (`kid`) whose key verified it.
    pub kid: String,
    /// The claims.
    pub claims: AssertionClaims,
}

/// Why [`verify_assertion`] rejected an assertion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Not a compact JWS with a JSON header and claims of the expected shape.
    #[error("malformed client assertion: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// The header's `alg` is not PS256/PS384/PS512/ES256/ES384/ES512 (e.g. RS256, `none`, HS256).
    #[error("client assertion algorithm {alg:?} is not allowed (NetSuite no longer accepts RS256; allowed: PS256, PS384, PS512, ES256, ES384, ES512)")]
    AlgorithmNotAllowed {
        /// The header's `alg`.
        alg: String,
    },
    /// The header has no `kid`.
    #[error("client assertion header has no kid (certificate id)")]
    MissingKid,
    /// No public key is registered under the header's `kid`.
    #[error("unknown certificate id (kid) {kid:?}")]
    UnknownKid {
        /// The header's `kid`.
        kid: String,
    },
    /// The key registered under `kid` cannot verify `alg` (e.g. ES256 with an RSA certificate).
    #[error("the key for kid {kid:?} is {key}, which cannot verify {alg}")]
    KeyAlgorithmMismatch {
        /// The header's `kid`.
        kid: String,
        /// The header's algorithm.
        alg: Algorithm,
        /// The registered key.
        key: KeyKind,
    },
    /// The signature does not verify with the registered key.
    #[error("client assertion signature does not verify (kid {kid:?}, {alg})")]
    BadSignature {
        /// The header's `kid`.
        kid: String,
        /// The header's algorithm.
        alg: Algorithm,
    },
    /// `aud` is not the expected token URL.
    #[error("client assertion aud {found:?} is not the token URL {expected:?}")]
    WrongAudience {
        /// The expected audience.
        expected: String,
        /// The `aud` claim (several values joined with `, `).
        found: String,
    },
    /// `exp` (plus the allowed skew) is in the past.
    #[error("client assertion expired: exp {exp} is before now {now} (skew {skew} s)")]
    Expired {
        /// The `exp` claim.
        exp: u64,
        /// The verifier's time.
        now: u64,
        /// The allowed skew.
        skew: u64,
    },
    /// `iat` is further in the future than the allowed skew.
    #[error("client assertion issued in the future: iat {iat} is after now {now} (skew {skew} s)")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: u64,
        /// The verifier's time.
        now: u64,
        /// The allowed skew.
        skew: u64,
    },
    /// `exp - iat` is more than 3600 s, or `exp` is not after `iat`.
    #[error("client assertion lifetime is not allowed: iat {iat}, exp {exp} (exp must be after iat and at most 3600 s later)")]
    BadLifetime {
        /// The `iat` claim.
        iat: u64,
        /// The `exp` claim.
        exp: u64,
    },
}

fn malformed(reason: impl Into<String>) -> Rejection {
    Rejection::Malformed {
        reason: reason.into(),
    }
}

/// The `aud` claim may be a string or an array of strings (RFC 7519).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(serde::Deserialize)]
struct RawClaims {
    iss: String,
    scope: String,
    aud: Audience,
    iat: u64,
    exp: u64,
    #[serde(default)]
    jti: Option<String>,
}

/// Verifies a client assertion as NetSuite's token endpoint does.
///
/// In order: the JWS shape and JSON header; `alg` is one of the six accepted; `kid` names a key in
/// `keys` that fits `alg`; the signature; the claims' shape (`iss`, `scope`, `aud`, `iat`, `exp` are
/// required; `aud` a string or an array); `aud` contains `expected_aud`; `exp` after `iat` and at most
/// 3600 s later; `iat <= now + skew`; `exp + skew >= now`. The first failure is returned.
///
/// ```
/// use nstba_core::m2m::{verify_assertion, Rejection, DEFAULT_SKEW};
/// use std::collections::HashMap;
/// let keys = HashMap::new();
/// let err = verify_assertion("not.a.jwt", &keys, "https://aud", 0, DEFAULT_SKEW).unwrap_err();
/// assert!(matches!(err, Rejection::Malformed { .. }));
/// ```
pub fn verify_assertion(
    jwt: &str,
    keys: &HashMap<String, PublicKey>,
    expected_aud: &str,
    now: u64,
    skew: u64,
) -> Result<VerifiedAssertion, Rejection> {
    let mut parts = jwt.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not a compact JWS (three '.'-separated parts)"));
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(header_b64)
        .map_err(|_| malformed("the header is not base64url"))?;
    let header: AssertionHeader = serde_json::from_slice(&header_json)
        .map_err(|e| malformed(format!("the header is not a JOSE header: {e}")))?;
    if let Some(typ) = &header.typ {
        if !typ.eq_ignore_ascii_case("JWT") {
            return Err(malformed(format!("typ is {typ:?}, expected \"JWT\"")));
        }
    }
    let alg = Algorithm::parse(&header.alg).map_err(|_| Rejection::AlgorithmNotAllowed {
        alg: header.alg.clone(),
    })?;
    let kid = header.kid.ok_or(Rejection::MissingKid)?;
    let key = keys
        .get(&kid)
        .ok_or_else(|| Rejection::UnknownKid { kid: kid.clone() })?;
    if alg.check_key(key.kind()).is_err() {
        // RSA certificates of other sizes cannot verify PS*: NetSuite only registers 3072/4096.
        return Err(Rejection::KeyAlgorithmMismatch {
            kid,
            alg,
            key: key.kind(),
        });
    }
    let signed = &jwt[..header_b64.len() + 1 + claims_b64.len()];
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| malformed("the signature is not base64url"))?;
    if !signature_verifies(alg, key, signed.as_bytes(), &signature) {
        return Err(Rejection::BadSignature { kid, alg });
    }
    let claims_json = URL_SAFE_NO_PAD
        .decode(claims_b64)
        .map_err(|_| malformed("the claims are not base64url"))?;
    let raw: RawClaims = serde_json::from_slice(&claims_json)
        .map_err(|e| malformed(format!("the claims are not as expected: {e}")))?;
    let auds = match raw.aud {
        Audience::One(a) => vec![a],
        Audience::Many(v) => v,
    };
    if !auds.iter().any(|a| a == expected_aud) {
        return Err(Rejection::WrongAudience {
            expected: expected_aud.to_owned(),
            found: auds.join(", "),
        });
    }
    let (iat, exp) = (raw.iat, raw.exp);
    if exp <= iat || exp - iat > MAX_LIFETIME {
        return Err(Rejection::BadLifetime { iat, exp });
    }
    if iat > now.saturating_add(skew) {
        return Err(Rejection::IssuedInFuture { iat, now, skew });
    }
    if exp.saturating_add(skew) < now {
        return Err(Rejection::Expired { exp, now, skew });
    }
    let aud = if auds.len() == 1 {
        auds.into_iter().next().unwrap_or_default()
    } else {
        expected_aud.to_owned()
    };
    Ok(VerifiedAssertion {
        algorithm: alg,
        kid,
        claims: AssertionClaims {
            iss: raw.iss,
            scope: raw.scope,
            aud,
            iat,
            exp,
            jti: raw.jti,
        },
    })
}

fn signature_verifies(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    match (&key.verifying, alg.jsonwebtoken()) {
        (Verifying::Jwt(k), Some(jwt_alg)) => {
            let encoded = URL_SAFE_NO_PAD.encode(signature);
            jsonwebtoken::crypto::verify(&encoded, message, k, jwt_alg).unwrap_or(false)
        }
        (Verifying::P521(k), None) => p521::ecdsa::Signature::from_slice(signature)
            .map(|s| k.verify(message, &s).is_ok())
            .unwrap_or(false),
        _ => false,
    }
}
