//! Time and nonce sources, injectable for tests.

use crate::error::Result;
use crate::signer::Stamp;

/// Unix seconds from the system's wall clock.
///
/// On Linux this reads `CLOCK_REALTIME_COARSE`: the time the kernel stored at its last timer tick
/// (at most a few milliseconds behind), read without a hardware counter, in a tenth of the time a
/// full-resolution read takes. OAuth timestamps are whole seconds and NetSuite accepts a few
/// minutes of skew, so nothing is lost; signing reads the clock once per request.
pub fn unix_now() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(now.tv_sec).unwrap_or(0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        precise_unix_now()
    }
}

/// Unix seconds from the full-resolution system clock.
#[cfg(any(test, not(target_os = "linux")))]
fn precise_unix_now() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A source of Unix timestamps (seconds).
pub trait Clock: Send + Sync {
    /// The current Unix time in seconds.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        unix_now()
    }
}

/// A clock that always answers the same time (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}

/// A source of nonces.
pub trait NonceSource: Send + Sync {
    /// A fresh nonce: at least 6 ASCII letters or digits, unique per timestamp.
    fn nonce(&self) -> String;

    /// A stamp at `timestamp` (Unix seconds) with a fresh nonce: [`Stamp::new`] with
    /// [`NonceSource::nonce`], which checks it. [`RandomNonce`] draws its nonce straight into the
    /// stamp instead (no `String` per request).
    fn stamp(&self, timestamp: u64) -> Result<Stamp> {
        Stamp::new(timestamp, self.nonce())
    }
}

/// Nonces from [`crate::random_nonce`]: 24 alphanumeric characters from a per-thread CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        crate::nonce::random_nonce()
    }

    fn stamp(&self, timestamp: u64) -> Result<Stamp> {
        Ok(Stamp::random_at(timestamp))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_read_for_timestamps_agrees_with_the_precise_one() {
        let before = super::precise_unix_now();
        let now = super::unix_now();
        let after = super::precise_unix_now();
        // The coarse clock is at most a timer tick behind: the same second, or the one before
        // when a second began in between.
        assert!(
            before.saturating_sub(1) <= now && now <= after,
            "{before} {now} {after}"
        );
        assert!(now > 1_700_000_000, "{now}");
    }

    #[test]
    fn random_nonce_stamps_carry_fresh_nonces_that_stamp_new_accepts() {
        use super::NonceSource;
        let a = super::RandomNonce.stamp(1_700_000_000).unwrap();
        let b = super::RandomNonce.stamp(1_700_000_000).unwrap();
        assert_eq!(a.timestamp(), 1_700_000_000);
        assert_eq!(a.nonce().len(), crate::NONCE_LEN);
        assert_ne!(a.nonce(), b.nonce());
        // The same stamp as the checked constructor makes from its nonce.
        assert_eq!(crate::Stamp::new(1_700_000_000, a.nonce()).unwrap(), a);
    }

    /// A source that gives only its nonce is checked by the provided `stamp`.
    #[test]
    fn a_bad_nonce_from_a_source_is_refused_by_name() {
        struct Short;
        impl super::NonceSource for Short {
            fn nonce(&self) -> String {
                "abc".to_owned()
            }
        }
        let err = super::NonceSource::stamp(&Short, 1_700_000_000).unwrap_err();
        assert!(err.to_string().contains("abc"), "{err}");
    }
}
