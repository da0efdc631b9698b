//! Every operation of issue 12 against the emulator: the raw request builder, transform, record
//! actions, attach/detach, async writes and jobs (resumed by id and by key), batches, governance
//! limits, list `fields`/`expand`, and which writes are resent after a lost answer.

use futures_util::TryStreamExt;
use nstba_client::{
    new_idempotency_key, Client, ErrorKind, JobPolling, Method, RecordId, RetryPolicy, TaskResult,
};
use nstba_mock::{Fault, MockNetSuite, RestletError};
use serde_json::{json, Value};
use std::time::Duration;

#[path = "support/mock_client.rs"]
mod mock_client;

const R: &str = "/services/rest/record/v1";

fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(8)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(20))
}

fn quick_polling() -> JobPolling {
    JobPolling::default()
        .initial(Duration::from_millis(5))
        .max(Duration::from_millis(20))
        .timeout(Duration::from_secs(20))
}

fn client_for(ns: &MockNetSuite) -> Client {
    mock_client::client_with(ns, quick_retry())
}

async fn demo() -> (MockNetSuite, Client) {
    demo_with(MockNetSuite::builder()).await
}

async fn demo_with(builder: nstba_mock::MockBuilder) -> (MockNetSuite, Client) {
    let ns = builder
        .demo_data()
        .concurrency_limit(10)
        .async_job_delay(Duration::from_millis(5))
        .restlet("customscript_echo", "1", |call| {
            if call.param("fail") == Some("yes") {
                return Err(RestletError::new("SSS_MISSING_REQD_ARGUMENT", "missing id"));
            }
            Ok(json!({"method": call.method, "params": call.params, "body": call.body}))
        })
        .start()
        .await
        .expect("emulator");
    let client = client_for(&ns);
    (ns, client)
}

