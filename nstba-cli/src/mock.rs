//! `nstba mock [--port P] [--seed FILE] [--concurrency N] [--date-format M/D/YYYY]`: serve the NetSuite emulator until Ctrl-C.
//!
//! Credentials: the `NETSUITE_*` variables when any is set (so an existing client or script can be
//! pointed at the emulator unchanged; the M2M ones register that client's certificate from its private
//! key file), otherwise the public demo credentials, which are printed: TBA, and OAuth 2.0 M2M with
//! the demo private key written to an owner-only file whose path is printed (removed on Ctrl-C).
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

/// The OAuth 2.0 M2M variables (besides `NETSUITE_ACCOUNT_ID`).
const M2M_ENV: [&str; 3] = [
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY_PATH",
];

fn failure_text(f: crate::Failure) -> String {
    match f {
        crate::Failure::Usage(m) | crate::Failure::Remote(m) => m,
    }
}

/// Creates `dir` readable by its owner only (0700 on Unix).
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

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
    let m2m_from_env = M2M_ENV.iter().any(|v| std::env::var_os(v).is_some());
    if m2m_from_env {
        let m2m = crate::profile::settings(None)
            .and_then(|s| s.m2m())
            .map_err(|e| format!("cannot use the NETSUITE_* M2M settings: {}", failure_text(e)))?
            .ok_or("NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and NETSUITE_PRIVATE_KEY_PATH are all needed")?;
        let key =
            crate::token::check_private_key_file(&m2m.private_key_path).map_err(failure_text)?;
        builder = builder.m2m_client(
            &m2m.client_id,
            &m2m.certificate_id,
            key.public_key(),
            &m2m.scopes,
        );
    }
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
    let mut key_dir = None;
    if !from_env && !m2m_from_env {
        let dir = std::env::temp_dir().join(format!("nstba-mock-{}", std::process::id()));
        let key_path = dir.join("demo-m2m-key.pem");
        create_private_dir(&dir)
            .and_then(|()| ns.write_private_key(&key_path))
            .map_err(|e| {
                format!(
                    "cannot write the demo M2M key to {}: {e}",
                    key_path.display()
                )
            })?;
        key_dir = Some(dir);
        println!("  demo OAuth 2.0 M2M credentials (the private key file is mode 0600, removed on Ctrl-C):");
        println!("    export NETSUITE_BASE_URL={}", ns.base_url());
        println!("    export NETSUITE_CLIENT_ID={}", ns.m2m_client_id());
        println!(
            "    export NETSUITE_CERTIFICATE_ID={}",
            ns.m2m_certificate_id()
        );
        println!(
            "    export NETSUITE_PRIVATE_KEY_PATH={}",
            key_path.display()
        );
        println!(
            "    export NETSUITE_SCOPES={}",
            emulator::DEMO_M2M_SCOPES.join(",")
        );
        println!("  token endpoint: {}", ns.token_url());
    } else if m2m_from_env {
        println!(
            "  accepting the NETSUITE_* M2M client (token endpoint {})",
            ns.token_url()
        );
    }
    if seed.is_none() {
        println!("  data: the built-in demo data set (try GET /services/rest/record/v1/customer)");
    }
    // Listen for Ctrl-C before saying so, and with one listener for the whole run: a listener made
    // afresh on every loop turn loses a SIGINT that arrives between two turns (and the default
    // handler is gone by then, so the process would ignore it).
    let mut interrupt = interrupt()?;
    println!("Press Ctrl-C to stop. Rejected logins are printed below with their reason.");

    let mut seen = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            _ = interrupt.recv() => break,
            _ = tick.tick() => {
                let new = ns.audit_log_since(seen);
                seen += new.len();
                for entry in new {
                    eprintln!("login rejected: {entry}");
                }
            }
        }
    }
    if let Some(dir) = key_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    let c = ns.counters();
    println!(
        "stopped: {} requests, {} authenticated, {} rejected, {} throttled, max {} in flight",
        c.requests, c.authenticated, c.rejected, c.throttled, c.max_in_flight
    );
    Ok(())
}

/// SIGINT (Ctrl-C), registered as soon as this returns.
#[cfg(unix)]
fn interrupt() -> Result<tokio::signal::unix::Signal, String> {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::interrupt()).map_err(|e| format!("cannot listen for Ctrl-C: {e}"))
}

/// Ctrl-C, registered as soon as this returns.
#[cfg(not(unix))]
fn interrupt() -> Result<tokio::signal::windows::CtrlC, String> {
    tokio::signal::windows::ctrl_c().map_err(|e| format!("cannot listen for Ctrl-C: {e}"))
}
