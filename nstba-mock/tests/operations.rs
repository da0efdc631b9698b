//! Record transforms, record actions, attach/detach, `governanceLimits` and the validation headers,
//! through signed HTTP requests.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::{json, Value};

const R: &str = "/services/rest/record/v1";

async fn demo(limit: usize) -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(limit)
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

/// A signed request with extra headers: (status, Location, JSON body or Null).
async fn send(
    c: &Client,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, String, Value) {
    let url = format!("{}{}", c.base, path);
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
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&b).unwrap());
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, location, v)
}

fn last_segment(s: &str) -> &str {
    s.rsplit('/').next().unwrap()
}

#[tokio::test]
async fn a_sales_order_transforms_into_a_fulfillment_and_an_invoice() {
    let (ns, c) = demo(10).await;
    let so = ns.record("salesOrder", "1").unwrap();
    let (s, loc, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/1/!transform/itemFulfillment"),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204, "{v}");
    assert!(
        loc.contains("/services/rest/record/v1/itemfulfillment/"),
        "{loc}"
    );
    let f = ns.record("itemFulfillment", last_segment(&loc)).unwrap();
    assert_eq!(f["entity"], so["entity"]);
    assert_eq!(f["createdFrom"]["id"], "1");
    assert_eq!(f["shipStatus"]["id"], "C");
    let so_lines = so["item"]["items"].as_array().unwrap();
    let f_lines = f["item"]["items"].as_array().unwrap();
    assert_eq!(f_lines.len(), so_lines.len());
    for (fl, sl) in f_lines.iter().zip(so_lines) {
        assert_eq!(fl["item"], sl["item"]);
        assert_eq!(fl["quantity"], sl["quantity"]);
        assert_eq!(fl["orderLine"], sl["line"]);
        assert_eq!(fl["itemReceive"], true);
    }

    // With a body merged on top; the type segment in any case.
    let (s, loc, v) = send(
        &c,
        "POST",
        &format!("{R}/salesorder/2/!transform/INVOICE"),
        &[],
        Some(json!({"memo": "from the transform", "tranDate": "2025-07-01"})),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let inv = ns.record("invoice", last_segment(&loc)).unwrap();
    let so2 = ns.record("salesOrder", "2").unwrap();
    assert_eq!(inv["memo"], "from the transform");
    assert_eq!(inv["tranDate"], "2025-07-01");
    assert_eq!(inv["entity"], so2["entity"]);
    assert_eq!(inv["currency"], so2["currency"]);
    assert_eq!(inv["total"], so2["total"]);
    assert_eq!(inv["status"]["refName"], "Open");
    // The new invoice reads back through the API like any other.
    let (s, _, v) = send(
        &c,
        "GET",
        &format!("{R}/invoice/{}", last_segment(&loc)),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["createdFrom"]["id"], "2");
}

#[tokio::test]
async fn transforms_refuse_missing_sources_and_unknown_pairs() {
    let (ns, c) = demo(10).await;
    let invoices = ns.record_count("invoice");
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/9999/!transform/invoice"),
        &[],
        None,
    )
    .await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"), "{v}");
    for path in [
        "customer/1/!transform/invoice",
        "salesOrder/1/!transform/vendorBill",
    ] {
        let (s, _, v) = send(&c, "POST", &format!("{R}/{path}"), &[], None).await;
        assert_eq!((s, code(&v)), (400, "USER_ERROR"), "{path}: {v}");
    }
    // A body that is not an object.
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/1/!transform/invoice"),
        &[],
        Some(json!([1])),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "INVALID_CONTENT"));
    // Only POST.
    let (s, _, _) = send(
        &c,
        "GET",
        &format!("{R}/salesOrder/1/!transform/invoice"),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 405);
    assert_eq!(ns.record_count("invoice"), invoices, "nothing was created");
}

