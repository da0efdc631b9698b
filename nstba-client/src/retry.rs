//! Retry policy: bounded attempts, exponential backoff with jitter, `Retry-After` honoured; and the
//! one classification of failures that both the send loop and the [`Error`](crate::Error) predicates
//! use ([`classify`], [`may_resend`]), the one reading of `Retry-After` ([`retry_after`]) and the one
//! rule for what a request may do on NetSuite's side ([`Effect::of_method`]).

use crate::error::ErrorKind;
use rand::RngExt;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::{Duration, SystemTime};

/// What a request may do on NetSuite's side, and so whether sending it twice is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Changes nothing (GET, a SuiteQL query).
    Read,
    /// A write that leaves the same state however often it is applied (PUT, PATCH of fields,
    /// DELETE).
    IdempotentWrite,
    /// A write that is applied again when repeated (POST: creates, RESTlet posts, token endpoints;
    /// a PATCH that adds sublist lines).
    Write,
}

impl Effect {
    /// The effect HTTP gives a method: POST is not idempotent; PUT, PATCH and DELETE are idempotent
    /// writes; everything else reads. Calls that know better (SuiteQL, a PATCH adding lines) say so.
    pub(crate) fn of_method(method: &str) -> Effect {
        match method {
            "POST" => Effect::Write,
            "PUT" | "PATCH" | "DELETE" => Effect::IdempotentWrite,
            _ => Effect::Read,
        }
    }

    /// The effect of a request its sender declared harmless to repeat: a write becomes an idempotent
    /// write, a read stays a read.
    pub(crate) fn declared_idempotent(self) -> Effect {
        match self {
            Effect::Write => Effect::IdempotentWrite,
            other => other,
        }
    }

    /// The effect of one whole request — the one place that decides it for every call the client
    /// sends (records, raw requests, async submissions):
    /// - a read method (GET, HEAD, …) reads;
    /// - a write sent with `Prefer: respond-async` and an `X-NetSuite-Idempotency-Key`
    ///   (`idempotency_key`) runs at most once per key on NetSuite's side — a resend answers
    ///   `IDEMPOTENCY_ERROR` with the original job — so it is an idempotent write;
    /// - a PUT or PATCH whose JSON body carries sublist lines (an array) for a sublist that is not
    ///   named in `?replace=` adds those lines again when repeated, so it is a plain write (so is a
    ///   body that cannot be read as JSON);
    /// - otherwise the method decides ([`Effect::of_method`]).
    pub(crate) fn of_request(
        method: &str,
        url: &url::Url,
        body: Option<&[u8]>,
        idempotency_key: bool,
    ) -> Effect {
        let effect = Effect::of_method(method);
        if effect == Effect::Read {
            return Effect::Read;
        }
        if idempotency_key {
            return Effect::IdempotentWrite;
        }
        if matches!(method, "PUT" | "PATCH") {
            let replaced: Vec<String> = url
                .query_pairs()
                .filter(|(k, _)| k == "replace")
                .flat_map(|(_, v)| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .collect::<Vec<_>>()
                })
                .collect();
            if body.is_some_and(|b| adds_lines(b, &replaced)) {
                return Effect::Write;
            }
        }
        effect
    }
}

/// `true` when a JSON body would add sublist lines: an array anywhere under a top-level field that
/// is not in `replaced` (the sublists whose lines the request replaces). A body that is not a JSON
/// object counts as adding lines (nothing is known about it).
pub(crate) fn adds_lines(body: &[u8], replaced: &[String]) -> bool {
    fn has_array(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Array(_) => true,
            serde_json::Value::Object(m) => m.values().any(has_array),
            _ => false,
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(fields)) => fields
            .iter()
            .any(|(name, value)| !replaced.iter().any(|r| r == name) && has_array(value)),
        _ => true,
    }
}

/// What a failed attempt says about its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Sending the request again would fail the same way.
    Permanent,
    /// Transient, and NetSuite certainly did not process the request: a connection that failed
    /// before sending, 429, 503, a governance refusal.
    Refused,
    /// Transient, but NetSuite may have processed the request: a timeout, a connection lost after
    /// sending, 500, 502, 504.
    Ambiguous,
}