#[tokio::test]
async fn raw_requests_go_through_the_client() {
    let (ns, client) = demo().await;
    // GET with query parameters (signed with them).
    let page = client
        .request(Method::GET, format!("{R}/customer"))
        .query("limit", "2")
        .query("q", "companyName START_WITH \"A\"")
        .send()
        .await
        .expect("list");
    assert_eq!(page.status(), 200);
    let doc: Value = page.json().expect("json");
    assert!(
        doc["items"].as_array().is_some_and(|i| !i.is_empty()),
        "{doc}"
    );
    assert!(page.header("content-type").is_some());

    // A query in the path works too.
    let page: Value = client
        .request(Method::GET, format!("{R}/customer?limit=1"))
        .send()
        .await
        .expect("list")
        .json()
        .unwrap();
    assert_eq!(page["count"], 1);

    // POST JSON: 204 + Location.
    let created = client
        .request(Method::POST, format!("{R}/customer"))
        .json(&json!({"companyName": "Raw Co"}))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 204);
    let id = created.location_id().expect("id in Location");
    assert_eq!(
        ns.record("customer", id.as_str()).unwrap()["companyName"],
        "Raw Co"
    );
    assert!(created
        .location()
        .unwrap()
        .ends_with(&format!("/customer/{id}")));

    // Headers reach the server: strict property names reject a misspelled field.
    let e = client
        .request(Method::PATCH, format!("{R}/customer/{id}"))
        .header("X-NetSuite-PropertyNameValidation", "Error")
        .json(&json!({"companyNaem": "x"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(e.method(), Some("PATCH"));

    // A NetSuite error is an Error with its codes, method and path.
    let e = client
        .request(Method::GET, format!("{R}/customer/999999"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.codes(), vec!["NONEXISTENT_ID"], "{e}");
    assert_eq!(e.path(), Some("/services/rest/record/v1/customer/999999"));

    // RESTlets: the RESTlet base, params signed, JSON body.
    let echo: Value = client
        .restlet_request(Method::POST, "/app/site/hosting/restlet.nl")
        .query("script", "customscript_echo")
        .query("deploy", "1")
        .query("tag", "a b")
        .json(&json!({"n": 1}))
        .send()
        .await
        .expect("restlet")
        .json()
        .unwrap();
    assert_eq!(echo["method"], "POST");
    let params = echo["params"].to_string();
    assert!(params.contains("tag") && params.contains("a b"), "{params}");
    assert_eq!(echo["body"]["n"], 1);

    // Form bodies are sent as such.
    let echo: Value = client
        .restlet_request(Method::POST, "/app/site/hosting/restlet.nl")
        .query("script", "customscript_echo")
        .query("deploy", "1")
        .form([("a", "1"), ("b", "x y")])
        .send()
        .await
        .expect("restlet form")
        .json()
        .unwrap();
    assert_eq!(echo["method"], "POST", "{echo}");

    // Builder mistakes are reported before anything is sent.
    let before = ns.counters().requests;
    for (req, what) in [
        (client.request(Method::GET, "services/rest"), "path"),
        (client.request(Method::GET, "/a/../b"), "path"),
        (
            client
                .request(Method::GET, "/x")
                .header("Authorization", "x"),
            "header",
        ),
        (
            client.request(Method::GET, "/x").header("bad header", "x"),
            "header",
        ),
    ] {
        let e = req.send().await.unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::InvalidInput { what: w, .. } if *w == what),
            "{e}"
        );
    }
    assert_eq!(ns.counters().requests, before);
}

#[tokio::test]
async fn a_sales_order_transforms_into_a_fulfillment_and_an_invoice() {
    let (ns, client) = demo().await;
    let orders = client.record("salesOrder");
    let fulfillment = orders
        .transform("1", "itemFulfillment")
        .send()
        .await
        .expect("fulfillment");
    let f = ns
        .record("itemFulfillment", fulfillment.as_str())
        .expect("stored");
    assert_eq!(f["createdFrom"]["id"], "1", "{f}");

    let invoice = orders
        .transform("1", "invoice")
        .body(&json!({"memo": "billed by nstba"}))
        .send()
        .await
        .expect("invoice");
    let inv: Value = client
        .record("invoice")
        .get(&invoice)
        .send()
        .await
        .expect("get invoice");
    assert_eq!(inv["memo"], "billed by nstba");

    // Async too: the job's result is the new id.
    let cash_sale = orders
        .transform("1", "cashSale")
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("async transform");
    assert!(ns.record("cashSale", cash_sale.as_str()).is_some());

    // A pair NetSuite does not transform; a bad target name is refused before sending.
    let e = orders
        .transform("1", "vendorBill")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.codes(), vec!["USER_ERROR"], "{e}");
    assert!(!e.may_have_been_applied());
    let e = orders.transform("1", "in/voice").send().await.unwrap_err();
    assert!(
        matches!(
            e.kind(),
            ErrorKind::InvalidInput {
                what: "target_type",
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn record_actions_approve_and_reject() {
    let (ns, client) = demo().await;
    let pending = ns.insert_record(
        "salesOrder",
        json!({"entity": {"id": "1"}, "status": {"id": "A", "refName": "Pending Approval"},
               "item": {"items": [{"item": {"id": "1"}, "quantity": 1}]}}),
    );
    let orders = client.record("salesOrder");
    orders
        .action(pending.as_str(), "approve")
        .send()
        .await
        .expect("approve");
    let so = ns.record("salesOrder", &pending).unwrap();
    assert_eq!(so["approvalStatus"]["id"], "2", "{so}");
    // Approved: it can be fulfilled now; a second decision is refused.
    orders
        .transform(pending.as_str(), "itemFulfillment")
        .send()
        .await
        .expect("fulfil");
    let e = orders
        .action(pending.as_str(), "@reject")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.codes(), vec!["USER_ERROR"], "{e}");

    let other = ns.insert_record(
        "salesOrder",
        json!({"entity": {"id": "1"}, "status": {"id": "A", "refName": "Pending Approval"}}),
    );
    orders
        .action(other.as_str(), "reject")
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("async reject");
    assert_eq!(
        ns.record("salesOrder", &other).unwrap()["approvalStatus"]["id"],
        "3"
    );
    let e = orders.action("1", "explode").send().await.unwrap_err();
    assert_eq!(e.codes(), vec!["INVALID_PARAMETER"], "{e}");
}

#[tokio::test]
async fn contacts_and_files_attach_and_detach() {
    let (ns, client) = demo().await;
    let alice = ns.insert_record("contact", json!({"entityId": "Alice"}));
    let file = ns.insert_record("file", json!({"name": "contract.pdf"}));
    let customers = client.record("customer");
    customers
        .attach("1", "contact", alice.as_str())
        .role("-10")
        .send()
        .await
        .expect("attach contact");
    customers
        .attach("1", "file", file.as_str())
        .send()
        .await
        .expect("attach file");
    let roles = customers
        .sublist::<Value>("1", "contactRoles")
        .send()
        .await
        .expect("contactRoles");
    assert_eq!(roles.items()[0]["contact"]["id"], alice.as_str());
    assert_eq!(roles.items()[0]["role"]["id"], "-10");
    let files = customers
        .sublist::<Value>("1", "files")
        .send()
        .await
        .unwrap();
    assert_eq!(files.items()[0]["file"]["id"], file.as_str());

    customers
        .detach("1", "contact", alice.as_str())
        .send()
        .await
        .expect("detach");
    let roles = customers
        .sublist::<Value>("1", "contactRoles")
        .send()
        .await
        .unwrap();
    assert!(roles.items().is_empty());

    // Only contacts and files, refused before sending.
    let before = ns.counters().requests;
    let e = customers
        .attach("1", "customer", "2")
        .send()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("only contacts and files"), "{e}");
    assert_eq!(ns.counters().requests, before);
    let e = customers
        .attach("1", "contact", "9999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
}

#[tokio::test]
async fn async_writes_wait_for_their_jobs() {
    let (ns, client) = demo().await;
    let customers = client.record("customer");
    // Create: the job's result is the new id.
    let write = customers
        .create(&json!({"companyName": "Async Co"}))
        .respond_async()
        .polling(quick_polling());
    let key = write.key().to_owned();
    assert_eq!(key.len(), 36);
    let job = write.submit().await.expect("submit");
    assert!(!job.id().is_empty());
    assert_eq!(job.key(), Some(key.as_str()));
    let id = job.wait().await.expect("job");
    assert_eq!(
        ns.record("customer", id.as_str()).unwrap()["companyName"],
        "Async Co"
    );

    // Update, upsert, delete.
    customers
        .update(&id, &json!({"email": "async@example.com"}))
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("update");
    assert_eq!(
        ns.record("customer", id.as_str()).unwrap()["email"],
        "async@example.com"
    );
    customers
        .upsert("ASYNC-1", &json!({"companyName": "Upserted async"}))
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("upsert");
    assert_eq!(
        ns.count_where("customer", "externalId", &json!("ASYNC-1")),
        1
    );
    customers
        .delete(&id)
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("delete");
    assert!(ns.record("customer", id.as_str()).is_none());

    // A failed task is its NetSuite error.
    let e = customers
        .update("999999", &json!({"email": "x@example.com"}))
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.codes(), vec!["NONEXISTENT_ID"], "{e}");

    // The raw builder can go async too: raw task results.
    let tasks: Vec<TaskResult> = client
        .request(Method::POST, format!("{R}/customer"))
        .json(&json!({"companyName": "Raw async"}))
        .respond_async()
        .polling(quick_polling())
        .send()
        .await
        .expect("raw async");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].status(), 204);
    assert!(tasks[0].location_id().is_some());

    // Headers set by hand: the second send with the same key answers with the first job.
    let key = new_idempotency_key();
    let send = || {
        client
            .request(Method::POST, format!("{R}/customer"))
            .header("Prefer", "respond-async")
            .header("X-NetSuite-Idempotency-Key", &key)
            .json(&json!({"companyName": "Keyed by hand"}))
            .send()
    };
    let first = send().await.expect("first");
    assert_eq!(first.status(), 202);
    let second = send().await.expect("second");
    assert_eq!(second.status(), 400);
    assert_eq!(second.location(), first.location());
}

