//! Time and nonce sources, injectable for tests.

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
}

/// Nonces from [`crate::random_nonce`]: 24 alphanumeric characters from a per-thread CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        crate::nonce::random_nonce()
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
}
