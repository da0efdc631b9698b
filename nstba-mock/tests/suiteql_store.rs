//! SuiteQL beside the record API under load (issue 13): a write costs the next query only the rows
//! it changed, a long query stalls no record request, and a type with more fields than SQLite's
//! column limit stays queryable.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

const R: &str = "/services/rest/record/v1";

fn customers(n: usize) -> impl Iterator<Item = Value> {
    (1..=n).map(|i| {
        json!({
            "companyName": format!("Company {i}"),
            "email": format!("c{i}@example.com"),
            "subsidiary": {"id": "1"},
            "balance": i as f64 * 1.5,
        })
    })
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_write_costs_the_next_query_only_the_rows_it_changed() {
    const N: usize = 20_000;
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .seed_records("customer", customers(N))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c.suiteql("SELECT COUNT(*) AS n FROM customer", "").await;
    assert_eq!(
        (s, v["items"][0]["n"].as_str()),
        (200, Some("20000")),
        "{v}"
    );
    let before = ns.counters();
    assert_eq!(before.suiteql_full_copies, 1, "{before:?}");

    // Create one, change one, delete one.
    let (s, _) = c
        .json(
            "POST",
            &format!("{R}/customer"),
            Some(json!({"companyName": "New Co", "email": "n@example.com"})),
        )
        .await;
    assert_eq!(s, 204);
    let new_id = N + 1;
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/5"),
            Some(json!({"companyName": "Renamed"})),
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = c.json("DELETE", &format!("{R}/customer/7"), None).await;
    assert_eq!(s, 204);

    let q =
        format!("SELECT id, companyname FROM customer WHERE id IN (5, 7, {new_id}) ORDER BY id");
    let (s, v) = c.suiteql(&q, "").await;
    assert_eq!(s, 200, "{v}");
    let rows = items(&v);
    assert_eq!(rows.len(), 2, "{v}");
    assert_eq!(rows[0]["companyname"], "Renamed");
    assert_eq!(rows[1]["id"], new_id.to_string());
    let (_, v) = c.suiteql("SELECT COUNT(*) AS n FROM customer", "").await;
    assert_eq!(v["items"][0]["n"], "20000");

    // Exactly the three rows were brought over; no copy of the 20 000, no view rebuilt.
    let after = ns.counters();
    assert_eq!(
        after.suiteql_rows_synced - before.suiteql_rows_synced,
        3,
        "{after:?}"
    );
    assert_eq!(
        after.suiteql_full_copies, before.suiteql_full_copies,
        "{after:?}"
    );
    assert_eq!(
        after.suiteql_views_rebuilt, before.suiteql_views_rebuilt,
        "{after:?}"
    );

    // A new field: one view rebuilt (from the learned shape, not a scan), one row synced.
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/9"),
            Some(json!({"custentity_tier": "gold", "parent": {"id": "5"}})),
        )
        .await;
    assert_eq!(s, 204);
    let (s, v) = c
        .suiteql(
            "SELECT custentity_tier, parent FROM customer WHERE id = 9",
            "",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(items(&v)[0]["custentity_tier"], "gold");
    assert_eq!(items(&v)[0]["parent"], "5");
    let last = ns.counters();
    assert_eq!(last.suiteql_rows_synced - after.suiteql_rows_synced, 1);
    assert_eq!(last.suiteql_views_rebuilt - after.suiteql_views_rebuilt, 1);
    assert_eq!(last.suiteql_full_copies, before.suiteql_full_copies);

    // Many writes between two queries: still one row each.
    for i in 100..150 {
        let (s, _) = c
            .json(
                "PATCH",
                &format!("{R}/customer/{i}"),
                Some(json!({"email": "x@example.com"})),
            )
            .await;
        assert_eq!(s, 204);
    }
    let (_, v) = c
        .suiteql(
            "SELECT COUNT(*) AS n FROM customer WHERE email = 'x@example.com'",
            "",
        )
        .await;
    assert_eq!(v["items"][0]["n"], "50");
    let end = ns.counters();
    assert_eq!(end.suiteql_rows_synced - last.suiteql_rows_synced, 50);
    assert_eq!(end.suiteql_full_copies, before.suiteql_full_copies);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_suiteql_stalls_no_record_request() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .query_timeout(Duration::from_secs(3))
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = std::sync::Arc::new(Client::new(&ns.base_url(), ns.credentials()));
    let slow = {
        let c = c.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let r = c
                .suiteql(
                    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) AS n FROM r",
                    "",
                )
                .await;
            (r, started.elapsed())
        })
    };
    // Wait until the query runs.
    let t = Instant::now();
    while ns.counters().in_flight == 0 && t.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    for i in 0..10 {
        let t = Instant::now();
        let (s, v) = c.json("GET", &format!("{R}/customer/1"), None).await;
        assert_eq!(s, 200, "{v}");
        let (s, _) = c
            .json(
                "POST",
                &format!("{R}/customer"),
                Some(json!({"companyName": format!("During {i}")})),
            )
            .await;
        assert_eq!(s, 204);
        let (s, _) = c
            .json(
                "PATCH",
                &format!("{R}/customer/1"),
                Some(json!({"phone": format!("555-{i}")})),
            )
            .await;
        assert_eq!(s, 204);
        let (s, _) = c
            .json(
                "GET",
                &format!("{R}/customer?q=companyName START_WITH \"During\""),
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert!(
            t.elapsed() < Duration::from_millis(1000),
            "{:?}",
            t.elapsed()
        );
    }
    let records_took = started.elapsed();
    assert!(
        !slow.is_finished(),
        "the slow query ended before the record requests"
    );
    let ((s, v), took) = slow.await.unwrap();
    assert_eq!(s, 400, "{v}");
    assert!(v.to_string().contains("ran too long"), "{v}");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(records_took < took, "{records_took:?} vs {took:?}");
    // The writes made meanwhile are visible to the next query.
    let (s, v) = c
        .suiteql(
            "SELECT COUNT(*) AS n FROM customer WHERE companyname LIKE 'During%'",
            "",
        )
        .await;
    assert_eq!((s, v["items"][0]["n"].as_str()), (200, Some("10")), "{v}");
}

