//! Writes through a network that loses answers: the emulator processes every request, then drops the
//! connection of 20% of them before answering (`Fault::drop_after_processing`), on every path —
//! creates, job polls and task results alike.
//!
//! - With the exactly-once API (`create_once`: async + idempotency key, resent with the same key),
//!   1 000 creates give 1 000 records, no duplicate, and every call returns its record's id.
//! - With the plain `create`, nothing is created twice (a create is never resent once it may have
//!   reached NetSuite), and every create that failed although its record exists said "may have been
//!   applied".

use futures_util::stream::{self, StreamExt};
use nstba_client::{Client, JobPolling, RecordId, RetryPolicy};
use nstba_mock::{Fault, MockNetSuite};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

const CREATES: usize = 1000;
const IN_FLIGHT: usize = 32;

async fn lossy_emulator(seed: u64) -> MockNetSuite {
    MockNetSuite::builder()
        .concurrency_limit(IN_FLIGHT * 2)
        .async_job_delay(Duration::from_millis(2))
        .fault(Fault::drop_after_processing().fraction(0.2).seed(seed))
        .start()
        .await
        .expect("emulator")
}

fn client_for(ns: &MockNetSuite) -> Client {
    Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .concurrency(IN_FLIGHT)
        .timeout(Duration::from_secs(20))
        .retry(
            RetryPolicy::default()
                .max_attempts(12)
                .initial_backoff(Duration::from_millis(2))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .expect("client")
}

/// How many stored customers carry each name that starts with `prefix`.
fn stored(ns: &MockNetSuite, prefix: &str) -> HashMap<String, usize> {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for r in ns.records_of("customer") {
        if let Some(name) = r["companyName"].as_str().filter(|n| n.starts_with(prefix)) {
            *by_name.entry(name.to_owned()).or_default() += 1;
        }
    }
    by_name
}

/// The name of the stored customer `id`.
fn name_of(ns: &MockNetSuite, id: &RecordId) -> Option<String> {
    ns.record("customer", id.as_str())
        .and_then(|r| r["companyName"].as_str().map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_once_creates_survive_lost_answers() {
    let ns = lossy_emulator(12).await;
    let client = client_for(&ns);
    let polling = JobPolling::default()
        .initial(Duration::from_millis(2))
        .max(Duration::from_millis(20))
        .timeout(Duration::from_secs(60));
    let results: Vec<(usize, nstba_client::Result<RecordId>)> = stream::iter(0..CREATES)
        .map(|i| {
            let client = client.clone();
            let polling = polling.clone();
            async move {
                let body = json!({ "companyName": format!("EO-{i:04}") });
                let outcome = client
                    .record("customer")
                    .create_once(&body)
                    .polling(polling)
                    .send()
                    .await;
                (i, outcome)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;

    // The fault really fired, on a fifth of the requests.
    let counters = ns.counters();
    assert!(
        counters.faulted as f64 > 0.1 * counters.requests as f64,
        "faulted {} of {} requests",
        counters.faulted,
        counters.requests
    );

    let by_name = stored(&ns, "EO-");
    let mut ids = HashSet::new();
    for (i, outcome) in &results {
        let id = match outcome {
            Ok(id) => id,
            Err(e) => panic!("create_once #{i} failed: {e}"),
        };
        assert!(ids.insert(id.clone()), "id {id} returned twice");
        let name = format!("EO-{i:04}");
        // The id returned is the one record with this name.
        assert_eq!(by_name.get(&name), Some(&1), "{name}");
        assert_eq!(name_of(&ns, id).as_deref(), Some(name.as_str()), "id {id}");
    }
    assert_eq!(results.len(), CREATES);
    assert_eq!(by_name.len(), CREATES, "every record exists");
    assert!(
        ns.duplicates_of("customer", "companyName").is_empty(),
        "duplicates: {:?}",
        ns.duplicates_of("customer", "companyName")
    );
    assert_eq!(ns.records_of("customer").len(), CREATES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plain_creates_never_duplicate_and_say_when_they_may_have_landed() {
    let ns = lossy_emulator(21).await;
    let client = client_for(&ns);
    let results: Vec<(usize, nstba_client::Result<RecordId>)> = stream::iter(0..CREATES)
        .map(|i| {
            let client = client.clone();
            async move {
                let body = json!({ "companyName": format!("PC-{i:04}") });
                (i, client.record("customer").create(&body).send().await)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;

    let by_name = stored(&ns, "PC-");
    assert!(
        ns.duplicates_of("customer", "companyName").is_empty(),
        "duplicates: {:?}",
        ns.duplicates_of("customer", "companyName")
    );
    let (mut ok, mut failed_but_landed, mut failed_not_landed) = (0, 0, 0);
    for (i, outcome) in &results {
        let name = format!("PC-{i:04}");
        let stored = by_name.get(&name).copied().unwrap_or(0);
        assert!(stored <= 1, "{name} stored {stored} times");
        match outcome {
            Ok(id) => {
                ok += 1;
                assert_eq!(stored, 1, "{name}");
                assert_eq!(name_of(&ns, id).as_deref(), Some(name.as_str()), "id {id}");
            }
            Err(e) => {
                // A lost answer: never resent, and never "safe to resend".
                assert!(!e.is_safe_to_resend(), "#{i}: {e}");
                if stored == 1 {
                    failed_but_landed += 1;
                    assert!(e.may_have_been_applied(), "#{i} landed but said: {e}");
                    assert!(
                        e.to_string().contains("may have been applied"),
                        "#{i} landed but said: {e}"
                    );
                } else {
                    failed_not_landed += 1;
                }
            }
        }
    }
    // A fifth of the answers were lost after the record was stored: those creates failed, and their
    // records exist.
    assert!(failed_but_landed > CREATES / 10, "{failed_but_landed}");
    assert!(ok > CREATES / 2, "{ok}");
    assert_eq!(
        ns.records_of("customer").len(),
        ok + failed_but_landed,
        "records = successful creates + lost answers ({failed_not_landed} failed before landing)"
    );
}
