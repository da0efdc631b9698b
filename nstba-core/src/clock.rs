//! Time and nonce sources, injectable for tests.

use std::time::{SystemTime, UNIX_EPOCH};

/// Unix seconds from the system clock.
pub fn unix_now() -> u64 {
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
}

/// Nonces from [`crate::random_nonce`]: 24 alphanumeric characters from a per-thread CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        crate::nonce::random_nonce()
    }
}