#[tokio::test]
async fn jobs_resume_by_id_and_by_key_without_a_second_write() {
    let (ns, client) = demo().await;
    let customers = client.record("customer");
    let body = json!({"companyName": "Resumed Co"});
    let key = new_idempotency_key();
    let job = customers
        .create_once(&body)
        .idempotency_key(&key)
        .submit()
        .await
        .expect("submit");
    let job_id = job.id().to_owned();
    drop(job); // "the process restarts"

    // By id: a Job of the type the synchronous call returns.
    let id: RecordId = client
        .job::<RecordId>(&job_id)
        .polling(quick_polling())
        .wait()
        .await
        .expect("resumed by id");
    let status = client
        .job::<RecordId>(&job_id)
        .status()
        .await
        .expect("status");
    assert!(status.completed && !status.failed(), "{status:?}");
    assert_eq!(status.progress, "succeeded");

    // By key: the same write with the same key resolves to the same job and the same record.
    let again = customers
        .create_once(&body)
        .idempotency_key(&key)
        .polling(quick_polling())
        .submit()
        .await
        .expect("resubmit");
    assert_eq!(again.id(), job_id);
    assert_eq!(again.wait().await.expect("same outcome"), id);
    assert_eq!(
        ns.count_where("customer", "companyName", &json!("Resumed Co")),
        1
    );

    // A key that is not a UUID is refused before sending; an unknown job is a NetSuite 404.
    let e = customers
        .create_once(&body)
        .idempotency_key("not-a-key")
        .send()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a UUID"), "{e}");
    let e = client.job::<RecordId>("424242").status().await.unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
    let e = client.job::<RecordId>("../x").status().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
}

