//! `nstba mock [--port P] [--seed FILE] [--concurrency N] [--date-format M/D/YYYY]`: serve the NetSuite emulator until Ctrl-C.
//!
//! Credentials: the `NETSUITE_*` variables when any is set (so an existing client or script can be
//! pointed at the emulator unchanged), otherwise the public demo credentials, which are printed.
//! Data: the records of `--seed FILE` (`{"customer": [{…}], …}`), otherwise the built-in demo data set.
//! Every authentication rejection is printed to stderr with its reason as it happens.

use nstba::mock as emulator;
use std::path::PathBuf;
use std::time::Duration;

/// The `NETSUITE_*` variables, as `nstba_core::Credentials::from_env` reads them.
const ENV: [&str; 5] = [
    "NETSUITE_ACCOUNT_ID",
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
];

/// Runs the emulator until Ctrl-C. Errors are messages for the user (no secret in them).
pub async fn run(
    port: Option<u16>,
    seed: Option<PathBuf>,
    concurrency: Option<usize>,
    date_format: Option<String>,
) -> Result<(), String> {
    let mut builder = emulator::MockNetSuite::builder();
    if let Some(f) = date_format {
        let format: emulator::DateFormat = f.parse().map_err(|e| format!("--date-format: {e}"))?;
        builder = builder.date_format(format);
    }
    let from_env = ENV.iter().any(|v| std::env::var_os(v).is_some());
    if from_env {
        let creds = emulator::Credentials::from_env()
            .map_err(|e| format!("cannot use the NETSUITE_* credentials: {e}"))?;
        // The consumer secret is needed only so that /rest/issuetoken can issue tokens for it.
        let consumer_secret = std::env::var("NETSUITE_CONSUMER_SECRET").unwrap_or_default();
        builder = builder
            .integration(
                creds.account().realm(),
                creds.consumer_key(),
                consumer_secret.trim(),
            )
            .credentials(creds);
    }
    match &seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the seed file {}: {e}", path.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("the seed file {} is not JSON: {e}", path.display()))?;
            builder = builder.seed_json(value);
        }
        None => builder = builder.demo_data(),
    }
    if let Some(n) = concurrency {
        builder = builder.concurrency_limit(n);
    }
    if let Some(p) = port {
        builder = builder.port(p);
    }
    let ns = builder
        .start()
        .await
        .map_err(|e| format!("cannot start the emulator: {e}"))?;

    let creds = ns.credentials();
    println!("NetSuite emulator listening on {}", ns.base_url());
    println!("  REST:     {}/services/rest/record/v1/…", ns.base_url());
    println!(
        "  SuiteQL:  {}/services/rest/query/v1/suiteql",
        ns.base_url()
    );
    println!(
        "  RESTlets: {}/app/site/hosting/restlet.nl",
        ns.restlet_url()
    );
    println!("  account {}", creds.account().realm());
    if from_env {
        println!(
            "  accepting the NETSUITE_* credentials (consumer key {}, token {})",
            creds.consumer_key(),
            creds.token_id()
        );
    } else {
        println!("  demo credentials (public; they open only this emulator):");
        println!("    export NETSUITE_ACCOUNT_ID={}", emulator::DEMO_ACCOUNT);
        println!(
            "    export NETSUITE_CONSUMER_KEY={}",
            emulator::DEMO_CONSUMER_KEY
        );
        println!(
            "    export NETSUITE_CONSUMER_SECRET={}",
            emulator::DEMO_CONSUMER_SECRET
        );
        println!("    export NETSUITE_TOKEN_ID={}", emulator::DEMO_TOKEN_ID);
        println!(
            "    export NETSUITE_TOKEN_SECRET={}",
            emulator::DEMO_TOKEN_SECRET
        );
    }
    if seed.is_none() {
        println!("  data: the built-in demo data set (try GET /services/rest/record/v1/customer)");
    }
    println!("Press Ctrl-C to stop. Rejected logins are printed below with their reason.");

    let mut seen = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            r = tokio::signal::ctrl_c() => {
                r.map_err(|e| format!("cannot listen for Ctrl-C: {e}"))?;
                break;
            }
            _ = tick.tick() => {
                let new = ns.audit_log_since(seen);
                seen += new.len();
                for entry in new {
                    eprintln!("login rejected: {entry}");
                }
            }
        }
    }
    let c = ns.counters();
    println!(
        "stopped: {} requests, {} authenticated, {} rejected, {} throttled, max {} in flight",
        c.requests, c.authenticated, c.rejected, c.throttled, c.max_in_flight
    );
    Ok(())
}
