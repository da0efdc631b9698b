//! The generator against the shapes real NetSuite accounts return (see `NETSUITE.md`, "What real
//! NetSuite data looks like"): catalogs whose references point at record types (the record itself
//! included), `oneOf` references, multi-selects, sublists and subrecords, select lists in the 2025
//! object form and the old bare-string form, custom fields and segments, `readOnly` / `nullable` /
//! `x-ns-filterable`, and a 2019 JSON-Schema catalog. The fixtures in `tests/fixtures/real/` are
//! written for this project in those shapes (own values).
//!
//! All the catalogs are generated into ONE module tree, committed in `tests/generated_real/` and
//! compiled here; the GET bodies in `tests/fixtures/real/bodies/` decode into it.
//!
//! After a deliberate change to the output: `NSTBA_BLESS=1 cargo test -p nstba-codegen --test
//! real_shapes`, then review the diff of `tests/generated_real/`.

// Generated code is kept exactly as the generator prints it; not every item is used by the tests.
#[rustfmt::skip]
#[allow(dead_code, unused_imports)]
#[path = "generated_real/mod.rs"]
mod generated_real;

use nstba_codegen::Generator;
use std::path::{Path, PathBuf};

const CATALOGS: [&str; 4] = [
    "names.swagger.json",
    "references.swagger.json",
    "transactions.swagger.json",
    "vendorBill.schema.json",
];

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real")
}

fn generator() -> Generator {
    let mut generator = Generator::new();
    for c in CATALOGS {
        generator.add_file(real_dir().join(c)).unwrap();
    }
    generator
}

#[test]
fn generating_again_gives_the_committed_tree() {
    let modules = generator().modules().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/generated_real");
    if std::env::var_os("NSTBA_BLESS").is_some() {
        for m in &modules {
            m.write_into(&dir).unwrap();
        }
    }
    for m in &modules {
        let committed = std::fs::read_to_string(dir.join(&m.file_name)).unwrap();
        assert!(
            m.source == committed,
            "{} differs from tests/generated_real/: regenerate with NSTBA_BLESS=1",
            m.file_name
        );
    }
}

fn body<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = real_dir().join("bodies").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de)
        .unwrap_or_else(|e| panic!("{name}: {} at {}", e.inner(), e.path()))
}

use generated_real::*;
use nstba::record::{SelectList, SelectValue};
use nstba::{Record, RecordId};
use serde_json::json;

fn id<E: SelectList>(v: &Option<SelectValue<E>>) -> Option<&str> {
    v.as_ref().map(|v| v.value.id())
}

fn ref_name<E>(v: &Option<SelectValue<E>>) -> Option<&str> {
    v.as_ref().and_then(|v| v.ref_name.as_deref())
}

#[test]
fn purchase_order_lines_subrecords_and_unknown_status() {
    let po: PurchaseOrder = body("purchaseOrder.json");
    assert_eq!(po.id, Some(RecordId::new("9120")));
    // A status id the catalog does not list (spelled as its label) is kept, with its refName.
    let status = po.status.as_ref().unwrap();
    assert_eq!(
        status.value,
        PurchaseOrderStatus::Unknown("Pending Receipt".into())
    );
    assert!(!status.value.is_known());
    assert_eq!(status.ref_name.as_deref(), Some("Pending Receipt"));
    assert_eq!(po.total, Some(1840.0));
    assert_eq!(
        po.created_date.map(|d| d.to_string()).as_deref(),
        Some("2025-08-14T03:22:00Z")
    );
    assert_eq!(
        po.cseg_region.as_ref().and_then(|r| r.id.as_deref()),
        Some("4")
    );
    // The subrecord's numeric id.
    let bill = po.billing_address.as_ref().unwrap();
    assert_eq!(bill.id, Some(RecordId::new("77")));
    assert_eq!(
        bill.country.as_ref().map(|c| &c.value),
        Some(&PurchaseOrderBillingAddressCountry::Nz)
    );
    assert_eq!(ref_name(&bill.country), Some("New Zealand"));
    // Expanded lines, each with its own links; a negative item id; an item type not listed.
    let lines = po.item.as_ref().unwrap();
    assert!(lines.is_expanded());
    assert_eq!((lines.len(), lines.total_results()), (2, Some(2)));
    assert_eq!(lines.items()[0].line, Some(1));
    assert_eq!(id(&lines.items()[0].item_type), Some("InvtPart"));
    assert_eq!(
        lines.items()[0].item_type.as_ref().map(|t| &t.value),
        Some(&PurchaseOrderItemItemType::InvtPart)
    );
    assert_eq!(
        lines.items()[1].item.as_ref().and_then(|r| r.id.as_deref()),
        Some("-3")
    );
    assert_eq!(
        lines.items()[1].item_type.as_ref().map(|t| &t.value),
        Some(&PurchaseOrderItemItemType::Unknown("OthCharge".into()))
    );
    assert_eq!(ref_name(&lines.items()[1].item_type), Some("Other Charge"));
    assert_eq!(
        lines.items()[0].expected_receipt_date.map(|d| d.day()),
        Some(29)
    );
}

