//! What the network commands share: building the client from profile + environment, mapping errors
//! to exit codes, reading `--data`.

use crate::{profile, Failure};
use nstba::client::{Client, Error, ErrorKind};
use std::sync::OnceLock;

/// `--limiter` (or `NSTBA_LIMITER`), read as the client reads `NSTBA_LIMITER`.
static LIMITER: OnceLock<String> = OnceLock::new();

/// Sets the limiter every client of this command uses.
pub fn set_limiter(limiter: Option<String>) {
    if let Some(limiter) = limiter {
        let _ = LIMITER.set(limiter);
    }
}

/// A client from `NETSUITE_*` variables over the profile (`NETSUITE_BASE_URL`, `NETSUITE_RESTLET_URL`,
/// `NETSUITE_CONCURRENCY` and `--limiter` / `NSTBA_LIMITER` honoured).
pub fn client(profile_name: Option<&str>) -> Result<Client, Failure> {
    client_for(&profile::settings(profile_name)?)
}

/// A client for settings already read: the client's own `from_lookup` reads them, so the variables
/// mean the same here as in `Client::from_env`. Credential problems are reported with the profile's
/// messages first.
pub fn client_for(settings: &profile::Settings) -> Result<Client, Failure> {
    // TBA or OAuth 2.0 M2M, chosen as the client chooses; bad or partial settings are reported with
    // the profile's messages first.
    settings.auth()?;
    Client::from_lookup(|var| match (var, LIMITER.get()) {
        ("NSTBA_LIMITER", Some(limiter)) => Some(limiter.clone()),
        _ => settings.get(var),
    })
    .map_err(failure)
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
