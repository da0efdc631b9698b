//! NetSuite's record types as facts, one table each: the standard REST record types, which of them
//! are transactions (and their `transaction.type` codes), and the SuiteQL table of each. The derive,
//! the typed SuiteQL builder, the generator and the emulator all read these tables.

/// Standard REST record types (record API v1), as spelled in URLs.
pub const RECORD_TYPES: &[&str] = &[
    "account",
    "accountingBook",
    "accountingPeriod",
    "advInterCompanyJournalEntry",
    "assemblyBuild",
    "assemblyItem",
    "assemblyUnbuild",
    "billingAccount",
    "billingRevenueEvent",
    "billingSchedule",
    "bin",
    "binTransfer",
    "binWorksheet",
    "blanketPurchaseOrder",
    "bom",
    "bomRevision",
    "calendarEvent",
    "campaign",
    "campaignResponse",
    "cashRefund",
    "cashSale",
    "charge",
    "check",
    "classification",
    "competitor",
    "consolidatedExchangeRate",
    "contact",
    "contactCategory",
    "contactRole",
    "costCategory",
    "couponCode",
    "creditCardCharge",
    "creditCardRefund",
    "creditMemo",
    "currency",
    "currencyRate",
    "customer",
    "customerCategory",
    "customerDeposit",
    "customerMessage",
    "customerPayment",
    "customerRefund",
    "customerStatus",
    "customerSubsidiaryRelationship",
    "department",
    "deposit",
    "depositApplication",
    "descriptionItem",
    "discountItem",
    "downloadItem",
    "emailTemplate",
    "employee",
    "entityGroup",
    "estimate",
    "expenseCategory",
    "expenseReport",
    "fulfillmentRequest",
    "generalToken",
    "giftCertificate",
    "giftCertificateItem",
    "globalAccountMapping",
    "inboundShipment",
    "interCompanyJournalEntry",
    "interCompanyTransferOrder",
    "inventoryAdjustment",
    "inventoryCount",
    "inventoryDetail",
    "inventoryItem",
    "inventoryNumber",
    "inventoryStatus",
    "inventoryStatusChange",
    "inventoryTransfer",
    "invoice",
    "issue",
    "itemAccountMapping",
    "itemDemandPlan",
    "itemFulfillment",
    "itemGroup",
    "itemReceipt",
    "itemRevision",
    "itemSupplyPlan",
    "job",
    "jobStatus",
    "jobType",
    "journalEntry",
    "kitItem",
    "lead",
    "location",
    "lotNumberedAssemblyItem",
    "lotNumberedInventoryItem",
    "manufacturingCostTemplate",
    "manufacturingOperationTask",
    "manufacturingRouting",
    "markupItem",
    "message",
    "nexus",
    "nonInventoryPurchaseItem",
    "nonInventoryResaleItem",
    "nonInventorySaleItem",
    "note",
    "noteType",
    "opportunity",
    "otherChargePurchaseItem",
    "otherChargeResaleItem",
    "otherChargeSaleItem",
    "otherName",
    "partner",
    "paycheck",
    "paymentCard",
    "paymentCardToken",
    "paymentItem",
    "paymentMethod",
    "periodEndJournal",
    "phoneCall",
    "priceBook",
    "priceLevel",
    "pricePlan",
    "pricingGroup",
    "projectExpenseType",
    "projectTask",
    "projectTemplate",
    "promotionCode",
    "prospect",
    "purchaseContract",
    "purchaseOrder",
    "purchaseRequisition",
    "resourceAllocation",
    "returnAuthorization",
    "revenueArrangement",
    "revenuePlan",
    "salesOrder",
    "salesRole",
    "salesTaxItem",
    "serializedAssemblyItem",
    "serializedInventoryItem",
    "servicePurchaseItem",
    "serviceResaleItem",
    "serviceSaleItem",
    "shipItem",
    "statisticalJournalEntry",
    "subscription",
    "subscriptionChangeOrder",
    "subscriptionLine",
    "subscriptionPlan",
    "subsidiary",
    "subtotalItem",
    "supportCase",
    "task",
    "taxGroup",
    "taxType",
    "term",
    "timeBill",
    "timeEntry",
    "timeSheet",
    "topic",
    "transferOrder",
    "unitsType",
    "usage",
    "vendor",
    "vendorBill",
    "vendorCategory",
    "vendorCredit",
    "vendorPayment",
    "vendorPrepayment",
    "vendorReturnAuthorization",
    "vendorSubsidiaryRelationship",
    "workOrder",
    "workOrderClose",
    "workOrderCompletion",
    "workOrderIssue",
    "workplace",
];