#[test]
fn sales_order_link_stubs_are_not_expanded() {
    let so: SalesOrder = body("salesOrder.json");
    assert_eq!(so.external_id.as_deref(), Some("WEB-20931"));
    assert_eq!(
        so.status.as_ref().map(|s| &s.value),
        Some(&SalesOrderStatus::B)
    );
    assert_eq!(ref_name(&so.status), Some("Pending Fulfillment"));
    assert_eq!(so.custbody_approval_note, None);
    let lines = so
        .item
        .as_ref()
        .expect("a link stub is present, not absent");
    assert!(!lines.is_expanded() && lines.is_empty());
    assert_eq!(so.total, Some(259.9));
}

#[test]
fn bare_string_enums_decode_like_objects() {
    let so: SalesOrder = body("salesOrder.simpleEnumFormat.json");
    assert_eq!(
        so.status.as_ref().map(|s| &s.value),
        Some(&SalesOrderStatus::F)
    );
    assert_eq!(ref_name(&so.status), None);
    let line = &so.item.as_ref().unwrap().items()[0];
    assert_eq!(
        line.commit_inventory.as_ref().map(|c| &c.value),
        Some(&SalesOrderItemCommitInventory::AvailableQty)
    );
    assert_eq!(id(&line.item_type), Some("InvtPart"));
    assert_eq!(line.custcol_gift_note.as_deref(), Some("Happy birthday"));
    // Written as NetSuite accepts select lists and references; read-only fields are not sent.
    let written = serde_json::to_value(&so).unwrap();
    assert_eq!(written["status"], json!({"id": "F"}));
    assert_eq!(written["entity"], json!({"id": "1207"}));
    assert_eq!(
        written["item"]["items"][0]["itemType"],
        json!({"id": "InvtPart"})
    );
    assert!(
        written["item"]["items"][0].get("amount").is_none(),
        "{written}"
    );
}

#[test]
fn invoice_one_of_entity_and_negative_system_id() {
    let inv: Invoice = body("invoice.json");
    let entity = inv.entity.as_ref().unwrap();
    assert_eq!(entity.id.as_deref(), Some("1207"));
    assert_eq!(entity.external_id.as_deref(), Some("CUST-TUI"));
    assert_eq!(entity.ref_name.as_deref(), Some("Tui Outdoor Ltd"));
    assert_eq!(
        inv.created_by.as_ref().and_then(|r| r.id.as_deref()),
        Some("-5")
    );
    assert_eq!(
        inv.status.as_ref().map(|s| &s.value),
        Some(&InvoiceStatus::A)
    );
    assert_eq!((inv.total, inv.exchange_rate), (Some(100.0), Some(1.0)));
    assert_eq!(inv.custbody_po_ref.as_deref(), Some("TUI-PO-88"));
    assert_eq!(
        inv.tran_date.map(|d| d.to_string()).as_deref(),
        Some("2025-07-03")
    );
}

