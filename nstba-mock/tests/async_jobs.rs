//! Asynchronous requests (`Prefer: respond-async`), the job API, batches on collection URLs and
//! idempotency keys, through signed HTTP requests.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::{json, Value};
use std::time::Duration;

const R: &str = "/services/rest/record/v1";
const COLLECTION: &str = "application/vnd.oracle.resource+json; type=collection";

async fn mock(delay: Duration) -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .async_job_delay(delay)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    (ns, c)
}

/// The answer of a signed request with extra headers: status, headers, JSON body (Null if empty).
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn code(&self) -> &str {
        self.body["o:errorDetails"][0]["o:errorCode"]
            .as_str()
            .unwrap_or("")
    }
}

async fn send(
    c: &Client,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Value)>,
) -> Answer {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{}", c.base, path)
    };
    let mut req = c
        .http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            &url,
        )
        .header("Authorization", c.auth(method, &url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some((ct, b)) = body {
        req = req
            .header("Content-Type", ct)
            .body(serde_json::to_vec(&b).unwrap());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// Polls a job until it is completed (at most ~3 s).
async fn wait(c: &Client, job: &str) -> Value {
    for _ in 0..300 {
        let a = send(c, "GET", job, &[], None).await;
        assert_eq!(a.status, 200, "{}", a.body);
        if a.body["completed"] == true {
            return a.body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job} did not complete");
}

const ASYNC: (&str, &str) = ("Prefer", "respond-async");
const KEY: &str = "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b";

#[tokio::test]
async fn an_async_create_is_a_job_with_the_original_response_as_its_result() {
    let (ns, c) = mock(Duration::from_millis(300)).await;
    let before = ns.record_count("customer");
    let a = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[ASYNC],
        Some(("application/json", json!({"companyName": "Async Ltd"}))),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.header("preference-applied"), "respond-async");
    let job = a.header("location").to_owned();
    assert!(
        job.starts_with(&format!("{}/services/rest/async/v1/job/", ns.base_url())),
        "{job}"
    );
    // Pending while the delay runs: nothing written yet.
    let j = send(&c, "GET", &job, &[], None).await;
    assert_eq!(j.status, 200);
    assert_eq!(j.body["completed"], false, "{}", j.body);
    assert_eq!(j.body["progress"], "pending");
    assert_eq!(ns.record_count("customer"), before);
    let id = job.rsplit('/').next().unwrap();
    assert_eq!(j.body["id"], id);
    assert_eq!(j.body["links"][0]["href"], job.as_str());
    assert_eq!(j.body["task"]["links"][0]["href"], format!("{job}/task"));
    // A result asked for too early: 404.
    let early = send(&c, "GET", &format!("{job}/task/1/result"), &[], None).await;
    assert_eq!((early.status, early.code()), (404, "NONEXISTENT_ID"));

    let done = wait(&c, &job).await;
    assert_eq!(done["progress"], "succeeded", "{done}");
    assert_eq!(ns.record_count("customer"), before + 1);

    let tasks = send(&c, "GET", &format!("{job}/task"), &[], None).await;
    assert_eq!(tasks.status, 200);
    assert_eq!(tasks.body["count"], 1);
    let task_href = tasks.body["items"][0]["links"][0]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(task_href, format!("{job}/task/1"));
    let t = send(&c, "GET", &task_href, &[], None).await;
    assert_eq!(t.body["completed"], true);
    assert_eq!(t.body["progress"], "succeeded");
    let result_href = t.body["result"]["links"][0]["href"].as_str().unwrap();
    let r = send(&c, "GET", result_href, &[], None).await;
    assert_eq!(r.status, 204, "the synchronous create's answer");
    let location = r.header("location");
    let new_id = location.rsplit('/').next().unwrap();
    assert_eq!(
        ns.record("customer", new_id).unwrap()["companyName"],
        "Async Ltd"
    );
    // An unknown task, an unknown job: 404.
    let none = send(&c, "GET", &format!("{job}/task/2"), &[], None).await;
    assert_eq!(none.status, 404);
    let none = send(&c, "GET", "/services/rest/async/v1/job/999999", &[], None).await;
    assert_eq!((none.status, none.code()), (404, "NONEXISTENT_ID"));
}

#[tokio::test]
async fn a_failed_task_keeps_its_error_as_the_result() {
    let (_ns, c) = mock(Duration::ZERO).await;
    let a = send(
        &c,
        "PATCH",
        &format!("{R}/customer/424242"),
        &[ASYNC],
        Some(("application/json", json!({"companyName": "x"}))),
    )
    .await;
    assert_eq!(a.status, 202);
    let job = a.header("location").to_owned();
    let done = wait(&c, &job).await;
    assert_eq!(done["progress"], "failed");
    let r = send(&c, "GET", &format!("{job}/task/1/result"), &[], None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "NONEXISTENT_ID");
    // A read can run asynchronously too: its result is the record.
    let a = send(&c, "GET", &format!("{R}/customer/1"), &[ASYNC], None).await;
    assert_eq!(a.status, 202);
    let job = a.header("location").to_owned();
    wait(&c, &job).await;
    let r = send(&c, "GET", &format!("{job}/task/1/result"), &[], None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["companyName"], "Acme Corporation");
}

#[tokio::test]
async fn an_idempotency_key_runs_a_request_once_and_points_at_the_first_job() {
    let (ns, c) = mock(Duration::ZERO).await;
    let before = ns.record_count("customer");
    let body = json!({"companyName": "Once Inc", "externalId": "ONCE-1"});
    let first = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
        Some(("application/json", body.clone())),
    )
    .await;
    assert_eq!(first.status, 202, "{}", first.body);
    let job = first.header("location").to_owned();
    wait(&c, &job).await;
    for _ in 0..3 {
        let again = send(
            &c,
            "POST",
            &format!("{R}/customer"),
            &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
            Some(("application/json", body.clone())),
        )
        .await;
        assert_eq!(again.status, 400);
        assert_eq!(again.code(), "IDEMPOTENCY_ERROR");
        assert_eq!(
            again.body["o:errorDetails"][0]["detail"],
            "A request with the same idempotency key is already submitted."
        );
        assert_eq!(again.header("location"), job);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        ns.record_count("customer"),
        before + 1,
        "never a second write"
    );
    assert_eq!(
        ns.count_where("customer", "externalId", &json!("ONCE-1")),
        1
    );
    // Upper-case spelling of the same key is the same key.
    let again = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[
            ASYNC,
            ("X-NetSuite-Idempotency-Key", &KEY.to_ascii_uppercase()),
        ],
        Some(("application/json", body.clone())),
    )
    .await;
    assert_eq!(again.code(), "IDEMPOTENCY_ERROR");
    // Not a UUID v4: 400, nothing submitted.
    let jobs = ns.async_job_count();
    for bad in ["abc", "6f1c2a8e-3b4d-1e5f-9a0b-1c2d3e4f5a6b", ""] {
        let a = send(
            &c,
            "POST",
            &format!("{R}/customer"),
            &[ASYNC, ("X-NetSuite-Idempotency-Key", bad)],
            Some(("application/json", json!({"companyName": "bad key"}))),
        )
        .await;
        assert_eq!((a.status, a.code()), (400, "INVALID_PARAMETER"), "{bad:?}");
    }
    assert_eq!(ns.async_job_count(), jobs);
    // Synchronous requests ignore the key (even an invalid one): they just run.
    for key in [KEY, "abc"] {
        let a = send(
            &c,
            "POST",
            &format!("{R}/customer"),
            &[("X-NetSuite-Idempotency-Key", key)],
            Some(("application/json", json!({"companyName": "sync"}))),
        )
        .await;
        assert_eq!(a.status, 204, "{}", a.body);
    }
    assert_eq!(ns.count_where("customer", "companyName", &json!("sync")), 2);
}

#[tokio::test]
async fn the_same_key_sent_concurrently_writes_once() {
    let (ns, c) = mock(Duration::ZERO).await;
    let c = std::sync::Arc::new(c);
    let mut all = Vec::new();
    for _ in 0..16 {
        let c = c.clone();
        all.push(tokio::spawn(async move {
            send(
                &c,
                "POST",
                &format!("{R}/customer"),
                &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
                Some(("application/json", json!({"companyName": "Race"}))),
            )
            .await
        }));
    }
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for h in all {
        let a = h.await.unwrap();
        match a.status {
            202 => accepted.push(a.header("location").to_owned()),
            400 => refused.push(a.header("location").to_owned()),
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(accepted.len(), 1);
    assert!(refused.iter().all(|l| *l == accepted[0]));
    wait(&c, &accepted[0]).await;
    assert_eq!(ns.count_where("customer", "companyName", &json!("Race")), 1);
}

#[tokio::test]
async fn batches_run_one_task_per_item() {
    let (ns, c) = mock(Duration::ZERO).await;
    let items: Vec<Value> = (0..5)
        .map(|i| json!({"companyName": format!("Batch {i}"), "externalId": format!("B-{i}")}))
        .collect();
    let a = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[ASYNC],
        Some((COLLECTION, json!({ "items": items }))),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let job = a.header("location").to_owned();
    let done = wait(&c, &job).await;
    assert_eq!(done["progress"], "succeeded");
    let tasks = send(&c, "GET", &format!("{job}/task"), &[], None).await;
    assert_eq!(tasks.body["count"], 5);
    let mut ids = Vec::new();
    for i in 1..=5 {
        let r = send(&c, "GET", &format!("{job}/task/{i}/result"), &[], None).await;
        assert_eq!(r.status, 204);
        let id = r.header("location").rsplit('/').next().unwrap().to_owned();
        assert_eq!(
            ns.record("customer", &id).unwrap()["externalId"],
            format!("B-{}", i - 1),
            "tasks in item order"
        );
        ids.push(id);
    }

    // PATCH by id / externalId, PUT (upsert) by externalId, DELETE by id.
    let a = send(
        &c,
        "PATCH",
        &format!("{R}/customer"),
        &[ASYNC],
        Some((
            COLLECTION,
            json!({"items": [{"id": ids[0], "phone": "1"}, {"externalId": "B-1", "phone": "2"},
                             {"id": "999999", "phone": "3"}]}),
        )),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let job = a.header("location").to_owned();
    let done = wait(&c, &job).await;
    assert_eq!(done["progress"], "failed", "one item names no record");
    let t3 = send(&c, "GET", &format!("{job}/task/3"), &[], None).await;
    assert_eq!(t3.body["progress"], "failed");
    let t1 = send(&c, "GET", &format!("{job}/task/1"), &[], None).await;
    assert_eq!(t1.body["progress"], "succeeded");
    assert_eq!(ns.record("customer", &ids[0]).unwrap()["phone"], "1");
    assert_eq!(ns.record("customer", &ids[1]).unwrap()["phone"], "2");

    let a = send(
        &c,
        "PUT",
        &format!("{R}/customer"),
        &[ASYNC],
        Some((
            COLLECTION,
            json!({"items": [{"externalId": "B-2", "phone": "9"}, {"externalId": "B-NEW", "companyName": "New"}]}),
        )),
    )
    .await;
    assert_eq!(a.status, 202);
    wait(&c, a.header("location")).await;
    assert_eq!(ns.record("customer", &ids[2]).unwrap()["phone"], "9");
    assert_eq!(ns.count_where("customer", "externalId", &json!("B-NEW")), 1);

    let a = send(
        &c,
        "DELETE",
        &format!("{R}/customer"),
        &[ASYNC],
        Some((
            COLLECTION,
            json!({"items": [{"id": ids[3]}, {"externalId": "B-4"}]}),
        )),
    )
    .await;
    assert_eq!(a.status, 202);
    wait(&c, a.header("location")).await;
    assert!(ns.record("customer", &ids[3]).is_none());
    assert!(ns.record("customer", &ids[4]).is_none());
}

#[tokio::test]
async fn batches_are_refused_when_malformed_synchronous_or_too_large() {
    let (ns, c) = mock(Duration::ZERO).await;
    let count = ns.record_count("customer");
    let jobs = ns.async_job_count();
    let one = json!({"items": [{"companyName": "x"}]});
    // Without Prefer: respond-async.
    for method in ["POST", "PATCH", "PUT", "DELETE"] {
        let a = send(
            &c,
            method,
            &format!("{R}/customer"),
            &[],
            Some((COLLECTION, one.clone())),
        )
        .await;
        assert_eq!((a.status, a.code()), (400, "INVALID_REQUEST"), "{method}");
    }
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"companyName": i.to_string()}))
        .collect();
    for (ct, body, why) in [
        (COLLECTION, json!({ "items": too_many }), "101 items"),
        (COLLECTION, json!({"items": []}), "no items"),
        (COLLECTION, json!({"items": [1]}), "not an object"),
        (COLLECTION, json!([{"companyName": "x"}]), "not {items}"),
        (
            "application/json",
            one.clone(),
            "PATCH without the collection type",
        ),
    ] {
        let method = if why.starts_with("PATCH") {
            "PATCH"
        } else {
            "POST"
        };
        let a = send(
            &c,
            method,
            &format!("{R}/customer"),
            &[ASYNC],
            Some((ct, body)),
        )
        .await;
        assert_eq!(
            (a.status, a.code()),
            (400, "INVALID_CONTENT"),
            "{why}: {}",
            a.body
        );
    }
    // An item of a PATCH batch needs an id or externalId; of a PUT batch an externalId.
    for method in ["PATCH", "PUT", "DELETE"] {
        let a = send(
            &c,
            method,
            &format!("{R}/customer"),
            &[ASYNC],
            Some((COLLECTION, json!({"items": [{"phone": "1"}]}))),
        )
        .await;
        assert_eq!((a.status, a.code()), (400, "INVALID_CONTENT"), "{method}");
    }
    // 100 items are fine.
    let hundred: Vec<Value> = (0..100)
        .map(|i| json!({"companyName": format!("H{i}")}))
        .collect();
    let a = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[ASYNC],
        Some((COLLECTION, json!({ "items": hundred }))),
    )
    .await;
    assert_eq!(a.status, 202);
    wait(&c, a.header("location")).await;
    assert_eq!(ns.record_count("customer"), count + 100);
    assert_eq!(ns.async_job_count(), jobs + 1);
}

