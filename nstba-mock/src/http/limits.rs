//! Governance: NetSuite's per-account concurrency limit, and the in-flight gauge.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// The concurrency limit of every account and what is in flight.
pub(crate) struct Limits {
    per_account: usize,
    account_in_flight: RwLock<HashMap<String, Arc<AtomicUsize>>>,
    throttled: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Limits {
    /// At most `per_account` authenticated requests of one account at a time.
    pub fn new(per_account: usize) -> Limits {
        Limits {
            per_account,
            account_in_flight: RwLock::new(HashMap::new()),
            throttled: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// One of the account's slots, or `None` (counted as throttled) when all are taken.
    pub fn slot(&self, realm: &str) -> Option<Slot> {
        let counter = {
            let map = self
                .account_in_flight
                .read()
                .unwrap_or_else(|e| e.into_inner());
            map.get(realm).cloned()
        };
        let counter = match counter {
            Some(c) => c,
            None => self
                .account_in_flight
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(realm.to_owned())
                .or_default()
                .clone(),
        };
        let prev = counter.fetch_add(1, Ordering::SeqCst);
        if prev >= self.per_account {
            counter.fetch_sub(1, Ordering::SeqCst);
            self.throttled.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(counter))
    }

    /// Counts a request in flight until the guard is dropped.
    pub fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    /// (throttled, in flight, max in flight).
    pub fn snapshot(&self) -> (u64, usize, usize) {
        (
            self.throttled.load(Ordering::SeqCst),
            self.in_flight.load(Ordering::SeqCst),
            self.max_in_flight.load(Ordering::SeqCst),
        )
    }

    /// Zeroes the throttled count; max in flight restarts from what is in flight now.
    pub fn reset(&self) {
        self.throttled.store(0, Ordering::SeqCst);
        self.max_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// One of an account's concurrency slots; released on drop.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a request in flight; released on drop.
pub(crate) struct InFlight<'a>(&'a Limits);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