#[tokio::test]
async fn batches_give_one_result_per_record() {
    let (ns, client) = demo().await;
    let customers = client.record("customer");
    let records = vec![
        json!({"companyName": "Batch A"}),
        json!({"companyName": "Batch B"}),
        json!({"companyName": "Batch C"}),
    ];
    let results = customers
        .create_batch(&records)
        .polling(quick_polling())
        .send()
        .await
        .expect("batch");
    assert_eq!(results.len(), 3);
    for (r, name) in results.iter().zip(["Batch A", "Batch B", "Batch C"]) {
        let id = r.as_ref().expect("created");
        assert_eq!(
            ns.record("customer", id.as_str()).unwrap()["companyName"],
            name
        );
    }
    let ids: Vec<RecordId> = results.into_iter().map(|r| r.unwrap()).collect();

    // Update, upsert and delete batches: one result per item, a bad item fails alone.
    let patches = vec![
        json!({"id": ids[0].as_str(), "email": "a@example.com"}),
        json!({"id": "999999", "email": "nobody@example.com"}),
    ];
    let results = customers
        .update_batch(&patches)
        .polling(quick_polling())
        .send()
        .await
        .expect("update batch");
    assert!(results[0].is_ok(), "{:?}", results[0]);
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.codes(), vec!["NONEXISTENT_ID"], "{e}");
    assert_eq!(
        ns.record("customer", ids[0].as_str()).unwrap()["email"],
        "a@example.com"
    );
    let results = customers
        .upsert_batch(&[json!({"externalId": "BATCH-UP", "companyName": "Batch Up"})])
        .polling(quick_polling())
        .send()
        .await
        .expect("upsert batch");
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(
        ns.count_where("customer", "externalId", &json!("BATCH-UP")),
        1
    );
    let keys: Vec<nstba_client::RecordKey> = vec![ids[1].clone().into(), ids[2].clone().into()];
    let results = customers
        .delete_batch(&keys)
        .polling(quick_polling())
        .send()
        .await
        .expect("delete batch");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(ns.record("customer", ids[1].as_str()).is_none());
    assert!(ns.record("customer", ids[2].as_str()).is_none());

    let too_many = vec![json!({"companyName": "x"}); 101];
    let e = customers.create_batch(&too_many).send().await.unwrap_err();
    assert!(e.to_string().contains("1 to 100"), "{e}");
    let e = customers
        .create_batch::<Value>(&[])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
}

