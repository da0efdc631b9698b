//! `nstba configure`: store the account id and the four TBA values in a profile.

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