/// Record types stored in SuiteQL's `transaction` table, with their `transaction.type` code
/// (`salesOrder` → `SalesOrd`), as real catalogs list them in their transaction-type select lists.
///
/// `None`: the (advanced) intercompany and statistical journal entries and the intercompany
/// transfer order, which have no code of their own in those lists (their rows go by a code shared
/// with other journals / transfer orders, and no documentation available here says which column
/// tells them apart), so typed SuiteQL refuses to guess rather than select every journal.
pub const TRANSACTION_TYPES: &[(&str, Option<&str>)] = &[
    ("advInterCompanyJournalEntry", None),
    ("assemblyBuild", Some("Build")),
    ("assemblyUnbuild", Some("Unbuild")),
    ("binTransfer", Some("BinTrnfr")),
    ("binWorksheet", Some("BinWksht")),
    ("blanketPurchaseOrder", Some("BlankOrd")),
    ("cashRefund", Some("CashRfnd")),
    ("cashSale", Some("CashSale")),
    ("check", Some("Check")),
    ("creditCardCharge", Some("CardChrg")),
    ("creditCardRefund", Some("CardRfnd")),
    ("creditMemo", Some("CustCred")),
    ("customerDeposit", Some("CustDep")),
    ("customerPayment", Some("CustPymt")),
    ("customerRefund", Some("CustRfnd")),
    ("deposit", Some("Deposit")),
    ("depositApplication", Some("DepAppl")),
    ("estimate", Some("Estimate")),
    ("expenseReport", Some("ExpRept")),
    ("fulfillmentRequest", Some("FftReq")),
    ("interCompanyJournalEntry", None),
    ("interCompanyTransferOrder", None),
    ("inventoryAdjustment", Some("InvAdjst")),
    ("inventoryCount", Some("InvCount")),
    ("inventoryStatusChange", Some("StatChng")),
    ("inventoryTransfer", Some("InvTrnfr")),
    ("invoice", Some("CustInvc")),
    ("itemFulfillment", Some("ItemShip")),
    ("itemReceipt", Some("ItemRcpt")),
    ("journalEntry", Some("Journal")),
    ("opportunity", Some("Opprtnty")),
    ("paycheck", Some("Paycheck")),
    ("periodEndJournal", Some("PEJrnl")),
    ("purchaseContract", Some("PurchCon")),
    ("purchaseOrder", Some("PurchOrd")),
    ("purchaseRequisition", Some("PurchReq")),
    ("returnAuthorization", Some("RtnAuth")),
    ("revenueArrangement", Some("RevArrng")),
    ("salesOrder", Some("SalesOrd")),
    ("statisticalJournalEntry", None),
    ("transferOrder", Some("TrnfrOrd")),
    ("vendorBill", Some("VendBill")),
    ("vendorCredit", Some("VendCred")),
    ("vendorPayment", Some("VendPymt")),
    ("vendorPrepayment", Some("VPrep")),
    ("vendorReturnAuthorization", Some("VendAuth")),
    ("workOrder", Some("WorkOrd")),
    ("workOrderClose", Some("WOClose")),
    ("workOrderCompletion", Some("WOCompl")),
    ("workOrderIssue", Some("WOIssue")),
];

