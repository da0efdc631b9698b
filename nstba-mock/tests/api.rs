//! Every endpoint of the emulator, governance and every fault kind, through signed HTTP requests.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::{Fault, MockNetSuite, RestletError};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const R: &str = "/services/rest/record/v1";

async fn demo() -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .query_timeout(Duration::from_millis(300))
        .concurrency_limit(50)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    (ns, c)
}

fn code(v: &Value) -> &str {
    v["o:errorDetails"][0]["o:errorCode"].as_str().unwrap_or("")
}

#[tokio::test]
async fn get_one_with_references_sublists_fields_and_expansion() {
    let (_ns, c) = demo().await;
    let (s, v) = c.json("GET", &format!("{R}/customer/1"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"], "1");
    assert_eq!(v["companyName"], "Acme Corporation");
    assert!(v["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/services/rest/record/v1/customer/1"));
    // Reference: {id, refName, links}.
    assert_eq!(v["subsidiary"]["id"], "1");
    assert_eq!(v["subsidiary"]["refName"], "Honeycomb Mfg.");
    assert!(v["subsidiary"]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/subsidiary/1"));
    assert_eq!(v["currency"]["refName"], "USA");
    // Sublist as a link stub unless expanded.
    assert!(v["addressbook"].get("items").is_none(), "{v}");
    assert!(v["addressbook"]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/customer/1/addressbook"));
    let (_, v) = c
        .json(
            "GET",
            &format!("{R}/customer/1?expandSubResources=true"),
            None,
        )
        .await;
    assert_eq!(v["addressbook"]["totalResults"], 1);
    assert_eq!(
        v["addressbook"]["items"][0]["addressbookAddress"]["city"],
        "New York"
    );
    // The sublist on its own.
    let (s, v) = c.json("GET", &format!("{R}/salesOrder/2/item"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalResults"], 3);
    assert_eq!(v["items"][0]["item"]["refName"], "GADGET");
    assert_eq!(v["items"][0]["line"], 1);
    let (s, v) = c
        .json("GET", &format!("{R}/salesOrder/2/nosuch"), None)
        .await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_FIELD"));
    // fields=
    let (s, v) = c
        .json(
            "GET",
            &format!("{R}/customer/1?fields=companyName,email"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}"); // links, id, companyName, email
    let (s, v) = c
        .json(
            "GET",
            &format!("{R}/customer/1?fields=companyName,nope"),
            None,
        )
        .await;
    assert_eq!((s, code(&v)), (400, "NONEXISTENT_FIELD"));
    assert_eq!(v["o:errorDetails"][0]["o:errorQueryParam"], "fields");
    // eid: and errors.
    let (s, v) = c
        .json("GET", &format!("{R}/customer/eid:CUST-0003"), None)
        .await;
    assert_eq!((s, v["companyName"].as_str()), (200, Some("Initech")));
    let (s, v) = c.json("GET", &format!("{R}/customer/eid:NOPE"), None).await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
    let (s, v) = c.json("GET", &format!("{R}/customer/999"), None).await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
    assert_eq!(v["status"], 404);
    assert!(v["type"].as_str().unwrap().starts_with("https://"));
    assert_eq!(v["title"], "Not Found");
    let (s, v) = c.json("GET", &format!("{R}/customer/abc"), None).await;
    assert_eq!((s, code(&v)), (400, "INVALID_ID"));
    let (s, _) = c.json("GET", "/services/rest/nothing", None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn create_patch_put_delete() {
    let (ns, c) = demo().await;
    // Create with and without Content-Type.
    let r = c.send("POST", &format!("{R}/customer"), Some(json!({
        "companyName": "New Co", "externalId": "NEW-1", "isInactive": false, "subsidiary": {"id": "2"},
        "addressbook": {"items": [{"label": "A"}, {"label": "B"}]}
    }))).await;
    assert_eq!(r.status().as_u16(), 204);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("{R}/customer/13")));
    let url = format!("{}{R}/customer", c.base);
    let auth = c.auth("POST", &url);
    let r = c
        .http
        .post(&url)
        .header("Authorization", auth)
        .body(r#"{"companyName":"No CT"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(ns.record_count("customer"), 14);
    // Bad bodies.
    for body in ["", "not json", "[1,2]", "{\"a b\": 1}"] {
        let auth = c.auth("POST", &url);
        let r = c
            .http
            .post(&url)
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(code(&v), "INVALID_CONTENT", "{body}: {v}");
    }
    // Duplicate external id.
    let (s, v) = c
        .json(
            "POST",
            &format!("{R}/customer"),
            Some(json!({"externalId": "NEW-1"})),
        )
        .await;
    assert_eq!((s, code(&v)), (400, "USER_ERROR"));
    // PATCH: omitted unchanged, null clears, sublists appended unless replaced.
    let (s, _) = c.json("PATCH", &format!("{R}/customer/13"), Some(json!({
        "email": "x@new.example", "isInactive": null, "addressbook": {"items": [{"label": "C"}]}
    }))).await;
    assert_eq!(s, 204);
    let rec = ns.record("customer", "13").unwrap();
    assert_eq!(rec["companyName"], "New Co");
    assert_eq!(rec["email"], "x@new.example");
    assert!(rec.get("isInactive").is_none());
    assert_eq!(rec["addressbook"]["items"].as_array().unwrap().len(), 3);
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/eid:NEW-1?replace=addressbook"),
            Some(json!({
                "addressbook": {"items": [{"label": "Only"}]}
            })),
        )
        .await;
    assert_eq!(s, 204);
    let rec = ns.record("customer", "13").unwrap();
    assert_eq!(
        rec["addressbook"]["items"],
        json!([{"label": "Only", "line": 1}])
    );
    // References by external id are stored with their internal id (SuiteQL sees it).
    let (s, _) = c.json("POST", &format!("{R}/salesOrder"), Some(json!({"entity": {"externalId": "CUST-0004"}, "item": {"items": [{"item": {"id": "2"}, "quantity": 1}]}}))).await;
    assert_eq!(s, 204);
    let (_, v) = c
        .suiteql("SELECT entity FROM salesorder WHERE id = 21", "")
        .await;
    assert_eq!(v["items"][0]["entity"], "4", "{v}");
    // replace= naming a sublist absent from the body empties it.
    let (s, _) = c
        .json(
            "PATCH",
            &format!("{R}/customer/1?replace=addressbook"),
            Some(json!({"phone": "1"})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        ns.record("customer", "1").unwrap()["addressbook"]["items"],
        json!([])
    );
    // Line merge by `line`.
    c.json(
        "PATCH",
        &format!("{R}/customer/13"),
        Some(json!({"addressbook": {"items": [{"line": 1, "label": "Renamed"}]}})),
    )
    .await;
    assert_eq!(
        ns.record("customer", "13").unwrap()["addressbook"]["items"][0]["label"],
        "Renamed"
    );
    let (s, v) = c
        .json("PATCH", &format!("{R}/customer/999"), Some(json!({"a": 1})))
        .await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
    // PUT eid: upsert — creates, then updates.
    let r = c
        .send(
            "PUT",
            &format!("{R}/customer/eid:UPSERT-1"),
            Some(json!({"companyName": "Upserted"})),
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let id = loc.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        ns.record("customer", &id).unwrap()["externalId"],
        "UPSERT-1"
    );
    let r = c
        .send(
            "PUT",
            &format!("{R}/customer/eid:UPSERT-1"),
            Some(json!({"email": "u@x"})),
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let rec = ns.record("customer", &id).unwrap();
    assert_eq!(
        (rec["companyName"].as_str(), rec["email"].as_str()),
        (Some("Upserted"), Some("u@x"))
    );
    let (s, v) = c
        .json("PUT", &format!("{R}/customer/5"), Some(json!({"a": 1})))
        .await;
    assert_eq!((s, code(&v)), (400, "INVALID_ID"));
    // DELETE by id and by eid.
    assert_eq!(
        c.json("DELETE", &format!("{R}/customer/{id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        c.json("DELETE", &format!("{R}/customer/eid:NEW-1"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        c.json("DELETE", &format!("{R}/customer/13"), None).await.0,
        404
    );
    assert!(ns.record("customer", "13").is_none());
    // refName follows a renamed referenced record.
    let sub = |v: Value| v["subsidiary"]["refName"].clone();
    assert_eq!(
        sub(c.json("GET", &format!("{R}/customer/4"), None).await.1),
        "Honeycomb Mfg. UK"
    );
    c.json(
        "PATCH",
        &format!("{R}/subsidiary/2"),
        Some(json!({"name": "Honeycomb Ltd"})),
    )
    .await;
    assert_eq!(
        sub(c.json("GET", &format!("{R}/customer/4"), None).await.1),
        "Honeycomb Ltd"
    );
    // Method not allowed.
    assert_eq!(
        c.json("POST", &format!("{R}/customer/1"), Some(json!({})))
            .await
            .0,
        405
    );
}

async fn ids(c: &Client, q: &str) -> Vec<String> {
    let path = format!("{R}/customer?q={}", nstba_core::encode(q));
    let (s, v) = c.json("GET", &path, None).await;
    assert_eq!(s, 200, "{q}: {v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_with_the_q_grammar() {
    let (_ns, c) = demo().await;
    let cases: &[(&str, &[&str])] = &[
        ("companyName IS \"Initech\"", &["3"]),
        ("companyName IS_NOT \"Initech\" AND id LESS 4", &["1", "2"]),
        ("companyName CONTAIN \"corp\"", &["1", "8"]),
        (
            "companyName CONTAIN_NOT corp AND id LESS_OR_EQUAL 3",
            &["2", "3"],
        ),
        ("companyName START_WITH Wonka", &["12"]),
        (
            "companyName START_WITH_NOT W AND id GREATER 9",
            &["10", "11"],
        ),
        ("companyName END_WITH \"Ltd\"", &["4", "12"]),
        (
            "companyName END_WITH_NOT Ltd AND id GREATER_OR_EQUAL 11",
            &["11"],
        ),
        ("id EQUAL 5", &["5"]),
        ("id EQUAL_NOT 5 AND id LESS 3", &["1", "2"]),
        ("balance GREATER 13000", &["11", "12"]),
        ("balance BETWEEN [1000, 3000]", &["1", "2"]),
        ("balance BETWEEN_NOT [1000, 14000]", &["12"]),
        ("id ANY_OF [2, 4, 6]", &["2", "4", "6"]),
        ("id ANY_OF_NOT [2, 4, 6] AND id LESS 5", &["1", "3"]),
        ("id WITHIN [10, 11]", &["10", "11"]),
        ("isInactive IS true", &["9"]),
        ("isInactive IS false AND id GREATER 10", &["11", "12"]),
        ("subsidiary ANY_OF [2, 3]", &["4", "7", "12"]),
        ("subsidiary EQUAL 3", &["7"]),
        ("dateCreated ON \"6/6/2024\"", &["5"]),
        ("dateCreated AFTER \"2024-12-01\"", &["11"]),
        ("dateCreated BEFORE 3/1/2024", &["1", "12"]),
        ("dateCreated ON_OR_AFTER 12/12/2024", &["11"]),
        ("dateCreated ON_OR_BEFORE \"2024-02-02\"", &["1", "12"]),
        (
            "dateCreated WITHIN [\"1/1/2024\", \"3/3/2024\"]",
            &["1", "2", "12"],
        ),
        (
            "dateCreated ON_NOT 6/6/2024 AND id GREATER 4 AND id LESS 7",
            &["6"],
        ),
        ("phone EMPTY", &[]),
        ("phone EMPTY_NOT AND id LESS 3", &["1", "2"]),
        (
            "(id LESS 3 OR id GREATER 11) AND companyName CONTAIN o",
            &["1", "2", "12"],
        ),
        (
            "id LESS 2 OR id GREATER 11 AND companyName CONTAIN x",
            &["1"],
        ),
        ("externalId IS \"CUST-0004\"", &["4"]),
    ];
    let mut wrong = Vec::new();
    for (q, want) in cases {
        let got = ids(&c, q).await;
        if got != *want {
            wrong.push(format!("{q}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Errors: INVALID_PARAMETER with o:errorQueryParam q; unknown fields NONEXISTENT_FIELD.
    for q in [
        "companyName",
        "companyName SOUNDS_LIKE x",
        "(id LESS 3",
        "id EQUAL abc",
        "id BETWEEN [1]",
        "id LESS 3 AND",
        "dateCreated ON 44/44/2024",
        "\"unterminated",
    ] {
        let (s, v) = c
            .json(
                "GET",
                &format!("{R}/customer?q={}", nstba_core::encode(q)),
                None,
            )
            .await;
        assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"), "{q}: {v}");
        assert_eq!(v["o:errorDetails"][0]["o:errorQueryParam"], "q");
    }
    let (s, v) = c
        .json(
            "GET",
            &format!("{R}/customer?q={}", nstba_core::encode("nosuchfield IS 1")),
            None,
        )
        .await;
    assert_eq!((s, code(&v)), (400, "NONEXISTENT_FIELD"));
}

#[tokio::test]
async fn list_paging_envelope_and_limits() {
    let rows =
        (0..100_500).map(|i| json!({"name": format!("row {i}"), "n": i, "flag": i % 2 == 0}));
    let t = Instant::now();
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .seed_records("customrecord_bulk", rows)
        .start()
        .await
        .unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "seeding took {:?}",
        t.elapsed()
    );
    assert_eq!(ns.record_count("customrecord_bulk"), 100_500);
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c
        .json(
            "GET",
            &format!("{R}/customrecord_bulk?limit=1000&offset=2000"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["count"].as_u64(),
            v["offset"].as_u64(),
            v["totalResults"].as_u64(),
            v["hasMore"].as_bool()
        ),
        (Some(1000), Some(2000), Some(100_500), Some(true))
    );
    assert_eq!(v["items"][0]["id"], "2001");
    assert!(v["items"][0]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/customrecord_bulk/2001"));
    let rels: Vec<&str> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["self", "first", "prev", "next", "last"]);
    assert!(v["links"][4]["href"]
        .as_str()
        .unwrap()
        .contains("offset=99000"));
    // The last reachable page.
    let (_, v) = c
        .json(
            "GET",
            &format!("{R}/customrecord_bulk?limit=1000&offset=99000"),
            None,
        )
        .await;
    assert_eq!(
        (v["count"].as_u64(), v["hasMore"].as_bool()),
        (Some(1000), Some(false))
    );
    // Default limit 1000; q with paging.
    let (_, v) = c
        .json(
            "GET",
            &format!(
                "{R}/customrecord_bulk?q={}&limit=10",
                nstba_core::encode("n LESS 25 AND flag IS true")
            ),
            None,
        )
        .await;
    assert_eq!(
        (v["count"].as_u64(), v["totalResults"].as_u64()),
        (Some(10), Some(13))
    );
    assert!(v["links"][0]["href"]
        .as_str()
        .unwrap()
        .contains("q=n%20LESS"));
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=x", "limit"),
        ("limit=10&offset=5", "offset"),
        ("limit=1000&offset=100000", "offset"),
        ("offset=-1", "offset"),
    ] {
        let (s, v) = c
            .json("GET", &format!("{R}/customrecord_bulk?{query}"), None)
            .await;
        assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"), "{query}");
        assert_eq!(
            v["o:errorDetails"][0]["o:errorQueryParam"], param,
            "{query}"
        );
    }
    // An empty type.
    let (s, v) = c.json("GET", &format!("{R}/vendor"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            v["count"].as_u64(),
            v["totalResults"].as_u64(),
            v["hasMore"].as_bool()
        ),
        (Some(0), Some(0), Some(false))
    );
    // SuiteQL pages over the same rows: 1000 a page, 100 000 in all.
    let (s, v) = c
        .suiteql(
            "SELECT id, name FROM customrecord_bulk ORDER BY id",
            "?limit=1000&offset=99000",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["count"].as_u64(),
            v["totalResults"].as_u64(),
            v["hasMore"].as_bool()
        ),
        (Some(1000), Some(100_500), Some(false))
    );
    assert_eq!(v["items"][0]["id"], "99001");
    let (s, v) = c
        .suiteql(
            "SELECT id FROM customrecord_bulk",
            "?limit=1000&offset=100000",
        )
        .await;
    assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"));
}

#[tokio::test]
async fn suiteql() {
    let (_ns, c) = demo().await;
    let (s, v) = c.suiteql("SELECT id, companyName, isInactive, subsidiary, phone, balance FROM customer WHERE id IN (1, 9) ORDER BY id", "").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["count"], 2);
    assert_eq!(
        v["items"][0],
        json!({"links": [], "id": "1", "companyname": "Acme Corporation", "isinactive": "F", "subsidiary": "1", "phone": "555-0101", "balance": "1250.5"})
    );
    assert_eq!(v["items"][1]["isinactive"], "T");
    // Null columns are omitted; booleans compare as 'T'/'F'; joins across record and sublist views.
    c.json(
        "PATCH",
        &format!("{R}/customer/2"),
        Some(json!({"phone": null})),
    )
    .await;
    let (_, v) = c
        .suiteql(
            "SELECT id, phone FROM customer WHERE isinactive = 'F' AND id = 2",
            "",
        )
        .await;
    assert_eq!(v["items"][0], json!({"links": [], "id": "2"}));
    let (s, v) = c.suiteql(
        "SELECT so.tranid, c.companyname, COUNT(*) AS lines, SUM(l.amount) AS total FROM salesorder so \
         JOIN customer c ON c.id = so.entity JOIN salesorder_item l ON l.salesorder = so.id \
         WHERE so.id = 2 GROUP BY so.id",
        "",
    ).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["tranid"], "SO01002");
    assert_eq!(v["items"][0]["lines"], "3");
    // Paging.
    let (_, v) = c
        .suiteql("SELECT id FROM customer ORDER BY id", "?limit=5&offset=5")
        .await;
    assert_eq!(
        (
            v["count"].as_u64(),
            v["totalResults"].as_u64(),
            v["hasMore"].as_bool()
        ),
        (Some(5), Some(12), Some(true))
    );
    assert_eq!(v["items"][0]["id"], "6");
    let rels: Vec<&str> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["self", "first", "prev", "next", "last"]);
    // Errors: never a 500.
    for q in [
        "SELEC id FROM customer",
        "SELECT nope FROM customer",
        "SELECT * FROM nosuchtable",
        "DELETE FROM customer",
        "DROP VIEW customer",
        "SELECT 1; SELECT 2",
        "",
        "INSERT INTO nstba_record VALUES ('x', 1, NULL, '{}')",
    ] {
        let (s, v) = c.suiteql(q, "").await;
        assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"), "{q}: {v}");
        assert!(!v["o:errorDetails"][0]["detail"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    // References compare with numbers as well as strings.
    let (_, v) = c
        .suiteql(
            "SELECT COUNT(*) AS n FROM customer WHERE subsidiary = 2",
            "",
        )
        .await;
    assert_eq!(v["items"][0]["n"], "2", "{v}");
    let (_, v) = c
        .suiteql(
            "SELECT COUNT(*) AS n FROM customer WHERE subsidiary = '2'",
            "",
        )
        .await;
    assert_eq!(v["items"][0]["n"], "2", "{v}");
    let (_, v) = c
        .suiteql(
            "SELECT COUNT(*) AS n FROM salesorder_item WHERE item IN (1, 2)",
            "",
        )
        .await;
    assert_ne!(v["items"][0]["n"], "0", "{v}");
    // NetSuite's transaction / transactionline tables.
    let (s, v) = c
        .suiteql(
            "SELECT t.tranid, t.type, COUNT(tl.id) AS lines, SUM(tl.amount) AS amount FROM transaction t \
             JOIN transactionline tl ON tl.transaction = t.id WHERE t.type = 'SalesOrd' AND t.id = 2 GROUP BY t.id",
            "",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["type"], "SalesOrd");
    assert_eq!(v["items"][0]["lines"], "3");
    // Oracle idioms SuiteQL users write.
    let (s, v) = c.suiteql("SELECT id, NVL(phone, 'none') AS phone, BUILTIN.DF(subsidiary) AS sub FROM customer ORDER BY id FETCH FIRST 2 ROWS ONLY", "").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["count"], 2);
    assert_eq!(v["items"][1]["phone"], "none");
    // A query that never ends is stopped.
    let (s, v) = c
        .suiteql(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n",
            "",
        )
        .await;
    assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"), "{v}");
    assert!(
        v["o:errorDetails"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("too long"),
        "{v}"
    );
    // Prefer: transient is required; the body must be {"q": …}.
    let url = format!("{}/services/rest/query/v1/suiteql", c.base);
    let auth = c.auth("POST", &url);
    let r = c
        .http
        .post(&url)
        .header("Authorization", auth)
        .body(r#"{"q":"SELECT 1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let auth = c.auth("POST", &url);
    let r = c
        .http
        .post(&url)
        .header("Authorization", auth)
        .header("Prefer", "transient")
        .body(r#"{"query":"SELECT 1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(code(&v), "INVALID_CONTENT");
}

/// A query that runs until the watchdog stops it (a cross join over 300 stored records) holds the
/// SuiteQL connection the whole time; record reads and writes complete meanwhile, the query after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_requests_complete_while_a_long_suiteql_query_runs() {
    let ns = std::sync::Arc::new(
        MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .query_timeout(Duration::from_secs(2))
            .concurrency_limit(50)
            .demo_data()
            .seed_records(
                "widget",
                (1..=300).map(|i| json!({"name": format!("W{i}"), "size": i})),
            )
            .start()
            .await
            .unwrap(),
    );
    let c = std::sync::Arc::new(Client::new(&ns.base_url(), ns.credentials()));
    let slow = tokio::spawn({
        let c = c.clone();
        async move {
            c.suiteql(
                "SELECT COUNT(*) AS n FROM widget a, widget b, widget c, widget d WHERE a.size + b.size + c.size + d.size > 0",
                "",
            )
            .await
        }
    });
    // Wait until the query is in flight, then give it a moment to be inside SQLite.
    for _ in 0..200 {
        if ns.counters().in_flight == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(ns.counters().in_flight, 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (s, v) = c.json("GET", &format!("{R}/widget/7"), None).await;
    assert_eq!((s, &v["name"]), (200, &json!("W7")));
    let (s, _) = c
        .json("PATCH", &format!("{R}/widget/8"), Some(json!({"size": 80})))
        .await;
    assert_eq!(s, 204);
    let (s, v) = c.json("GET", &format!("{R}/widget/8"), None).await;
    assert_eq!((s, &v["size"]), (200, &json!(80)));
    assert!(
        !slow.is_finished(),
        "the record requests completed only after the query"
    );
    let (s, v) = slow.await.unwrap();
    assert_eq!(s, 400, "{v}");
    assert!(
        v["o:errorDetails"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("ran too long"),
        "{v}"
    );
    assert_eq!(ns.counters().in_flight, 0);
}

#[tokio::test]
async fn restlets() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .restlet("customscript_echo", "customdeploy_1", |call| {
            if call.param("fail").is_some() {
                return Err(RestletError::new("SSS_MISSING_REQD_ARGUMENT", "Missing a required argument: id"));
            }
            if call.param("panic").is_some() {
                panic!("handler bug");
            }
            if call.param("text").is_some() {
                return Ok(Value::String("plain text".into()));
            }
            Ok(json!({"method": call.method, "body": call.body, "q": call.param("q"), "account": call.account}))
        })
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.restlet_url(), ns.credentials());
    let p = "/app/site/hosting/restlet.nl?script=customscript_echo&deploy=customdeploy_1";
    let (s, v) = c.json("GET", &format!("{p}&q=a%20b"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"method": "GET", "body": null, "q": "a b", "account": "1234567_SB1"})
    );
    let (s, v) = c.json("POST", p, Some(json!({"x": [1, 2]}))).await;
    assert_eq!((s, &v["body"]), (200, &json!({"x": [1, 2]})));
    for m in ["PUT", "DELETE"] {
        assert_eq!(c.json(m, p, None).await.1["method"], m);
    }
    let (s, v) = c.json("GET", &format!("{p}&text=1"), None).await;
    assert_eq!((s, v), (200, Value::String("plain text".into())));
    let (s, v) = c.json("GET", &format!("{p}&fail=1"), None).await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({"error": {"code": "SSS_MISSING_REQD_ARGUMENT", "message": "Missing a required argument: id"}})
    );
    let (s, v) = c
        .json(
            "GET",
            "/app/site/hosting/restlet.nl?script=9&deploy=9",
            None,
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("SSS_INVALID_SCRIPTLET_ID"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_limits_concurrency_per_account() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(2)
        .latency(Duration::from_millis(300))
        .restlet("1", "1", |_| Ok(json!({})))
        .start()
        .await
        .unwrap();
    let c = std::sync::Arc::new(Client::new(&ns.base_url(), ns.credentials()));
    let mut tasks = Vec::new();
    for i in 0..5 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let path = if i % 2 == 0 {
                format!("{R}/customer")
            } else {
                "/app/site/hosting/restlet.nl?script=1&deploy=1".to_owned()
            };
            c.json("GET", &path, None).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (s, v) = t.await.unwrap();
        match s {
            200 => ok += 1,
            429 => assert_eq!(code(&v), "CONCURRENCY_LIMIT_EXCEEDED"),
            400 => assert_eq!(v["error"]["code"], "SSS_REQUEST_LIMIT_EXCEEDED"),
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!(ok, 2);
    let counters = ns.counters();
    assert_eq!(counters.throttled, 3);
    assert_eq!(counters.requests, 5);
    assert!(counters.max_in_flight >= 2, "{counters:?}");
    assert_eq!(counters.in_flight, 0);
    ns.reset_counters();
    assert_eq!(ns.counters().requests, 0);
}

#[tokio::test]
async fn fault_status_codes_times_and_paths() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .fault(Fault::status(429).times(1).path("/services/rest/query"))
        .fault(Fault::status(503).times(2).path(format!("{R}/customer")))
        .fault(Fault::status(500).times(1).path("/services/*/vendor"))
        .fault(Fault::status(502).times(1).path("/app/"))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    assert_eq!(c.suiteql("SELECT 1 AS one", "").await.0, 429);
    assert_eq!(c.suiteql("SELECT 1 AS one", "").await.0, 200);
    let r = c.send("GET", &format!("{R}/customer"), None).await;
    assert_eq!(r.status().as_u16(), 503);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(c.json("GET", &format!("{R}/customer"), None).await.0, 503);
    assert_eq!(c.json("GET", &format!("{R}/customer"), None).await.0, 200);
    assert_eq!(c.json("GET", &format!("{R}/vendor"), None).await.0, 500);
    assert_eq!(c.json("GET", &format!("{R}/vendor"), None).await.0, 200);
    let (s, v) = c
        .json(
            "GET",
            "/app/site/hosting/restlet.nl?script=1&deploy=1",
            None,
        )
        .await;
    assert_eq!(s, 502);
    assert!(v["error"]["code"].is_string());
    assert_eq!(ns.counters().faulted, 5);
}

#[tokio::test]
async fn fault_drop_connection_delay_and_fraction() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .fault(
            Fault::drop_connection()
                .times(1)
                .path(format!("{R}/customer")),
        )
        .fault(
            Fault::delay(Duration::from_millis(250))
                .times(1)
                .path(format!("{R}/vendor")),
        )
        .fault(
            Fault::status(503)
                .fraction(0.5)
                .seed(7)
                .path(format!("{R}/item")),
        )
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let url = format!("{}{R}/customer", c.base);
    let err = c
        .http
        .get(&url)
        .header("Authorization", c.auth("GET", &url))
        .send()
        .await;
    assert!(err.is_err(), "the connection must be dropped: {err:?}");
    assert_eq!(c.json("GET", &format!("{R}/customer"), None).await.0, 200);
    let t = Instant::now();
    assert_eq!(c.json("GET", &format!("{R}/vendor"), None).await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(250));
    let t = Instant::now();
    assert_eq!(c.json("GET", &format!("{R}/vendor"), None).await.0, 200);
    assert!(t.elapsed() < Duration::from_millis(250));
    // A seeded fraction: deterministic, and roughly the fraction.
    let mut pattern = Vec::new();
    for _ in 0..40 {
        pattern.push(c.json("GET", &format!("{R}/item"), None).await.0);
    }
    let failed = pattern.iter().filter(|s| **s == 503).count();
    assert!((10..=30).contains(&failed), "{failed} of 40");
    let again = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .fault(
            Fault::status(503)
                .fraction(0.5)
                .seed(7)
                .path(format!("{R}/item")),
        )
        .start()
        .await
        .unwrap();
    let c2 = Client::new(&again.base_url(), again.credentials());
    let mut pattern2 = Vec::new();
    for _ in 0..40 {
        pattern2.push(c2.json("GET", &format!("{R}/item"), None).await.0);
    }
    assert_eq!(pattern, pattern2);
}

#[tokio::test]
async fn seed_json_database_file_and_stop_on_drop() {
    let path = std::env::temp_dir().join(format!("nstba-mock-test-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .database_file(&path)
        .seed_json(json!({"customer": [{"companyName": "Seeded", "externalId": "S1"}], "salesOrder": [{"memo": "m", "entity": {"externalId": "S1"}}]}))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (_, v) = c.json("GET", &format!("{R}/salesorder/1"), None).await;
    assert_eq!(v["entity"]["id"], "1");
    assert_eq!(v["entity"]["refName"], "Seeded");
    let id = ns.insert_record("customer", json!({"companyName": "Inserted"}));
    assert_eq!(id, "2");
    let addr = ns.local_addr();
    drop(ns);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the server must stop on drop"
    );
    // The file keeps the records.
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .database_file(&path)
        .start()
        .await
        .unwrap();
    assert_eq!(ns.record_count("customer"), 2);
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c
        .suiteql("SELECT companyname FROM customer ORDER BY id", "")
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][1]["companyname"], "Inserted");
    drop(ns);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    // Bad seeds are configuration errors, not panics.
    assert!(MockNetSuite::builder()
        .seed_json(json!([1]))
        .start()
        .await
        .is_err());
    assert!(MockNetSuite::builder()
        .seed_records("bad type", [])
        .start()
        .await
        .is_err());
}

#[tokio::test]
async fn malformed_input_gets_a_4xx_never_a_5xx() {
    let (ns, c) = demo().await;
    let paths = [
        format!("{R}/%ZZ/1"),
        format!("{R}/customer/eid:%C3%28"),
        format!("{R}/customer/99999999999999999999"),
        format!("{R}/customer/-1"),
        format!("{R}/customer/0"),
        format!("{R}/customer/1/addressbook/1/x"),
        format!("{R}/customer?limit=99999999999999999999999"),
        format!("{R}/customer?q=%E2%98%83%20IS%20x"),
        format!("{R}/customer?q=id%20ANY_OF%20%5B%5D"),
        format!("{R}/customer?q=((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((id%20IS%201"),
        format!("{R}/customer?q=id%20IS%20%22%5C"),
        format!("{R}/customer/1?fields="),
        format!("{R}/customer/1?expandSubResources=maybe"),
        format!("{R}/"),
        R.to_owned(),
        "/services/rest/query/v1/suiteql?limit=abc".to_owned(),
        "/app/site/hosting/restlet.nl".to_owned(),
        "/rest/issuetoken".to_owned(),
    ];
    for p in &paths {
        for m in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
            let r = c.send(m, p, Some(json!({"q": "SELECT 1"}))).await;
            let s = r.status().as_u16();
            assert!((200..500).contains(&s), "{m} {p} → {s}");
        }
    }
    // Hostile Authorization headers.
    let url = format!("{}{R}/customer/1", c.base);
    for h in [
        "OAuth",
        "OAuth ",
        "OAuth realm=\"1234567_SB1\", oauth_consumer_key=\"x",
        "OAuth realm=\"1234567_SB1\", realm=\"1234567_SB1\"",
        "OAuth ===",
        "OAuth realm=\"%FF\"",
        "NLAuth nlauth_account=1",
        "",
    ] {
        let r = c
            .http
            .get(&url)
            .header("Authorization", h)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{h:?}");
    }
    let r = c
        .http
        .get(&url)
        .header(
            "Authorization",
            reqwest::header::HeaderValue::from_bytes(b"OAuth realm=\"\xff\"").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Still serving (customer 1 was deleted above).
    assert_eq!(c.json("GET", &format!("{R}/customer/3"), None).await.0, 200);
    assert_eq!(ns.counters().in_flight, 0);
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<MockNetSuite>();
    send_sync::<nstba_mock::MockBuilder>();
    send_sync::<nstba_mock::Counters>();
    send_sync::<nstba_mock::AuditEntry>();
    send_sync::<Fault>();
}
