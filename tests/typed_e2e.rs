//! `#[derive(Record)]` end to end against the emulator: customer, salesOrder with its item sublist,
//! and a custom record (with a customer address subrecord line).

#![allow(missing_docs)]
use futures_util::{StreamExt, TryStreamExt};
use nstba::client::values::{Date, DateTime};
use nstba::client::Client;
use nstba::typed::{ClientExt, Patch, Sublist};
use nstba::{Record, RecordId, RecordKey, RecordRef};
use nstba_mock::MockNetSuite;

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "customer")]
pub struct Customer {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub is_inactive: Option<bool>,
    pub balance: Option<f64>,
    pub date_created: Option<DateTime>,
    pub subsidiary: Option<RecordRef>,
    #[netsuite(custom = "custentity_tier")]
    pub tier: Option<String>,
    #[netsuite(external_id)]
    pub external_id: Option<String>,
    #[netsuite(rename = "addressbook")]
    pub addresses: Option<Sublist<AddressLine>>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(subrecord)]
pub struct AddressLine {
    pub label: Option<String>,
    pub default_billing: Option<bool>,
    #[netsuite(subrecord)]
    pub addressbook_address: Option<Address>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(subrecord)]
pub struct Address {
    pub addr1: Option<String>,
    pub city: Option<String>,
    /// A select-list field: `{"id": "US", "refName": "United States"}` on the wire.
    pub country: Option<RecordRef>,
}

#[derive(Record, Debug, Clone)]
#[netsuite(record = "salesOrder")]
pub struct SalesOrder {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub tran_id: Option<String>,
    pub entity: Option<RecordRef>,
    pub tran_date: Option<Date>,
    pub memo: Option<String>,
    pub total: Option<f64>,
    pub item: Sublist<SalesOrderItem>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(subrecord)]
pub struct SalesOrderItem {
    pub line: Option<u32>,
    pub item: Option<RecordRef>,
    pub quantity: Option<f64>,
    pub rate: Option<f64>,
    pub amount: Option<f64>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "customrecord_tier_rule")]
pub struct TierRule {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub name: Option<String>,
    #[netsuite(custom = "custrecord_min_balance")]
    pub min_balance: Option<f64>,
    #[netsuite(custom = "custrecord_tier")]
    pub tier: Option<String>,
    #[netsuite(custom = "custrecord_active")]
    pub active: Option<bool>,
}

async fn start() -> (MockNetSuite, Client) {
    let mock = MockNetSuite::builder()
        .demo_data()
        .start()
        .await
        .expect("emulator");
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .build()
        .expect("client");
    (mock, client)
}