#[tokio::test]
async fn old_jobs_are_forgotten_with_their_keys() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .async_job_delay(Duration::ZERO)
        .async_job_retention(2)
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let mut jobs = Vec::new();
    for i in 0..3 {
        let a = send(
            &c,
            "POST",
            &format!("{R}/customer"),
            &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
            Some(("application/json", json!({"companyName": i.to_string()}))),
        )
        .await;
        if i == 0 {
            assert_eq!(a.status, 202);
            jobs.push(a.header("location").to_owned());
        } else {
            assert_eq!(a.status, 400, "the key is still remembered");
        }
    }
    for i in 0..2 {
        let a = send(
            &c,
            "POST",
            &format!("{R}/customer"),
            &[ASYNC],
            Some(("application/json", json!({"companyName": format!("n{i}")}))),
        )
        .await;
        assert_eq!(a.status, 202);
        jobs.push(a.header("location").to_owned());
    }
    assert_eq!(ns.async_job_count(), 2);
    let gone = send(&c, "GET", &jobs[0], &[], None).await;
    assert_eq!(gone.status, 404, "the oldest job was forgotten");
    wait(&c, &jobs[2]).await;
    // Forgotten with its job, the key may be used again.
    let a = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
        Some(("application/json", json!({"companyName": "again"}))),
    )
    .await;
    assert_eq!(a.status, 202);
}