/// The `transaction.type` code of a transaction record type (`salesOrder` → `SalesOrd`), compared
/// without regard to case (the emulator's lower-cased types find theirs too).
///
/// ```
/// use nstba_record::types::transaction_type_code;
/// assert_eq!(transaction_type_code("salesOrder"), Some("SalesOrd"));
/// assert_eq!(transaction_type_code("salesorder"), Some("SalesOrd"));
/// assert_eq!(transaction_type_code("customer"), None);
/// ```
pub fn transaction_type_code(record_type: &str) -> Option<&'static str> {
    TRANSACTION_TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(record_type))
        .and_then(|(_, code)| *code)
}

/// Whether a record type lives in SuiteQL's `transaction` table.
pub fn is_transaction(record_type: &str) -> bool {
    TRANSACTION_TYPES.iter().any(|(t, _)| *t == record_type)
}

/// Whether `record_type` is one of NetSuite's standard REST record types ([`RECORD_TYPES`]).
pub fn is_standard(record_type: &str) -> bool {
    RECORD_TYPES.contains(&record_type)
}

/// One `column = 'value'` condition of a [`type_filter`].
pub type Condition = (&'static str, &'static str);

const fn item(itemtype: &'static str) -> [Condition; 1] {
    [("itemtype", itemtype)]
}

/// Item record types stored in SuiteQL's `item` table, with the conditions that select exactly
/// their rows: the `itemtype` code (`InvtPart`, `NonInvtPart`, …, as in the catalogs' `itemType`
/// select list), the `subtype` (`Sale`, `Resale`, `Purchase`) of the three-way item types, and
/// `islotitem` / `isserialitem` for the lot-numbered and serialized variants.
pub const ITEM_TYPES: &[(&str, &[Condition])] = &[
    (
        "assemblyItem",
        &[
            ("itemtype", "Assembly"),
            ("islotitem", "F"),
            ("isserialitem", "F"),
        ],
    ),
    ("descriptionItem", &item("Description")),
    ("discountItem", &item("Discount")),
    ("downloadItem", &item("DwnLdItem")),
    ("giftCertificateItem", &item("GiftCert")),
    (
        "inventoryItem",
        &[
            ("itemtype", "InvtPart"),
            ("islotitem", "F"),
            ("isserialitem", "F"),
        ],
    ),
    ("itemGroup", &item("Group")),
    ("kitItem", &item("Kit")),
    (
        "lotNumberedAssemblyItem",
        &[
            ("itemtype", "Assembly"),
            ("islotitem", "T"),
            ("isserialitem", "F"),
        ],
    ),
    (
        "lotNumberedInventoryItem",
        &[
            ("itemtype", "InvtPart"),
            ("islotitem", "T"),
            ("isserialitem", "F"),
        ],
    ),
    ("markupItem", &item("Markup")),
    (
        "nonInventoryPurchaseItem",
        &[("itemtype", "NonInvtPart"), ("subtype", "Purchase")],
    ),
    (
        "nonInventoryResaleItem",
        &[("itemtype", "NonInvtPart"), ("subtype", "Resale")],
    ),
    (
        "nonInventorySaleItem",
        &[("itemtype", "NonInvtPart"), ("subtype", "Sale")],
    ),
    (
        "otherChargePurchaseItem",
        &[("itemtype", "OthCharge"), ("subtype", "Purchase")],
    ),
    (
        "otherChargeResaleItem",
        &[("itemtype", "OthCharge"), ("subtype", "Resale")],
    ),
    (
        "otherChargeSaleItem",
        &[("itemtype", "OthCharge"), ("subtype", "Sale")],
    ),
    ("paymentItem", &item("Payment")),
    ("salesTaxItem", &item("TaxItem")),
    (
        "serializedAssemblyItem",
        &[
            ("itemtype", "Assembly"),
            ("islotitem", "F"),
            ("isserialitem", "T"),
        ],
    ),
    (
        "serializedInventoryItem",
        &[
            ("itemtype", "InvtPart"),
            ("islotitem", "F"),
            ("isserialitem", "T"),
        ],
    ),
    (
        "servicePurchaseItem",
        &[("itemtype", "Service"), ("subtype", "Purchase")],
    ),
    (
        "serviceResaleItem",
        &[("itemtype", "Service"), ("subtype", "Resale")],
    ),
    (
        "serviceSaleItem",
        &[("itemtype", "Service"), ("subtype", "Sale")],
    ),
    ("shipItem", &item("ShipItem")),
    ("subtotalItem", &item("Subtotal")),
];

