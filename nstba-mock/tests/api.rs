//! Every endpoint of the emulator, through signed HTTP requests.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::json;

async fn demo() -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    (ns, c)
}

#[tokio::test]
async fn smoke_get_create_patch_delete() {
    let (ns, c) = demo().await;
    let (s, v) = c
        .json("GET", "/services/rest/record/v1/customer/1", None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["companyName"], "Acme Corporation");
    assert_eq!(v["subsidiary"]["refName"], "Honeycomb Mfg.");
    let r = c
        .send(
            "POST",
            "/services/rest/record/v1/customer",
            Some(json!({"companyName": "New Co"})),
        )
        .await;
    assert_eq!(r.status().as_u16(), 204);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.ends_with("/services/rest/record/v1/customer/13"),
        "{loc}"
    );
    assert!(ns.audit_log().is_empty(), "{:?}", ns.audit_log());
}