#[tokio::test]
async fn suiteql_and_transforms_run_asynchronously_too() {
    let (ns, c) = mock(Duration::ZERO).await;
    let a = send(
        &c,
        "POST",
        "/services/rest/query/v1/suiteql?limit=5",
        &[("Prefer", "respond-async, transient")],
        Some((
            "application/json",
            json!({"q": "SELECT id FROM customer ORDER BY id"}),
        )),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let job = a.header("location").to_owned();
    wait(&c, &job).await;
    let r = send(&c, "GET", &format!("{job}/task/1/result"), &[], None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"][0]["id"], "1");

    let invoices = ns.record_count("invoice");
    let a = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/3/!transform/invoice"),
        &[ASYNC],
        None,
    )
    .await;
    assert_eq!(a.status, 202);
    let job = a.header("location").to_owned();
    assert_eq!(wait(&c, &job).await["progress"], "succeeded");
    let r = send(&c, "GET", &format!("{job}/task/1/result"), &[], None).await;
    assert_eq!(r.status, 204);
    assert!(r.header("location").contains("/invoice/"));
    assert_eq!(ns.record_count("invoice"), invoices + 1);
    // Job and governance resources are not themselves run as jobs.
    let g = send(
        &c,
        "GET",
        "/services/rest/system/v1/governanceLimits",
        &[ASYNC],
        None,
    )
    .await;
    assert_eq!(g.status, 200);
    let j = send(&c, "GET", &job, &[ASYNC], None).await;
    assert_eq!(j.status, 200);
}

#[tokio::test]
async fn jobs_and_keys_belong_to_their_account() {
    let creds = |account: &str, tk: &str| {
        nstba_core::Credentials::new(
            nstba_core::AccountId::parse(account).unwrap(),
            "ck_a",
            "cs_a",
            tk,
            "ts_x",
        )
        .unwrap()
    };
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .async_job_delay(Duration::ZERO)
        .credentials(creds("1111111", "tk_a"))
        .credentials(creds("2222222_SB2", "tk_b"))
        .start()
        .await
        .unwrap();
    let a = Client::new(&ns.base_url(), creds("1111111", "tk_a"));
    let b = Client::new(&ns.base_url(), creds("2222222_SB2", "tk_b"));
    let mut jobs = Vec::new();
    for (client, name) in [(&a, "A"), (&b, "B")] {
        let body = json!({ "companyName": name });
        let r = send(
            client,
            "POST",
            &format!("{R}/customer"),
            &[ASYNC, ("X-NetSuite-Idempotency-Key", KEY)],
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(
            r.status, 202,
            "the same key in another account is another key"
        );
        jobs.push(r.header("location").to_owned());
    }
    wait(&a, &jobs[0]).await;
    wait(&b, &jobs[1]).await;
    let other = send(&b, "GET", &jobs[0], &[], None).await;
    assert_eq!((other.status, other.code()), (404, "NONEXISTENT_ID"));
    let other = send(&a, "GET", &format!("{}/task/1/result", jobs[1]), &[], None).await;
    assert_eq!(other.status, 404);
}
