//! What the network commands share: building the client from profile + environment, mapping errors
//! to exit codes, reading `--data`.

use crate::{profile, Failure};
use nstba::client::{Client, Error, ErrorKind};
use nstba::core::Credentials;

/// A client from `NETSUITE_*` variables over the profile (`NETSUITE_BASE_URL`, `NETSUITE_RESTLET_URL`
/// and `NETSUITE_CONCURRENCY` honoured).
pub fn client(profile_name: Option<&str>) -> Result<Client, Failure> {
    // Validate (and name a missing profile) first, with the profile's own error messages.
    client_for(profile::load(profile_name)?)
}

/// A client for credentials already loaded, with the URL and concurrency variables honoured.
pub fn client_for(creds: Credentials) -> Result<Client, Failure> {
    let mut builder = Client::builder().credentials(creds);
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(url) = var("NETSUITE_BASE_URL") {
        builder = builder.base_url(url);
    }
    if let Some(url) = var("NETSUITE_RESTLET_URL") {
        builder = builder.restlet_url(url);
    }
    if let Some(n) = var("NETSUITE_CONCURRENCY") {
        let n = n
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "NETSUITE_CONCURRENCY must be a whole number of at least 1 (got {n:?})"
                ))
            })?;
        builder = builder.concurrency(n);
    }
    builder.build().map_err(failure)
}

/// Exit code 2 for what the user can fix in the command or configuration, 1 for NetSuite/network.
pub fn failure(e: Error) -> Failure {
    match e.kind() {
        ErrorKind::InvalidInput { .. }
        | ErrorKind::Config { .. }
        | ErrorKind::Sign(_)
        | ErrorKind::Encode(_) => Failure::Usage(e.to_string()),
        _ => Failure::Remote(e.to_string()),
    }
}

/// `--data JSON` or `--data @file` (or `@-` for stdin), parsed.
pub fn data(arg: &str) -> Result<serde_json::Value, Failure> {
    let (text, origin) = if arg == "@-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::Usage(format!("cannot read --data from stdin: {e}")))?;
        (s, "stdin".to_owned())
    } else if let Some(path) = arg.strip_prefix('@') {
        let s = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read --data file {path}: {e}")))?;
        (s, path.to_owned())
    } else {
        (arg.to_owned(), "--data".to_owned())
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{origin} is not valid JSON: {e}")))
}

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start the async runtime: {e}")))
}

/// Prints a JSON value on stdout.
pub fn print_json(v: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
    );
}
