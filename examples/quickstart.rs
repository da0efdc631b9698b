//! Quickstart: the typed tour of nstba.
//!
//! ```text
//! cargo run --example quickstart            # no NETSUITE_* variables: the embedded emulator
//! cargo run --example quickstart            # NETSUITE_* set: your account, read-only
//! cargo run --example quickstart -- --write # NETSUITE_* set: also create → update → delete
//! ```
//!
//! 1. signing: the `Authorization` header of a sample request and how it was computed;
//! 2. with the emulator (demo data): create → get → update → typed list filter → typed SuiteQL →
//!    delete on a `Customer`, printing each step;
//! 3. with `NETSUITE_*` (and `NETSUITE_BASE_URL` honoured): a typed SuiteQL query and a typed get of
//!    the first row; writes only with `--write`.

use futures_util::{StreamExt, TryStreamExt};
use nstba::client::values::DateTime;
use nstba::client::{Client, M2M_ENV_VARIABLES};
use nstba::core::{Credentials, Request, Stamp, ENV_VARIABLES};
use nstba::record::SelectValue;
use nstba::typed::{ClientExt, Patch, TypedRecords};
use nstba::{Record, RecordId, RecordRef, Sublist};
use nstba_mock::MockNetSuite;

nstba::record::select_list! {
    /// A sales order's status (a select list: `{"id": "B", "refName": "Pending Fulfillment"}` on the
    /// wire; ids not listed here are kept as `Unknown`).
    pub enum SalesOrderStatus {
        /// Pending Approval.
        PendingApproval = "A",
        /// Pending Fulfillment.
        PendingFulfillment = "B",
        /// Billed.
        Billed = "G",
    }
}

/// A sales order with its item lines.
#[derive(Record, Debug, Clone)]
#[netsuite(record = "salesOrder")]
pub struct SalesOrder {
    /// Internal id.
    #[netsuite(id)]
    pub id: Option<RecordId>,
    /// Document number.
    pub tran_id: Option<String>,
    /// The customer.
    pub entity: Option<RecordRef>,
    /// Status: a typed select list that keeps NetSuite's display name.
    pub status: Option<SelectValue<SalesOrderStatus>>,
    /// The item lines (sent only when sub-resources are expanded).
    pub item: Sublist<SalesOrderLine>,
}

/// One item line of a sales order.
#[derive(Record, Debug, Clone)]
#[netsuite(subrecord)]
pub struct SalesOrderLine {
    /// The item.
    pub item: Option<RecordRef>,
    /// Quantity.
    pub quantity: Option<f64>,
    /// Rate.
    pub rate: Option<f64>,
    /// Amount.
    pub amount: Option<f64>,
}

/// A NetSuite customer, described once: wire names are the camelCase of the Rust names
/// (`company_name` → `companyName`, SuiteQL column `companyname`).
#[derive(Record, Debug, Clone)]
#[netsuite(record = "customer")]
pub struct Customer {
    /// Internal id (read-only).
    #[netsuite(id)]
    pub id: Option<RecordId>,
    /// Company name.
    pub company_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Inactive flag.
    pub is_inactive: Option<bool>,
    /// Credit limit.
    pub credit_limit: Option<f64>,
    /// Creation time (read-only).
    pub date_created: Option<DateTime>,
    /// Subsidiary (OneWorld accounts).
    pub subsidiary: Option<RecordRef>,
    /// External id.
    #[netsuite(external_id)]
    pub external_id: Option<String>,
}

fn step(n: u32, title: &str) {
    println!("\n{n}. {title}");
}

fn show(c: &Customer) -> String {
    format!(
        "#{} {:?} <{}> inactive={:?} credit limit={:?} subsidiary={:?}",
        c.id.as_ref().map_or("-", |i| i.as_str()),
        c.company_name.as_deref().unwrap_or(""),
        c.email.as_deref().unwrap_or(""),
        c.is_inactive,
        c.credit_limit,
        c.subsidiary.as_ref().and_then(|s| s.id.as_deref()),
    )
}

