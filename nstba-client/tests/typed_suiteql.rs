//! Typed SuiteQL returns the right dates and times whatever the account's date-format preference,
//! selects subsets of fields, refuses transaction types it cannot narrow, and names the row and column
//! of a value it cannot decode. Strict mode sends `X-NetSuite-PropertyNameValidation: Error`.

#![allow(missing_docs)]

use futures_util::TryStreamExt;
use nstba::client::values::{Date, DateTime};
use nstba::typed::ClientExt;
use nstba::{Record, RecordId};
use nstba_client::{Client, ErrorKind};
use nstba_mock::{DateFormat, MockNetSuite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "employee")]
pub struct Employee {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub entity_id: Option<String>,
    pub email: Option<String>,
    pub is_inactive: Option<bool>,
    pub hire_date: Option<Date>,
    pub last_modified_date: Option<DateTime>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "purchaseOrder")]
pub struct PurchaseOrder {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub tran_id: Option<String>,
    pub tran_date: Option<Date>,
    pub created_date: Option<DateTime>,
    pub total: Option<f64>,
    pub memo: Option<String>,
}

/// A transaction type whose `transaction.type` code the table does not know.
#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "statisticalJournalEntry")]
pub struct StatisticalJournalEntry {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub memo: Option<String>,
}

#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "inventoryItem")]
pub struct InventoryItem {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub item_id: Option<String>,
    pub base_price: Option<f64>,
}

/// An item type told apart by `itemtype` and `subtype`.
#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "serviceSaleItem")]
pub struct ServiceSaleItem {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub item_id: Option<String>,
}

/// An inventory item variant: same `itemtype` as `inventoryItem`, told apart by `islotitem`.
#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "lotNumberedInventoryItem")]
pub struct LotNumberedInventoryItem {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub item_id: Option<String>,
}

/// Leads live in SuiteQL's `customer` table.
#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "lead")]
pub struct Lead {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub company_name: Option<String>,
}

/// A field that cannot hold what the column holds.
#[derive(Record, Debug, Clone, PartialEq)]
#[netsuite(record = "employee")]
pub struct BadEmployee {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub entity_id: Option<f64>,
}

async fn emulator(format: DateFormat) -> (MockNetSuite, Client) {
    let mock = MockNetSuite::builder()
        .date_format(format)
        .demo_data()
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .build()
        .unwrap();
    (mock, client)
}

#[tokio::test]
async fn dates_and_times_round_trip_whatever_the_account_date_format() {
    let hire = Date::new(2021, 11, 15).unwrap();
    let modified = DateTime::new(Date::new(2025, 3, 19).unwrap(), 21, 14, 0).unwrap();
    let po_date = Date::new(2025, 6, 30).unwrap();
    let po_created = DateTime::new(po_date, 21, 14, 0).unwrap();
    for format in DateFormat::ALL {
        let (_mock, client) = emulator(format).await;
        let f = Employee::fields();
        let rows: Vec<Employee> = client
            .typed::<Employee>()
            .select()
            .filter(f.hire_date.on_or_after(Date::new(2021, 1, 1).unwrap()))
            .stream()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(rows.len(), 2, "{format}: {rows:?}");
        let bo = &rows[0];
        assert_eq!(bo.entity_id.as_deref(), Some("Bo Buyer"));
        assert_eq!(bo.hire_date, Some(hire), "{format}");
        // The datetime keeps its time (SuiteQL alone would give the date only).
        assert_eq!(bo.last_modified_date, Some(modified), "{format}");
        assert_eq!(bo.is_inactive, Some(false));
        assert_eq!(rows[1].last_modified_date, None, "{format}");

        let pos: Vec<PurchaseOrder> = client
            .typed::<PurchaseOrder>()
            .select()
            .stream()
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(pos.len(), 2, "{format}");
        assert_eq!(pos[1].tran_date, Some(po_date), "{format}");
        assert_eq!(pos[1].created_date, Some(po_created), "{format}");
        assert_eq!(pos[1].total, Some(75.0));
    }
}

#[tokio::test]
async fn dates_are_selected_through_to_char_and_subsets_of_fields_work() {
    let (_mock, client) = emulator(DateFormat::DayMonYear).await;
    let f = Employee::fields();
    let q = client.typed::<Employee>().select();
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT id, entityid, email, isinactive, \
         TO_CHAR(hiredate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS hiredate, \
         TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS lastmodifieddate \
         FROM employee ORDER BY id"
    );
    let q = client
        .typed::<Employee>()
        .select()
        .columns([f.email.info(), f.last_modified_date.info()]);
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT id, email, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS lastmodifieddate \
         FROM employee ORDER BY id"
    );
    let rows: Vec<Employee> = q.stream().try_collect().await.unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].id.as_ref().unwrap().as_str(), "-5");
    assert!(rows.iter().all(|r| r.entity_id.is_none()));
    assert_eq!(rows[1].email.as_deref(), Some("ada@honeycomb.example"));
    // A field of another record type is refused.
    let other = PurchaseOrder::fields().memo.info();
    let e = client
        .typed::<Employee>()
        .select()
        .columns([other])
        .to_sql()
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
}

