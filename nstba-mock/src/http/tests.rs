//! Server tests that need the crate's internals (the store's query hook).

use crate::{FixedClock, MockNetSuite};
use nstba_core::{Request, Stamp};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

const NOW: u64 = 1_700_000_000;

/// Signs and sends one request with a fresh nonce.
async fn send(
    ns: &MockNetSuite,
    nonces: &AtomicU64,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", ns.base_url());
    let nonce = format!("nonce{:08}", nonces.fetch_add(1, Ordering::SeqCst));
    let auth = ns
        .credentials()
        .key()
        .authorization(
            &Request::new(method, &url),
            &Stamp::new(NOW, &nonce).unwrap(),
        )
        .unwrap();
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), &url)
        .header("Authorization", auth)
        .header("Prefer", "transient");
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A SuiteQL query parked inside the store (holding the query connection) must not hold up record
/// reads and writes: they complete while the query is still running, which then completes too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_requests_complete_while_a_suiteql_query_runs() {
    let ns = Arc::new(
        MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .demo_data()
            .start()
            .await
            .unwrap(),
    );
    let nonces = Arc::new(AtomicU64::new(0));
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, release_rx) = (Mutex::new(started_tx), Mutex::new(release_rx));
    *ns.server.app.store.query_hook.lock().unwrap() = Some(Arc::new(move || {
        let _ = started_tx.lock().unwrap().send(());
        // Bounded, so that a regression fails the test instead of hanging it.
        let _ = release_rx
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(10));
    }));

    let slow = tokio::spawn({
        let (ns, nonces) = (ns.clone(), nonces.clone());
        async move {
            send(
                &ns,
                &nonces,
                "POST",
                "/services/rest/query/v1/suiteql",
                Some(json!({"q": "SELECT id FROM customer ORDER BY id"})),
            )
            .await
        }
    });
    tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the query reached the store");

    let r = "/services/rest/record/v1";
    let (s, v) = send(&ns, &nonces, "GET", &format!("{r}/customer/1"), None).await;
    assert_eq!((s, &v["companyName"]), (200, &json!("Acme Corporation")));
    let (s, _) = send(
        &ns,
        &nonces,
        "PATCH",
        &format!("{r}/customer/2"),
        Some(json!({"comments": "written while a query runs"})),
    )
    .await;
    assert_eq!(s, 204);
    let (s, v) = send(&ns, &nonces, "GET", &format!("{r}/customer?limit=5"), None).await;
    assert_eq!((s, v["count"].as_u64()), (200, Some(5)));
    assert!(
        !slow.is_finished(),
        "the record requests completed only after the query"
    );

    release_tx.send(()).unwrap();
    let (s, v) = slow.await.unwrap();
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["id"], "1");
    assert_eq!(ns.counters().in_flight, 0);
}