#[tokio::test]
async fn customer_round_trip() {
    let (mock, client) = start().await;
    let customers = client.typed::<Customer>();

    let acme = customers.get("1").send().await.unwrap();
    assert_eq!(acme.id, Some(RecordId::new("1")));
    assert_eq!(acme.company_name.as_deref(), Some("Acme Corporation"));
    assert_eq!(acme.is_inactive, Some(false));
    assert_eq!(
        acme.subsidiary.as_ref().and_then(|r| r.id.as_deref()),
        Some("1")
    );
    assert!(acme.date_created.is_some());
    // Not expanded: a link stub.
    assert!(acme.addresses.as_ref().is_none_or(|a| !a.is_expanded()));

    let expanded = customers
        .get("1")
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    let lines = expanded.addresses.expect("addressbook");
    assert!(lines.is_expanded());
    assert_eq!(
        lines.items()[0]
            .addressbook_address
            .as_ref()
            .and_then(|a| a.city.as_deref()),
        Some("New York")
    );

    let new = Customer {
        id: None,
        company_name: Some("Initrode \"Quoted\" Ltd".into()),
        email: Some("o'brien@initrode.example".into()),
        is_inactive: Some(false),
        balance: Some(10.5),
        date_created: None,
        subsidiary: Some(RecordRef::id("2")),
        tier: Some("gold".into()),
        external_id: Some("INIT-1".into()),
        addresses: None,
    };
    let id = customers.create(&new).send().await.unwrap();
    let stored = mock.record("customer", id.as_str()).expect("stored");
    assert_eq!(stored["custentity_tier"], "gold");
    assert_eq!(stored["companyName"], "Initrode \"Quoted\" Ltd");

    let back = customers.get(&id).send().await.unwrap();
    assert_eq!(back.tier.as_deref(), Some("gold"));
    assert_eq!(back.external_id.as_deref(), Some("INIT-1"));

    // Patch: set one, clear one, leave the rest.
    let patch = CustomerPatch {
        tier: Patch::set("platinum"),
        email: Patch::Clear,
        ..Customer::patch()
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        serde_json::json!({"email": null, "custentity_tier": "platinum"})
    );
    customers.update(&id, &patch).send().await.unwrap();
    let after = customers.get(&id).send().await.unwrap();
    assert_eq!(after.tier.as_deref(), Some("platinum"));
    assert_eq!(after.email, None);
    assert_eq!(after.company_name, new.company_name);

    // Typed list filter with quoting.
    let f = Customer::fields();
    let ids: Vec<_> = customers
        .list(f.company_name.is("Initrode \"Quoted\" Ltd"))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].id, id);
    let rich: Vec<Customer> = customers
        .list(f.balance.greater(10_000.0).and(f.is_inactive.is(false)))
        .records()
        .try_collect()
        .await
        .unwrap();
    assert!(!rich.is_empty());
    assert!(rich.iter().all(|c| c.balance.unwrap_or(0.0) > 10_000.0));
    assert!(rich.iter().all(|c| c.is_inactive == Some(false)));

    // Typed SuiteQL: the same values, decoded from strings.
    let rows: Vec<Customer> = customers
        .select()
        .filter(f.email.starts_with("o'brien").or(f.id.any_of(["1"])))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].id, Some(RecordId::new("1")));
    let rows: Vec<Customer> = customers
        .select()
        .filter(f.tier.is("platinum"))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id.as_ref(), Some(&id));
    assert_eq!(row.balance, Some(10.5));
    assert_eq!(row.is_inactive, Some(false));
    assert_eq!(
        row.subsidiary.as_ref().and_then(|r| r.id.as_deref()),
        Some("2")
    );
    assert_eq!(row.external_id.as_deref(), Some("INIT-1"));

    // Upsert by external id, then delete.
    let up = Customer {
        company_name: Some("Initrode Renamed".into()),
        ..new.clone()
    };
    customers.upsert("INIT-1", &up).send().await.unwrap();
    let renamed = customers
        .get(RecordKey::external("INIT-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.company_name.as_deref(), Some("Initrode Renamed"));
    customers.delete(&id).send().await.unwrap();
    assert!(customers.get(&id).send().await.is_err());
}

#[tokio::test]
async fn sales_order_with_item_sublist() {
    let (_mock, client) = start().await;
    let orders = client.typed::<SalesOrder>();
    assert_eq!(SalesOrder::TABLE, "transaction");

    let so = orders
        .get("2")
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    assert!(so.item.is_expanded());
    assert!(!so.item.is_empty());
    let sum: f64 = so.item.iter().filter_map(|l| l.amount).sum();
    assert!((sum - so.total.unwrap_or_default()).abs() < 1e-6);

    let new = SalesOrder {
        id: None,
        tran_id: None,
        entity: Some(RecordRef::id("1")),
        tran_date: Date::new(2025, 3, 1),
        memo: Some("typed order".into()),
        total: None,
        item: vec![
            SalesOrderItem {
                line: None,
                item: Some(RecordRef::id("2")),
                quantity: Some(3.0),
                rate: Some(19.0),
                amount: None,
            },
            SalesOrderItem {
                line: None,
                item: Some(RecordRef::id("4")),
                quantity: Some(1.0),
                rate: Some(3.25),
                amount: None,
            },
        ]
        .into(),
    };
    let id = orders.create(&new).send().await.unwrap();
    let back = orders
        .get(&id)
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    assert_eq!(back.item.len(), 2);
    assert_eq!(
        back.item.items()[0].item,
        Some(RecordRef {
            ref_name: back.item.items()[0]
                .item
                .as_ref()
                .and_then(|r| r.ref_name.clone()),
            ..RecordRef::id("2")
        })
    );

    // Replace the lines with a typed patch.
    let patch = SalesOrderPatch {
        item: Patch::Set(Sublist::new(vec![SalesOrderItem {
            line: None,
            item: Some(RecordRef::id("3")),
            quantity: Some(2.0),
            rate: Some(42.0),
            amount: None,
        }])),
        ..SalesOrder::patch()
    };
    orders
        .update(&id, &patch)
        .replace(["item"])
        .send()
        .await
        .unwrap();
    let replaced = orders
        .get(&id)
        .expand_sub_resources(true)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.item.len(), 1);
    assert_eq!(replaced.memo.as_deref(), Some("typed order"));

    let f = SalesOrder::fields();
    let mine: Vec<_> = orders
        .list(f.entity.any_of(["1"]).and(f.memo.contains("typed")))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, id);
}