#[test]
fn account_self_reference_and_multi_select() {
    let acct: Account = body("account.json");
    assert_eq!(
        acct.parent.as_ref().and_then(|r| r.id.as_deref()),
        Some("410")
    );
    assert_eq!(
        acct.acct_type.as_ref().map(|t| &t.value),
        Some(&AccountAcctType::Bank)
    );
    // `subsidiary` came as a link stub: not fetched, which is not "no subsidiaries".
    let subs = acct.subsidiary.as_ref().expect("the stub is kept");
    assert!(!subs.is_expanded());
    assert_eq!(subs.ids().count(), 0);

    let expanded: Account = body("account.expanded.json");
    let subs = expanded.subsidiary.as_ref().unwrap();
    assert!(subs.is_expanded());
    assert_eq!(subs.ids().collect::<Vec<_>>(), ["1", "5"]);
    assert_eq!(
        subs.refs()[1].ref_name.as_deref(),
        Some("Parent Company : NZ Retail")
    );
    assert_eq!(subs.total_results(), Some(2));
    let written = serde_json::to_value(&expanded).unwrap();
    assert_eq!(
        written["subsidiary"],
        json!({"items": [{"id": "1"}, {"id": "5"}]})
    );
    assert_eq!(written["cseg_region"], json!({"id": "4"}));
}

#[test]
fn employee_supervisor_is_an_employee_reference() {
    let emp: Employee = body("employee.json");
    assert_eq!(
        emp.supervisor.as_ref().and_then(|r| r.id.as_deref()),
        Some("-5")
    );
    assert_eq!(emp.email, None);
    assert_eq!(emp.custentity_badge.as_deref(), Some("B-0193"));
    assert_eq!(
        emp.hire_date.map(|d| d.to_string()).as_deref(),
        Some("2024-02-12")
    );
    assert!(emp.last_modified_date.is_some());
}

#[test]
fn vendor_and_customer() {
    let vendor: Vendor = body("vendor.json");
    assert_eq!(vendor.is1099_eligible, Some(false));
    assert_eq!(vendor.balance, Some(70.0));
    assert_eq!(
        vendor.category.as_ref().and_then(|r| r.ref_name.as_deref()),
        Some("Raw materials")
    );

    let customer: Customer = body("customer.json");
    assert_eq!(
        customer.parent.as_ref().and_then(|r| r.id.as_deref()),
        Some("1100")
    );
    assert_eq!(
        customer.sales_rep.as_ref().and_then(|r| r.id.as_deref()),
        Some("233")
    );
    // An old-catalog bare-string enum.
    assert_eq!(
        customer.alcohol_recipient_type.as_ref().map(|t| &t.value),
        Some(&CustomerAlcoholRecipientType::Consumer)
    );
    assert_eq!(id(&customer.email_preference), Some("PDF"));
    // An expanded multi-select with no items is empty, and expanded.
    let channels = customer.custentity_channels.as_ref().unwrap();
    assert!(channels.is_expanded() && channels.refs().is_empty());
    assert_eq!(
        customer.cseg_region.as_ref().and_then(|r| r.id.as_deref()),
        Some("4")
    );
}

#[test]
fn a_2019_json_schema_record() {
    let bill: VendorBill = body("vendorBill.2019.json");
    assert_eq!(
        bill.entity.as_ref().and_then(|r| r.id.as_deref()),
        Some("612")
    );
    assert_eq!(
        bill.approvalstatus.as_ref().map(|s| &s.value),
        Some(&VendorBillApprovalstatus::V2)
    );
    assert_eq!(bill.trandate.map(|d| d.year()), Some(2019));
    assert_eq!(bill.isinactive, Some(false));
}

