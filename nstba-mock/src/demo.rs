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
        json!({"id": "1", "name": "Honeycomb Mfg.", "country": "US", "isInactive": false}),
        json!({"id": "2", "name": "Honeycomb Mfg. UK", "country": "GB", "isInactive": false,
               "parent": {"id": "1"}}),
        json!({"id": "3", "name": "Honeycomb Mfg. DE", "country": "DE", "isInactive": false,
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
    let customers: Vec<Value> = names
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
                "addressbook": {"items": [
                    {"line": 1, "defaultBilling": true, "defaultShipping": true, "label": "HQ",
                     "addressbookAddress": {"addr1": format!("{} Main Street", 100 + n), "city": city,
                                             "state": state, "zip": format!("{:05}", 10000 + n * 7),
                                             "country": country}}
                ]}
            })
        })
        .collect();
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
            "status": if n % 4 == 0 { "Billed" } else { "Pending Fulfillment" },
            "memo": format!("Demo order {n}"),
            "subsidiary": {"id": names[customer - 1].2.to_string()},
            "currency": {"id": names[customer - 1].3.to_string()},
            "total": total,
            "item": {"items": lines},
        }));
    }
    vec![
        ("subsidiary", subsidiaries),
        ("currency", currencies),
        ("customer", customers),
        ("inventoryItem", items),
        ("salesOrder", orders),
    ]
}
