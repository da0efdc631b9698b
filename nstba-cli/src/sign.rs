//! `nstba sign` and `nstba passport`.

use crate::Failure;
use clap::Args;
use nstba::core::{Request, Stamp, TokenPassport};

/// Arguments of `nstba sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// HTTP method.
    #[arg(long, short = 'X', default_value = "GET")]
    method: String,
    /// Nonce to use instead of a random one (at least 6 letters or digits).
    #[arg(long)]
    nonce: Option<String>,
    /// Unix timestamp to use instead of the system clock.
    #[arg(long)]
    timestamp: Option<u64>,
    /// Also print the normalized parameters and the base string on stderr.
    #[arg(long)]
    explain: bool,
    /// The full request URL, query included (absolute http:// or https://).
    url: String,
}

/// Arguments of `nstba passport`.
#[derive(Debug, Args)]
pub struct PassportArgs {
    /// Nonce to use instead of a random one (at least 6 letters or digits).
    #[arg(long)]
    nonce: Option<String>,
    /// Unix timestamp to use instead of the system clock.
    #[arg(long)]
    timestamp: Option<u64>,
    /// SuiteTalk version used in the XML namespaces.
    #[arg(long, default_value = nstba::core::DEFAULT_SOAP_VERSION)]
    soap_version: String,
}

fn stamp(nonce: Option<String>, timestamp: Option<u64>) -> Result<Stamp, Failure> {
    let now = Stamp::now();
    Stamp::new(
        timestamp.unwrap_or(now.timestamp()),
        nonce.unwrap_or_else(|| now.nonce().to_owned()),
    )
    .map_err(|e| Failure::Usage(e.to_string()))
}

/// `nstba sign`: exactly one line on stdout, the header value.
pub fn sign(args: SignArgs, profile: Option<&str>) -> Result<(), Failure> {
    let creds = crate::profile::load(profile)?;
    let stamp = stamp(args.nonce, args.timestamp)?;
    let request = Request::new(&args.method, &args.url);
    let explain = creds
        .key()
        .explain(&request, &stamp)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    if args.explain {
        eprintln!("{explain}");
    }
    println!("{}", explain.signed.authorization());
    Ok(())
}

/// `nstba passport`: the `tokenPassport` XML element on stdout.
pub fn passport(args: PassportArgs, profile: Option<&str>) -> Result<(), Failure> {
    let creds = crate::profile::load(profile)?;
    let stamp = stamp(args.nonce, args.timestamp)?;
    println!(
        "{}",
        TokenPassport::new(&creds, &stamp).with_version(args.soap_version)
    );
    Ok(())
}
