//! A client for a test's own emulator, with retries quick enough for tests: shared by the test
//! binaries that need nothing more particular (a binary may use only some of it).
#![allow(dead_code)]

use nstba_client::{Client, RetryPolicy};
use nstba_mock::MockNetSuite;
use std::time::Duration;

/// Eight attempts, backing off from 5 ms to at most 50 ms, honouring a Retry-After of up to 100 ms.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(50))
        .max_retry_after(Duration::from_millis(100))
}

/// A TBA client for `mock`'s REST and RESTlet URLs with [`quick_retry`].
pub fn client_for(mock: &MockNetSuite) -> Client {
    client_with(mock, quick_retry())
}

/// A TBA client for `mock`'s REST and RESTlet URLs with `retry`.
pub fn client_with(mock: &MockNetSuite, retry: RetryPolicy) -> Client {
    Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .restlet_url(mock.restlet_url())
        .retry(retry)
        .build()
        .expect("client")
}
