//! The Login Audit Trail: why each request was rejected.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

/// Declares [`RejectReason`] from one list: each variant once, with its doc and its stable name, so
/// the enum, [`RejectReason::as_str`] and [`RejectReason::ALL`] cannot disagree.
macro_rules! reject_reasons {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// Why a request was rejected (what NetSuite's Login Audit Trail would show).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum RejectReason {
            $($(#[doc = $doc])* $variant,)*
        }

        impl RejectReason {
            /// Every reason, in declaration order.
            pub const ALL: &'static [RejectReason] = &[$(RejectReason::$variant),*];

            /// A stable snake-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RejectReason::$variant => $name,)*
                }
            }
        }
    };
}

reject_reasons! {
    /// No `Authorization` header.
    MissingHeader => "missing_header",
    /// The `Authorization` header is not a parsable `OAuth` (or `NLAuth`) header.
    MalformedHeader => "malformed_header",
    /// The realm is missing, unknown, or not in the exact realm spelling of the token's account.
    WrongRealm => "wrong_realm",
    /// The consumer key is not a registered integration.
    UnknownConsumer => "unknown_consumer",
    /// The token id is not registered for this consumer.
    UnknownToken => "unknown_token",
    /// The token was revoked.
    RevokedToken => "revoked_token",
    /// `oauth_signature_method` is not `HMAC-SHA256`.
    UnsupportedSignatureMethod => "unsupported_signature_method",
    /// `oauth_version` is present and not `1.0`.
    UnsupportedVersion => "unsupported_version",
    /// The timestamp is missing, not a number, or more than 300 s from the emulator clock.
    TimestampOutOfRange => "timestamp_out_of_range",
    /// The nonce is missing, shorter than 6 characters or not alphanumeric.
    InvalidNonce => "invalid_nonce",
    /// The nonce was already used.
    NonceReused => "nonce_reused",
    /// The signature does not match the request as received.
    BadSignature => "bad_signature",
    /// NLAuth: unknown user, wrong password, wrong role or wrong account.
    InvalidUserCredentials => "invalid_user_credentials",
    /// OAuth 2.0 token request: not a client-credentials form (grant_type, client_assertion_type, client_assertion) or the assertion is not a parsable JWT.
    MalformedTokenRequest => "malformed_token_request",
    /// OAuth 2.0: the assertion's `alg` is not PS256/384/512 or ES256/384/512 (RS256 included).
    AlgorithmNotAllowed => "algorithm_not_allowed",
    /// OAuth 2.0: the assertion's `kid` is missing, not a registered certificate id, or its key cannot verify `alg`.
    UnknownCertificate => "unknown_certificate",
    /// OAuth 2.0: the assertion's signature does not verify with the certificate's public key.
    InvalidAssertionSignature => "invalid_assertion_signature",
    /// OAuth 2.0: the assertion's `iss` is not a registered client id.
    UnknownClient => "unknown_client",
    /// OAuth 2.0: the `kid` is registered, but for another client than `iss`.
    CertificateOfAnotherClient => "certificate_of_another_client",
    /// OAuth 2.0: the assertion's `aud` is not the token URL.
    WrongAudience => "wrong_audience",
    /// OAuth 2.0: the assertion's `exp` (plus 300 s) is in the past.
    AssertionExpired => "assertion_expired",
    /// OAuth 2.0: the assertion's `iat` is more than 300 s in the future.
    AssertionIssuedInFuture => "assertion_issued_in_future",
    /// OAuth 2.0: `exp` is not after `iat`, or more than 3600 s after it.
    AssertionLifetime => "assertion_lifetime",
    /// OAuth 2.0: a scope of the assertion is unknown or not allowed for the client (NetSuite's `ScopeMismatched`).
    ScopeMismatched => "scope_mismatched",
    /// OAuth 2.0: the assertion's `jti` was already used by this client (before its `exp`).
    AssertionReplayed => "assertion_replayed",
    /// Bearer: the access token was never issued (or is malformed).
    UnknownAccessToken => "unknown_access_token",
    /// Bearer: the access token has expired.
    AccessTokenExpired => "access_token_expired",
    /// Bearer: the access token lacks the scope the endpoint needs (`rest_webservices` for REST/SuiteQL/metadata, `restlets` for RESTlets), or bearer tokens are not accepted there.
    InsufficientScope => "insufficient_scope",
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One authentication rejection. Never contains a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Emulator clock (Unix seconds) when the request was rejected.
    pub time: u64,
    /// HTTP method.
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// The realm from the header, if any.
    pub realm: Option<String>,
    /// The consumer key from the header, if any (OAuth 2.0: the client id, `iss`).
    pub consumer_key: Option<String>,
    /// The token id from the header, if any (never an OAuth 2.0 access token: that is a secret).
    pub token_id: Option<String>,
    /// Why it was rejected.
    pub reason: RejectReason,
    /// A human-readable explanation (e.g. the skew in seconds). No secret.
    pub detail: String,
}