#[tokio::test]
async fn approve_and_reject_change_the_approval_status() {
    let (ns, c) = demo(10).await;
    let pending = ns.insert_record(
        "salesOrder",
        json!({"entity": {"id": "1"}, "status": {"id": "A", "refName": "Pending Approval"},
               "item": {"items": [{"item": {"id": "1"}, "quantity": 1}]}}),
    );
    // Pending approval: no fulfillment yet.
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/{pending}/!transform/itemFulfillment"),
        &[],
        None,
    )
    .await;
    assert_eq!((s, code(&v)), (400, "USER_ERROR"), "{v}");

    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/{pending}/@approve"),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let (_, _, v) = send(&c, "GET", &format!("{R}/salesOrder/{pending}"), &[], None).await;
    assert_eq!(
        v["approvalStatus"],
        json!({"id": "2", "refName": "Approved"})
    );
    assert_eq!(v["status"]["id"], "B");
    // Approved twice, or rejected after approval: 400.
    for action in ["approve", "reject"] {
        let (s, _, v) = send(
            &c,
            "POST",
            &format!("{R}/salesOrder/{pending}/@{action}"),
            &[],
            None,
        )
        .await;
        assert_eq!((s, code(&v)), (400, "USER_ERROR"), "{action}");
    }
    // Now it transforms.
    let (s, _, _) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/{pending}/!transform/itemFulfillment"),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204);

    let po = ns.insert_record("purchaseOrder", json!({"entity": {"id": "1"}}));
    let (s, _, _) = send(
        &c,
        "POST",
        &format!("{R}/purchaseOrder/{po}/@reject"),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        ns.record("purchaseOrder", &po).unwrap()["approvalStatus"]["id"],
        "3"
    );
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/purchaseOrder/{po}/!transform/vendorBill"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (s, code(&v)),
        (400, "USER_ERROR"),
        "a rejected order does not transform"
    );

    // Unknown action, unknown record.
    let (s, _, v) = send(&c, "POST", &format!("{R}/salesOrder/1/@explode"), &[], None).await;
    assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"));
    assert!(v["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("@explode"));
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/salesOrder/9999/@approve"),
        &[],
        None,
    )
    .await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
}

#[tokio::test]
async fn contacts_and_files_attach_and_detach() {
    let (ns, c) = demo(10).await;
    let alice = ns.insert_record("contact", json!({"entityId": "Alice"}));
    let bob = ns.insert_record("contact", json!({"entityId": "Bob"}));
    let file = ns.insert_record("file", json!({"name": "contract.pdf"}));
    let p = |s: &str| format!("{R}/customer/1/{s}");

    let (s, _, v) = send(
        &c,
        "POST",
        &p(&format!("!attach/contact/{alice}")),
        &[],
        Some(json!({"role": {"id": "-10"}})),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    let (s, _, _) = send(&c, "POST", &p(&format!("!attach/contact/{bob}")), &[], None).await;
    assert_eq!(s, 204);
    // Attaching again replaces the role, never a second line.
    let (s, _, _) = send(
        &c,
        "POST",
        &p(&format!("!attach/contact/{alice}")),
        &[],
        Some(json!({"role": {"id": "14"}})),
    )
    .await;
    assert_eq!(s, 204);
    let (s, _, _) = send(&c, "POST", &p(&format!("!attach/file/{file}")), &[], None).await;
    assert_eq!(s, 204);

    let (s, _, v) = send(&c, "GET", &p("contactRoles"), &[], None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["count"], 2);
    assert_eq!(v["items"][0]["contact"]["id"], alice);
    assert_eq!(v["items"][0]["contact"]["refName"], "Alice");
    assert_eq!(v["items"][0]["role"]["id"], "14");
    assert_eq!(v["items"][1]["contact"]["id"], bob);
    let (_, _, v) = send(&c, "GET", &p("files"), &[], None).await;
    assert_eq!(v["items"][0]["file"]["id"], file);

    let (s, _, _) = send(
        &c,
        "POST",
        &p(&format!("!detach/contact/{alice}")),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (_, _, v) = send(&c, "GET", &p("contactRoles"), &[], None).await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["items"][0]["contact"]["id"], bob);
    // Detaching what is not attached changes nothing.
    let (s, _, _) = send(
        &c,
        "POST",
        &p(&format!("!detach/contact/{alice}")),
        &[],
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _, _) = send(&c, "POST", &p(&format!("!detach/file/{file}")), &[], None).await;
    assert_eq!(s, 204);
    let (_, _, v) = send(&c, "GET", &p("files"), &[], None).await;
    assert_eq!(v["count"], 0);

    // Only contacts and files; the attached record must exist; so must the record.
    let (s, _, v) = send(&c, "POST", &p("!attach/customer/2"), &[], None).await;
    assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"));
    let (s, _, v) = send(&c, "POST", &p("!attach/contact/9999"), &[], None).await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/customer/9999/!attach/contact/{alice}"),
        &[],
        None,
    )
    .await;
    assert_eq!((s, code(&v)), (404, "NONEXISTENT_ID"));
    let (s, _, v) = send(
        &c,
        "POST",
        &p(&format!("!attach/contact/{bob}")),
        &[],
        Some(json!({"role": [1]})),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "INVALID_CONTENT"));
}