/// The entity record types stored in SuiteQL's `customer` table besides `customer` itself, with
/// their `searchstage`. `customer` is not narrowed: a lead or prospect is a customer record at an
/// earlier stage (same internal id before and after it converts), so the `customer` type selects
/// every stage; add `searchstage = 'Customer'` to select customers only.
pub const CUSTOMER_STAGES: &[(&str, &str)] = &[("lead", "Lead"), ("prospect", "Prospect")];

/// The item conditions of an item record type (any case).
fn item_conditions(record_type: &str) -> Option<&'static [Condition]> {
    ITEM_TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(record_type))
        .map(|(_, c)| *c)
}

/// Whether a record type lives in SuiteQL's `item` table.
pub fn is_item(record_type: &str) -> bool {
    item_conditions(record_type).is_some()
}

/// The SuiteQL table of a record type: `transaction` for transactions, `item` for items, `customer`
/// for customers, leads and prospects, otherwise the lower-cased type.
///
/// ```
/// use nstba_record::types::table_of;
/// assert_eq!(table_of("salesOrder"), "transaction");
/// assert_eq!(table_of("inventoryItem"), "item");
/// assert_eq!(table_of("lead"), "customer");
/// assert_eq!(table_of("customrecord_x"), "customrecord_x");
/// ```
pub fn table_of(record_type: &str) -> String {
    if is_transaction(record_type) {
        "transaction".to_owned()
    } else if is_item(record_type) {
        "item".to_owned()
    } else if record_type == "customer" || CUSTOMER_STAGES.iter().any(|(t, _)| *t == record_type) {
        "customer".to_owned()
    } else {
        record_type.to_ascii_lowercase()
    }
}

/// A record type whose rows cannot be told apart in the SuiteQL table it shares with others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoTypeFilter {
    /// The record type.
    pub record_type: String,
    /// The shared table.
    pub table: String,
}

impl std::fmt::Display for NoTypeFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the rows of `{}` cannot be told from the other records of SuiteQL's `{}` table (no \
             type code is known for it); query `{}` with a condition of your own",
            self.record_type, self.table, self.table
        )
    }
}

impl std::error::Error for NoTypeFilter {}

