//! Every operation end to end against nstba-mock, typed and untyped.

use futures_util::{StreamExt, TryStreamExt};
use nstba_client::{
    values, Client, ClientExt, ErrorKind, FieldInfo, FieldKind, Method, Record, RecordId,
    RecordKey, RetryPolicy, TypedRecord,
};
use nstba_mock::{MockNetSuite, RestletError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

#[path = "support/mock_client.rs"]
mod mock_client;
use mock_client::{client_for, quick_retry};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Customer {
    #[serde(default, skip_serializing)]
    id: Option<RecordId>,
    company_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
}

impl Record for Customer {
    const RECORD_TYPE: &'static str = "customer";
    const TABLE: &'static str = "customer";
    const FIELDS: &'static [FieldInfo] = &[
        FieldInfo {
            name: "company_name",
            wire: "companyName",
            column: "companyname",
            kind: FieldKind::String,
            read_only: false,
            selected: true,
        },
        FieldInfo {
            name: "email",
            wire: "email",
            column: "email",
            kind: FieldKind::String,
            read_only: false,
            selected: true,
        },
    ];
    fn id(&self) -> Option<&RecordId> {
        self.id.as_ref()
    }
}

// A hand-written record needs no field handles; its patch is plain JSON.
impl TypedRecord for Customer {
    type Fields = ();
    type Patch = Value;
    fn fields() {}
}

async fn demo() -> (MockNetSuite, Client) {
    let mock = MockNetSuite::builder()
        .demo_data()
        .restlet("customscript_text", "1", |_| {
            Ok(json!("plain text, not JSON"))
        })
        .restlet("customscript_echo", "1", |call| {
            if call.param("fail") == Some("yes") {
                return Err(RestletError::new("SSS_MISSING_REQD_ARGUMENT", "missing id"));
            }
            Ok(json!({
                "method": call.method,
                "params": call.params,
                "body": call.body,
            }))
        })
        .user("1234567_SB1", "jane@example.com", "pa55word", "3")
        .start()
        .await
        .expect("mock starts");
    let client = client_for(&mock);
    (mock, client)
}

#[tokio::test]
async fn typed_record_lifecycle() {
    let (mock, client) = demo().await;
    let customers = client.typed::<Customer>();
    let new = Customer {
        id: None,
        company_name: "Typed \"Quote\" & Co".into(),
        email: Some("typed@example.com".into()),
        external_id: None,
    };
    let id = customers.create(&new).send().await.expect("create");
    assert!(mock.record("customer", id.as_str()).is_some());

    let got: Customer = customers.get(&id).send().await.expect("get");
    assert_eq!(got.id.as_ref(), Some(&id));
    assert_eq!(got.company_name, new.company_name);
    assert_eq!(Record::id(&got), Some(&id));

    customers
        .update(&id, &json!({"email": "changed@example.com"}))
        .send()
        .await
        .expect("update");
    let got = customers
        .get(&id)
        .fields(["companyName", "email"])
        .send()
        .await
        .expect("get fields");
    assert_eq!(got.email.as_deref(), Some("changed@example.com"));

    // Upsert by external id: first creates, then updates the same record.
    let up = Customer {
        id: None,
        company_name: "Upserted".into(),
        email: None,
        external_id: Some("EXT/1 a".into()),
    };
    customers
        .upsert("EXT/1 a", &up)
        .send()
        .await
        .expect("upsert create");
    let by_eid = customers
        .get(RecordKey::external("EXT/1 a"))
        .send()
        .await
        .expect("get by eid");
    assert_eq!(by_eid.company_name, "Upserted");
    let up2 = Customer {
        company_name: "Upserted again".into(),
        ..up
    };
    let before = mock.record_count("customer");
    customers
        .upsert("EXT/1 a", &up2)
        .send()
        .await
        .expect("upsert update");
    assert_eq!(mock.record_count("customer"), before);
    let by_eid: Customer = customers
        .get("eid:EXT/1 a")
        .send()
        .await
        .expect("get by eid string");
    assert_eq!(by_eid.company_name, "Upserted again");

    // Typed list: every customer fetched as `Customer`, in list order.
    let all: Vec<Customer> = customers
        .list_all()
        .records()
        .try_collect()
        .await
        .expect("typed list");
    assert_eq!(all.len(), mock.record_count("customer"));
    assert!(all.iter().any(|c| c.id.as_ref() == Some(&id)));

    // Sublist lines: a merging PATCH adds, `replace` replaces.
    let line = json!({"addressbook": {"items": [{"label": "Depot", "addressbookAddress": {"city": "Oslo"}}]}});
    customers
        .update(&id, &line)
        .send()
        .await
        .expect("merge lines");
    customers
        .update(&id, &line)
        .send()
        .await
        .expect("merge lines again");
    let lines = customers
        .sublist::<Value>(&id, "addressbook")
        .send()
        .await
        .expect("sublist");
    assert_eq!(lines.items().len(), 2, "{lines:?}");
    customers
        .update(&id, &line)
        .replace(["addressbook"])
        .send()
        .await
        .expect("replace lines");
    let lines = customers
        .sublist::<Value>(&id, "addressbook")
        .send()
        .await
        .expect("sublist");
    assert_eq!(lines.items().len(), 1, "{lines:?}");

    customers.delete(&id).send().await.expect("delete");
    let err = customers.get(&id).send().await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    assert!(!err.is_retryable());
    assert!(mock.record("customer", id.as_str()).is_none());
}

