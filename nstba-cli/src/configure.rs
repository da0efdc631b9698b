//! `nstba configure`: store the account id and the four TBA values in a profile; `--m2m`: the
//! account id, client id, certificate id and private key *path* of OAuth 2.0 M2M (never the key).

use crate::{profile, Failure};
use clap::Args;
use nstba::core::{AccountId, Credentials};
use std::io::{BufRead, IsTerminal, Write};

/// Arguments of `nstba configure`.
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Profile to write.
    #[arg(long, default_value = "default")]
    pub profile: String,
    /// Configure OAuth 2.0 machine-to-machine instead of TBA: asks for the account id, client id,
    /// certificate id and the path of the private key file (PEM, mode 0600). The key stays in its file.
    #[arg(long)]
    pub m2m: bool,
    /// With --m2m: the scopes to ask for, comma-separated (default rest_webservices).
    #[arg(long, requires = "m2m", value_name = "SCOPES")]
    pub scopes: Option<String>,
}

/// Asks for the five values (secrets without echo when stdin is a terminal; one value per line when
/// it is not, for scripts) and stores them.
pub fn run(args: ConfigureArgs) -> Result<(), Failure> {
    let interactive = std::io::stdin().is_terminal();
    let mut lines = std::io::stdin().lock().lines();
    let mut ask = |label: &str, secret: bool| -> Result<String, Failure> {
        let value = if interactive {
            if secret {
                rpassword::prompt_password(format!("{label} (not echoed): "))
                    .map_err(|e| Failure::Usage(format!("cannot read {label}: {e}")))?
            } else {
                eprint!("{label}: ");
                let _ = std::io::stderr().flush();
                lines
                    .next()
                    .transpose()
                    .map_err(|e| Failure::Usage(format!("cannot read {label}: {e}")))?
                    .unwrap_or_default()
            }
        } else {
            lines
                .next()
                .transpose()
                .map_err(|e| Failure::Usage(format!("cannot read {label}: {e}")))?
                .ok_or_else(|| Failure::Usage(format!("no value given for {label}")))?
        };
        Ok(value.trim().to_owned())
    };
    let account = ask("Account ID (e.g. 1234567_SB1)", false)?;
    let account_id = AccountId::parse(&account).map_err(|e| Failure::Usage(e.to_string()))?;
    if args.m2m {
        let client_id = ask("Client ID (of the integration record)", false)?;
        let certificate_id = ask("Certificate ID (from the M2M setup page)", false)?;
        let key_path = ask("Private key file (PEM)", false)?;
        return store_m2m(&args, account_id, client_id, certificate_id, &key_path);
    }
    let consumer_key = ask("Consumer key", false)?;
    let consumer_secret = ask("Consumer secret", true)?;
    let token_id = ask("Token id", false)?;
    let token_secret = ask("Token secret", true)?;
    // Validate before anything is written.
    Credentials::new(
        account_id.clone(),
        consumer_key.clone(),
        consumer_secret.clone(),
        token_id.clone(),
        token_secret.clone(),
    )
    .map_err(|e| Failure::Usage(e.to_string()))?;
    let path = profile::store(
        &args.profile,
        &[
            ("account_id", account_id.realm().to_owned()),
            ("consumer_key", consumer_key),
            ("consumer_secret", consumer_secret),
            ("token_id", token_id),
            ("token_secret", token_secret),
        ],
    )?;
    eprintln!(
        "Stored profile {:?} for account {} in {} (mode 0600).",
        args.profile,
        account_id.realm(),
        path.display()
    );
    Ok(())
}

/// Checks and stores the M2M values: the key file must be readable, a private key NetSuite accepts,
/// and reachable by its owner only; the profile gets its absolute path, never its content.
fn store_m2m(
    args: &ConfigureArgs,
    account_id: AccountId,
    client_id: String,
    certificate_id: String,
    key_path: &str,
) -> Result<(), Failure> {
    for (label, value) in [
        ("client ID", &client_id),
        ("certificate ID", &certificate_id),
    ] {
        if value.is_empty() {
            return Err(Failure::Usage(format!("no {label} given")));
        }
    }
    if key_path.is_empty() {
        return Err(Failure::Usage("no private key file given".into()));
    }
    let path = std::path::Path::new(key_path);
    let key = crate::token::check_private_key_file(path)?;
    let path = std::fs::canonicalize(path)
        .map_err(|e| Failure::Usage(format!("cannot resolve {}: {e}", path.display())))?;
    let mut m2m = crate::profile::M2mSettings {
        account: account_id.clone(),
        client_id: client_id.clone(),
        certificate_id: certificate_id.clone(),
        private_key_path: path.clone(),
        scopes: vec!["rest_webservices".to_owned()],
    };
    if let Some(scopes) = &args.scopes {
        m2m.scopes = scopes
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    // The same checks as signing: ids, scopes, and a key that fits an algorithm NetSuite accepts.
    crate::token::m2m_assertion(&m2m)?;
    let mut values = vec![
        ("account_id", account_id.realm().to_owned()),
        ("client_id", client_id),
        ("certificate_id", certificate_id),
        ("private_key_path", path.display().to_string()),
    ];
    if args.scopes.is_some() {
        values.push(("scopes", m2m.scopes.join(",")));
    }
    let stored = profile::store(&args.profile, &values)?;
    eprintln!(
        "Stored OAuth 2.0 M2M profile {:?} for account {} in {} (mode 0600): {} ({}), scopes {}. The key stays in its file.",
        args.profile,
        account_id.realm(),
        stored.display(),
        path.display(),
        key.kind(),
        m2m.scopes.join(",")
    );
    Ok(())
}
