//! Demo credentials and the built-in demo data set.

use nstba_core::{AccountId, Credentials};
use serde_json::{json, Value};

/// Demo account (realm form).
pub const ACCOUNT: &str = "1234567_SB1";
/// Demo consumer key.
pub const CONSUMER_KEY: &str = "7f3c1a9e2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";
/// Demo consumer secret (public: it only opens the emulator).
pub const CONSUMER_SECRET: &str =
    "c0ffee00d15ea5e5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718";
/// Demo token id.
pub const TOKEN_ID: &str = "4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d";
/// Demo token secret (public: it only opens the emulator).
pub const TOKEN_SECRET: &str = "deadbeef8badf00d0123456789abcdef0123456789abcdef0123456789abcdef";

pub(crate) fn account() -> AccountId {
    AccountId::parse(ACCOUNT).unwrap_or_else(|_| unreachable!("the demo account id is valid"))
}

pub(crate) fn credentials() -> Credentials {
    Credentials::new(
        account(),
        CONSUMER_KEY,
        CONSUMER_SECRET,
        TOKEN_ID,
        TOKEN_SECRET,
    )
    .unwrap_or_else(|_| unreachable!("the demo credentials are valid"))
}

/// `(record type, records)` of the demo data set. Ids are fixed so references line up.
pub(crate) fn data() -> Vec<(&'static str, Vec<Value>)> {
    let subsidiaries = vec![
        json!({"id": "1", "name": "Honeycomb Mfg.", "country": country("US"), "isInactive": false}),
        json!({"id": "2", "name": "Honeycomb Mfg. UK", "country": country("GB"), "isInactive": false,
               "parent": {"id": "1"}}),
        json!({"id": "3", "name": "Honeycomb Mfg. DE", "country": country("DE"), "isInactive": false,
               "parent": {"id": "1"}}),
    ];
    let currencies = vec![
        json!({"id": "1", "name": "USA", "symbol": "USD", "exchangeRate": 1.0, "isBaseCurrency": true}),
        json!({"id": "2", "name": "British pound", "symbol": "GBP", "exchangeRate": 1.27, "isBaseCurrency": false}),
        json!({"id": "3", "name": "Euro", "symbol": "EUR", "exchangeRate": 1.08, "isBaseCurrency": false}),
    ];
    let names = [
        (
            "Acme Corporation",
            "acme.example",
            1,
            1,
            "New York",
            "NY",
            "US",
        ),
        (
            "Globex Inc.",
            "globex.example",
            1,
            1,
            "Springfield",
            "OR",
            "US",
        ),
        ("Initech", "initech.example", 1, 1, "Austin", "TX", "US"),
        ("Umbrella Ltd", "umbrella.example", 2, 2, "London", "", "GB"),
        (
            "Stark Industries",
            "stark.example",
            1,
            1,
            "Malibu",
            "CA",
            "US",
        ),
        (
            "Wayne Enterprises",
            "wayne.example",
            1,
            1,
            "Gotham",
            "NJ",
            "US",
        ),
        ("Tyrell GmbH", "tyrell.example", 3, 3, "Berlin", "", "DE"),
        (
            "Soylent Corp",
            "soylent.example",
            1,
            1,
            "Chicago",
            "IL",
            "US",
        ),
        ("Hooli", "hooli.example", 1, 1, "Palo Alto", "CA", "US"),
        (
            "Vandelay Industries",
            "vandelay.example",
            1,
            1,
            "New York",
            "NY",
            "US",
        ),
        (
            "Cyberdyne Systems",
            "cyberdyne.example",
            1,
            1,
            "Sunnyvale",
            "CA",
            "US",
        ),
        ("Wonka Ltd", "wonka.example", 2, 2, "Manchester", "", "GB"),
    ];
    let mut customers: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, (name, domain, sub, cur, city, state, country))| {
            let n = i + 1;
            json!({
                "id": n.to_string(),
                "externalId": format!("CUST-{n:04}"),
                "entityId": format!("C{:05}", 100 + n),
                "companyName": name,
                "email": format!("ap@{domain}"),
                "phone": format!("555-01{n:02}"),
                "isPerson": false,
                "isInactive": n == 9,
                "balance": (n as f64) * 1250.5,
                "creditLimit": 50000,
                "dateCreated": format!("2024-{:02}-{:02}T09:00:00Z", (n % 12) + 1, (n % 27) + 1),
                "subsidiary": {"id": sub.to_string()},
                "currency": {"id": cur.to_string()},
                "entityStatus": {"id": "13", "refName": "CUSTOMER-Closed Won"},
                // A subrecord has its own numeric id.
                "addressbook": {"items": [
                    {"line": 1, "defaultBilling": true, "defaultShipping": true, "label": "HQ",
                     "addressbookAddress": {"id": 76 + n, "addr1": format!("{} Main Street", 100 + n),
                                             "city": city, "state": state,
                                             "zip": format!("{:05}", 10000 + n * 7),
                                             "country": self::country(country)}}
                ]}
            })
        })
        .collect();
    // A subsidiary customer: `parent` refers to another customer.
    if let Some(Value::Object(wonka)) = customers.last_mut() {
        wonka.insert("parent".into(), json!({"id": "4"}));
    }
    let item_names = [
        ("WIDGET-S", "Widget, small", 9.5),
        ("WIDGET-L", "Widget, large", 19.0),
        ("GADGET", "Gadget", 42.0),
        ("SPROCKET", "Sprocket", 3.25),
        ("GIZMO", "Gizmo deluxe", 120.0),
        ("SERVICE-HR", "Installation service (hour)", 85.0),
    ];
    let items: Vec<Value> = item_names
        .iter()
        .enumerate()
        .map(|(i, (code, name, price))| {
            json!({
                "id": (i + 1).to_string(),
                "itemType": {"id": "InvtPart", "refName": "InvtPart"},
                "itemId": code,
                "displayName": name,
                "basePrice": price,
                "isInactive": false,
                "subsidiary": {"id": "1"},
            })
        })
        .collect();
    let mut orders = Vec::new();
    for n in 1..=20usize {
        let customer = (n % names.len()) + 1;
        let lines: Vec<Value> = (0..(n % 3) + 1)
            .map(|l| {
                let item = (n + l) % item_names.len();
                let qty = ((n + l) % 5 + 1) as f64;
                let rate = item_names[item].2;
                json!({"line": l + 1, "item": {"id": (item + 1).to_string()}, "quantity": qty,
                       "rate": rate, "amount": qty * rate})
            })
            .collect();
        let total: f64 = lines
            .iter()
            .filter_map(|l| l.get("amount").and_then(Value::as_f64))
            .sum();
        orders.push(json!({
            "id": n.to_string(),
            "tranId": format!("SO{:05}", 1000 + n),
            "externalId": format!("SO-EXT-{n:04}"),
            "entity": {"id": customer.to_string()},
            "tranDate": format!("2025-{:02}-{:02}", (n % 12) + 1, (n % 28) + 1),
            "status": if n % 4 == 0 {
                json!({"id": "G", "refName": "Billed"})
            } else {
                json!({"id": "B", "refName": "Pending Fulfillment"})
            },
            "memo": format!("Demo order {n}"),
            "subsidiary": {"id": names[customer - 1].2.to_string()},
            "currency": {"id": names[customer - 1].3.to_string()},
            "total": total,
            "item": {"items": lines},
        }));
    }
    // The billed orders' invoices: `entity` may be a customer or a vendor (a polymorphic reference).
    // Transaction ids are unique across every transaction type (one `transaction` table).
    let invoices: Vec<Value> = orders
        .iter()
        .filter(|o| o["status"]["id"] == "G")
        .enumerate()
        .map(|(i, o)| {
            let n = i + 1;
            json!({
                "id": (100 + n).to_string(),
                "tranId": format!("INV{:05}", 2000 + n),
                "entity": o["entity"].clone(),
                "createdFrom": {"id": o["id"].clone()},
                "tranDate": format!("2025-{:02}-15", (n % 12) + 1),
                "createdDate": format!("2025-{:02}-15T{:02}:{:02}:05Z", (n % 12) + 1, 8 + n, 10 + n),
                "status": {"id": "A", "refName": "Open"},
                "subsidiary": o["subsidiary"].clone(),
                "currency": o["currency"].clone(),
                "total": o["total"].clone(),
                "billingAddress": {"id": 500 + n, "addr1": "1 Invoice Way", "city": "Auckland",
                                   "country": country("NZ")},
                "item": o["item"].clone(),
            })
        })
        .collect();
    vec![
        ("subsidiary", subsidiaries),
        ("currency", currencies),
        ("customer", customers),
        ("inventoryItem", items),
        ("salesOrder", orders),
        ("invoice", invoices),
        ("employee", employees()),
        ("vendor", vendors()),
        ("purchaseOrder", purchase_orders()),
        ("account", accounts()),
    ]
}

