//! Quickstart: sign a NetSuite request and see why it is signed that way.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//! With no `NETSUITE_*` variables it uses built-in demo credentials; with them set, your own.
//! (Later steps of the tour — the typed end-to-end run against the embedded emulator — build on this.)

use nstba::core::{AccountId, Credentials, Request, Stamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = match Credentials::from_env() {
        Ok(creds) => {
            println!("Using credentials from NETSUITE_* for account {}", creds.account());
            creds
        }
        Err(_) => {
            println!("No NETSUITE_* variables: using demo credentials for account 1234567_SB1");
            Credentials::new(
                AccountId::parse("1234567-sb1")?,
                "demo-consumer-key",
                "demo-consumer-secret",
                "demo-token-id",
                "demo-token-secret",
            )?
        }
    };
    let account = creds.account();
    println!("realm: {}   host label: {}", account.realm(), account.host_label());
    let url = format!(
        "{}/services/rest/record/v1/customer?q=companyName START_WITH \"Acme\"&limit=10",
        account.rest_base_url()
    );
    let explain = creds
        .key()
        .explain(&Request::new("GET", &url), &Stamp::now())?;
    println!("\nGET {url}\n");
    println!("Authorization: {}\n", explain.signed.authorization());
    println!("How it was computed (compare with NetSuite's Login Audit Trail on INVALID_LOGIN):");
    println!("{explain}");
    Ok(())
}