/// The conditions that narrow the SuiteQL table of `record_type` ([`table_of`]) to that type's
/// rows, all to hold: `[("type", "SalesOrd")]` for a sales order in `transaction`,
/// `[("itemtype", "NonInvtPart"), ("subtype", "Resale")]` for a resale non-inventory item,
/// `[("searchstage", "Lead")]` for a lead. Empty when the type has its table to itself (or names
/// the shared table itself: `transaction`, `item`).
///
/// # Errors
///
/// [`NoTypeFilter`] for a transaction type whose code is not known ([`TRANSACTION_TYPES`]).
///
/// ```
/// use nstba_record::types::type_filter;
/// assert_eq!(type_filter("salesOrder").unwrap(), [("type", "SalesOrd")]);
/// assert_eq!(type_filter("prospect").unwrap(), [("searchstage", "Prospect")]);
/// assert_eq!(type_filter("serviceSaleItem").unwrap(), [("itemtype", "Service"), ("subtype", "Sale")]);
/// assert!(type_filter("subsidiary").unwrap().is_empty());
/// assert!(type_filter("statisticalJournalEntry").is_err());
/// ```
pub fn type_filter(record_type: &str) -> Result<Vec<Condition>, NoTypeFilter> {
    if let Some((_, code)) = TRANSACTION_TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(record_type))
    {
        return match code {
            Some(code) => Ok(vec![("type", code)]),
            None => Err(NoTypeFilter {
                record_type: record_type.to_owned(),
                table: "transaction".to_owned(),
            }),
        };
    }
    if let Some(conditions) = item_conditions(record_type) {
        return Ok(conditions.to_vec());
    }
    if let Some((_, stage)) = CUSTOMER_STAGES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(record_type))
    {
        return Ok(vec![("searchstage", stage)]);
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(table_of("salesOrder"), "transaction");
        assert_eq!(table_of("inventoryItem"), "item");
        assert_eq!(table_of("customer"), "customer");
        assert_eq!(table_of("customrecord_x"), "customrecord_x");
        for t in RECORD_TYPES {
            assert!(RECORD_TYPES.iter().filter(|x| *x == t).count() == 1, "{t}");
        }
        for (t, _) in TRANSACTION_TYPES {
            assert!(is_standard(t), "{t} is a transaction but not a record type");
            assert!(
                TRANSACTION_TYPES.iter().filter(|(x, _)| x == t).count() == 1,
                "{t}"
            );
        }
        assert_eq!(transaction_type_code("invoice"), Some("CustInvc"));
    }

    #[test]
    fn every_shared_table_type_has_a_filter() {
        // Every standard item type is in ITEM_TYPES (and nothing else is).
        for t in RECORD_TYPES.iter().filter(|t| t.ends_with("Item")) {
            assert!(is_item(t), "{t} has no item conditions");
        }
        for (t, conditions) in ITEM_TYPES {
            assert!(is_standard(t), "{t}");
            assert_eq!(table_of(t), "item");
            assert_eq!(conditions[0].0, "itemtype", "{t}");
            assert_eq!(type_filter(t).unwrap(), conditions.to_vec());
        }
        // No two item types select the same rows: each pair differs in some shared column.
        for (i, (a, ca)) in ITEM_TYPES.iter().enumerate() {
            for (b, cb) in &ITEM_TYPES[i + 1..] {
                let disjoint = ca
                    .iter()
                    .any(|(col, v)| cb.iter().any(|(c2, v2)| c2 == col && v2 != v));
                assert!(disjoint, "{a} and {b} select overlapping rows");
            }
        }
        // Transactions: a code or a refusal, never "every transaction"; codes are unique.
        let mut known = 0;
        for (t, code) in TRANSACTION_TYPES {
            match (type_filter(t), code) {
                (Ok(c), Some(code)) => {
                    assert_eq!(c, [("type", *code)]);
                    known += 1;
                }
                (Err(e), None) => {
                    assert_eq!(e.table, "transaction");
                    assert!(e.to_string().contains(t), "{e}");
                }
                (got, _) => panic!("{t}: {got:?}"),
            }
            if let Some(code) = code {
                let same = TRANSACTION_TYPES.iter().filter(|(_, c)| *c == Some(*code));
                assert_eq!(same.count(), 1, "{code}");
            }
        }
        assert_eq!(known, TRANSACTION_TYPES.len() - 4);
        for (t, stage) in CUSTOMER_STAGES {
            assert_eq!(table_of(t), "customer");
            assert_eq!(type_filter(t).unwrap(), [("searchstage", *stage)]);
        }
        assert_eq!(table_of("customer"), "customer");
        assert!(type_filter("customer").unwrap().is_empty());
        assert!(type_filter("transaction").unwrap().is_empty());
        assert!(type_filter("item").unwrap().is_empty());
        assert!(type_filter("customrecord_x").unwrap().is_empty());
    }
}
