//! PEM private and public keys for client assertions.

use super::AssertionError;
use core::fmt;
use jsonwebtoken::{DecodingKey, EncodingKey};
use pkcs8::der::{Decode, Encode};
use pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use rsa::pkcs1::{
    DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey,
};
use rsa::traits::PublicKeyParts;
use std::path::Path;
use zeroize::Zeroizing;

/// What kind of key a [`PrivateKey`] or [`PublicKey`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// An RSA key (for PS256, PS384, PS512) with its modulus length in bits.
    Rsa {
        /// Modulus length in bits (3072 or 4096 for keys this module accepts).
        bits: usize,
    },
    /// An EC key on NIST P-256 (for ES256).
    P256,
    /// An EC key on NIST P-384 (for ES384).
    P384,
    /// An EC key on NIST P-521 (for ES512).
    P521,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "an RSA-{bits} key"),
            KeyKind::P256 => f.write_str("a P-256 key"),
            KeyKind::P384 => f.write_str("a P-384 key"),
            KeyKind::P521 => f.write_str("a P-521 key"),
        }
    }
}

/// The signing material, in the form the signing crates take it. Every variant zeroizes its secret on
/// drop (`EncodingKey` and `ecdsa::SigningKey` both do).
#[derive(Clone)]
pub(crate) enum Signing {
    /// PKCS#1 DER of the RSA key, for `jsonwebtoken` (PS256/PS384/PS512).
    Rsa(EncodingKey),
    /// PKCS#8 DER of the P-256 key, for `jsonwebtoken` (ES256).
    P256(EncodingKey),
    /// PKCS#8 DER of the P-384 key, for `jsonwebtoken` (ES384).
    P384(EncodingKey),
    /// The P-521 key: `jsonwebtoken` has no ES512, so `p521`'s ECDSA signs.
    P521(p521::ecdsa::SigningKey),
}

/// A private key for signing client assertions, read from PEM.
///
/// Accepted: PKCS#8 `PRIVATE KEY` (RSA or EC), SEC1 `EC PRIVATE KEY` and PKCS#1 `RSA PRIVATE KEY`;
/// RSA keys must be 3072 or 4096 bits, EC keys on P-256, P-384 or P-521 (what NetSuite accepts for M2M
/// certificates). Encrypted keys are refused (decrypt them first).
///
/// The key is secret: `Debug` shows only its kind and origin, the decoded bytes and any PEM text read
/// from a file are zeroized when dropped, and errors never contain any of it.
///
/// ```
/// use nstba_core::m2m::{KeyKind, PrivateKey};
/// # let pem = include_str!("../../tests/fixtures/m2m/p384.pem");
/// let key = PrivateKey::from_pem(pem)?;
/// assert_eq!(key.kind(), KeyKind::P384);
/// assert!(!format!("{key:?}").contains("MII"));
/// # Ok::<(), nstba_core::m2m::AssertionError>(())
/// ```
#[derive(Clone)]
pub struct PrivateKey {
    kind: KeyKind,
    origin: String,
    public: PublicKey,
    pub(crate) signing: Signing,
}

impl PrivateKey {
    /// Reads a private key from PEM text. Errors call it "the private key".
    pub fn from_pem(pem: &str) -> Result<Self, AssertionError> {
        Self::from_pem_with_origin(pem, "the private key")
    }

    /// Reads a private key from PEM text; errors call it `origin` (e.g. "the private key in
    /// NS_M2M_PRIVATE_KEY"), so the message says where the key came from without showing it.
    pub fn from_pem_with_origin(
        pem: &str,
        origin: impl Into<String>,
    ) -> Result<Self, AssertionError> {
        Self::parse(pem, origin.into())
    }