#[tokio::test]
async fn governance_limits_size_the_client() {
    let (ns, client) = demo().await;
    let limits = client.governance_limits().await.expect("limits");
    assert_eq!(limits.account_concurrency_limit, 10);
    assert_eq!(
        limits.integration_limit_type.as_deref(),
        Some("accountLimit")
    );
    assert_eq!(limits.concurrency(), 10);
    let (sized, limits) = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .concurrency(2)
        .build_sized_by_governance()
        .await
        .expect("sized");
    assert_eq!(sized.concurrency(), limits.concurrency());
    assert_eq!(sized.concurrency(), 10);
}

#[tokio::test]
async fn listed_records_take_fields_and_expansion() {
    let (_ns, client) = demo().await;
    let some: Vec<Value> = client
        .record("customer")
        .list()
        .page_size(3)
        .fields(["companyName"])
        .records()
        .try_collect()
        .await
        .expect("records");
    assert!(!some.is_empty());
    for r in &some {
        assert!(r.get("companyName").is_some(), "{r}");
        assert!(r.get("email").is_none(), "only the asked fields: {r}");
    }
    let orders: Vec<Value> = client
        .record("salesOrder")
        .list()
        .expand_sub_resources(true)
        .records()
        .try_collect()
        .await
        .expect("orders");
    assert!(
        orders
            .iter()
            .any(|o| o["item"]["items"].as_array().is_some_and(|i| !i.is_empty())),
        "item lines inline"
    );
}

/// The lines of the customer's `addressbook` sublist as stored.
fn address_lines(ns: &MockNetSuite, eid: &str) -> usize {
    ns.records_of("customer")
        .iter()
        .find(|r| r["externalId"] == eid)
        .and_then(|r| r["addressbook"]["items"].as_array().map(Vec::len))
        .unwrap_or(0)
}

#[tokio::test]
async fn writes_adding_lines_are_never_resent_after_a_lost_answer() {
    // Every PUT's answer is lost once the emulator has stored it.
    let (ns, client) = demo_with(
        MockNetSuite::builder().fault(
            Fault::drop_after_processing()
                .times(1)
                .path(format!("{R}/customer/eid:LINES-1")),
        ),
    )
    .await;
    let customers = client.record("customer");
    let body = json!({"companyName": "Lines Co",
                      "addressbook": {"items": [{"label": "HQ"}, {"label": "Depot"}]}});
    let e = customers.upsert("LINES-1", &body).send().await.unwrap_err();
    assert!(e.may_have_been_applied(), "{e}");
    assert!(!e.is_safe_to_resend(), "{e}");
    assert!(e.to_string().contains("may have been applied"), "{e}");
    assert_eq!(
        address_lines(&ns, "LINES-1"),
        2,
        "sent once, lines stored once"
    );

    // Replacing the sublist is idempotent: resent after the lost answer, done.
    let (ns, client) = demo_with(
        MockNetSuite::builder().fault(
            Fault::drop_after_processing()
                .times(1)
                .path(format!("{R}/customer/eid:LINES-2")),
        ),
    )
    .await;
    client
        .record("customer")
        .upsert("LINES-2", &body)
        .replace(["addressbook"])
        .send()
        .await
        .expect("an idempotent upsert is resent");
    assert_eq!(address_lines(&ns, "LINES-2"), 2);

    // upsert_once: lines added through an async job with a key, exactly once across lost answers.
    let (ns, client) = demo_with(
        MockNetSuite::builder().fault(Fault::drop_after_processing().fraction(0.3).seed(3)),
    )
    .await;
    client
        .record("customer")
        .upsert_once("LINES-3", &body)
        .await
        .expect("upsert_once");
    assert_eq!(address_lines(&ns, "LINES-3"), 2);
    assert_eq!(
        ns.count_where("customer", "externalId", &json!("LINES-3")),
        1
    );
}