/// A country select-list value.
fn country(code: &str) -> Value {
    let name = match code {
        "US" => "United States",
        "GB" => "United Kingdom",
        "DE" => "Germany",
        "NZ" => "New Zealand",
        other => other,
    };
    json!({"id": code, "refName": name})
}

/// Employees, with the system employee `-5` and a `supervisor` chain (a reference to employee).
fn employees() -> Vec<Value> {
    vec![
        json!({"id": "-5", "entityId": "-System-", "isInactive": false}),
        json!({"id": "1", "entityId": "Ada Admin", "email": "ada@honeycomb.example",
               "isInactive": false, "subsidiary": {"id": "1"},
               "hireDate": "2019-04-01", "lastModifiedDate": "2025-02-03T04:05:06Z"}),
        json!({"id": "2", "entityId": "Bo Buyer", "email": "bo@honeycomb.example",
               "isInactive": false, "subsidiary": {"id": "1"}, "supervisor": {"id": "1"},
               "hireDate": "2021-11-15", "lastModifiedDate": "2025-03-19T21:14:00Z"}),
        json!({"id": "3", "entityId": "Cy Clerk", "email": "cy@honeycomb.example",
               "isInactive": true, "subsidiary": {"id": "2"}, "supervisor": {"id": "2"},
               "hireDate": "2023-01-09"}),
    ]
}

