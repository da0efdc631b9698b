//! The built `nstba` binary against the emulator: `nstba request`, `nstba record transform`, and
//! `--async` / `--idempotency-key` on the record writes.

use nstba::mock::{
    MockNetSuite, RestletCall, DEMO_ACCOUNT, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET,
    DEMO_TOKEN_ID, DEMO_TOKEN_SECRET,
};
use serde_json::{json, Value};
use std::process::{Command, Output, Stdio};

async fn emulator() -> MockNetSuite {
    MockNetSuite::builder()
        .demo_data()
        .restlet(
            "customscript_echo",
            "customdeploy_echo",
            |call: RestletCall| {
                Ok(json!({"method": call.method, "name": call.param("name"), "body": call.body}))
            },
        )
        .start()
        .await
        .expect("emulator")
}

/// Runs the binary with the demo credentials pointed at `ns`, and nothing else from the
/// environment that could change it.
async fn nstba(ns: &MockNetSuite, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    let config = std::env::temp_dir().join(format!("nstba-requests-test-{}", std::process::id()));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", &config)
        .env_remove("NSTBA_PROFILE")
        .env_remove("NETSUITE_CONCURRENCY")
        .env_remove("NETSUITE_CLIENT_ID")
        .env_remove("NETSUITE_CERTIFICATE_ID")
        .env_remove("NETSUITE_PRIVATE_KEY_PATH")
        .env("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT)
        .env("NETSUITE_CONSUMER_KEY", DEMO_CONSUMER_KEY)
        .env("NETSUITE_CONSUMER_SECRET", DEMO_CONSUMER_SECRET)
        .env("NETSUITE_TOKEN_ID", DEMO_TOKEN_ID)
        .env("NETSUITE_TOKEN_SECRET", DEMO_TOKEN_SECRET)
        .env("NETSUITE_BASE_URL", ns.base_url())
        .env("NETSUITE_RESTLET_URL", ns.restlet_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || cmd.output().expect("run nstba"))
        .await
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stdout of a successful run.
fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        out(o),
        err(o)
    );
    out(o)
}

fn fails(o: &Output, code: i32, needle: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        out(o),
        err(o)
    );
    assert!(err(o).contains(needle), "{needle:?} not in: {}", err(o));
}

/// The idempotency key the binary printed on stderr.
fn printed_key(o: &Output) -> String {
    let e = err(o);
    let at = e.find("idempotency key ").expect("key printed") + "idempotency key ".len();
    e[at..at + 36].to_owned()
}

#[tokio::test]
async fn request_sends_any_call() {
    let ns = emulator().await;
    let list = ok(&nstba(
        &ns,
        &[
            "request",
            "GET",
            "/services/rest/record/v1/customer",
            "--query",
            "limit=2",
        ],
    )
    .await);
    let doc: Value = serde_json::from_str(&list).expect("JSON on stdout");
    assert_eq!(doc["count"], 2, "{doc}");

    // A create: the empty answer's Location is printed.
    let created = ok(&nstba(
        &ns,
        &[
            "request",
            "post",
            "/services/rest/record/v1/customer",
            "--data",
            r#"{"companyName": "CLI Raw"}"#,
        ],
    )
    .await);
    let id = created.trim().rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        ns.record("customer", &id).unwrap()["companyName"],
        "CLI Raw"
    );

    // Headers are sent; -i shows the status and headers on stderr.
    let o = nstba(
        &ns,
        &[
            "request",
            "PATCH",
            &format!("/services/rest/record/v1/customer/{id}"),
            "-H",
            "X-NetSuite-PropertyNameValidation: Error",
            "--data",
            r#"{"companyNaem": "x"}"#,
        ],
    )
    .await;
    fails(&o, 1, "HTTP 400");
    let o = nstba(
        &ns,
        &[
            "request",
            "-i",
            "GET",
            &format!("/services/rest/record/v1/customer/{id}"),
        ],
    )
    .await;
    let record: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(record["companyName"], "CLI Raw");
    assert!(err(&o).starts_with("HTTP 200"), "{}", err(&o));

    // RESTlets, with a signed form body.
    let echo = ok(&nstba(
        &ns,
        &[
            "request",
            "POST",
            "/app/site/hosting/restlet.nl",
            "--restlet",
            "-q",
            "script=customscript_echo",
            "-q",
            "deploy=customdeploy_echo",
            "-q",
            "name=a b",
            "--form",
            "x=1",
        ],
    )
    .await);
    let echo: Value = serde_json::from_str(&echo).unwrap();
    assert_eq!(echo["name"], "a b", "{echo}");

    // NetSuite errors exit 1, usage errors 2 before anything is sent.
    fails(
        &nstba(
            &ns,
            &["request", "GET", "/services/rest/record/v1/customer/999999"],
        )
        .await,
        1,
        "NONEXISTENT_ID",
    );
    let before = ns.counters().requests;
    fails(
        &nstba(&ns, &["request", "GET", "services/rest"]).await,
        2,
        "path",
    );
    fails(
        &nstba(&ns, &["request", "GET", "/x", "-H", "novalue"]).await,
        2,
        "NAME:VALUE",
    );
    fails(
        &nstba(&ns, &["request", "GET", "/x", "-q", "=v"]).await,
        2,
        "name is empty",
    );
    fails(
        &nstba(&ns, &["request", "G ET", "/x"]).await,
        2,
        "not an HTTP method",
    );
    assert_eq!(ns.counters().requests, before);
}