#[tokio::test]
async fn more_fields_than_sqlite_columns_keep_the_type_queryable() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let mut body = Map::new();
    body.insert("companyName".into(), json!("Wide Co"));
    for i in 0..2_100 {
        body.insert(format!("custentity_f{i:04}"), json!(format!("v{i}")));
    }
    let (s, v) = c
        .json("POST", &format!("{R}/customer"), Some(Value::Object(body)))
        .await;
    assert_eq!(s, 204, "{v}");
    for _ in 0..2 {
        let (s, v) = c
            .suiteql("SELECT id, companyname, custentity_f0000 FROM customer WHERE companyname = 'Wide Co'", "")
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(items(&v)[0]["custentity_f0000"], "v0", "{v}");
        let (s, v) = c.suiteql("SELECT COUNT(*) AS n FROM customer", "").await;
        assert_eq!(s, 200, "{v}");
        // A field left out of the view: a clear error naming it, the type and the limit.
        let (s, v) = c
            .suiteql("SELECT c.custentity_f2099 FROM customer c", "")
            .await;
        assert_eq!(s, 400, "{v}");
        let text = v.to_string();
        assert!(
            text.contains("custentity_f2099") && text.contains("customer") && text.contains("1900"),
            "{text}"
        );
        // Another write in between, with new fields: still not poisoned.
        let (s, _) = c
            .json(
                "PATCH",
                &format!("{R}/customer/1"),
                Some(json!({"custentity_more": "x", "fax": "555-0100"})),
            )
            .await;
        assert_eq!(s, 204);
    }
    // Standard fields come first: a new one is queryable; a custom one past the limit is explained.
    let (s, v) = c.suiteql("SELECT fax FROM customer WHERE id = 1", "").await;
    assert_eq!(
        (s, items(&v)[0]["fax"].as_str()),
        (200, Some("555-0100")),
        "{v}"
    );
    let (s, v) = c
        .suiteql("SELECT custentity_more FROM customer WHERE id = 1", "")
        .await;
    assert_eq!(s, 400, "{v}");
    assert!(v.to_string().contains("Field 'custentity_more'"), "{v}");
}

#[tokio::test]
async fn with_a_database_file_nothing_is_copied_and_writes_are_seen() {
    let path = std::env::temp_dir().join(format!(
        "nstba-mock-suiteql-store-{}.sqlite",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .database_file(&path)
        .seed_records("customer", customers(500))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c.suiteql("SELECT COUNT(*) AS n FROM customer", "").await;
    assert_eq!((s, v["items"][0]["n"].as_str()), (200, Some("500")), "{v}");
    let before = ns.counters();
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/3"),
            Some(json!({"companyName": "Three", "custentity_x": "y"})),
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = c.json("DELETE", &format!("{R}/customer/4"), None).await;
    assert_eq!(s, 204);
    let (s, v) = c
        .suiteql(
            "SELECT id, companyname, custentity_x FROM customer WHERE id IN (3, 4)",
            "",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(items(&v).len(), 1, "{v}");
    assert_eq!(items(&v)[0]["custentity_x"], "y");
    let after = ns.counters();
    assert_eq!(after.suiteql_full_copies, 0, "{after:?}");
    assert_eq!(after.suiteql_rows_synced, 0, "{after:?}");
    assert_eq!(
        after.suiteql_views_rebuilt - before.suiteql_views_rebuilt,
        1
    );
    drop(ns);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
