//! Retry policy: bounded attempts, exponential backoff with jitter, `Retry-After` honoured.

use rand::RngExt;
use std::time::{Duration, SystemTime};

/// How failed attempts are retried.
///
/// Retried: HTTP 429, 502, 503, 504, governance codes (`SSS_REQUEST_LIMIT_EXCEEDED`,
/// `CONCURRENCY_LIMIT_EXCEEDED`), connection failures, and (for requests that are safe to repeat)
/// connections dropped before the response. A record create (POST) is only retried when the
/// request certainly did not reach the server or the server refused it before processing (429/503 or a
/// governance code). Every attempt is signed again with a fresh nonce and timestamp.
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
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
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
    fn none_is_one_attempt() {
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }
}