#[tokio::test]
async fn record_transform_prints_the_new_id() {
    let ns = emulator().await;
    let id = ok(&nstba(&ns, &["record", "transform", "salesOrder", "1", "invoice"]).await);
    let invoice = ns.record("invoice", id.trim()).expect("invoice stored");
    assert_eq!(invoice["createdFrom"]["id"], "1", "{invoice}");

    let id = ok(&nstba(
        &ns,
        &[
            "record",
            "transform",
            "salesOrder",
            "1",
            "itemFulfillment",
            "--data",
            r#"{"memo": "shipped"}"#,
            "--async",
        ],
    )
    .await);
    assert_eq!(
        ns.record("itemFulfillment", id.trim()).unwrap()["memo"],
        "shipped"
    );

    fails(
        &nstba(
            &ns,
            &["record", "transform", "salesOrder", "1", "vendorBill"],
        )
        .await,
        1,
        "USER_ERROR",
    );
}

#[tokio::test]
async fn async_writes_wait_and_resume_by_key() {
    let ns = emulator().await;
    let body = r#"{"companyName": "CLI Async"}"#;
    let o = nstba(
        &ns,
        &["record", "create", "customer", "--data", body, "--async"],
    )
    .await;
    let id = ok(&o).trim().to_owned();
    assert_eq!(
        ns.record("customer", &id).unwrap()["companyName"],
        "CLI Async"
    );
    let key = printed_key(&o);
    assert!(err(&o).contains("async job"), "{}", err(&o));

    // The same command with the key: the original job's record, not a second one.
    let again = ok(&nstba(
        &ns,
        &[
            "record",
            "create",
            "customer",
            "--data",
            body,
            "--idempotency-key",
            &key,
        ],
    )
    .await);
    assert_eq!(again.trim(), id);
    assert_eq!(
        ns.count_where("customer", "companyName", &json!("CLI Async")),
        1
    );

    ok(&nstba(
        &ns,
        &[
            "record",
            "update",
            "customer",
            &id,
            "--data",
            r#"{"email": "async@example.com"}"#,
            "--async",
        ],
    )
    .await);
    assert_eq!(
        ns.record("customer", &id).unwrap()["email"],
        "async@example.com"
    );

    let up = ok(&nstba(
        &ns,
        &[
            "record",
            "upsert",
            "customer",
            "CLI-ASYNC-1",
            "--data",
            r#"{"companyName": "CLI Upsert"}"#,
            "--async",
        ],
    )
    .await);
    assert!(
        ns.record("customer", up.trim()).is_some(),
        "upsert printed {up:?}"
    );

    ok(&nstba(&ns, &["record", "delete", "customer", &id, "--async"]).await);
    assert!(ns.record("customer", &id).is_none());

    // A failed task is reported like the synchronous error; a bad key is a usage error.
    fails(
        &nstba(&ns, &["record", "delete", "customer", "999999", "--async"]).await,
        1,
        "NONEXISTENT_ID",
    );
    fails(
        &nstba(
            &ns,
            &[
                "record",
                "create",
                "customer",
                "--data",
                body,
                "--idempotency-key",
                "nope",
            ],
        )
        .await,
        2,
        "not a UUID",
    );
}

#[tokio::test]
async fn record_actions_and_attachments() {
    let ns = emulator().await;
    let pending = ns.insert_record(
        "salesOrder",
        json!({"entity": {"id": "1"}, "status": {"id": "A", "refName": "Pending Approval"}}),
    );
    ok(&nstba(
        &ns,
        &["record", "action", "salesOrder", &pending, "@approve"],
    )
    .await);
    assert_eq!(
        ns.record("salesOrder", &pending).unwrap()["approvalStatus"]["id"],
        "2"
    );
    fails(
        &nstba(
            &ns,
            &[
                "record",
                "action",
                "salesOrder",
                &pending,
                "reject",
                "--async",
            ],
        )
        .await,
        1,
        "USER_ERROR",
    );

    let contact = ns.insert_record("contact", json!({"entityId": "Carol"}));
    ok(&nstba(
        &ns,
        &[
            "record", "attach", "customer", "1", "contact", &contact, "--role", "-10",
        ],
    )
    .await);
    let roles = ok(&nstba(
        &ns,
        &[
            "request",
            "GET",
            "/services/rest/record/v1/customer/1/contactRoles",
        ],
    )
    .await);
    assert!(roles.contains(&format!("\"{contact}\"")), "{roles}");
    ok(&nstba(
        &ns,
        &["record", "detach", "customer", "1", "contact", &contact],
    )
    .await);
    let roles = ok(&nstba(
        &ns,
        &[
            "request",
            "GET",
            "/services/rest/record/v1/customer/1/contactRoles",
        ],
    )
    .await);
    assert!(!roles.contains(&format!("\"{contact}\"")), "{roles}");
    fails(
        &nstba(&ns, &["record", "attach", "customer", "1", "customer", "2"]).await,
        2,
        "only contacts and files",
    );
}