#[tokio::test]
async fn untyped_records_list_and_sublist() {
    let (mock, client) = demo().await;
    let customers = client.record("customer");
    let total = mock.record_count("customer");
    assert!(total > 0, "demo data has customers");

    let ids: Vec<_> = customers
        .list()
        .page_size(2)
        .stream()
        .map_ok(|item| item.id)
        .try_collect()
        .await
        .expect("list");
    assert_eq!(ids.len(), total);
    let mut dedup = ids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), total, "no id twice");

    let pages: Vec<_> = customers
        .list()
        .page_size(3)
        .pages()
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages.len(), total.div_ceil(3));
    assert_eq!(pages[0].total_results as usize, total);
    assert!(pages[0].has_more || total <= 3);

    let records: Vec<Value> = customers
        .list_records()
        .try_collect()
        .await
        .expect("list records");
    assert_eq!(records.len(), total);
    for (r, id) in records.iter().zip(&ids) {
        assert_eq!(r["id"].as_str(), Some(id.as_str()), "in list order");
    }

    // q= filter with quotes and spaces survives signing.
    let acme: Vec<_> = customers
        .list()
        .query("companyName START_WITH \"Acme\"")
        .stream()
        .try_collect()
        .await
        .expect("filtered list");
    assert_eq!(acme.len(), 1);

    let first = &ids[0];
    let full: Value = customers
        .get(first)
        .expand_sub_resources(true)
        .send()
        .await
        .expect("expanded get");
    assert!(full.is_object());
    let lines = customers
        .sublist::<Value>(first, "addressbook")
        .send()
        .await
        .expect("sublist");
    assert!(!lines.items().is_empty(), "demo customers have addresses");

    // Bad input is an error, not a panic or a request.
    let requests = mock.counters().requests;
    let e = client
        .record("cust/../omer")
        .get("1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
    let e = customers
        .list()
        .page_size(1001)
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
    let e = customers
        .list()
        .page_size(10)
        .offset(5)
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
    assert_eq!(mock.counters().requests, requests);
}

#[derive(Deserialize, Debug)]
struct Row {
    #[serde(with = "values::number_string")]
    id: u64,
    companyname: Option<String>,
}

#[tokio::test]
async fn suiteql_typed_and_untyped() {
    let (mock, client) = demo().await;
    let total = mock.record_count("customer");
    let rows: Vec<Row> = client
        .suiteql("SELECT id, companyname FROM customer ORDER BY id")
        .page_size(2)
        .all()
        .await
        .expect("typed rows");
    assert_eq!(rows.len(), total);
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id), "in order");
    assert!(rows.iter().all(|r| r.companyname.is_some()));

    let untyped: Vec<Value> = client
        .suiteql::<Value>("SELECT id, companyname FROM customer WHERE companyname LIKE 'A%'")
        .stream()
        .try_collect()
        .await
        .expect("untyped rows");
    assert!(!untyped.is_empty());

    // Quotes, backslashes and tabs reach the server intact (JSON-encoded body).
    let none: Vec<Value> = client
        .suiteql::<Value>("SELECT id FROM customer WHERE companyname = 'It''s \\ a\ttab \"x\"'")
        .all()
        .await
        .expect("escaped query");
    assert!(none.is_empty());

    // A decode error names the JSON path.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        companyname: u64,
    }
    let e = client
        .suiteql::<Wrong>("SELECT id, companyname FROM customer ORDER BY id")
        .all()
        .await
        .unwrap_err();
    match e.kind() {
        ErrorKind::Decode { json_path, .. } => {
            assert!(json_path.starts_with("items[0]"), "{json_path}")
        }
        other => panic!("expected a decode error, got {other}"),
    }

    // A SuiteQL syntax error is a NetSuite error with details.
    let e = client
        .suiteql::<Value>("SELEC nonsense")
        .all()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    // NetSuite errors name the request like every other error.
    assert_eq!(e.method(), Some("POST"));
    assert_eq!(e.path(), Some("/services/rest/query/v1/suiteql"));
    assert!(
        e.to_string()
            .starts_with("POST /services/rest/query/v1/suiteql: NetSuite error HTTP 400"),
        "{e}"
    );
    assert!(!e.is_transient() && !e.may_have_been_applied(), "{e}");
}

