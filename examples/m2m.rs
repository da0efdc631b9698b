//! OAuth 2.0 machine-to-machine (client credentials): the successor to TBA for new integrations.
//!
//! Setup in NetSuite (once):
//! 1. Integration record: enable "Client Credentials (Machine to Machine) grant" and the scopes you need
//!    (REST Web Services, RESTlets); note the **client id**.
//! 2. Make a key pair and a certificate (RSA 3072/4096 or EC P-256/384/521, valid at most 2 years):
//!    `openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
//!       -keyout m2m.key.pem -out m2m.crt.pem -subj "/CN=nstba"`
//! 3. Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup: map the
//!    integration to an entity and role, upload `m2m.crt.pem`; note the **certificate id**.
//!
//! Then:
//!
//! ```text
//! export NETSUITE_ACCOUNT_ID=1234567_SB1
//! export NETSUITE_CLIENT_ID=<client id>
//! export NETSUITE_CERTIFICATE_ID=<certificate id>
//! export NETSUITE_PRIVATE_KEY_PATH=m2m.key.pem
//! # optional: NETSUITE_SCOPES=rest_webservices,restlets   NETSUITE_ALGORITHM=ES256
//! # optional: NETSUITE_BASE_URL=http://127.0.0.1:8080 (an emulator or proxy: the token request goes there too)
//! cargo run --example m2m
//! ```
//!
//! `Client::from_env` picks M2M when those variables are set (and TBA when all TBA variables are set).
//! The client fetches one access token, shares it between concurrent calls, replaces it shortly before
//! it expires, and on a 401 fetches a new one and resends the call once. A refused token request
//! (`invalid_client`, `invalid_grant`) comes back as `ErrorKind::TokenRefused` with a checklist.

use futures_util::{StreamExt, TryStreamExt};
use nstba::client::{Client, ErrorKind, M2M_ENV_VARIABLES};
use nstba::typed::ClientExt;
use nstba::{Record, RecordId};

/// A customer, typed.
#[derive(Record, Debug, Clone)]
#[netsuite(record = "customer")]
pub struct Customer {
    /// Internal id.
    #[netsuite(id)]
    pub id: Option<RecordId>,
    /// Company name.
    pub company_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let m2m_set = M2M_ENV_VARIABLES[..3]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()));
    if !m2m_set {
        eprintln!(
            "m2m: set NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and \
             NETSUITE_PRIVATE_KEY_PATH (see the comment at the top of examples/m2m.rs)"
        );
        std::process::exit(2);
    }
    let client = Client::from_env()?;
    println!(
        "M2M client for {:?} at {}",
        client.account().map(|a| a.realm()),
        client.base_url()
    );

    // SuiteQL (the first call fetches the access token).
    let customers = client.typed::<Customer>();
    let f = Customer::fields();
    let query = customers.select().order_by(f.id).page_size(5);
    println!("SuiteQL: {}", query.to_sql()?);
    let rows: Vec<Customer> = match query.stream().take(5).try_collect().await {
        Ok(rows) => rows,
        Err(e) => {
            if let ErrorKind::TokenRefused { code, .. } = e.kind() {
                eprintln!("the token request was refused ({code}); check:");
                for item in e.checklist().unwrap_or_default() {
                    eprintln!("  - {item}");
                }
            }
            return Err(e.into());
        }
    };
    for c in &rows {
        println!("  {:?} {:?}", c.id, c.company_name);
    }

    // A typed get of the first row (reuses the cached token).
    if let Some(id) = rows.first().and_then(|c| c.id.clone()) {
        let got = customers.get(&id).send().await?;
        println!("get {id}: {got:?}");
    } else {
        println!("no customers");
    }
    Ok(())
}
