//! `nstba token issue` (NLAuth, `/rest/issuetoken`), `nstba token revoke`, and `nstba token m2m`
//! (OAuth 2.0 client credentials: a signed client assertion for a bearer token).

use crate::net::{self, failure};
use crate::profile::M2mSettings;
use crate::{profile, Failure};
use clap::{Args, Subcommand};
use nstba::client::Client;
use nstba::client::ErrorKind;
use nstba::core::m2m::{token_url, AccessToken, Algorithm, ClientAssertion, KeyKind, PrivateKey};
use nstba::core::AccountId;
use secrecy::ExposeSecret;
use std::io::{BufRead, IsTerminal};
use std::path::Path;

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
    /// Get an OAuth 2.0 access token (machine-to-machine: a client assertion signed with the
    /// certificate's private key). Prints its expiry and scopes; the token itself only with --print.
    M2m {
        /// Print the access token alone on stdout (expiry and scopes go to stderr), e.g.
        /// `curl -H "Authorization: Bearer $(nstba token m2m --print)" …`.
        #[arg(long)]
        print: bool,
    },
}

/// `nstba token …`.
pub fn run(args: TokenArgs, profile_name: Option<&str>) -> Result<(), Failure> {
    match args.op {
        Op::M2m { print } => {
            let settings = profile::settings(profile_name)?;
            let Some(m2m) = settings.m2m()? else {
                return Err(Failure::Usage(
                    "no OAuth 2.0 M2M settings: set NETSUITE_ACCOUNT_ID, NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID and NETSUITE_PRIVATE_KEY_PATH, or run `nstba configure --m2m`".into(),
                ));
            };
            let issued = fetch_m2m_token(&settings, &m2m)?;
            let expiry = format!(
                "in {} s ({})",
                issued.token.expires_in(),
                httpdate::fmt_http_date(
                    std::time::UNIX_EPOCH
                        + std::time::Duration::from_secs(issued.token.expires_at(issued.issued_at))
                )
            );
            let scopes = m2m.scopes.join(",");
            if print {
                println!("{}", issued.token.secret().expose_secret());
                eprintln!(
                    "{} token for client {}: expires {expiry}, scopes {scopes}",
                    issued.token.token_type(),
                    m2m.client_id
                );
            } else {
                println!("token:    issued (not shown; --print prints it)");
                println!("type:     {}", issued.token.token_type());
                println!("expires:  {expiry}");
                println!("scopes:   {scopes}");
                println!("client:   {}", m2m.client_id);
                println!("endpoint: {}", issued.endpoint);
            }
            Ok(())
        }
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

/// The largest mode bits a private key file may have: owner only.
#[cfg(unix)]
const GROUP_OR_WORLD: u32 = 0o077;

/// Checks a private key file before use: readable, a PEM private key `nstba_core::m2m` accepts, and
/// not readable or writable by group or others. Errors name the path, never the content.
pub fn check_private_key_file(path: &Path) -> Result<PrivateKey, Failure> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Failure::Usage(format!(
            "cannot read the private key file {}: {e}",
            path.display()
        ))
    })?;
    if !meta.is_file() {
        return Err(Failure::Usage(format!(
            "the private key path {} is not a file",
            path.display()
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & GROUP_OR_WORLD != 0 {
            return Err(Failure::Usage(format!(
                "the private key file {} has mode {mode:04o}: other users can reach it. Restrict it to its owner first: chmod 600 {}",
                path.display(),
                path.display()
            )));
        }
    }
    PrivateKey::from_pem_file(path).map_err(|e| Failure::Usage(e.to_string()))
}

/// The client assertion for these settings: the algorithm follows the key (ES256/ES384/ES512 for
/// P-256/P-384/P-521, PS256 for RSA).
pub fn m2m_assertion(m2m: &M2mSettings) -> Result<ClientAssertion, Failure> {
    let key = check_private_key_file(&m2m.private_key_path)?;
    let algorithm = match key.kind() {
        KeyKind::P256 => Algorithm::ES256,
        KeyKind::P384 => Algorithm::ES384,
        KeyKind::P521 => Algorithm::ES512,
        _ => Algorithm::PS256,
    };
    ClientAssertion::new(
        &m2m.account,
        m2m.client_id.clone(),
        m2m.certificate_id.clone(),
        algorithm,
        key,
    )
    .and_then(|a| a.with_scopes(&m2m.scopes))
    .map_err(|e| Failure::Usage(e.to_string()))
}

/// An access token and when it was asked for.
pub struct IssuedToken {
    /// The token (its secret is never printed unless asked).
    pub token: AccessToken,
    /// Unix time the request was sent.
    pub issued_at: u64,
    /// Where the request went.
    pub endpoint: String,
}

/// Gets an access token for the M2M settings. The token request goes to the account's token URL, or
/// to `NETSUITE_BASE_URL` + the token path when that is set (the emulator); the assertion's `aud` is
/// the account's token URL either way.
pub fn fetch_m2m_token(
    settings: &profile::Settings,
    m2m: &M2mSettings,
) -> Result<IssuedToken, Failure> {
    let assertion = m2m_assertion(m2m)?;
    let mut builder = Client::builder().m2m(assertion);
    let endpoint = match settings.get("NETSUITE_BASE_URL") {
        Some(base) => {
            builder = builder.base_url(&base);
            format!(
                "{}/services/rest/auth/oauth2/v1/token",
                base.trim_end_matches('/')
            )
        }
        None => token_url(&m2m.account),
    };
    let client = builder.build().map_err(failure)?;
    let issued_at = nstba::core::unix_now();
    // The client's own token request: the same assertion, endpoint and limiter as every M2M call.
    let token = net::runtime()?
        .block_on(client.fetch_access_token())
        .map_err(|e| match e.kind() {
            ErrorKind::TokenRefused { code, status, .. } => Failure::Remote(format!(
                "the token endpoint {endpoint} refused the assertion: HTTP {status} {code}. NetSuite gives no detail here; the reason is in Setup > Users/Roles > View Login Audit Trail (check the client id, certificate id, key, scopes allowed for the integration, and this machine's clock)"
            )),
            _ => failure(e),
        })?;
    Ok(IssuedToken {
        token,
        issued_at,
        endpoint,
    })
}
