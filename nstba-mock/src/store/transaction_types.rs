//! The one table of NetSuite transaction type codes in the emulator.

/// Transaction record types (lower case) and NetSuite's SuiteQL `transaction.type` code for each.
pub(crate) const TRANSACTION_TYPES: [(&str, &str); 10] = [
    ("salesorder", "SalesOrd"),
    ("invoice", "CustInvc"),
    ("cashsale", "CashSale"),
    ("estimate", "Estimate"),
    ("creditmemo", "CustCred"),
    ("purchaseorder", "PurchOrd"),
    ("vendorbill", "VendBill"),
    ("itemfulfillment", "ItemShip"),
    ("itemreceipt", "ItemRcpt"),
    ("journalentry", "Journal"),
];
