//! The in-process limiter, and the process-wide registry that gives every client of one account the
//! same one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use tokio::sync::Semaphore;

/// A registered account limiter: its size and the semaphore while some client still uses it.
struct Entry {
    limit: usize,
    semaphore: Weak<Semaphore>,
}

fn registry() -> &'static Mutex<HashMap<String, Entry>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Entry>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The process-wide semaphore of the account `key`, created with `limit` permits when no live
/// client uses one yet. A live one keeps the size it was created with: the returned size says
/// which (a warning is logged when it differs from `limit`).
pub(crate) fn for_account(key: &str, limit: usize) -> (Arc<Semaphore>, usize) {
    let mut map = registry().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(entry) = map.get(key) {
        if let Some(semaphore) = entry.semaphore.upgrade() {
            if entry.limit != limit {
                tracing::warn!(
                    account = key,
                    shared_limit = entry.limit,
                    requested = limit,
                    "the account's in-process limiter already exists with another size; keeping \
                     the existing one (each client still keeps its own concurrency as well)"
                );
            }
            return (semaphore, entry.limit);
        }
    }
    // Drop entries whose clients are all gone, so the map does not grow with short-lived accounts.
    map.retain(|_, e| e.semaphore.strong_count() > 0);
    let semaphore = Arc::new(Semaphore::new(limit));
    map.insert(
        key.to_owned(),
        Entry {
            limit,
            semaphore: Arc::downgrade(&semaphore),
        },
    );
    (semaphore, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_semaphore_per_live_account() {
        let (a, n) = for_account("TEST_LOCAL_1", 3);
        let (b, m) = for_account("TEST_LOCAL_1", 7);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!((n, m), (3, 3));
        let (c, _) = for_account("TEST_LOCAL_2", 3);
        assert!(!Arc::ptr_eq(&a, &c));
        drop((a, b));
        // Every user gone: a new one starts afresh with its own size.
        let (d, n) = for_account("TEST_LOCAL_1", 7);
        assert_eq!((n, d.available_permits()), (7, 7));
    }
}
