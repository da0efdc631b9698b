//! The emulator serves the shapes real NetSuite accounts serve (NETSUITE.md, "What real NetSuite data
//! looks like" and "SuiteQL"): one test per shape.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::{DateFormat, MockNetSuite};
use serde_json::{json, Value};

const R: &str = "/services/rest/record/v1";

async fn demo_with(format: DateFormat) -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .date_format(format)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    (ns, c)
}

async fn demo() -> (MockNetSuite, Client) {
    demo_with(DateFormat::default()).await
}

async fn get(c: &Client, path: &str) -> Value {
    let (s, v) = c.json("GET", &format!("{R}/{path}"), None).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn href(v: &Value) -> &str {
    v["links"][0]["href"].as_str().unwrap_or("")
}

#[tokio::test]
async fn select_list_fields_are_id_refname_objects_or_bare_with_simple_enum_format() {
    let (_ns, c) = demo().await;
    let so = get(&c, "salesOrder/1").await;
    assert_eq!(
        so["status"],
        json!({"id": "B", "refName": "Pending Fulfillment"})
    );
    let so4 = get(&c, "salesOrder/4").await;
    assert_eq!(so4["status"], json!({"id": "G", "refName": "Billed"}));
    let sub = get(&c, "subsidiary/1").await;
    assert_eq!(
        sub["country"],
        json!({"id": "US", "refName": "United States"})
    );
    // A status id spelled as its label, as real data has.
    let po = get(&c, "purchaseOrder/8841").await;
    assert_eq!(po["status"]["id"], "Pending Receipt");
    // Inside a subrecord too.
    let inv = get(&c, "invoice/101?expandSubResources=true").await;
    assert_eq!(
        inv["billingAddress"]["country"],
        json!({"id": "NZ", "refName": "New Zealand"})
    );
    // simpleEnumFormat=true: the bare id.
    let so = get(&c, "salesOrder/1?simpleEnumFormat=true").await;
    assert_eq!(so["status"], "B");
    let sub = get(&c, "subsidiary/2?simpleEnumFormat=true").await;
    assert_eq!(sub["country"], "GB");
}

#[tokio::test]
async fn expanded_sublist_lines_carry_their_own_self_links_and_stubs_otherwise() {
    let (_ns, c) = demo().await;
    let po = get(&c, "purchaseOrder/8841").await;
    assert_eq!(po["item"].as_object().unwrap().len(), 1, "{po}");
    assert!(href(&po["item"]).ends_with("/purchaseorder/8841/item"));
    let po = get(&c, "purchaseOrder/8841?expandSubResources=true").await;
    let items = po["item"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(po["item"]["totalResults"], 2);
    assert_eq!(po["item"]["count"], 2);
    assert_eq!(po["item"]["hasMore"], false);
    for (n, line) in items.iter().enumerate() {
        assert!(
            href(line).ends_with(&format!("/purchaseorder/8841/item/{}", n + 1)),
            "{line}"
        );
        assert_eq!(line["line"], n + 1);
        // Line references are references.
        assert!(line["item"]["refName"].is_string(), "{line}");
        assert!(href(&line["item"]).contains("/inventoryitem/"), "{line}");
    }
    // The sublist on its own URL, expanded.
    let sub = get(&c, "purchaseOrder/8841/item").await;
    assert!(href(&sub["items"][1]).ends_with("/item/2"));
}

#[tokio::test]
async fn multi_selects_are_collections_of_references_when_expanded_and_stubs_otherwise() {
    let (_ns, c) = demo().await;
    let acct = get(&c, "account/417").await;
    assert_eq!(
        acct["subsidiary"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["links"]
    );
    assert!(href(&acct["subsidiary"]).ends_with("/account/417/subsidiary"));
    let acct = get(&c, "account/417?expandSubResources=true").await;
    let ms = &acct["subsidiary"];
    assert_eq!(ms["count"], 2);
    assert_eq!(ms["totalResults"], 2);
    assert_eq!(ms["hasMore"], false);
    assert_eq!(ms["offset"], 0);
    assert_eq!(ms["items"][0]["id"], "1");
    assert_eq!(ms["items"][0]["refName"], "Honeycomb Mfg.");
    assert!(href(&ms["items"][1]).ends_with("/subsidiary/2"));
    // On its own URL.
    let ms = get(&c, "account/417/subsidiary").await;
    assert_eq!(ms["items"][1]["refName"], "Honeycomb Mfg. UK");
}

#[tokio::test]
async fn subrecords_carry_a_numeric_id() {
    let (_ns, c) = demo().await;
    let inv = get(&c, "invoice/101").await;
    assert!(href(&inv["billingAddress"]).ends_with("/invoice/101/billingAddress"));
    let inv = get(&c, "invoice/101?expandSubResources=true").await;
    assert_eq!(inv["billingAddress"]["id"], 501);
    assert!(inv["billingAddress"]["id"].is_number());
    assert_eq!(inv["billingAddress"]["city"], "Auckland");
    let vendor = get(&c, "vendor/1?expandSubResources=true").await;
    assert_eq!(vendor["mainAddress"]["id"], 90);
    let cust = get(&c, "customer/3?expandSubResources=true").await;
    let addr = &cust["addressbook"]["items"][0]["addressbookAddress"];
    assert_eq!(addr["id"], 79, "{cust}");
    assert_eq!(addr["country"]["id"], "US");
}

#[tokio::test]
async fn system_records_have_negative_ids() {
    let (_ns, c) = demo().await;
    let e = get(&c, "employee/-5").await;
    assert_eq!(e["id"], "-5");
    assert_eq!(e["entityId"], "-System-");
    assert!(href(&e).ends_with("/employee/-5"));
    // Referred to from a transaction.
    let po = get(&c, "purchaseOrder/8841").await;
    assert_eq!(po["employee"]["id"], "-5");
    assert_eq!(po["employee"]["refName"], "-System-");
    // Listed like any other id; 0 is not an id.
    let (s, v) = c.json("GET", &format!("{R}/employee"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["items"][0]["id"], "-5");
    let (s, _) = c.json("GET", &format!("{R}/employee/0"), None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn references_are_id_refname_links_never_the_whole_record() {
    let (_ns, c) = demo().await;
    let po = get(&c, "purchaseOrder/8841").await;
    let entity = po["entity"].as_object().unwrap();
    let mut keys: Vec<&String> = entity.keys().collect();
    keys.sort();
    assert_eq!(keys, ["id", "links", "refName"]);
    // A purchase order's entity is a vendor.
    assert_eq!(po["entity"]["refName"], "Rhein Metall GmbH");
    assert!(href(&po["entity"]).ends_with("/vendor/2"));
    // Self references.
    let acct = get(&c, "account/417").await;
    assert_eq!(acct["parent"]["refName"], "Assets");
    assert!(href(&acct["parent"]).ends_with("/account/1"));
    let e = get(&c, "employee/2").await;
    assert!(href(&e["supervisor"]).ends_with("/employee/1"));
    let cust = get(&c, "customer/1").await;
    assert_eq!(cust["entityStatus"]["refName"], "CUSTOMER-Closed Won");
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

#[tokio::test]
async fn suiteql_leaves_null_columns_out_and_sends_strings_and_t_f() {
    let (_ns, c) = demo().await;
    let (s, v) = c
        .suiteql(
            "SELECT id, entityid, email, isinactive, supervisor FROM employee ORDER BY id",
            "",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let rows = items(&v);
    // The system employee has no email and no supervisor: the keys are missing, not null.
    let sys = rows[0].as_object().unwrap();
    assert_eq!(sys["id"], "-5");
    assert!(!sys.contains_key("email") && !sys.contains_key("supervisor"));
    assert_eq!(sys["links"], json!([]));
    assert_eq!(rows[2]["supervisor"], "1");
    assert_eq!(rows[3]["isinactive"], "T");
    assert_eq!(rows[1]["isinactive"], "F");
    // Each item starts with "links": [] on the wire.
    let url = format!("{}/services/rest/query/v1/suiteql", c.base);
    let raw = c
        .http
        .post(&url)
        .header("Authorization", c.auth("POST", &url))
        .header("Prefer", "transient")
        .body(r#"{"q":"SELECT id, entityid FROM employee WHERE id = -5"}"#)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains(r#""items":[{"links":[],"id":"-5","entityid":"-System-"}]"#),
        "{raw}"
    );
    // Numbers are strings too.
    let (_, v) = c
        .suiteql("SELECT id, total FROM transaction WHERE id = 8841", "")
        .await;
    assert_eq!(items(&v)[0]["total"], "75");
    // Select-list columns are their ids.
    let (_, v) = c
        .suiteql("SELECT status FROM transaction WHERE id = 1", "")
        .await;
    assert_eq!(items(&v)[0]["status"], "B");
}

#[tokio::test]
async fn suiteql_dates_follow_the_account_preference_and_to_char_keeps_the_time() {
    let expected = [
        (DateFormat::MonthDayYear, "6/30/2025"),
        (DateFormat::DayMonthYear, "30/6/2025"),
        (DateFormat::DayMonthYearDots, "30.6.2025"),
        (DateFormat::DayMonYear, "30-Jun-2025"),
        (DateFormat::Iso, "2025-06-30"),
    ];
    for (format, date) in expected {
        let (_ns, c) = demo_with(format).await;
        let (s, v) = c
            .suiteql(
                "SELECT trandate, createddate, TO_CHAR(createddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS created \
                 FROM purchaseorder WHERE id = 8841",
                "",
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let row = &items(&v)[0];
        assert_eq!(row["trandate"], date, "{format}");
        // A timestamp column comes back date-only.
        assert_eq!(row["createddate"], date, "{format}");
        assert_eq!(row["created"], "2025-06-30T21:14:00", "{format}");
        // SELECT * with an aliased TO_CHAR.
        let (_, v) = c
            .suiteql(
                "SELECT *, TO_CHAR(trandate, 'YYYY-MM-DD') AS iso FROM purchaseorder WHERE id = 8841",
                "",
            )
            .await;
        assert_eq!(items(&v)[0]["iso"], "2025-06-30", "{format}");
        assert_eq!(items(&v)[0]["trandate"], date, "{format}");
    }
}

#[tokio::test]
async fn date_format_names_parse() {
    for f in DateFormat::ALL {
        assert_eq!(f.pattern().parse::<DateFormat>().unwrap(), f);
    }
    let e = "YY/MM".parse::<DateFormat>().unwrap_err();
    assert!(e.to_string().contains("YY/MM"));
}

async fn catalog(c: &Client, path: &str) -> Value {
    let url = format!("{}{R}/metadata-catalog{path}", c.base);
    let r = c
        .http
        .get(&url)
        .header("Authorization", c.auth("GET", &url))
        .header("Accept", "application/swagger+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn catalog_references_point_at_record_types_like_real_catalogs() {
    let (_ns, c) = demo().await;
    let doc = catalog(
        &c,
        "?select=account,customer,currency,employee,invoice,salesOrder,subsidiary,vendor",
    )
    .await;
    let s = &doc["components"]["schemas"];
    let prop = |t: &str, f: &str| s[t]["properties"][f].clone();
    let to = |t: &str| json!({ "$ref": format!("#/components/schemas/{t}") });
    // Self references.
    assert_eq!(prop("account", "parent")["$ref"], to("account")["$ref"]);
    assert_eq!(
        prop("employee", "supervisor")["$ref"],
        to("employee")["$ref"]
    );
    assert_eq!(prop("customer", "parent")["$ref"], to("customer")["$ref"]);
    // A type in the same document; one that is not: nsResource.
    assert_eq!(prop("customer", "currency")["$ref"], to("currency")["$ref"]);
    assert_eq!(
        prop("invoice", "createdFrom")["$ref"],
        to("salesOrder")["$ref"]
    );
    assert_eq!(
        prop("customer", "entityStatus")["$ref"],
        to("nsResource")["$ref"]
    );
    // Polymorphic.
    assert_eq!(
        prop("invoice", "entity")["oneOf"],
        json!([to("customer"), to("nsResource"), to("vendor")])
    );
    // Multi-select.
    assert_eq!(
        prop("account", "subsidiary")["$ref"],
        to("nsResourceCollection")["$ref"]
    );
    assert!(s["nsResourceCollection"]["properties"]["totalResults"].is_object());
    // Select-list fields are enum objects.
    let status = prop("salesOrder", "status");
    assert_eq!(status["type"], "object");
    assert_eq!(status["properties"]["id"]["enum"], json!(["B", "G"]));
    assert_eq!(status["properties"]["refName"]["type"], "string");
    // Sublists: <type>-<sublist>Collection → Element with x-ns-sublistkey and x-ns-filterable.
    assert_eq!(
        prop("invoice", "item")["$ref"],
        to("invoice-itemCollection")["$ref"]
    );
    let element = &s["invoice-itemElement"];
    assert_eq!(
        element["x-ns-sublistkey"],
        json!({"present": true, "name": "line"})
    );
    assert_eq!(element["x-ns-filterable"], json!([]));
    assert_eq!(
        s["invoice-itemCollection"]["properties"]["items"]["items"]["$ref"],
        to("invoice-itemElement")["$ref"]
    );
    // readOnly and the record's filterable fields.
    assert_eq!(prop("invoice", "id")["readOnly"], true);
    assert_eq!(prop("invoice", "total")["readOnly"], true);
    let filterable = s["invoice"]["x-ns-filterable"].as_array().unwrap();
    assert!(filterable.contains(&json!("tranDate")));
    assert!(!filterable.contains(&json!("item")));
    // A subrecord's numeric id.
    let addr = &s["invoice-billingAddress"]["properties"]["id"];
    assert_eq!(addr["type"], "integer");

    // One type alone: references to itself still point at it, others at nsResource.
    let doc = catalog(&c, "/account").await;
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["account"]["properties"]["parent"]["$ref"],
        to("account")["$ref"]
    );
    let doc = catalog(&c, "/invoice").await;
    assert_eq!(
        doc["components"]["schemas"]["invoice"]["properties"]["entity"]["$ref"],
        to("nsResource")["$ref"]
    );
}