#[tokio::test]
async fn restlet_calls() {
    let (_mock, client) = demo().await;
    let got: Value = client
        .restlet("customscript_echo", "1")
        .param("a b", "c&d=e+f")
        .send()
        .await
        .expect("GET restlet");
    assert_eq!(got["method"], "GET");
    let params = got["params"].to_string();
    assert!(params.contains("c&d=e+f"), "{params}");
    assert!(params.contains("a b"), "{params}");

    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let body = json!({"n": 1, "s": "x\"y"});
        let mut call = client
            .restlet("customscript_echo", "1")
            .method(method.clone());
        if method != Method::DELETE {
            call = call.body(&body);
        }
        let got: Value = call.send().await.expect("restlet");
        assert_eq!(got["method"], method.as_str());
        if method != Method::DELETE {
            assert_eq!(got["body"], body);
        }
    }

    let text: String = client
        .restlet("customscript_text", "1")
        .send()
        .await
        .expect("text restlet");
    assert_eq!(text, "plain text, not JSON");
    let text = client
        .restlet("customscript_echo", "1")
        .send_text()
        .await
        .expect("raw text");
    assert!(text.starts_with('{'), "{text}");

    let e = client
        .restlet("customscript_echo", "1")
        .param("fail", "yes")
        .send::<Value>()
        .await
        .unwrap_err();
    assert_eq!(e.codes(), vec!["SSS_MISSING_REQD_ARGUMENT"], "{e}");
}

#[tokio::test]
async fn tokens_issue_and_revoke() {
    let (mock, client) = demo().await;
    let ck = MockNetSuite::demo_credentials().consumer_key().to_owned();
    let issued = client
        .issue_token("jane@example.com", "pa55word", "3", &ck)
        .send()
        .await
        .expect("issue token");
    assert!(
        !format!("{issued:?}").contains(nstba_core::secrecy::ExposeSecret::expose_secret(
            issued.token_secret()
        ))
    );

    let bad = client
        .issue_token("jane@example.com", "wrong-password", "3", &ck)
        .send()
        .await
        .unwrap_err();
    assert!(bad.is_invalid_login(), "{bad}");
    assert!(!bad.to_string().contains("wrong-password"));

    // A client on the new token works, then revokes itself.
    let demo_secret = "c0ffee00d15ea5e5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718";
    let creds = issued.credentials(demo_secret).expect("credentials");
    let second = Client::builder()
        .credentials(creds)
        .base_url(mock.base_url())
        .restlet_url(mock.restlet_url())
        .retry(quick_retry())
        .build()
        .unwrap();
    let _: Value = second
        .record("customer")
        .get("1")
        .send()
        .await
        .expect("works");
    second.revoke_token().await.expect("revoke");
    let e = second.record("customer").get("1").send().await.unwrap_err();
    assert!(e.is_invalid_login(), "{e}");
    assert!(e.checklist().is_some());
    // The original token still works.
    let _: Value = client
        .record("customer")
        .get("1")
        .send()
        .await
        .expect("still works");
}

#[tokio::test]
async fn invalid_login_carries_checklist_and_no_secret() {
    let mock = MockNetSuite::builder().start().await.unwrap();
    let wrong = nstba_core::Credentials::new(
        nstba_core::AccountId::parse("1234567_SB1").unwrap(),
        MockNetSuite::demo_credentials().consumer_key(),
        "not-the-consumer-secret-123",
        MockNetSuite::demo_credentials().token_id(),
        "not-the-token-secret-456",
    )
    .unwrap();
    let client = Client::builder()
        .credentials(wrong)
        .base_url(mock.base_url())
        .retry(quick_retry())
        .build()
        .unwrap();
    let e = client.record("customer").get("1").send().await.unwrap_err();
    assert!(e.is_invalid_login(), "{e}");
    let text = format!("{e} {e:?} {client:?}");
    assert!(text.contains("clock skew"), "{text}");
    assert!(!text.contains("not-the-consumer-secret"), "{text}");
    assert!(!text.contains("not-the-token-secret"), "{text}");
    assert!(!text.contains("oauth_signature"), "{text}");
    // 401 is not retried.
    assert_eq!(mock.counters().requests, 1);
}

#[tokio::test]
async fn transport_errors_are_reported() {
    // Nothing listens on this port: a connect error, retried, then reported.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .credentials(MockNetSuite::demo_credentials())
        .base_url(format!("http://{addr}"))
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let e = client.record("customer").get("1").send().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Transport { connect: true, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert!(e.is_transient());
    assert!(e.is_safe_to_resend(), "never sent, so safe to send again");
    assert!(!e.may_have_been_applied());
    assert_eq!(e.method(), Some("GET"));
}
