//! The faults that make "the write landed but the caller cannot tell" testable: a connection dropped
//! after the request was processed, and a client that gives up while the server keeps processing.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::{Fault, FaultKind, MockNetSuite};
use serde_json::{json, Value};
use std::time::Duration;

const R: &str = "/services/rest/record/v1";

async fn create(c: &Client, name: &str) -> Result<u16, reqwest::Error> {
    let url = format!("{}{R}/customer", c.base);
    let r = c
        .http
        .post(&url)
        .header("Authorization", c.auth("POST", &url))
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&json!({ "companyName": name })).unwrap())
        .send()
        .await?;
    Ok(r.status().as_u16())
}

#[tokio::test]
async fn every_nth_answer_is_dropped_after_the_write_landed() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .fault(Fault::drop_after_processing().every(5).path(R))
        .start()
        .await
        .unwrap();
    assert_eq!(
        Fault::drop_after_processing().kind(),
        FaultKind::DropAfterProcessing
    );
    let c = Client::new(&ns.base_url(), ns.credentials());
    let mut lost = Vec::new();
    for i in 1..=20 {
        match create(&c, &format!("C{i}")).await {
            Ok(s) => assert_eq!(s, 204, "request {i}"),
            Err(e) => {
                assert!(!e.is_status(), "{e}");
                lost.push(i);
            }
        }
    }
    assert_eq!(lost, [5, 10, 15, 20], "every 5th answer is lost");
    // …but every one of the 20 writes landed, once.
    assert_eq!(ns.record_count("customer"), 20);
    for i in 1..=20 {
        assert_eq!(
            ns.count_where("customer", "companyName", &json!(format!("C{i}"))),
            1
        );
    }
    assert!(ns.duplicates_of("customer", "companyName").is_empty());
    assert_eq!(ns.counters().faulted, 4);
    // Paths outside the rule are untouched; a request that never reaches a handler (401) neither.
    let r = c
        .http
        .get(format!("{}{R}/customer/1", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn a_fraction_of_dropped_answers_is_the_same_for_the_same_seed() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let ns = MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .fault(Fault::drop_after_processing().fraction(0.3).seed(7))
            .start()
            .await
            .unwrap();
        let c = Client::new(&ns.base_url(), ns.credentials());
        let mut lost = Vec::new();
        for i in 0..30 {
            if create(&c, &format!("F{i}")).await.is_err() {
                lost.push(i);
            }
        }
        assert_eq!(ns.record_count("customer"), 30, "every write landed");
        runs.push(lost);
    }
    assert!(!runs[0].is_empty() && runs[0].len() < 30, "{:?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn a_client_that_times_out_does_not_cancel_the_write() {
    for ns in [
        MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .latency(Duration::from_millis(300)),
        MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .fault(Fault::delay(Duration::from_millis(300))),
    ] {
        let ns = ns.start().await.unwrap();
        let mut c = Client::new(&ns.base_url(), ns.credentials());
        c.http = reqwest::Client::builder()
            .timeout(Duration::from_millis(80))
            .build()
            .unwrap();
        let e = create(&c, "Slow Ltd").await.unwrap_err();
        assert!(e.is_timeout(), "{e}");
        assert_eq!(ns.record_count("customer"), 0, "not yet");
        // The server finishes the request the client gave up on.
        let mut landed = false;
        for _ in 0..100 {
            if ns.count_where("customer", "companyName", &json!("Slow Ltd")) == 1 {
                landed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(landed, "the write landed after the client's timeout");
        assert_eq!(ns.record_count("customer"), 1);
    }
}

/// What the exactly-once API does over a lossy connection: async + an idempotency key, resent
/// with the same key when the answer is lost, then the job's result.
#[tokio::test]
async fn async_with_an_idempotency_key_is_exactly_once_over_dropped_answers() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(20)
        .async_job_delay(Duration::ZERO)
        .fault(Fault::drop_after_processing().every(3))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let url = format!("{}{R}/customer", c.base);
    for i in 0..30u32 {
        let key = format!("00000000-0000-4000-8000-{i:012}");
        let body = serde_json::to_vec(
            &json!({"companyName": format!("E{i}"), "externalId": format!("E-{i}")}),
        )
        .unwrap();
        let mut job = None;
        for _attempt in 0..5 {
            let sent = c
                .http
                .post(&url)
                .header("Authorization", c.auth("POST", &url))
                .header("Prefer", "respond-async")
                .header("X-NetSuite-Idempotency-Key", &key)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let Ok(r) = sent else { continue };
            let status = r.status().as_u16();
            let location = r.headers()["location"].to_str().unwrap().to_owned();
            if status == 400 {
                let v: Value = r.json().await.unwrap();
                assert_eq!(v["o:errorDetails"][0]["o:errorCode"], "IDEMPOTENCY_ERROR");
            } else {
                assert_eq!(status, 202);
            }
            job = Some(location);
            break;
        }
        let job = job.expect("a job within 5 attempts");
        // Poll the result (polls may lose their answers too: just ask again).
        let mut result = None;
        for _ in 0..200 {
            let rurl = format!("{job}/task/1/result");
            if let Ok(r) = c
                .http
                .get(&rurl)
                .header("Authorization", c.auth("GET", &rurl))
                .send()
                .await
            {
                if r.status() == 204 {
                    result = Some(r.headers()["location"].to_str().unwrap().to_owned());
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let location = result.expect("the job's result");
        let id = location.rsplit('/').next().unwrap();
        assert_eq!(
            ns.record("customer", id).unwrap()["companyName"],
            format!("E{i}")
        );
    }
    assert_eq!(ns.record_count("customer"), 30, "30 records, no duplicate");
    assert!(ns.duplicates_of("customer", "externalId").is_empty());
    assert!(ns.counters().faulted > 0);
}

#[tokio::test]
async fn a_method_selector_limits_a_rule_to_that_method() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .fault(Fault::drop_after_processing().method("post"))
        .fault(Fault::status(503).method("DELETE"))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    for i in 0..3 {
        assert!(
            create(&c, &format!("M{i}")).await.is_err(),
            "every POST answer is lost"
        );
    }
    assert_eq!(ns.record_count("customer"), 3, "…after each create landed");
    for _ in 0..3 {
        let (s, v) = c.json("GET", &format!("{R}/customer/1"), None).await;
        assert_eq!(s, 200, "reads are untouched");
        assert_eq!(v["companyName"], "M0");
    }
    let (s, _) = c.json("DELETE", &format!("{R}/customer/1"), None).await;
    assert_eq!(s, 503);
    assert_eq!(
        ns.record_count("customer"),
        3,
        "the 503 came before the handler"
    );
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/1"),
            Some(json!({"phone": "1"})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(ns.counters().faulted, 4);
}
