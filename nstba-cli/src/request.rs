//! `nstba request METHOD PATH [--query k=v]… [--header k:v]… [--data JSON | --form k=v…]`: any
//! REST (or, with `--restlet`, RESTlet) call through the client — signed, limited and retried like
//! every other command.

use crate::net::{self, failure};
use crate::Failure;
use clap::Args;
use nstba::client::{Method, RawResponse};

/// Arguments of `nstba request`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// HTTP method (GET, POST, PUT, PATCH, DELETE, …).
    method: String,
    /// Path under the REST base URL, e.g. `/services/rest/record/v1/customer/42` (a `?query` is
    /// kept; prefer --query).
    path: String,
    /// Query parameter `name=value` (signed with the rest). Repeatable.
    #[arg(long = "query", short = 'q', value_name = "NAME=VALUE")]
    query: Vec<String>,
    /// Header `Name: value` (e.g. `Prefer: transient`). Repeatable.
    #[arg(long = "header", short = 'H', value_name = "NAME:VALUE")]
    headers: Vec<String>,
    /// JSON body, `@file` or `@-` (stdin).
    #[arg(long, conflicts_with = "form")]
    data: Option<String>,
    /// Form field `name=value` of an `application/x-www-form-urlencoded` body (signed). Repeatable.
    #[arg(long = "form", value_name = "NAME=VALUE")]
    form: Vec<String>,
    /// Send to the RESTlet base URL instead of the REST one.
    #[arg(long)]
    restlet: bool,
    /// Print the status line and the response headers (on stderr) before the body.
    #[arg(long, short = 'i')]
    include: bool,
    /// Declare the request harmless to repeat, so it is retried after a timeout or a dropped
    /// connection too (without it a POST, or a PUT/PATCH adding sublist lines, never is).
    #[arg(long)]
    idempotent: bool,
}

fn pair(flag: &str, raw: &str, sep: char) -> Result<(String, String), Failure> {
    let (k, v) = raw
        .split_once(sep)
        .ok_or_else(|| Failure::Usage(format!("{flag} {raw:?}: expected NAME{sep}VALUE")))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(Failure::Usage(format!("{flag} {raw:?}: the name is empty")));
    }
    Ok((k.to_owned(), v.trim_start().to_owned()))
}

/// `nstba request`.
pub fn run(args: RequestArgs, profile: Option<&str>) -> Result<(), Failure> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::Usage(format!("{:?} is not an HTTP method", args.method)))?;
    let query = args
        .query
        .iter()
        .map(|q| pair("--query", q, '='))
        .collect::<Result<Vec<_>, _>>()?;
    let headers = args
        .headers
        .iter()
        .map(|h| pair("--header", h, ':'))
        .collect::<Result<Vec<_>, _>>()?;
    let form = args
        .form
        .iter()
        .map(|f| pair("--form", f, '='))
        .collect::<Result<Vec<_>, _>>()?;
    let body = args.data.as_deref().map(net::data).transpose()?;
    let client = net::client(profile)?;
    net::runtime()?.block_on(async move {
        let mut request = if args.restlet {
            client.restlet_request(method, &args.path)
        } else {
            client.request(method, &args.path)
        };
        for (k, v) in &query {
            request = request.query(k, v);
        }
        for (k, v) in &headers {
            request = request.header(k, v);
        }
        if let Some(body) = &body {
            request = request.json(body);
        } else if !form.is_empty() {
            request = request.form(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let response = request
            .idempotent(args.idempotent)
            .send()
            .await
            .map_err(failure)?;
        print_response(&response, args.include);
        Ok(())
    })
}

/// The body on stdout: pretty JSON when it is JSON, else as text; an empty body with a `Location`
/// (a create, a transform) prints the `Location`.
fn print_response(response: &RawResponse, include: bool) {
    if include {
        eprintln!("HTTP {}", response.status());
        for (name, value) in response.headers() {
            eprintln!("{name}: {}", value.to_str().unwrap_or("<binary>"));
        }
        eprintln!();
    }
    let text = response.text();
    if text.trim().is_empty() {
        if let Some(location) = response.location() {
            println!("{location}");
        }
        return;
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => net::print_json(&v),
        Err(_) => println!("{text}"),
    }
}