    /// Reads a private key from a PEM file. Errors call it "the private key at `<path>`"; the file's
    /// text is zeroized once parsed.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, AssertionError> {
        let origin = format!("the private key at {}", path.as_ref().display());
        let text = std::fs::read(path.as_ref()).map_err(|e| AssertionError::UnreadableKey {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        let text = Zeroizing::new(text);
        let text = std::str::from_utf8(&text).map_err(|_| AssertionError::InvalidKey {
            origin: origin.clone(),
            reason: "is not PEM text (not UTF-8)".to_owned(),
        })?;
        Self::parse(text, origin)
    }

    fn parse(pem: &str, origin: String) -> Result<Self, AssertionError> {
        let invalid = |reason: String| AssertionError::InvalidKey {
            origin: origin.clone(),
            reason,
        };
        let (label, der) = first_pem_block(pem).map_err(|r| invalid(r.to_owned()))?;
        let parsed = match label.as_str() {
            "PRIVATE KEY" => {
                if let Ok(k) = rsa::PrivateKey::from_pkcs8_der(&der) {
                    Parsed::Rsa(k)
                } else if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
                    Parsed::P256(k)
                } else if let Ok(k) = p384::SecretKey::from_pkcs8_der(&der) {
                    Parsed::P384(k)
                } else if let Ok(k) = p521::SecretKey::from_pkcs8_der(&der) {
                    Parsed::P521(k)
                } else {
                    return Err(invalid(
                        "is not a PKCS#8 PEM of an RSA, P-256, P-384 or P-521 private key"
                            .to_owned(),
                    ));
                }
            }
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                    Parsed::P256(k)
                } else if let Ok(k) = p384::SecretKey::from_sec1_der(&der) {
                    Parsed::P384(k)
                } else if let Ok(k) = p521::SecretKey::from_sec1_der(&der) {
                    Parsed::P521(k)
                } else {
                    return Err(invalid(
                        "is not a SEC1 PEM of a P-256, P-384 or P-521 private key".to_owned(),
                    ));
                }
            }
            "RSA PRIVATE KEY" => Parsed::Rsa(
                rsa::PrivateKey::from_pkcs1_der(&der)
                    .map_err(|_| invalid("is not a valid PKCS#1 RSA private key".to_owned()))?,
            ),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(invalid(
                    "is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)"
                        .to_owned(),
                ))
            }
            other => {
                return Err(invalid(format!(
                "is a PEM {other:?} block, not a PKCS#8 \"PRIVATE KEY\", SEC1 \"EC PRIVATE KEY\" \
                     or PKCS#1 \"RSA PRIVATE KEY\""
            )))
            }
        };
        let failed = |what: &str| invalid(format!("could not be re-encoded ({what})"));
        let (kind, signing, public) = match parsed {
            Parsed::Rsa(k) => {
                let bits = rsa_bits(&k);
                if bits != 3072 && bits != 4096 {
                    return Err(AssertionError::RsaKeySize { origin, bits });
                }
                let der = k.to_pkcs1_der().map_err(|_| failed("PKCS#1"))?;
                let public = PublicKey::from_rsa(&k.to_public_key()).map_err(|_| failed("RSA"))?;
                (
                    KeyKind::Rsa { bits },
                    Signing::Rsa(EncodingKey::from_rsa_der(der.as_bytes())),
                    public,
                )
            }
            Parsed::P256(k) => {
                let der = k.to_pkcs8_der().map_err(|_| failed("PKCS#8"))?;
                let point = k.public_key().to_sec1_bytes();
                (
                    KeyKind::P256,
                    Signing::P256(EncodingKey::from_ec_der(der.as_bytes())),
                    PublicKey::ec(KeyKind::P256, &point),
                )
            }
            Parsed::P384(k) => {
                let der = k.to_pkcs8_der().map_err(|_| failed("PKCS#8"))?;
                let point = k.public_key().to_sec1_bytes();
                (
                    KeyKind::P384,
                    Signing::P384(EncodingKey::from_ec_der(der.as_bytes())),
                    PublicKey::ec(KeyKind::P384, &point),
                )
            }
            Parsed::P521(k) => {
                let signing = p521::ecdsa::SigningKey::from(&k);
                let verifying = *signing.verifying_key();
                (
                    KeyKind::P521,
                    Signing::P521(signing),
                    PublicKey {
                        kind: KeyKind::P521,
                        verifying: Verifying::P521(verifying),
                    },
                )
            }
        };
        Ok(PrivateKey {
            kind,
            origin,
            public,
            signing,
        })
    }

    /// The kind of key (RSA with its size, or the curve).
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Where the key came from, as errors name it (`the private key at <path>`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The matching public key (what the certificate uploaded to NetSuite carries).
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

enum Parsed {
    Rsa(rsa::PrivateKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
}

fn rsa_bits(key: &impl PublicKeyParts) -> usize {
    key.n().bit_width() as usize
}

/// The verifying material, in the form the verifying crates take it.
#[derive(Clone)]
pub(crate) enum Verifying {
    /// PKCS#1 DER of the RSA public key, or the SEC1 point of a P-256/P-384 key, for `jsonwebtoken`.
    Jwt(DecodingKey),
    /// The P-521 key, for `p521`'s ECDSA.
    P521(p521::ecdsa::VerifyingKey),
}

/// A public key for verifying client assertions: RSA (any size of at least 2048 bits is read; the
/// verifier checks the algorithm), P-256, P-384 or P-521.
///
/// Read from a PEM `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or X.509 `CERTIFICATE` (the
/// certificate's subject public key; the certificate's validity and signature are not checked).
///
/// ```
/// use nstba_core::m2m::{KeyKind, PublicKey};
/// # let pem = include_str!("../../tests/fixtures/m2m/rsa3072.crt.pem");
/// let key = PublicKey::from_pem(pem)?; // a "CERTIFICATE" or "PUBLIC KEY" PEM
/// assert_eq!(key.kind(), KeyKind::Rsa { bits: 3072 });
/// # Ok::<(), nstba_core::m2m::AssertionError>(())
/// ```
#[derive(Clone)]
pub struct PublicKey {
    kind: KeyKind,
    pub(crate) verifying: Verifying,
}

impl PublicKey {
    /// Reads a public key from PEM text (`PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE`; in a file
    /// with several blocks, the first of these is used).
    pub fn from_pem(pem: &str) -> Result<Self, AssertionError> {
        let invalid = |reason: String| AssertionError::InvalidKey {
            origin: "the public key".to_owned(),
            reason,
        };
        let (label, der) = first_pem_block(pem).map_err(|r| invalid(r.to_owned()))?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der).ok_or_else(|| {
                invalid("is not an SPKI PEM of an RSA, P-256, P-384 or P-521 key".to_owned())
            }),
            "RSA PUBLIC KEY" => {
                let k = rsa::PublicKey::from_pkcs1_der(&der)
                    .map_err(|_| invalid("is not a valid PKCS#1 RSA public key".to_owned()))?;
                Self::from_rsa(&k)
                    .map_err(|_| invalid("could not be re-encoded (PKCS#1)".to_owned()))
            }
            "CERTIFICATE" => {
                let cert = x509_cert::Certificate::from_der(&der)
                    .map_err(|_| invalid("is not a valid X.509 certificate".to_owned()))?;
                let spki = cert
                    .tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .map_err(|_| invalid("has an unreadable subject public key".to_owned()))?;
                Self::from_spki_der(&spki).ok_or_else(|| {
                    invalid(
                        "is a certificate for a key that is not RSA, P-256, P-384 or P-521"
                            .to_owned(),
                    )
                })
            }
            other => Err(invalid(format!(
                "is a PEM {other:?} block, not a \"PUBLIC KEY\", \"RSA PUBLIC KEY\" or \"CERTIFICATE\""
            ))),
        }
    }

    fn from_spki_der(der: &[u8]) -> Option<Self> {
        if let Ok(k) = rsa::PublicKey::from_public_key_der(der) {
            Self::from_rsa(&k).ok()
        } else if let Ok(k) = p256::PublicKey::from_public_key_der(der) {
            Some(Self::ec(KeyKind::P256, &k.to_sec1_bytes()))
        } else if let Ok(k) = p384::PublicKey::from_public_key_der(der) {
            Some(Self::ec(KeyKind::P384, &k.to_sec1_bytes()))
        } else if let Ok(k) = p521::PublicKey::from_public_key_der(der) {
            Some(PublicKey {
                kind: KeyKind::P521,
                verifying: Verifying::P521(p521::ecdsa::VerifyingKey::from(&k)),
            })
        } else {
            None
        }
    }

    fn from_rsa(key: &rsa::PublicKey) -> Result<Self, rsa::pkcs1::Error> {
        let der = key.to_pkcs1_der()?;
        Ok(PublicKey {
            kind: KeyKind::Rsa {
                bits: rsa_bits(key),
            },
            verifying: Verifying::Jwt(DecodingKey::from_rsa_der(der.as_bytes())),
        })
    }

    fn ec(kind: KeyKind, sec1_point: &[u8]) -> Self {
        PublicKey {
            kind,
            verifying: Verifying::Jwt(DecodingKey::from_ec_der(sec1_point)),
        }
    }

    /// The kind of key (RSA with its size, or the curve).
    pub fn kind(&self) -> KeyKind {
        self.kind
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The label and DER bytes of the first PEM block in `text` that is not `EC PARAMETERS` (which
/// `openssl ecparam -genkey` writes before the key). Errors are static reasons, never content.
fn first_pem_block(text: &str) -> Result<(String, Zeroizing<Vec<u8>>), &'static str> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut rest = text;
    loop {
        let Some(start) = rest.find(BEGIN) else {
            return Err("is not PEM text (no \"-----BEGIN\" line)");
        };
        let block = &rest[start..];
        let after_begin = &block[BEGIN.len()..];
        let Some(label_len) = after_begin.find(DASHES) else {
            return Err("is not valid PEM (unterminated BEGIN line)");
        };
        let label = &after_begin[..label_len];
        let end_line = format!("-----END {label}-----");
        let Some(end) = block.find(&end_line) else {
            return Err("is not valid PEM (no matching END line)");
        };
        let whole = &block[..end + end_line.len()];
        if label == "EC PARAMETERS" {
            rest = &block[end + end_line.len()..];
            continue;
        }
        // Decode into one buffer sized up front (the text is longer than what it encodes), so no
        // reallocation leaves a copy of the key behind; the buffer is zeroized on drop.
        let mut buf = Zeroizing::new(vec![0u8; whole.len()]);
        let (decoded_label, len) = pkcs8::der::pem::decode(whole.as_bytes(), &mut buf)
            .map(|(l, der)| (l.to_owned(), der.len()))
            .map_err(|_| "is not valid PEM (bad base64 or line structure)")?;
        buf.truncate(len);
        return Ok((decoded_label, buf));
    }
}
