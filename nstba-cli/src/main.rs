//! `nstba`: the command line for NetSuite Token-Based Authentication (and OAuth 2.0 M2M tokens).
//!
//! Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 NetSuite or network error, 2 usage or
//! configuration error. No secret is ever printed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod configure;
mod generate;
mod mock;
mod net;
mod profile;
mod record;
mod request;
mod restlet;
mod sign;
mod suiteql;
mod token;
mod whoami;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// NetSuite Token-Based Authentication from the command line.
#[derive(Debug, Parser)]
#[command(name = "nstba", version, about, long_about = None)]
struct Cli {
    /// Credential profile from `nstba configure` (NETSUITE_* variables override it).
    #[arg(long, global = true, env = "NSTBA_PROFILE")]
    profile: Option<String>,
    /// The account's concurrency limiter: `account` (in this process, the default), `client`, or
    /// `redis://host:port[/db][?lease_ms=N&fallback=local]` to share the limit with every process
    /// using that Redis.
    #[arg(long, global = true, env = "NSTBA_LIMITER", value_name = "LIMITER")]
    limiter: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the `Authorization` header value for one request (credentials from NETSUITE_* variables).
    ///
    /// Usage with curl: curl -H "Authorization: $(nstba sign URL)" URL
    Sign(sign::SignArgs),
    /// Print a SOAP `tokenPassport` element (credentials from NETSUITE_* variables).
    Passport(sign::PassportArgs),
    /// Store the account id, consumer key/secret and token id/secret in a profile (file mode 0600);
    /// with --m2m, the OAuth 2.0 M2M client id, certificate id and private key path instead.
    Configure(configure::ConfigureArgs),
    /// Records: get, create, update, upsert, delete, list, transform (JSON in, JSON out); writes
    /// can run as async jobs (--async, --idempotency-key).
    Record(record::RecordArgs),
    /// Send any REST (or RESTlet) request, signed, limited and retried: METHOD PATH with --query,
    /// --header, --data or --form. Prints the body (or the Location of an empty answer).
    Request(request::RequestArgs),
    /// Run a SuiteQL query and stream every row (jsonl, csv or json).
    Suiteql(suiteql::SuiteQlArgs),
    /// Call a RESTlet (script, deploy and extra parameters are all signed).
    Restlet(restlet::RestletArgs),
    /// Issue (NLAuth) or revoke TBA access tokens, or get an OAuth 2.0 M2M access token.
    Token(token::TokenArgs),
    /// Serve the NetSuite emulator until Ctrl-C (NETSUITE_* credentials when set, else demo ones).
    Mock {
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long)]
        port: Option<u16>,
        /// JSON file of records to load instead of the demo data: {"customer": [{…}], …}.
        #[arg(long)]
        seed: Option<std::path::PathBuf>,
        /// Concurrency limit per account (NetSuite's base is 5).
        #[arg(long)]
        concurrency: Option<usize>,
        /// The account's date-format preference SuiteQL shows dates in: M/D/YYYY (default),
        /// D/M/YYYY, D.M.YYYY, DD-Mon-YYYY or YYYY-MM-DD.
        #[arg(long, value_name = "FORMAT")]
        date_format: Option<String>,
    },
    /// Check the set-up with one cheap call: which authentication is in use (TBA or OAuth 2.0 M2M),
    /// realm and host forms, clock offset, and on INVALID_LOGIN the checklist of usual causes.
    #[command(alias = "doctor")]
    Whoami,
    /// Generate typed `#[derive(Record)]` modules from NetSuite metadata-catalog schemas.
    Generate(generate::GenerateArgs),
}

/// How a command failed: decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Usage or configuration error (exit 2).
    Usage(String),
    /// NetSuite or network error (exit 1).
    Remote(String),
}

impl Failure {
    fn exit(self) -> ExitCode {
        let (message, code) = match self {
            Failure::Usage(m) => (m, 2),
            Failure::Remote(m) => (m, 1),
        };
        eprintln!("nstba: {message}");
        ExitCode::from(code)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    net::set_limiter(cli.limiter);
    let result = match cli.command {
        Command::Sign(args) => sign::sign(args, cli.profile.as_deref()),
        Command::Passport(args) => sign::passport(args, cli.profile.as_deref()),
        Command::Configure(args) => configure::run(args),
        Command::Whoami => whoami::run(cli.profile.as_deref()),
        Command::Generate(args) => generate::run(args, cli.profile.as_deref()),
        Command::Mock {
            port,
            seed,
            concurrency,
            date_format,
        } => tokio::runtime::Runtime::new()
            .map_err(|e| Failure::Usage(e.to_string()))
            .and_then(|rt| {
                rt.block_on(mock::run(port, seed, concurrency, date_format))
                    .map_err(Failure::Usage)
            }),
        Command::Record(args) => record::run(args, cli.profile.as_deref()),
        Command::Request(args) => request::run(args, cli.profile.as_deref()),
        Command::Suiteql(args) => suiteql::run(args, cli.profile.as_deref()),
        Command::Restlet(args) => restlet::run(args, cli.profile.as_deref()),
        Command::Token(args) => token::run(args, cli.profile.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.exit(),
    }
}
