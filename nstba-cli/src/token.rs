//! `nstba token issue` (NLAuth, `/rest/issuetoken`) and `nstba token revoke`.

use crate::net::{self, failure};
use crate::{profile, Failure};
use clap::{Args, Subcommand};
use nstba::client::Client;
use nstba::core::AccountId;
use secrecy::ExposeSecret;
use std::io::{BufRead, IsTerminal};

/// Arguments of `nstba token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, Subcommand)]
enum Op {
    /// Issue an access token for yourself through the ISSUETOKEN endpoint (asks for your password
    /// without echo). The integration record must have "TBA: ISSUETOKEN ENDPOINT" checked.
    Issue {
        /// Your NetSuite login email.
        #[arg(long)]
        email: String,
        /// Internal id of the role the token is for (it needs "User Access Tokens").
        #[arg(long)]
        role: String,
        /// One-time code when your login uses two-factor authentication.
        #[arg(long)]
        otp: Option<String>,
        /// Store the new token (with the account, consumer key and consumer secret) in this profile
        /// instead of printing its secret.
        #[arg(long, value_name = "PROFILE")]
        save_profile: Option<String>,
    },
    /// Revoke the token this profile signs with.
    Revoke,
}

/// `nstba token …`.
pub fn run(args: TokenArgs, profile_name: Option<&str>) -> Result<(), Failure> {
    match args.op {
        Op::Revoke => {
            let client = net::client(profile_name)?;
            net::runtime()?
                .block_on(client.revoke_token())
                .map_err(failure)?;
            eprintln!("Token revoked: requests signed with it now fail with INVALID_LOGIN.");
            Ok(())
        }
        Op::Issue {
            email,
            role,
            otp,
            save_profile,
        } => {
            let need = |key: &str, var: &str| -> Result<String, Failure> {
                profile::value(profile_name, key)?.ok_or_else(|| {
                    Failure::Usage(format!(
                        "{var} is not set (and no profile has {key}); `nstba token issue` needs the account id and the integration's consumer key"
                    ))
                })
            };
            let account = AccountId::parse(&need("account_id", "NETSUITE_ACCOUNT_ID")?)
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let consumer_key = need("consumer_key", "NETSUITE_CONSUMER_KEY")?;
            let consumer_secret = match &save_profile {
                Some(_) => Some(need("consumer_secret", "NETSUITE_CONSUMER_SECRET")?),
                None => None,
            };
            let password = read_password(&email)?;
            // The issue-token call authenticates with NLAuth; there is no token to sign with yet, so the
            // client gets an authorizer that refuses to sign anything else.
            let mut builder = Client::builder()
                .account(account.clone())
                .authorizer(std::sync::Arc::new(NoTokenYet));
            if let Ok(url) = std::env::var("NETSUITE_RESTLET_URL") {
                builder = builder.restlet_url(url);
            }
            let client = builder.build().map_err(failure)?;
            let mut request = client.issue_token(email, password, role, consumer_key.clone());
            if let Some(code) = otp {
                request = request.otp(code);
            }
            let token = net::runtime()?.block_on(request.send()).map_err(failure)?;
            match save_profile {
                Some(name) => {
                    let path = profile::store(
                        &name,
                        &[
                            ("account_id", account.realm().to_owned()),
                            ("consumer_key", consumer_key),
                            ("consumer_secret", consumer_secret.unwrap_or_default()),
                            ("token_id", token.token_id().to_owned()),
                            (
                                "token_secret",
                                token.token_secret().expose_secret().to_owned(),
                            ),
                        ],
                    )?;
                    println!("{}", token.token_id());
                    eprintln!(
                        "Issued token {} and stored it in profile {name:?} ({}, mode 0600).",
                        token.token_id(),
                        path.display()
                    );
                }
                None => {
                    eprintln!(
                        "WARNING: the token secret below is shown this once and cannot be shown again. Store it now (or rerun with --save-profile)."
                    );
                    println!("NETSUITE_TOKEN_ID={}", token.token_id());
                    println!(
                        "NETSUITE_TOKEN_SECRET={}",
                        token.token_secret().expose_secret()
                    );
                }
            }
            Ok(())
        }
    }
}

/// Authorizer for a client that only issues tokens: signing any TBA request is an error.
struct NoTokenYet;

impl nstba::core::Authorizer for NoTokenYet {
    fn authorize(&self, _: &nstba::core::Request<'_>) -> nstba::core::Result<String> {
        Err(nstba::core::Error::InvalidCredential {
            name: "token id",
            reason: "no access token yet: only the issue-token call can be made",
        })
    }
}

/// The password: without echo from a terminal, else the first line of stdin (scripts and tests).
fn read_password(email: &str) -> Result<String, Failure> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("NetSuite password for {email} (not echoed): "))
            .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?
    } else {
        std::io::stdin()
            .lock()
            .lines()
            .next()
            .transpose()
            .map_err(|e| Failure::Usage(format!("cannot read the password: {e}")))?
            .unwrap_or_default()
    };
    if password.is_empty() {
        return Err(Failure::Usage("no password given".into()));
    }
    Ok(password)
}