/// Error codes NetSuite uses when it rejected a request before processing it because of governance.
const LIMIT_CODES: &[&str] = &[
    "SSS_REQUEST_LIMIT_EXCEEDED",
    "CONCURRENCY_LIMIT_EXCEEDED",
    "WS_REQUEST_BLOCKED",
];

/// `true` when NetSuite refused the request for governance reasons before processing it.
pub(crate) fn is_limit_exceeded(kind: &ErrorKind) -> bool {
    match kind {
        ErrorKind::NetSuite { details, .. } => details
            .iter()
            .any(|d| d.code.as_deref().is_some_and(|c| LIMIT_CODES.contains(&c))),
        _ => false,
    }
}

/// The one classifier of failures, behind both the send loop and `Error::is_transient` /
/// `Error::is_safe_to_resend`.
pub(crate) fn classify(kind: &ErrorKind) -> Failure {
    match kind {
        ErrorKind::NetSuite { status, .. } => {
            if matches!(status, 429 | 503) || is_limit_exceeded(kind) {
                Failure::Refused
            } else if matches!(status, 500 | 502 | 504) {
                Failure::Ambiguous
            } else {
                Failure::Permanent
            }
        }
        ErrorKind::Transport { connect: true, .. } => Failure::Refused,
        // Authorization failed: the call itself was never sent.
        ErrorKind::TokenRefused { code, .. } if crate::auth::token_code_is_transient(code) => {
            Failure::Refused
        }
        ErrorKind::Authorization(e) if e.is_transient() => Failure::Refused,
        ErrorKind::Transport { .. } | ErrorKind::Timeout { .. } => Failure::Ambiguous,
        _ => Failure::Permanent,
    }
}

/// Whether a request that failed this way may be sent again: always after a refusal, after an
/// ambiguous failure only when repeating it cannot apply a write twice.
pub(crate) fn may_resend(failure: Failure, effect: Effect) -> bool {
    match failure {
        Failure::Permanent => false,
        Failure::Refused => true,
        Failure::Ambiguous => effect != Effect::Write,
    }
}

/// The `Retry-After` of a response, when it has a readable one.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// How failed attempts are retried.
///
/// An attempt is sent again exactly when its error [is safe to resend](crate::Error::is_safe_to_resend):
/// after HTTP 429, 503, a governance code (`SSS_REQUEST_LIMIT_EXCEEDED`,
/// `CONCURRENCY_LIMIT_EXCEEDED`, `WS_REQUEST_BLOCKED`) or a connection failure before sending, and —
/// for reads and idempotent writes only — after a timeout, a connection dropped before the response,
/// 500, 502 or 504. A write that is not idempotent (a record create, a RESTlet POST, a PATCH adding
/// sublist lines) is never repeated once it may have reached NetSuite. Every attempt is signed again
/// with a fresh nonce and timestamp.
///
/// ```
/// use nstba_client::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(250))
///     .max_backoff(Duration::from_secs(10));
/// assert_eq!(policy.attempts(), 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, backoff from 500 ms doubling up to 30 s, `Retry-After` honoured up to 120 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry: one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// Total attempts including the first (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Backoff before the second attempt; doubles for each later one.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Upper bound of the computed backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Upper bound applied to a server's `Retry-After` (protects against absurd values).
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Total attempts including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `next_attempt` (2 = first retry): exponential with "equal jitter"
    /// (half fixed, half random), and never shorter than the server's `Retry-After`.
    pub(crate) fn delay(&self, next_attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = next_attempt.saturating_sub(2).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = base / 2;
        let jitter = if half.is_zero() {
            Duration::ZERO
        } else {
            let nanos = rand::rng().random_range(0..=half.as_nanos().min(u64::MAX as u128) as u64);
            Duration::from_nanos(nanos)
        };
        let backoff = half + jitter;
        match retry_after {
            Some(ra) => backoff.max(ra.min(self.max_retry_after)),
            None => backoff,
        }
    }
}

