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

/// Record types stored in SuiteQL's `transaction` table, with their `transaction.type` code where it
/// is known (`salesOrder` → `SalesOrd`). `None`: a transaction whose code this table does not know
/// yet (typed SuiteQL cannot narrow the table to it).
pub const TRANSACTION_TYPES: &[(&str, Option<&str>)] = &[
    ("advInterCompanyJournalEntry", None),
    ("assemblyBuild", Some("Build")),
    ("assemblyUnbuild", Some("Unbuild")),
    ("binTransfer", None),
    ("binWorksheet", None),
    ("blanketPurchaseOrder", None),
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
    ("fulfillmentRequest", None),
    ("interCompanyJournalEntry", None),
    ("interCompanyTransferOrder", None),
    ("inventoryAdjustment", Some("InvAdjst")),
    ("inventoryCount", None),
    ("inventoryStatusChange", None),
    ("inventoryTransfer", Some("InvTrnfr")),
    ("invoice", Some("CustInvc")),
    ("itemFulfillment", Some("ItemShip")),
    ("itemReceipt", Some("ItemRcpt")),
    ("journalEntry", Some("Journal")),
    ("opportunity", Some("Opprtnty")),
    ("paycheck", None),
    ("periodEndJournal", None),
    ("purchaseContract", None),
    ("purchaseOrder", Some("PurchOrd")),
    ("purchaseRequisition", Some("PurchReq")),
    ("returnAuthorization", Some("RtnAuth")),
    ("revenueArrangement", None),
    ("salesOrder", Some("SalesOrd")),
    ("statisticalJournalEntry", None),
    ("transferOrder", Some("TrnfrOrd")),
    ("vendorBill", Some("VendBill")),
    ("vendorCredit", Some("VendCred")),
    ("vendorPayment", Some("VendPymt")),
    ("vendorPrepayment", None),
    ("vendorReturnAuthorization", Some("VendAuth")),
    ("workOrder", Some("WorkOrd")),
    ("workOrderClose", None),
    ("workOrderCompletion", None),
    ("workOrderIssue", None),
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

/// The SuiteQL table of a record type: `transaction` for transactions, `item` for items, `customer`
/// for leads and prospects, otherwise the lower-cased type.
///
/// ```
/// use nstba_record::types::table_of;
/// assert_eq!(table_of("salesOrder"), "transaction");
/// assert_eq!(table_of("inventoryItem"), "item");
/// assert_eq!(table_of("customrecord_x"), "customrecord_x");
/// ```
pub fn table_of(record_type: &str) -> String {
    if is_transaction(record_type) {
        "transaction".to_owned()
    } else if record_type.ends_with("Item") {
        "item".to_owned()
    } else if matches!(record_type, "lead" | "prospect") {
        "customer".to_owned()
    } else {
        record_type.to_ascii_lowercase()
    }
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
}
