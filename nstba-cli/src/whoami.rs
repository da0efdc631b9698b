//! `nstba whoami` (alias `doctor`): which authentication is in use, one cheap call, and what it tells
//! about the set-up. TBA: a signed metadata-catalog request. OAuth 2.0 M2M: a token request.

use crate::net;
use crate::{profile, Failure};

/// `nstba whoami`.
pub fn run(profile_name: Option<&str>) -> Result<(), Failure> {
    let settings = profile::settings(profile_name)?;
    let creds = match settings.auth()? {
        profile::Auth::M2m(m2m) => return run_m2m(&settings, &m2m),
        profile::Auth::Tba(creds) => creds,
    };
    let account = creds.account().clone();
    let consumer_key = creds.consumer_key().to_owned();
    let token_id = creds.token_id().to_owned();
    printable_id("consumer key", "NETSUITE_CONSUMER_KEY", &consumer_key)?;
    printable_id("token id", "NETSUITE_TOKEN_ID", &token_id)?;
    println!("auth:         TBA (OAuth 1.0a token-based authentication)");
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

/// `whoami` for OAuth 2.0 M2M: the settings, the key file's checks, and a token request.
fn run_m2m(settings: &profile::Settings, m2m: &profile::M2mSettings) -> Result<(), Failure> {
    println!("auth:         OAuth 2.0 M2M (client credentials, signed client assertion)");
    println!(
        "account:      {} (realm)   {} (host label)",
        m2m.account.realm(),
        m2m.account.host_label()
    );
    println!("client id:    {}", shorten(&m2m.client_id));
    println!("certificate:  {}", shorten(&m2m.certificate_id));
    println!("private key:  {}", m2m.private_key_path.display());
    println!("scopes:       {}", m2m.scopes.join(","));
    if settings.credentials().is_ok() {
        println!("note:         TBA credentials are set too; `nstba token m2m` and whoami use M2M");
    }
    let started = std::time::Instant::now();
    match crate::token::fetch_m2m_token(settings, m2m) {
        Ok(issued) => {
            println!(
                "request:      POST {} -> token in {} ms",
                issued.endpoint,
                started.elapsed().as_millis()
            );
            println!(
                "result:       OK, NetSuite accepted the client assertion ({} token, expires in {} s)",
                issued.token.token_type(),
                issued.token.expires_in()
            );
            Ok(())
        }
        Err(e) => {
            println!("result:       token request failed. Check, in order: the client id and certificate id (Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup), that the certificate is active and matches the key, the scopes allowed for the integration, this machine's clock (±300 s), and the Login Audit Trail.");
            Err(e)
        }
    }
}

/// A usage error when a TBA id is not plain printable ASCII (NetSuite's are 64 hexadecimal
/// characters): a pasted-in quote, space or look-alike letter. Names the value and where the bad
/// character is, never the value.
fn printable_id(what: &str, variable: &str, value: &str) -> Result<(), Failure> {
    match value.chars().position(|c| !c.is_ascii_graphic()) {
        None => Ok(()),
        Some(at) => {
            let c = value.chars().nth(at).unwrap_or(' ');
            let kind = if c.is_ascii() {
                "a space or control character"
            } else {
                "a non-ASCII character"
            };
            Err(Failure::Usage(format!(
                "the {what} ({variable} or the profile's entry) has {kind} at position {} of {}: NetSuite's consumer keys and token ids are 64 hexadecimal characters; copy it again from NetSuite (the value is not shown)",
                at + 1,
                value.chars().count()
            )))
        }
    }
}

/// The first and last characters of a long id, enough to recognise it.
fn shorten(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() > 16 {
        let head: String = chars[..8].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        id.to_owned()
    }
}