#[test]
fn catalog_facts_reach_the_record_description() {
    let field = |fields: &[nstba::FieldInfo], wire: &str| {
        *fields
            .iter()
            .find(|f| f.wire == wire)
            .unwrap_or_else(|| panic!("no field {wire}"))
    };
    assert!(field(SalesOrder::FIELDS, "total").read_only);
    assert!(!field(SalesOrder::FIELDS, "tranDate").read_only);
    assert_eq!(
        field(Invoice::FIELDS, "entity").kind,
        nstba::FieldKind::Reference
    );
    assert_eq!(
        field(Account::FIELDS, "parent").kind,
        nstba::FieldKind::Reference
    );
    assert_eq!(
        field(SalesOrder::FIELDS, "status").kind,
        nstba::FieldKind::String
    );
    assert_eq!(
        field(Customer::FIELDS, "cseg_region").kind,
        nstba::FieldKind::Reference
    );
    // Filter handles exist for the catalog's x-ns-filterable fields (the others have none: see
    // the trybuild case `tests/ui/filters/no_filter_field.rs` of the facade).
    let fields = SalesOrder::fields();
    let q = fields
        .tran_id
        .is("SO-11872")
        .and(fields.entity.any_of(["1207"]))
        .to_query()
        .unwrap();
    assert!(q.contains("tranId IS \"SO-11872\""), "{q}");
    assert!(q.contains("entity ANY_OF"), "{q}");
}

#[test]
fn awkward_names_and_colliding_select_lists() {
    let edge: CustomrecordEdgeCase = body("customrecord_edge_case.json");
    assert_eq!(edge.type_.as_deref(), Some("plain text"));
    assert_eq!(edge.n_1099_eligible, Some(true));
    // `itemType` (record) and the line's `type` both want `CustomrecordEdgeCaseItemType`.
    assert_eq!(
        edge.item_type.as_ref().map(|t| &t.value),
        Some(&CustomrecordEdgeCaseItemType::Service)
    );
    let lines = edge.item.as_ref().unwrap();
    assert_eq!(
        lines.items()[0].type_.as_ref().map(|t| &t.value),
        Some(&CustomrecordEdgeCaseItemType_::A_)
    );
    assert_eq!(ref_name(&lines.items()[0].type_), Some("lower a"));
    // A listed id spelled `Unknown` is not the unknown variant.
    assert_eq!(
        lines.items()[1].type_.as_ref().map(|t| &t.value),
        Some(&CustomrecordEdgeCaseItemType_::Unknown_)
    );
    assert_eq!(lines.items()[0].match_.as_deref(), Some("m"));
    // `…-item` (a subrecord) and `…-itemElement` (the line) both want `CustomrecordEdgeCaseItem`.
    let detail: Option<&CustomrecordEdgeCaseItem> = edge.item_detail.as_ref();
    assert_eq!(detail.and_then(|d| d.code.as_deref()), Some("X1"));
    let _: Option<&CustomrecordEdgeCaseItem_> = lines.items().first();
    assert_eq!(lines.items()[0].self_.as_deref(), Some("s"));
    // The `address` select list does not collide with the `…-address` subrecord struct.
    assert_eq!(
        edge.address.as_ref().map(|a| &a.value),
        Some(&CustomrecordEdgeCaseAddress_::Unknown("office".into()))
    );
    let main = edge.main_address.as_ref().unwrap();
    assert_eq!(main.id, Some(RecordId::new("9")));
    assert_eq!(main.city.as_deref(), Some("Napier"));
    // A collection of references is a multi-select; the stub is not expanded.
    assert!(!edge.tags.as_ref().unwrap().is_expanded());
    assert_eq!(
        edge.class.as_ref().and_then(|r| r.id.as_deref()),
        Some("-10")
    );
    // An inline `{id, refName}` object is a reference; another inline object a struct.
    assert_eq!(
        edge.owner.as_ref().and_then(|r| r.ref_name.as_deref()),
        Some("Aroha Ngata")
    );
    let dims = edge.dimensions.as_ref().unwrap();
    assert_eq!((dims.width, dims.height), (Some(2.0), Some(0.5)));
    assert_eq!(edge.custrecord_edge_score, Some(7.0));
    assert_eq!(
        edge.cseg_dept.as_ref().and_then(|r| r.id.as_deref()),
        Some("3")
    );
    // Only `name`, `type` and `custrecord_edge_score` are filterable.
    let q = CustomrecordEdgeCase::fields()
        .custrecord_edge_score
        .greater(5)
        .to_query()
        .unwrap();
    assert!(q.contains("custrecord_edge_score GREATER 5"), "{q}");
}