fn signing(creds: &Credentials, base_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    step(1, "signing: header + explain");
    let url = format!(
        "{base_url}/services/rest/record/v1/customer?q=companyName START_WITH \"Acme\"&limit=10"
    );
    let explain = creds
        .key()
        .explain(&Request::new("GET", &url), &Stamp::now())?;
    println!("   GET {url}");
    println!("   Authorization: {}", explain.signed.authorization());
    println!("   How it was computed (compare with the Login Audit Trail on INVALID_LOGIN):");
    for line in explain.to_string().lines() {
        println!("     {line}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let write = std::env::args().skip(1).any(|a| a == "--write");
    let set: Vec<&str> = ENV_VARIABLES
        .iter()
        .chain(M2M_ENV_VARIABLES.iter())
        .copied()
        .filter(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
        .collect();
    if set.is_empty() {
        return demo().await;
    }
    // Some variables set: the user meant their account. Never fall back to the emulator silently.
    // TBA (the five TBA variables) or OAuth 2.0 M2M (account id, client id, certificate id, key).
    match Client::from_env() {
        Ok(client) => live(client, write).await,
        Err(e) => {
            eprintln!(
                "quickstart: NETSUITE_* variables are partly set ({}): {e}\n\
                 Set all TBA (or all M2M) variables to use your account, or unset them all to use the \
                 embedded emulator.",
                set.join(", ")
            );
            std::process::exit(2);
        }
    }
}

/// No `NETSUITE_*` variables: the whole tour against the embedded emulator.
async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockNetSuite::builder().demo_data().start().await?;
    println!(
        "No NETSUITE_* variables: using the embedded NetSuite emulator at {} (demo data)",
        mock.base_url()
    );
    signing(&mock.credentials(), &mock.base_url())?;
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .build()?;
    let customers: TypedRecords<Customer> = client.typed();
    let f = Customer::fields();

    step(2, "create");
    let new = Customer {
        id: None,
        company_name: Some("Quickstart Widgets Ltd".into()),
        email: Some("ap@quickstart.example".into()),
        is_inactive: Some(false),
        credit_limit: Some(2500.0),
        date_created: None,
        subsidiary: Some(RecordRef::id("1")),
        external_id: Some("QUICKSTART-1".into()),
    };
    let id = customers.create(&new).send().await?;
    println!("   POST /customer → new id {id}");

    step(3, "get");
    let got = customers.get(&id).send().await?;
    println!("   {}", show(&got));

    step(
        4,
        "update (typed patch: set email, clear credit limit, leave the rest)",
    );
    let patch = CustomerPatch {
        email: Patch::set("billing@quickstart.example"),
        credit_limit: Patch::Clear,
        ..Customer::patch()
    };
    println!("   PATCH body: {}", serde_json::to_string(&patch)?);
    customers.update(&id, &patch).send().await?;
    println!("   {}", show(&customers.get(&id).send().await?));

    step(5, "typed list filter");
    let filter = f
        .email
        .ends_with(".example")
        .and(f.is_inactive.is(false))
        .and(
            f.company_name
                .starts_with("Q")
                .or(f.credit_limit.greater(40_000)),
        );
    println!("   q = {}", filter.to_query()?);
    let mut listed = customers.list(filter).page_size(100).records();
    let mut n = 0;
    while let Some(c) = listed.next().await {
        n += 1;
        if n <= 3 {
            println!("   {}", show(&c?));
        }
    }
    println!("   … {n} matching customers");

    step(6, "typed SuiteQL");
    let query = customers
        .select()
        .filter(f.credit_limit.greater_or_equal(0).or(f.id.is(id.clone())))
        .order_by(f.company_name);
    println!("   {}", query.to_sql()?);
    let rows: Vec<Customer> = query.stream().take(4).try_collect().await?;
    for c in &rows {
        println!("   {}", show(c));
    }

    step(7, "delete");
    customers.delete(&id).send().await?;
    let gone = customers.get(&id).send().await.is_err();
    println!("   DELETE /customer/{id} → gone: {gone}");

    step(
        8,
        "a sales order with its item lines and a select-list field",
    );
    let order: SalesOrder = client
        .typed::<SalesOrder>()
        .get("2")
        .expand_sub_resources(true)
        .send()
        .await?;
    let status = order.status.as_ref().map_or_else(String::new, |s| {
        format!(
            "{:?} (id {:?}, {:?})",
            s.value,
            s.value.as_str(),
            s.ref_name.as_deref().unwrap_or("")
        )
    });
    println!(
        "   GET /salesOrder/2?expandSubResources=true → {} for customer {}, status {status}",
        order.tran_id.as_deref().unwrap_or("?"),
        order
            .entity
            .as_ref()
            .and_then(|e| e.id.as_deref())
            .unwrap_or("?"),
    );
    for line in &order.item {
        println!(
            "     line: item {} × {} at {} = {}",
            line.item
                .as_ref()
                .and_then(|i| i.id.as_deref())
                .unwrap_or("?"),
            line.quantity.unwrap_or_default(),
            line.rate.unwrap_or_default(),
            line.amount.unwrap_or_default()
        );
    }
    Ok(())
}

/// `NETSUITE_*` set: read-only unless `--write`.
async fn live(client: Client, write: bool) -> Result<(), Box<dyn std::error::Error>> {
    let account = client.account().map(|a| a.to_string()).unwrap_or_default();
    // TBA: show what is signed. OAuth 2.0 M2M: the client fetches a bearer token instead.
    match Credentials::from_env() {
        Ok(creds) => {
            println!(
                "Using NETSUITE_* TBA credentials for account {account} at {}",
                client.base_url()
            );
            signing(&creds, client.base_url())?;
        }
        Err(_) => println!(
            "Using NETSUITE_* OAuth 2.0 M2M credentials for account {account} at {} (bearer tokens)",
            client.base_url()
        ),
    }
    let customers: TypedRecords<Customer> = client.typed();
    let f = Customer::fields();

    step(2, "typed SuiteQL (read-only)");
    let query = customers
        .select()
        .filter(f.is_inactive.is(false))
        .order_by(f.id)
        .page_size(5);
    println!("   {}", query.to_sql()?);
    let rows: Vec<Customer> = query.stream().take(5).try_collect().await?;
    for c in &rows {
        println!("   {}", show(c));
    }

    step(3, "typed get of the first row");
    let Some(first) = rows.first().and_then(|c| c.id.clone()) else {
        println!("   no active customers");
        return Ok(());
    };
    let got = customers.get(&first).send().await?;
    println!("   {}", show(&got));

    if !write {
        println!("\n(read-only: pass --write to also create, update and delete a test customer)");
        return Ok(());
    }
    step(4, "create → update → delete (--write)");
    let new = Customer {
        id: None,
        company_name: Some("nstba quickstart (safe to delete)".into()),
        email: None,
        is_inactive: Some(true),
        credit_limit: None,
        date_created: None,
        subsidiary: got
            .subsidiary
            .as_ref()
            .and_then(|s| s.id.clone())
            .map(RecordRef::id),
        external_id: None,
    };
    let id = customers.create(&new).send().await?;
    println!("   created {id}");
    let patch = CustomerPatch {
        email: Patch::set("nstba-quickstart@example.invalid"),
        ..Customer::patch()
    };
    customers.update(&id, &patch).send().await?;
    println!("   updated: {}", show(&customers.get(&id).send().await?));
    customers.delete(&id).send().await?;
    println!("   deleted {id}");
    Ok(())
}