#[tokio::test]
async fn custom_record() {
    let (_mock, client) = start().await;
    let rules = client.typed::<TierRule>();
    for (name, min, tier) in [
        ("bronze", 0.0, "B"),
        ("silver", 5000.0, "S"),
        ("gold", 10000.0, "G"),
    ] {
        rules
            .create(&TierRule {
                id: None,
                name: Some(name.into()),
                min_balance: Some(min),
                tier: Some(tier.into()),
                active: Some(true),
            })
            .send()
            .await
            .unwrap();
    }
    let f = TierRule::fields();
    let high: Vec<TierRule> = rules
        .list(f.min_balance.greater_or_equal(5000))
        .records()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(high.len(), 2);
    let sql = rules
        .select()
        .filter(f.active.is(true))
        .order_by_desc(f.min_balance);
    assert_eq!(
        sql.to_sql().unwrap(),
        "SELECT id, name, custrecord_min_balance, custrecord_tier, custrecord_active FROM customrecord_tier_rule WHERE custrecord_active = 'T' ORDER BY custrecord_min_balance DESC, id"
    );
    let rows: Vec<TierRule> = sql.stream().try_collect().await.unwrap();
    let names: Vec<_> = rows.iter().filter_map(|r| r.name.as_deref()).collect();
    assert_eq!(names, ["gold", "silver", "bronze"]);
    assert_eq!(rows[0].active, Some(true));
    assert_eq!(rows[0].min_balance, Some(10000.0));
}

#[tokio::test]
async fn bad_filters_are_errors_not_panics() {
    let (_mock, client) = start().await;
    let f = Customer::fields();
    let mut s = client
        .typed::<Customer>()
        .list(f.balance.greater(f64::NAN))
        .stream();
    let first = s.next().await.expect("one item");
    assert!(first.is_err());
    let mut s = client
        .typed::<Customer>()
        .select()
        .filter(f.balance.any_of(Vec::<i32>::new()))
        .stream();
    assert!(s.next().await.expect("one item").is_err());
}

#[tokio::test]
async fn transaction_tables_are_filtered_by_type() {
    let (_mock, client) = start().await;
    let f = SalesOrder::fields();
    let q = client
        .typed::<SalesOrder>()
        .select()
        .filter(f.memo.is_empty().or(f.total.greater(5)));
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT id, tranid, entity, TO_CHAR(trandate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS trandate, memo, total FROM transaction WHERE type = 'SalesOrd' AND (memo IS NULL OR total > 5) ORDER BY id"
    );
}

/// Typed SuiteQL runs against the emulator's `transaction` table and understands `TO_DATE`.
#[tokio::test]
async fn typed_suiteql_on_transactions_and_dates_runs() {
    let (mock, client) = start().await;
    let orders: Vec<SalesOrder> = client
        .typed::<SalesOrder>()
        .select()
        .filter(SalesOrder::fields().total.greater(0))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orders.len(), mock.record_count("salesOrder"));
    assert!(orders.iter().all(|o| o.total.is_some_and(|t| t > 0.0)));

    // The account has the custom field `custentity_tier` (a column even where it is empty).
    mock.insert_record(
        "customer",
        serde_json::json!({"companyName": "Tiered", "custentity_tier": "Gold", "dateCreated": "2024-08-01T10:00:00Z"}),
    );
    let f = Customer::fields();
    let since = Date::new(2024, 7, 1).unwrap();
    let recent: Vec<Customer> = client
        .typed::<Customer>()
        .select()
        .filter(f.date_created.on_or_after(since))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let all: Vec<Customer> = client
        .typed::<Customer>()
        .select()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let expected = all
        .iter()
        .filter(|c| c.date_created.is_some_and(|d| d.date() >= since))
        .count();
    assert!(
        expected > 0 && expected < all.len(),
        "{expected} of {}",
        all.len()
    );
    assert_eq!(recent.len(), expected);
}

#[derive(Record, Debug, Clone, Default)]
#[netsuite(record = "invoice")]
pub struct InvoiceView {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub memo: Option<String>,
    #[netsuite(read_only)]
    pub total: Option<f64>,
    #[netsuite(skip_select)]
    pub amount_remaining: Option<f64>,
}

#[test]
fn read_only_fields_are_read_but_never_sent_and_skip_select_leaves_selects() {
    let v: InvoiceView =
        serde_json::from_value(serde_json::json!({"id": "9", "memo": "m", "total": 12.5})).unwrap();
    assert_eq!(v.total, Some(12.5));
    let sent = serde_json::to_value(&v).unwrap();
    assert_eq!(sent, serde_json::json!({"id": "9", "memo": "m"}));
    // No `total` in the patch type: this would not compile.
    let patch = InvoiceViewPatch {
        memo: Patch::set("x"),
        amount_remaining: Patch::Clear,
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        serde_json::json!({"memo": "x", "amountRemaining": null})
    );
    let info = |n: &str| InvoiceView::FIELDS.iter().find(|f| f.name == n).unwrap();
    assert!(info("total").read_only && info("total").selected);
    assert!(!info("amount_remaining").selected && !info("memo").read_only);
    let client = Client::builder()
        .credentials(MockNetSuite::demo_credentials())
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(
        client.typed::<InvoiceView>().select().to_sql().unwrap(),
        "SELECT id, memo, total FROM transaction WHERE type = 'CustInvc' ORDER BY id"
    );
}