/// Parses `Retry-After`: delta seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs.min(86_400.0)));
        }
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..50 {
            let d2 = p.delay(2, None);
            assert!(d2 >= Duration::from_millis(50) && d2 <= Duration::from_millis(100));
            let d4 = p.delay(4, None);
            assert!(d4 >= Duration::from_millis(200) && d4 <= Duration::from_millis(400));
            let d30 = p.delay(30, None);
            assert!(d30 <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn retry_after_is_a_floor_and_capped() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(10))
            .max_retry_after(Duration::from_secs(5));
        assert!(p.delay(2, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert!(p.delay(2, Some(Duration::from_secs(500))) <= Duration::from_secs(5));
    }

    #[test]
    fn parses_retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn retry_after_is_read_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, "later".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn effects_of_methods() {
        assert_eq!(Effect::of_method("POST"), Effect::Write);
        for m in ["PUT", "PATCH", "DELETE"] {
            assert_eq!(Effect::of_method(m), Effect::IdempotentWrite, "{m}");
        }
        assert_eq!(Effect::of_method("GET"), Effect::Read);
    }

    #[test]
    fn effects_of_requests() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        let plain = url("http://h/services/rest/record/v1/salesOrder/1");
        let replacing = url("http://h/services/rest/record/v1/salesOrder/1?replace=item");
        let lines = br#"{"memo":"x","item":{"items":[{"item":{"id":"1"}}]}}"#;
        let fields = br#"{"memo":"x","entity":{"id":"7"}}"#;
        assert_eq!(Effect::of_request("GET", &plain, None, false), Effect::Read);
        assert_eq!(Effect::of_request("GET", &plain, None, true), Effect::Read);
        assert_eq!(
            Effect::of_request("POST", &plain, Some(fields), false),
            Effect::Write
        );
        // At most once per idempotency key: safe to resend.
        assert_eq!(
            Effect::of_request("POST", &plain, Some(fields), true),
            Effect::IdempotentWrite
        );
        for m in ["PUT", "PATCH"] {
            assert_eq!(
                Effect::of_request(m, &plain, Some(fields), false),
                Effect::IdempotentWrite,
                "{m}"
            );
            assert_eq!(
                Effect::of_request(m, &plain, Some(lines), false),
                Effect::Write,
                "{m}"
            );
            assert_eq!(
                Effect::of_request(m, &replacing, Some(lines), false),
                Effect::IdempotentWrite,
                "{m}"
            );
            assert_eq!(
                Effect::of_request(m, &plain, Some(lines), true),
                Effect::IdempotentWrite
            );
            assert_eq!(
                Effect::of_request(m, &plain, Some(b"not json"), false),
                Effect::Write
            );
            assert_eq!(
                Effect::of_request(m, &plain, None, false),
                Effect::IdempotentWrite
            );
        }
        // Replacing one sublist does not cover lines of another.
        let two = br#"{"item":{"items":[]},"addressbook":{"items":[{"label":"x"}]}}"#;
        assert_eq!(
            Effect::of_request("PATCH", &replacing, Some(two), false),
            Effect::Write
        );
        assert_eq!(
            Effect::of_request("DELETE", &plain, None, false),
            Effect::IdempotentWrite
        );
    }

    #[test]
    fn merging_sublist_updates_are_not_repeatable() {
        assert!(!adds_lines(br#"{"email":"x","parent":{"id":"1"}}"#, &[]));
        assert!(adds_lines(
            br#"{"item":{"items":[{"item":{"id":"1"}}]}}"#,
            &[]
        ));
        assert!(!adds_lines(
            br#"{"item":{"items":[{"item":{"id":"1"}}]}}"#,
            &["item".into()]
        ));
        assert!(adds_lines(b"not json", &[]));
        assert!(!adds_lines(b"", &[]));
    }

    #[test]
    fn resending_after_each_failure() {
        use Effect::*;
        for effect in [Read, IdempotentWrite, Write] {
            assert!(!may_resend(Failure::Permanent, effect));
            assert!(may_resend(Failure::Refused, effect));
        }
        assert!(may_resend(Failure::Ambiguous, Read));
        assert!(may_resend(Failure::Ambiguous, IdempotentWrite));
        assert!(!may_resend(Failure::Ambiguous, Write));
    }

    #[test]
    fn none_is_one_attempt() {
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }
}
