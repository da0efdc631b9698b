//! Export every row of a SuiteQL query as JSON lines.
//!
//! ```text
//! cargo run --example suiteql_export -- "SELECT id, companyname FROM customer ORDER BY id" > customers.jsonl
//! cargo run --example suiteql_export -- --keyset id "SELECT id, tranid FROM transaction ORDER BY id"
//! ```
//!
//! Credentials come from `NETSUITE_ACCOUNT_ID`, `NETSUITE_CONSUMER_KEY`, `NETSUITE_CONSUMER_SECRET`,
//! `NETSUITE_TOKEN_ID`, `NETSUITE_TOKEN_SECRET` (and optionally `NETSUITE_BASE_URL`,
//! `NETSUITE_CONCURRENCY`). Rows go to stdout, one JSON object per line; progress goes to stderr.
//! Pages after the first are fetched concurrently within the account's concurrency limit.

use futures_util::StreamExt;
use nstba::client::Client;
use std::io::{BufWriter, ErrorKind, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: suiteql_export [--page-size N] [--keyset COLUMN] \"<SuiteQL query>\"";

struct Args {
    query: String,
    page_size: u32,
    keyset: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut query = Vec::new();
    let mut page_size = 1000;
    let mut keyset = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--page-size" => {
                page_size = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or("--page-size needs a number in 1..=1000")?;
            }
            "--keyset" => keyset = Some(args.next().ok_or("--keyset needs a column name")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            _ => query.push(arg),
        }
    }
    let query = query.join(" ");
    if query.trim().is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(Args {
        query,
        page_size,
        keyset,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let mut query = client
        .suiteql::<serde_json::Value>(args.query)
        .page_size(args.page_size);
    if let Some(column) = args.keyset {
        query = query.keyset(column);
    }
    let mut rows = query.stream();
    let started = Instant::now();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut count: u64 = 0;
    while let Some(row) = rows.next().await {
        let mut row = row?;
        if let Some(object) = row.as_object_mut() {
            object.remove("links"); // always an empty array on SuiteQL rows
        }
        serde_json::to_writer(&mut out, &row)?;
        if let Err(e) = out.write_all(b"\n") {
            if e.kind() == ErrorKind::BrokenPipe {
                return Ok(()); // `| head`: the reader has enough.
            }
            return Err(e.into());
        }
        count += 1;
        if count.is_multiple_of(10_000) {
            eprintln!(
                "{count} rows, {} pages, {:.1}s",
                rows.pages_fetched(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    match out.flush() {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    eprintln!(
        "done: {count} rows, {} pages in {:.1}s",
        rows.pages_fetched(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
