//! Faults, the limiter, volume and SuiteQL paging against nstba-mock.

use futures_util::{StreamExt, TryStreamExt};
use nstba_client::{values, Client, Error, ErrorKind, RecordId, RetryPolicy};
use nstba_mock::{Fault, MockNetSuite};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

fn retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(20))
        .max_retry_after(Duration::from_millis(50))
}

fn make_client(mock: &MockNetSuite, concurrency: usize, attempts: u32) -> Client {
    Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .restlet_url(mock.restlet_url())
        .concurrency(concurrency)
        .retry(retry(attempts))
        .build()
        .expect("client")
}

fn customers(n: usize) -> impl Iterator<Item = Value> {
    (1..=n).map(
        |i| json!({"companyName": format!("Customer {i:06}"), "comments": format!("seed-{i}")}),
    )
}

#[derive(Deserialize, Debug)]
struct Row {
    #[serde(with = "values::number_string")]
    id: u64,
    #[serde(default)]
    comments: Option<String>,
}

fn no_nonce_reuse(mock: &MockNetSuite) {
    let c = mock.counters();
    assert_eq!(
        c.rejected,
        0,
        "rejections: {:?} {:?}",
        c.rejections,
        mock.audit_log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_unavailable_lose_nothing() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(2_000))
        .fault(Fault::status(429).fraction(0.15).seed(1))
        .fault(Fault::status(503).fraction(0.10).seed(2))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 20);

    // Reads: every one comes back, right content.
    let reads: Vec<Result<Value, Error>> = futures_util::stream::iter(1..=300u64)
        .map(|i| {
            let c = client.clone();
            async move { c.record("customer").get(i).send().await }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    for r in &reads {
        let v = r.as_ref().expect("no lost read");
        let id: u64 = v["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(v["comments"], format!("seed-{id}"));
    }

    // Creates refused with 429/503 are retried and land exactly once.
    let before = mock.record_count("customer");
    let creates: Vec<Result<RecordId, Error>> = futures_util::stream::iter(0..200)
        .map(|i| {
            let c = client.clone();
            async move {
                c.record("customer")
                    .create(
                        &json!({"companyName": format!("New {i}"), "comments": format!("new-{i}")}),
                    )
                    .send()
                    .await
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let ids: Vec<RecordId> = creates.into_iter().map(|r| r.expect("create")).collect();
    assert_eq!(
        mock.record_count("customer"),
        before + 200,
        "0 duplicate creates"
    );
    for id in &ids {
        assert!(mock.record("customer", id.as_str()).is_some());
    }

    // SuiteQL: every row exactly once, in order.
    let rows: Vec<Row> = client
        .suiteql("SELECT id, comments FROM customer ORDER BY id")
        .page_size(100)
        .all()
        .await
        .expect("suiteql under faults");
    assert_eq!(rows.len(), 2_200);
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        *seen
            .entry(r.comments.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert!(seen.values().all(|n| *n == 1), "every row exactly once");
    for i in 0..200 {
        assert_eq!(seen.get(&format!("new-{i}")), Some(&1));
    }
    let c = mock.counters();
    assert!(c.faulted > 0, "faults fired: {c:?}");
    no_nonce_reuse(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_lose_no_read_and_duplicate_no_create() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(3_000))
        .fault(Fault::drop_connection().fraction(0.1).seed(7))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 20);

    let reads: Vec<Result<Value, Error>> = futures_util::stream::iter(1..=300u64)
        .map(|i| {
            let c = client.clone();
            async move { c.record("customer").get(i).send().await }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    assert!(reads.iter().all(Result::is_ok), "0 lost reads");

    let rows: Vec<Row> = client
        .suiteql("SELECT id, comments FROM customer ORDER BY id")
        .page_size(100)
        .all()
        .await
        .expect("suiteql with dropped connections");
    assert_eq!(rows.len(), 3_000);
    assert!(
        rows.windows(2).all(|w| w[0].id + 1 == w[1].id),
        "all rows once, in order"
    );

    // Creates: a create whose connection dropped after sending is reported, never repeated.
    let creates: Vec<Result<RecordId, Error>> = futures_util::stream::iter(0..200)
        .map(|i| {
            let c = client.clone();
            async move {
                c.record("customer")
                    .create(&json!({"companyName": format!("Drop {i}"), "comments": format!("drop-{i}")}))
                    .send()
                    .await
            }
        })
        .buffered(20) // results in index order
        .collect()
        .await;
    let failed = creates.iter().filter(|r| r.is_err()).count();
    for r in &creates {
        if let Err(e) = r {
            assert!(matches!(e.kind(), ErrorKind::Transport { .. }), "{e}");
            assert!(e.is_transient() && !e.is_safe_to_resend(), "{e}");
            assert!(e.to_string().contains("may have been applied"), "{e}");
        }
    }
    let all: Vec<Row> = client
        .suiteql("SELECT id, comments FROM customer WHERE id > 3000 ORDER BY id")
        .all()
        .await
        .expect("read back");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &all {
        *seen
            .entry(r.comments.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert!(
        seen.values().all(|n| *n == 1),
        "0 duplicate creates: {seen:?}"
    );
    for (i, r) in creates.iter().enumerate() {
        if let Ok(id) = r {
            let stored = mock.record("customer", id.as_str()).expect("created");
            assert_eq!(stored["comments"], format!("drop-{i}"));
        }
    }
    assert!(all.len() >= 200 - failed && all.len() <= 200);
    eprintln!("dropped-connection creates: {failed} of 200 reported as failed, none repeated");
    no_nonce_reuse(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_is_not_repeated_after_bad_gateway_but_is_after_429() {
    let mock = MockNetSuite::builder()
        .fault(
            Fault::status(502)
                .times(1)
                .path("/services/rest/record/v1/customer"),
        )
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 5);
    let e = client
        .record("customer")
        .create(&json!({"companyName": "x"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(e.is_transient() && !e.is_safe_to_resend(), "{e}");
    assert_eq!(e.method(), Some("POST"));
    assert_eq!(e.path(), Some("/services/rest/record/v1/customer"));
    assert!(e.to_string().contains("may have been applied"), "{e}");
    assert_eq!(
        mock.counters().requests,
        1,
        "a create is not repeated after 502"
    );

    let mock = MockNetSuite::builder()
        .fault(Fault::status(429).times(3))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 5);
    client
        .record("customer")
        .create(&json!({"companyName": "y"}))
        .send()
        .await
        .expect("retried after 429");
    assert_eq!(
        mock.counters().requests,
        4,
        "each attempt re-signed and sent"
    );
    assert_eq!(mock.record_count("customer"), 1);
    no_nonce_reuse(&mock);

    // Bounded attempts: a permanent 503 gives up after the policy's attempts.
    let mock = MockNetSuite::builder()
        .fault(Fault::status(503))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 3);
    let e = client.record("customer").get("1").send().await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.is_retryable());
    assert_eq!(mock.counters().requests, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limiter_holds_under_1000_concurrent_calls_and_suiteql_paging() {
    let mock = MockNetSuite::builder()
        .concurrency_limit(5)
        .latency(Duration::from_millis(1))
        .seed_records("customer", customers(10_000))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 1); // no retries: a 429 would fail the test

    let tasks: Vec<_> = (0..1_000u64)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.record("customer").get(i % 10_000 + 1).send().await })
        })
        .collect();
    let suiteql = {
        let c = client.clone();
        tokio::spawn(async move {
            c.suiteql::<Row>("SELECT id, comments FROM customer ORDER BY id")
                .page_size(500)
                .all()
                .await
        })
    };
    for t in tasks {
        let v: Value = t.await.unwrap().expect("no failure");
        assert!(v.is_object());
    }
    let rows = suiteql.await.unwrap().expect("suiteql");
    assert_eq!(rows.len(), 10_000);
    let c = mock.counters();
    assert!(c.max_in_flight <= 5, "max in flight {}", c.max_in_flight);
    assert_eq!(c.throttled, 0);
    assert!(client.in_flight() == 0);
    no_nonce_reuse(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_at_concurrency_64() {
    let mock = MockNetSuite::builder()
        .concurrency_limit(64)
        .seed_records("customer", customers(100))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 64, 1);
    let results: Vec<Result<Value, Error>> = futures_util::stream::iter(0..10_000u64)
        .map(|i| {
            let c = client.clone();
            async move { c.record("customer").get(i % 100 + 1).send().await }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let failures = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failures, 0, "{:?}", results.iter().find(|r| r.is_err()));
    let c = mock.counters();
    assert_eq!(c.requests, 10_000);
    assert_eq!(c.authenticated, 10_000);
    assert!(!c
        .rejections
        .contains_key(&nstba_mock::RejectReason::NonceReused));
    assert!(c.max_in_flight <= 64);
    no_nonce_reuse(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suiteql_25k_rows_complete_in_order_with_bounded_buffer() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(25_500))
        .latency_for("/services/rest/query", Duration::from_millis(2))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 3);
    let mut rows = client
        .suiteql::<Row>("SELECT id, comments FROM customer ORDER BY id")
        .page_size(1000)
        .stream();
    assert_eq!(
        rows.pages_fetched(),
        0,
        "lazy: nothing before the first poll"
    );
    assert_eq!(mock.counters().requests, 0);

    let first = rows.next().await.unwrap().unwrap();
    assert_eq!(first.id, 1);
    // Backpressure: a paused consumer stops the read-ahead at the buffer bound.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let depth = rows.prefetch_depth();
    assert_eq!(depth, 5);
    assert!(
        rows.pages_fetched() as usize <= 1 + depth,
        "fetched {} pages while paused",
        rows.pages_fetched()
    );

    let mut expected = 2;
    while let Some(row) = rows.next().await {
        let row = row.expect("row");
        assert_eq!(row.id, expected, "complete and in order");
        assert_eq!(
            row.comments.as_deref(),
            Some(format!("seed-{expected}").as_str())
        );
        expected += 1;
    }
    assert_eq!(expected - 1, 25_500);
    assert_eq!(rows.pages_fetched(), 26);
    assert!(
        rows.max_pages_buffered() <= depth,
        "buffered at most {} pages, bound {}",
        rows.max_pages_buffered(),
        depth
    );
    let c = mock.counters();
    assert!(c.max_in_flight <= 5);
    assert_eq!(c.requests, 26);

    // Sequential paging (prefetch 1) gives the same rows.
    let seq: Vec<Row> = client
        .suiteql("SELECT id, comments FROM customer ORDER BY id")
        .prefetch(1)
        .all()
        .await
        .unwrap();
    assert_eq!(seq.len(), 25_500);

    // Pages stream.
    let pages: Vec<_> = client
        .suiteql::<Row>("SELECT id FROM customer ORDER BY id")
        .page_size(1000)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 26);
    assert_eq!(pages[25].items.len(), 500);
    assert_eq!(pages[3].offset, 3000);
    assert_eq!(pages[0].total_results, 25_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suiteql_cap_and_keyset_continuation() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(101_500))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 3);
    let e = client
        .suiteql::<Row>("SELECT id FROM customer ORDER BY id")
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::TooManyRows {
                total_results: 101_500,
                ..
            }
        ),
        "{e}"
    );

    let mut rows = client
        .suiteql::<Row>("SELECT id FROM customer ORDER BY id")
        .keyset("id")
        .stream();
    let mut expected = 1;
    while let Some(row) = rows.next().await {
        assert_eq!(row.expect("row").id, expected);
        expected += 1;
    }
    assert_eq!(expected - 1, 101_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let mock = MockNetSuite::builder()
        .fault(Fault::status(429).times(1)) // answered with Retry-After: 1
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_retry_after(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let e = client.record("customer").get("1").send().await.unwrap_err();
    assert_eq!(e.status(), Some(404), "retried past the 429: {e}");
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "waited {:?}: Retry-After (capped at 300 ms) is a floor for the backoff",
        started.elapsed()
    );
    assert_eq!(mock.counters().requests, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restlet_governance_refusals_are_retried_without_duplicates() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mock = MockNetSuite::builder()
        .concurrency_limit(1) // the account allows one request; the client is configured for four
        .latency(Duration::from_millis(3))
        .restlet("customscript_count", "1", move |call| {
            seen.fetch_add(1, Ordering::SeqCst);
            Ok(json!({"n": call.body.and_then(|b| b.get("n").cloned())}))
        })
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 4, 30);
    let results: Vec<Result<Value, Error>> = futures_util::stream::iter(0..20)
        .map(|n| {
            let c = client.clone();
            async move {
                c.restlet("customscript_count", "1")
                    .body(&json!({ "n": n }))
                    .send()
                    .await
            }
        })
        .buffered(20)
        .collect()
        .await;
    for (n, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().expect("retried until done")["n"], n);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        20,
        "each POST ran exactly once"
    );
    assert!(mock.counters().throttled > 0, "the account limit was hit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_retry_reads_but_never_creates() {
    let mock = MockNetSuite::builder()
        .demo_data()
        .fault(Fault::delay(Duration::from_millis(400)).times(1))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .timeout(Duration::from_millis(150))
        .retry(retry(3))
        .build()
        .unwrap();
    let v: Value = client
        .record("customer")
        .get("1")
        .send()
        .await
        .expect("a slow read is retried");
    assert!(v.is_object());
    assert_eq!(mock.counters().requests, 2);

    let mock = MockNetSuite::builder()
        .fault(Fault::delay(Duration::from_millis(400)).times(1))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .timeout(Duration::from_millis(150))
        .retry(retry(3))
        .build()
        .unwrap();
    let e = client
        .record("customer")
        .create(&json!({"companyName": "slow"}))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Timeout { .. }), "{e}");
    assert!(e.is_retryable(), "the caller may decide to check and retry");
    assert!(e.is_transient());
    assert!(!e.is_safe_to_resend(), "the create may have been applied");
    assert!(e.may_have_been_applied());
    assert!(e.to_string().contains("may have been applied"), "{e}");
    assert_eq!(
        mock.counters().requests,
        1,
        "a create that may have arrived is not repeated"
    );
}

/// A row type whose `Deserialize` panics on row 15: the panic happens inside a page task.
#[derive(Debug)]
struct Explosive(u64);

impl<'de> Deserialize<'de> for Explosive {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let row = Row::deserialize(d)?;
        if row.id == 15 {
            panic!("row 15 explodes");
        }
        Ok(Explosive(row.id))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_page_task_is_its_own_error() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(30))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 5, 3);
    let mut rows = client
        .suiteql::<Explosive>("SELECT id FROM customer ORDER BY id")
        .page_size(10)
        .stream();
    let mut got = Vec::new();
    let e = loop {
        match rows.next().await.expect("the stream ends with the error") {
            Ok(row) => got.push(row.0),
            Err(e) => break e,
        }
    };
    assert_eq!(
        got,
        (1..=10).collect::<Vec<_>>(),
        "the first page comes first"
    );
    match e.kind() {
        ErrorKind::PageTaskFailed {
            offset,
            panicked,
            message,
        } => {
            assert_eq!(*offset, 10);
            assert!(*panicked);
            assert_eq!(message, "row 15 explodes");
        }
        other => panic!("expected PageTaskFailed, got {other:?}"),
    }
    assert!(!e.is_transient(), "{e}");
    assert!(e.to_string().contains("panicked"), "{e}");
    assert!(
        rows.next().await.is_none(),
        "the stream ends after the error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_client_sends_nothing_more() {
    let mock = MockNetSuite::builder()
        .seed_records("customer", customers(3))
        .fault(Fault::delay(Duration::from_millis(300)).times(1))
        .start()
        .await
        .unwrap();
    let client = make_client(&mock, 1, 3);
    // The first request holds the only slot of the limiter for 300 ms.
    let first = {
        let c = client.clone();
        tokio::spawn(async move { c.record("customer").get("1").send().await })
    };
    for _ in 0..100 {
        if client.in_flight() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(client.in_flight(), 1);
    // The second waits for the slot.
    let second = {
        let c = client.clone();
        tokio::spawn(async move {
            c.record("customer")
                .create(&json!({"companyName": "never sent"}))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!client.is_closed());
    client.close();
    assert!(client.is_closed());

    let e = second.await.unwrap().unwrap_err();
    match e.kind() {
        ErrorKind::LimiterClosed { method, path } => {
            assert_eq!(method, "POST");
            assert_eq!(path, "/services/rest/record/v1/customer");
        }
        other => panic!("expected LimiterClosed, got {other:?}"),
    }
    assert!(!e.is_transient() && !e.is_safe_to_resend(), "{e}");
    assert!(!e.may_have_been_applied(), "never sent: {e}");
    assert!(e.to_string().contains("closed"), "{e}");

    // A request already holding a slot finishes normally.
    let v = first
        .await
        .unwrap()
        .expect("the request in flight completes");
    assert_eq!(v["id"], "1");

    // Later requests fail the same way, without reaching NetSuite.
    let e = client.record("customer").get("2").send().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::LimiterClosed { .. }), "{e}");
    assert_eq!(mock.counters().requests, 1);
    assert_eq!(mock.record_count("customer"), 3);
}
