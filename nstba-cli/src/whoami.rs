//! `nstba whoami` (alias `doctor`): one cheap signed call, and what it tells about the set-up.

use crate::net;
use crate::{profile, Failure};

/// `nstba whoami`.
pub fn run(profile_name: Option<&str>) -> Result<(), Failure> {
    let settings = profile::settings(profile_name)?;
    let creds = settings.credentials()?;
    let account = creds.account().clone();
    let consumer_key = creds.consumer_key().to_owned();
    let token_id = creds.token_id().to_owned();
    let client = net::client_for(&settings)?;
    println!(
        "account:      {} (realm)   {} (host label)",
        account.realm(),
        account.host_label()
    );
    println!("consumer key: {}", shorten(&consumer_key));
    println!("token id:     {}", shorten(&token_id));
    println!("REST URL:     {}", client.base_url());
    println!("RESTlet URL:  {}", client.restlet_url());
    let check = net::runtime()?.block_on(client.check());
    match check.status {
        Some(status) => println!(
            "request:      GET {} -> HTTP {status} in {} ms",
            nstba::client::METADATA_CATALOG_PATH,
            check.elapsed.as_millis()
        ),
        None => println!(
            "request:      GET {} -> no response",
            nstba::client::METADATA_CATALOG_PATH
        ),
    }
    match (check.server_time, check.clock_offset_secs()) {
        (Some(server), Some(offset)) => {
            let verdict = if offset.abs() > 300 {
                "TOO FAR OFF: NetSuite rejects timestamps more than ~300 s away; fix this machine's clock"
            } else if offset.abs() > 60 {
                "within NetSuite's ~300 s, but drifting: sync this machine's clock"
            } else {
                "fine"
            };
            println!(
                "clock:        server {}, this machine {:+} s ({verdict})",
                httpdate::fmt_http_date(server),
                -offset
            );
        }
        _ => println!("clock:        the response carried no Date header"),
    }
    match check.error {
        None => {
            println!("result:       OK, NetSuite accepted the signature");
            Ok(())
        }
        Some(e) => {
            if e.is_invalid_login() {
                println!(
                    "result:       INVALID_LOGIN. NetSuite does not say why; check, in order:"
                );
                for (i, item) in nstba::client::INVALID_LOGIN_CHECKLIST.iter().enumerate() {
                    println!("  {}. {item}", i + 1);
                }
                println!(
                    "  The reason is in NetSuite: Setup > Users/Roles > View Login Audit Trail. `nstba sign --explain URL` shows what was signed."
                );
            }
            Err(net::failure(e))
        }
    }
}

/// The first and last characters of a long id, enough to recognise it.
fn shorten(id: &str) -> String {
    if id.len() > 16 {
        format!("{}…{}", &id[..8], &id[id.len() - 4..])
    } else {
        id.to_owned()
    }
}
