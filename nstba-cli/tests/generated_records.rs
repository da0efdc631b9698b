//! The output of `nstba generate` for the fixtures in `tests/fixtures/` is committed in
//! `tests/generated/`. This test compiles it (so it compiles without edits), checks that generating
//! again gives the same bytes (deterministic and current), and decodes the emulator's records into it.

#[path = "generated/mod.rs"]
mod generated;

use generated::{Customer, CustomerEmailPreference, CustomrecordPmMilestone, SalesOrder};
use nstba::client::Client;
use nstba::mock::MockNetSuite;
use nstba::RecordKey;
use serde_json::json;
use std::path::Path;

const FIXTURES: [&str; 3] = [
    "customer.swagger.json",
    "salesOrder.schema.json",
    "customrecord_pm_milestone.schema.json",
];

#[test]
fn generating_again_gives_the_committed_files() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let out = std::env::temp_dir().join(format!("nstba-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.arg("generate").arg("--out").arg(&out);
    for f in FIXTURES {
        cmd.arg("--schema").arg(here.join("fixtures").join(f));
    }
    let status = cmd.output().unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "customer.rs",
            "customrecord_pm_milestone.rs",
            "mod.rs",
            "sales_order.rs"
        ]
    );
    for name in names {
        let fresh = std::fs::read_to_string(out.join(&name)).unwrap();
        let committed = std::fs::read_to_string(here.join("generated").join(&name)).unwrap();
        assert!(
            fresh == committed,
            "{name} differs from tests/generated/{name}: regenerate with `nstba generate` (see this test)"
        );
    }
    let customer = std::fs::read_to_string(here.join("generated/customer.rs")).unwrap();
    // Doc comments from titles, custom fields marked, keywords and non-identifiers handled.
    assert!(customer.contains("/// Company Name (`companyName`)"));
    assert!(customer.contains("#[netsuite(custom = \"custentity_tier\")]"));
    assert!(customer.contains("pub type_: Option<String>"));
    assert!(customer.contains("#[netsuite(rename = \"1099Eligible\")]"));
    assert!(customer.matches("pub ").count() > 100);
}

#[test]
fn enums_keep_unknown_values() {
    let known: CustomerEmailPreference = serde_json::from_value(json!("PDF")).unwrap();
    assert_eq!(known, CustomerEmailPreference::Pdf);
    let unknown: CustomerEmailPreference = serde_json::from_value(json!("XML")).unwrap();
    assert_eq!(unknown, CustomerEmailPreference::Unknown("XML".into()));
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("XML"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_records_decode_into_generated_structs() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let client = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .build()
        .unwrap();

    let customer: Customer = client
        .records::<Customer>()
        .get(RecordKey::from("1"))
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    assert!(customer.id.is_some());
    assert!(customer.company_name.is_some());
    assert!(customer
        .subsidiary
        .as_ref()
        .and_then(|s| s.id.clone())
        .is_some());

    let order: SalesOrder = client
        .records::<SalesOrder>()
        .get(RecordKey::from("1"))
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    let lines = order.item.expect("the demo order has item lines");
    assert!(!lines.items().is_empty());
    assert!(lines.items()[0].item.is_some());

    let id = ns.insert_record(
        "customrecord_pm_milestone",
        json!({"name": "Kick-off", "custrecord_pm_hours": 12.5, "custrecord_pm_phase": "plan", "custrecord_pm_due": "2026-12-01"}),
    );
    let milestone: CustomrecordPmMilestone = client
        .records::<CustomrecordPmMilestone>()
        .get(RecordKey::from(id.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(milestone.name.as_deref(), Some("Kick-off"));
    assert_eq!(milestone.custrecord_pm_hours, Some(12.5));
    assert_eq!(
        milestone.custrecord_pm_phase,
        Some(generated::CustomrecordPmMilestoneCustrecordPmPhase::Plan)
    );
    assert_eq!(milestone.custrecord_pm_due.map(|d| d.day()), Some(1));
}