#[tokio::test]
async fn governance_limits_report_the_account_limit() {
    let (_ns, c) = demo(15).await;
    let (s, _, v) = send(
        &c,
        "GET",
        "/services/rest/system/v1/governanceLimits",
        &[],
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"accountConcurrencyLimit": 15, "accountUnallocatedConcurrencyLimit": 15,
               "integrationLimitType": "accountLimit"})
    );
    // Signed like everything else.
    let r = c
        .http
        .get(format!(
            "{}/services/rest/system/v1/governanceLimits",
            c.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn property_name_validation_error_refuses_unknown_fields() {
    let (ns, c) = demo(10).await;
    let strict = [("X-NetSuite-PropertyNameValidation", "Error")];
    let count = ns.record_count("customer");
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &strict,
        Some(json!({"companyName": "X", "compnyName": "typo"})),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "NONEXISTENT_FIELD"), "{v}");
    assert_eq!(v["o:errorDetails"][0]["o:errorPath"], "compnyName");
    assert!(v["o:errorDetails"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("compnyName"));
    let (s, _, v) = send(
        &c,
        "PATCH",
        &format!("{R}/customer/1"),
        &strict,
        Some(json!({"emial": "x@y.z"})),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "NONEXISTENT_FIELD"));
    let (s, _, v) = send(
        &c,
        "PUT",
        &format!("{R}/customer/eid:NEW-1"),
        &strict,
        Some(json!({"bogus": 1})),
    )
    .await;
    assert_eq!((s, code(&v)), (400, "NONEXISTENT_FIELD"));
    assert_eq!(ns.record_count("customer"), count, "nothing written");
    // Known fields (any case) pass.
    let (s, _, v) = send(
        &c,
        "POST",
        &format!("{R}/customer"),
        &strict,
        Some(json!({"companyname": "Y", "externalId": "V-1"})),
    )
    .await;
    assert_eq!(s, 204, "{v}");
    // Warning (the default) and Ignore accept the unknown field.
    for level in [None, Some("Warning"), Some("ignore")] {
        let headers: Vec<(&str, &str)> = level
            .map(|l| vec![("X-NetSuite-PropertyNameValidation", l)])
            .unwrap_or_default();
        let (s, _, v) = send(
            &c,
            "PATCH",
            &format!("{R}/customer/1"),
            &headers,
            Some(json!({"newField": level})),
        )
        .await;
        assert_eq!(s, 204, "{level:?}: {v}");
    }
    // A value that is none of the three, for either header: 400.
    for h in [
        "X-NetSuite-PropertyNameValidation",
        "X-NetSuite-PropertyValueValidation",
    ] {
        let (s, _, v) = send(
            &c,
            "PATCH",
            &format!("{R}/customer/1"),
            &[(h, "Strict")],
            Some(json!({"phone": "1"})),
        )
        .await;
        assert_eq!((s, code(&v)), (400, "INVALID_PARAMETER"), "{h}");
        assert!(v["o:errorDetails"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Strict"));
    }
}