#[tokio::test]
async fn transaction_types_without_a_known_code_are_an_error_not_every_transaction() {
    let (_mock, client) = emulator(DateFormat::default()).await;
    let e = client
        .typed::<StatisticalJournalEntry>()
        .select()
        .to_sql()
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput { .. }), "{e}");
    assert!(e.to_string().contains("statisticalJournalEntry"), "{e}");
    let streamed: Result<Vec<StatisticalJournalEntry>, _> = client
        .typed::<StatisticalJournalEntry>()
        .select()
        .stream()
        .try_collect()
        .await;
    assert!(streamed.is_err());
    // Known codes narrow the table.
    assert!(client
        .typed::<PurchaseOrder>()
        .select()
        .to_sql()
        .unwrap()
        .contains("WHERE type = 'PurchOrd'"));
}

#[tokio::test]
async fn item_subtypes_and_leads_are_told_apart_in_their_shared_tables() {
    let (mock, client) = emulator(DateFormat::default()).await;
    let inventory_items = mock.record_count("inventoryItem");
    // Other item types beside the demo's inventory items, in the same `item` table.
    mock.insert_record(
        "serviceSaleItem",
        serde_json::json!({"itemId": "INSTALL", "itemType": {"id": "Service"}}),
    );
    mock.insert_record(
        "lotNumberedInventoryItem",
        serde_json::json!({"itemId": "BATCH-7", "itemType": {"id": "InvtPart"}}),
    );
    let q = client.typed::<InventoryItem>().select();
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT id, itemid, baseprice FROM item WHERE itemtype = 'InvtPart' AND islotitem = 'F' \
         AND isserialitem = 'F' ORDER BY id"
    );
    let items: Vec<InventoryItem> = q.stream().try_collect().await.unwrap();
    assert_eq!(
        items.len(),
        inventory_items,
        "the lot-numbered item is not one"
    );
    assert_eq!(items[0].item_id.as_deref(), Some("WIDGET-S"));

    let q = client.typed::<ServiceSaleItem>().select();
    assert_eq!(
        q.to_sql().unwrap(),
        "SELECT id, itemid FROM item WHERE itemtype = 'Service' AND subtype = 'Sale' ORDER BY id"
    );
    let services: Vec<ServiceSaleItem> = q.stream().try_collect().await.unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].item_id.as_deref(), Some("INSTALL"));
    let lots: Vec<LotNumberedInventoryItem> = client
        .typed::<LotNumberedInventoryItem>()
        .select()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lots.len(), 1);
    assert_eq!(lots[0].item_id.as_deref(), Some("BATCH-7"));

    assert_eq!(
        client.typed::<Lead>().select().to_sql().unwrap(),
        "SELECT id, companyname FROM customer WHERE searchstage = 'Lead' ORDER BY id"
    );
}

#[tokio::test]
async fn decode_errors_name_the_row_and_the_column() {
    let (_mock, client) = emulator(DateFormat::default()).await;
    let e = client
        .typed::<BadEmployee>()
        .select()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{text}");
    assert!(text.contains("row 1"), "{text}");
    assert!(text.contains("column `entityid`"), "{text}");
    assert!(text.contains("-System-"), "{text}");
}

/// One HTTP exchange on a loopback listener: returns the request head it received.
async fn capture_one(listener: tokio::net::TcpListener) -> String {
    let (mut sock, _) = listener.accept().await.unwrap();
    let mut buf = vec![0u8; 8192];
    let mut head = Vec::new();
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let body = br#"{"id":"1"}"#;
    let resp = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(resp.as_bytes()).await.unwrap();
    sock.write_all(body).await.unwrap();
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

#[tokio::test]
async fn strict_mode_sends_property_name_validation_error() {
    for strict in [true, false] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(capture_one(listener));
        let client = Client::builder()
            .credentials(MockNetSuite::demo_credentials())
            .base_url(base)
            .strict_property_names(strict)
            .build()
            .unwrap();
        let _ = client.record("customer").get("1").send().await;
        let head = server.await.unwrap();
        assert_eq!(
            head.contains("x-netsuite-propertynamevalidation: error"),
            strict,
            "{head}"
        );
    }
}