impl fmt::Display for AuditEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} rejected: {} ({}) realm={} consumer={} token={}",
            self.time,
            self.method,
            self.path,
            self.reason,
            self.detail,
            self.realm.as_deref().unwrap_or("-"),
            self.consumer_key.as_deref().unwrap_or("-"),
            self.token_id.as_deref().unwrap_or("-"),
        )
    }
}

/// A rejection with its audit fields.
#[derive(Debug, Clone)]
pub(crate) struct Rejection {
    pub reason: RejectReason,
    pub detail: String,
    pub realm: Option<String>,
    pub consumer_key: Option<String>,
    pub token_id: Option<String>,
}

/// The most audit entries kept (the oldest are dropped first).
const AUDIT_CAP: usize = 100_000;
/// The most bytes the kept entries may take (the oldest are dropped first).
pub(crate) const AUDIT_BYTES_CAP: usize = 16 * 1024 * 1024;
/// The longest path, realm, consumer key or token id kept in an entry (longer ones are cut).
pub(crate) const AUDIT_VALUE_MAX: usize = 256;
/// The longest detail kept in an entry.
const AUDIT_DETAIL_MAX: usize = 512;

/// `s` cut to at most `max` bytes (at a character boundary), marked with the length received.
pub(crate) fn truncated(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…({} bytes)", &s[..end], s.len())
}

/// What an entry costs in memory, roughly.
fn entry_bytes(e: &AuditEntry) -> usize {
    std::mem::size_of::<AuditEntry>()
        + e.method.len()
        + e.path.len()
        + e.detail.len()
        + [&e.realm, &e.consumer_key, &e.token_id]
            .iter()
            .map(|v| v.as_ref().map_or(0, String::len))
            .sum::<usize>()
}

/// The newest entries (at most [`AUDIT_CAP`] and [`AUDIT_BYTES_CAP`] bytes), how many older ones
/// were dropped, and the count of every rejection by reason.
#[derive(Default)]
struct Trail {
    entries: VecDeque<AuditEntry>,
    bytes: usize,
    dropped: usize,
    rejected: u64,
    by_reason: BTreeMap<RejectReason, u64>,
}

/// The audit log and the rejection counters.
#[derive(Default)]
pub(crate) struct AuditLog(Mutex<Trail>);

impl AuditLog {
    fn trail(&self) -> std::sync::MutexGuard<'_, Trail> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a rejection of `method path` at emulator time `time`. Every value is cut to a
    /// bounded length, so a hostile header costs the log (and its printed line) a few hundred bytes.
    pub fn record(&self, time: u64, method: &str, path: &str, rej: Rejection) {
        let short = |v: Option<String>| v.map(|v| truncated(&v, AUDIT_VALUE_MAX));
        let entry = AuditEntry {
            time,
            method: truncated(method, 32),
            path: truncated(path, AUDIT_VALUE_MAX),
            realm: short(rej.realm),
            consumer_key: short(rej.consumer_key),
            token_id: short(rej.token_id),
            reason: rej.reason,
            detail: truncated(&rej.detail, AUDIT_DETAIL_MAX),
        };
        tracing::info!(target: "nstba_mock::audit", "{entry}");
        let size = entry_bytes(&entry);
        let mut trail = self.trail();
        trail.rejected += 1;
        *trail.by_reason.entry(entry.reason).or_default() += 1;
        while !trail.entries.is_empty()
            && (trail.entries.len() >= AUDIT_CAP || trail.bytes + size > AUDIT_BYTES_CAP)
        {
            if let Some(old) = trail.entries.pop_front() {
                trail.bytes -= entry_bytes(&old);
            }
            trail.dropped += 1;
        }
        trail.bytes += size;
        trail.entries.push_back(entry);
    }

    /// (entries kept, bytes they take).
    pub fn size(&self) -> (usize, usize) {
        let trail = self.trail();
        (trail.entries.len(), trail.bytes)
    }

    /// The entries from index `from` on, counting every entry since start or the last reset.
    pub fn since(&self, from: usize) -> Vec<AuditEntry> {
        let trail = self.trail();
        let skip = from.saturating_sub(trail.dropped);
        trail.entries.iter().skip(skip).cloned().collect()
    }

    /// Rejections in all, and by reason.
    pub fn counts(&self) -> (u64, BTreeMap<RejectReason, u64>) {
        let trail = self.trail();
        (trail.rejected, trail.by_reason.clone())
    }

    /// Forgets every entry and count.
    pub fn clear(&self) {
        *self.trail() = Trail::default();
    }
}

#[cfg(test)]
mod tests {
    use super::RejectReason;

    #[test]
    fn api_md_names_exactly_these_reasons() {
        let doc = include_str!("../../API.md");
        let start = doc.find("Reasons (`RejectReason`):").unwrap();
        let text = &doc[start..];
        let text = &text[text.find(':').unwrap() + 1..text.find("\n\n").unwrap_or(text.len())];
        let documented: Vec<&str> = text
            .split(',')
            .map(|s| s.trim().trim_end_matches('.'))
            .collect();
        let names: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(documented, names);
    }
}
