//! NetSuite facts the macro checks against: standard REST record types, their SuiteQL tables, and
//! custom field prefixes. Kept in one place so they can change.

/// Standard REST record types (record API v1), as spelled in URLs.
pub(crate) const RECORD_TYPES: &[&str] = &[
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

/// Record types stored in SuiteQL's `transaction` table.
const TRANSACTIONS: &[&str] = &[
    "advInterCompanyJournalEntry",
    "assemblyBuild",
    "assemblyUnbuild",
    "binTransfer",
    "binWorksheet",
    "blanketPurchaseOrder",
    "cashRefund",
    "cashSale",
    "check",
    "creditCardCharge",
    "creditCardRefund",
    "creditMemo",
    "customerDeposit",
    "customerPayment",
    "customerRefund",
    "deposit",
    "depositApplication",
    "estimate",
    "expenseReport",
    "fulfillmentRequest",
    "interCompanyJournalEntry",
    "interCompanyTransferOrder",
    "inventoryAdjustment",
    "inventoryCount",
    "inventoryStatusChange",
    "inventoryTransfer",
    "invoice",
    "itemFulfillment",
    "itemReceipt",
    "journalEntry",
    "opportunity",
    "paycheck",
    "periodEndJournal",
    "purchaseContract",
    "purchaseOrder",
    "purchaseRequisition",
    "returnAuthorization",
    "revenueArrangement",
    "salesOrder",
    "statisticalJournalEntry",
    "transferOrder",
    "vendorBill",
    "vendorCredit",
    "vendorPayment",
    "vendorPrepayment",
    "vendorReturnAuthorization",
    "workOrder",
    "workOrderClose",
    "workOrderCompletion",
    "workOrderIssue",
];

/// Script id prefixes of custom fields (one list, in nstba-core).
pub(crate) use nstba_core::names::CUSTOM_FIELD_PREFIXES as CUSTOM_PREFIXES;

/// The SuiteQL table of a record type.
pub(crate) fn table_of(record_type: &str) -> String {
    if TRANSACTIONS.contains(&record_type) {
        "transaction".to_owned()
    } else if record_type.ends_with("Item") {
        "item".to_owned()
    } else if matches!(record_type, "lead" | "prospect") {
        "customer".to_owned()
    } else {
        record_type.to_ascii_lowercase()
    }
}

/// Whether a custom record type id is well formed (`customrecord` + `[a-z0-9_]`).
pub(crate) fn is_custom_record(t: &str) -> bool {
    t.strip_prefix("customrecord").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate, when it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `company_name` → `companyName` (the one rule, in nstba-core).
pub(crate) use nstba_core::names::camel_case;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel_case("company_name"), "companyName");
        assert_eq!(camel_case("id"), "id");
        assert_eq!(camel_case("r#type"), "type");
        assert_eq!(camel_case("date_created_2"), "dateCreated2");
        assert_eq!(
            closest("custmer", RECORD_TYPES.iter().copied()),
            Some("customer")
        );
        assert_eq!(
            closest("salesorder", RECORD_TYPES.iter().copied()),
            Some("salesOrder")
        );
        assert_eq!(closest("zzzzzz", RECORD_TYPES.iter().copied()), None);
        assert_eq!(table_of("salesOrder"), "transaction");
        assert_eq!(table_of("inventoryItem"), "item");
        assert_eq!(table_of("customer"), "customer");
        assert_eq!(table_of("customrecord_x"), "customrecord_x");
        assert!(is_custom_record("customrecord_tier"));
        assert!(!is_custom_record("customrecord"));
        for t in RECORD_TYPES {
            assert!(RECORD_TYPES.iter().filter(|x| *x == t).count() == 1, "{t}");
        }
    }
}