#[tokio::test]
async fn idempotent_writes_are_resent_and_the_error_remembers_earlier_attempts() {
    let (ns, client) = demo_with(
        MockNetSuite::builder().fault(
            Fault::drop_after_processing()
                .times(1)
                .path(format!("{R}/customer/1")),
        ),
    )
    .await;
    // A PATCH of fields: its answer lost, resent, done.
    client
        .record("customer")
        .update("1", &json!({"email": "again@example.com"}))
        .send()
        .await
        .expect("resent");
    assert_eq!(
        ns.record("customer", "1").unwrap()["email"],
        "again@example.com"
    );

    // A PATCH whose first answer is lost and whose resend is refused: the error says the first one
    // may have been applied.
    let (_ns, client) = demo_with(
        MockNetSuite::builder()
            .fault(
                Fault::drop_after_processing()
                    .times(1)
                    .path(format!("{R}/customer/2")),
            )
            // The resend (the second request) is refused.
            .fault(Fault::status(400).every(2).path(format!("{R}/customer/2"))),
    )
    .await;
    let e = client
        .record("customer")
        .update("2", &json!({"email": "x@example.com"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert!(e.may_have_been_applied(), "{e}");
    assert!(e.to_string().contains("may have been applied"), "{e}");
}

#[tokio::test]
async fn a_create_that_timed_out_but_landed_says_so_and_create_once_resolves_it() {
    // The first create is slow: the client gives up after 100 ms, the emulator finishes it anyway.
    let (ns, _) = demo_with(
        MockNetSuite::builder().fault(
            Fault::delay(Duration::from_millis(300))
                .times(1)
                .method("POST")
                .path(format!("{R}/customer")),
        ),
    )
    .await;
    let impatient = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .timeout(Duration::from_millis(100))
        .retry(quick_retry())
        .build()
        .unwrap();
    let e = impatient
        .record("customer")
        .create(&json!({"companyName": "Slow Co"}))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Timeout { .. }), "{e}");
    assert!(e.may_have_been_applied() && !e.is_safe_to_resend(), "{e}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        ns.count_where("customer", "companyName", &json!("Slow Co")),
        1,
        "it landed, once"
    );

    // The same through create_once: the timed-out submission is resent with its key.
    let (ns, _) = demo_with(
        MockNetSuite::builder().fault(
            Fault::delay(Duration::from_millis(300))
                .times(1)
                .method("POST")
                .path(format!("{R}/customer")),
        ),
    )
    .await;
    let impatient = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .timeout(Duration::from_millis(100))
        .retry(quick_retry())
        .build()
        .unwrap();
    let id = impatient
        .record("customer")
        .create_once(&json!({"companyName": "Slow Once"}))
        .polling(quick_polling())
        .send()
        .await
        .expect("create_once");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        ns.count_where("customer", "companyName", &json!("Slow Once")),
        1
    );
    assert_eq!(
        ns.record("customer", id.as_str()).unwrap()["companyName"],
        "Slow Once"
    );
}

#[tokio::test]
async fn typed_records_create_and_upsert_once() {
    use nstba_client::{ClientExt, FieldInfo, FieldKind, Record, TypedRecord};

    #[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
    #[serde(rename_all = "camelCase")]
    struct Customer {
        company_name: String,
    }
    impl Record for Customer {
        const RECORD_TYPE: &'static str = "customer";
        const TABLE: &'static str = "customer";
        const FIELDS: &'static [FieldInfo] = &[FieldInfo {
            name: "company_name",
            wire: "companyName",
            column: "companyname",
            kind: FieldKind::String,
            read_only: false,
            selected: true,
        }];
        fn id(&self) -> Option<&RecordId> {
            None
        }
    }
    impl TypedRecord for Customer {
        type Fields = ();
        type Patch = Value;
        fn fields() {}
    }

    let (ns, client) = demo_with(
        MockNetSuite::builder().fault(Fault::drop_after_processing().fraction(0.5).seed(9)),
    )
    .await;
    let customers = client.typed::<Customer>();
    let record = Customer {
        company_name: "Typed Once".into(),
    };
    let id = customers
        .create_once(&record)
        .polling(quick_polling())
        .send()
        .await
        .expect("create_once");
    assert_eq!(
        ns.record("customer", id.as_str()).unwrap()["companyName"],
        "Typed Once"
    );
    customers
        .upsert_once("TYPED-ONCE", &record)
        .await
        .expect("upsert_once");
    assert_eq!(
        ns.count_where("customer", "companyName", &json!("Typed Once")),
        2
    );
}