/// Vendors, with a main address subrecord.
fn vendors() -> Vec<Value> {
    vec![
        json!({"id": "1", "companyName": "Kiwi Parts Ltd", "entityId": "V0001", "isInactive": false,
               "subsidiary": {"id": "1"}, "currency": {"id": "1"},
               "mainAddress": {"id": 90, "addr1": "12 Queen Street", "city": "Auckland",
                               "country": country("NZ")}}),
        json!({"id": "2", "companyName": "Rhein Metall GmbH", "entityId": "V0002", "isInactive": false,
               "subsidiary": {"id": "3"}, "currency": {"id": "3"},
               "mainAddress": {"id": 91, "addr1": "Rheinufer 3", "city": "Köln",
                               "country": country("DE")}}),
    ]
}

/// Purchase orders (`entity` a vendor), one with a status id spelled as its label (seen in real data).
fn purchase_orders() -> Vec<Value> {
    let lines = |n: usize| -> Value {
        let items: Vec<Value> = (1..=n)
            .map(|l| {
                json!({"line": l, "item": {"id": l.to_string()}, "quantity": 10 * l,
                            "rate": 2.5, "amount": 25 * l, "description": format!("Part {l}")})
            })
            .collect();
        json!({ "items": items })
    };
    vec![
        json!({"id": "8840", "tranId": "PO00040", "entity": {"id": "1"},
               "tranDate": "2025-03-19", "status": {"id": "B", "refName": "Pending Receipt"},
               "subsidiary": {"id": "1"}, "currency": {"id": "1"}, "total": 25,
               "employee": {"id": "2"}, "item": lines(1)}),
        json!({"id": "8841", "tranId": "PO00041", "entity": {"id": "2"},
               "tranDate": "2025-06-30", "createdDate": "2025-06-30T21:14:00Z",
               "status": {"id": "Pending Receipt", "refName": "Pending Receipt"},
               "subsidiary": {"id": "3"}, "currency": {"id": "3"}, "total": 75,
               "employee": {"id": "-5"}, "memo": "Reorder", "item": lines(2)}),
    ]
}

/// Chart of accounts: `parent` refers to an account, `subsidiary` is a multi-select.
fn accounts() -> Vec<Value> {
    vec![
        json!({"id": "1", "acctNumber": "1000", "acctName": "Assets", "isInactive": false,
               "subsidiary": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}),
        json!({"id": "417", "acctNumber": "1100", "acctName": "Cash", "isInactive": false,
               "parent": {"id": "1"}, "subsidiary": [{"id": "1"}, {"id": "2"}]}),
        json!({"id": "418", "acctNumber": "1200", "acctName": "Receivables", "isInactive": false,
               "parent": {"id": "1"}, "subsidiary": [{"id": "1"}]}),
    ]
}
