//! Typed records: create, patch, filter and select customers.
use futures_util::TryStreamExt;
use nstba::client::Client;
use nstba::typed::{ClientExt, Patch};
use nstba::{Record, RecordId, RecordRef};

#[derive(Record, Debug, Clone, Default)]
#[netsuite(record = "customer")] // checked against NetSuite's record types at compile time
struct Customer {
    #[netsuite(id)]
    id: Option<RecordId>,
    company_name: Option<String>, // wire `companyName`, SuiteQL column `companyname`
    email: Option<String>,
    is_inactive: Option<bool>,
    credit_limit: Option<f64>,
    subsidiary: Option<RecordRef>,
    #[netsuite(external_id)]
    external_id: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?; // NETSUITE_* (+ NETSUITE_BASE_URL for the emulator)
    let customers = client.typed::<Customer>();
    let f = Customer::fields();

    let new = Customer {
        company_name: Some("Acme Pty".into()),
        email: Some("ap@acme.example".into()),
        ..Default::default()
    };
    let id = customers.create(&new).send().await?;

    let patch = CustomerPatch {
        credit_limit: Patch::set(2500.0),
        ..Customer::patch()
    };
    customers.update(&id, &patch).send().await?;

    // q=email START_WITH "ap@" AND isInactive IS false
    let active_ap: Vec<Customer> = customers
        .list(f.email.starts_with("ap@").and(f.is_inactive.is(false)))
        .records()
        .try_collect()
        .await?;
    println!("{} customers with an ap@ address", active_ap.len());

    // typed SuiteQL: SELECT id, companyname, … FROM customer WHERE creditlimit > 1000 ORDER BY id
    let big: Vec<Customer> = customers
        .select()
        .filter(f.credit_limit.greater(1000))
        .stream()
        .try_collect()
        .await?;
    println!("{} customers with a credit limit over 1000", big.len());

    customers.delete(&id).send().await?;
    Ok(())
}
