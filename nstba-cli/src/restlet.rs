//! `nstba restlet --script S --deploy D [--method M] [--param k=v]… [--data JSON]`.

use crate::net::{self, failure};
use crate::Failure;
use clap::Args;

/// Arguments of `nstba restlet`.
#[derive(Debug, Args)]
pub struct RestletArgs {
    /// Script id (`customscript_…` or the numeric id).
    #[arg(long)]
    script: String,
    /// Deployment id (`customdeploy_…` or the number).
    #[arg(long)]
    deploy: String,
    /// HTTP method: GET, POST, PUT or DELETE (default GET, or POST with --data).
    #[arg(long, short = 'X')]
    method: Option<String>,
    /// Extra query parameter `name=value` (signed with the rest). Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// JSON body, `@file` or `@-` (stdin).
    #[arg(long)]
    data: Option<String>,
}

/// `nstba restlet`.
pub fn run(args: RestletArgs, profile: Option<&str>) -> Result<(), Failure> {
    let method = match args
        .method
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None => None,
        Some(m @ ("GET" | "POST" | "PUT" | "DELETE")) => {
            Some(nstba::client::Method::from_bytes(m.as_bytes()).expect("a standard method"))
        }
        Some(other) => {
            return Err(Failure::Usage(format!(
                "--method {other:?}: RESTlets take GET, POST, PUT or DELETE"
            )))
        }
    };
    let mut params = Vec::new();
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--param {p:?}: expected NAME=VALUE")))?;
        if k.is_empty() {
            return Err(Failure::Usage(format!("--param {p:?}: the name is empty")));
        }
        params.push((k.to_owned(), v.to_owned()));
    }
    let body = args.data.as_deref().map(net::data).transpose()?;
    let client = net::client(profile)?;
    net::runtime()?.block_on(async move {
        let mut call = client.restlet(args.script, args.deploy);
        if let Some(m) = method {
            call = call.method(m);
        }
        for (k, v) in params {
            call = call.param(k, v);
        }
        if let Some(body) = &body {
            call = call.body(body);
        }
        let response: serde_json::Value = call.send().await.map_err(failure)?;
        net::print_json(&response);
        Ok(())
    })
}
