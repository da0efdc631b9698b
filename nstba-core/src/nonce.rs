//! Nonce generation.

use rand::distributions::{Alphanumeric, DistString};

/// Length of generated nonces (NetSuite recommends at least 20).
pub const NONCE_LEN: usize = 24;

/// A fresh 24-character alphanumeric nonce.
///
/// Drawn from `rand`'s thread-local generator: a ChaCha CSPRNG seeded from the operating system once
/// per thread and reseeded periodically, so producing a nonce makes no system call.
pub fn random_nonce() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), NONCE_LEN)
}
