//! `nstba generate --records …`: record schemas from the account's metadata catalog, signed through
//! nstba-client, cached on disk with their fetch time.
//!
//! Cache: `$XDG_CACHE_HOME/nstba/schemas/<realm>/<type>.schema.json` (or `~/.cache/…`), each file
//! `{"fetchedAt": "<HTTP date>", "recordType": "…", "schema": {…}}`. `--refresh` fetches again.

use crate::net::{self, failure};
use crate::{profile, Failure};
use nstba::client::SchemaFormat;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::SystemTime;

fn cache_dir(realm: &str) -> Result<PathBuf, Failure> {
    Ok(profile::xdg_dir("XDG_CACHE_HOME", ".cache", "cache")?
        .join("schemas")
        .join(realm))
}

/// Fetches (or reads from the cache) the JSON Schema of each record type and returns the cached
/// files, ready for the generator.
pub fn schemas(
    record_types: &[String],
    refresh: bool,
    profile_name: Option<&str>,
) -> Result<Vec<PathBuf>, Failure> {
    for t in record_types {
        if !nstba::record::names::is_netsuite_id(t) {
            return Err(Failure::Usage(format!(
                "--records: {t:?} is not a record type name"
            )));
        }
    }
    let settings = profile::settings(profile_name)?;
    let creds = settings.credentials()?;
    let dir = cache_dir(creds.account().realm())?;
    let mut paths = Vec::new();
    let mut missing = Vec::new();
    for t in record_types {
        let path = dir.join(format!("{t}.schema.json"));
        if !refresh && path.is_file() {
            let fetched = std::fs::read_to_string(&path)
                .ok()
                .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                .and_then(|v| {
                    v.get("fetchedAt")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "unknown time".into());
            eprintln!("using cached schema of {t} (fetched {fetched}; --refresh to fetch again)");
            paths.push(path);
        } else {
            missing.push((t.clone(), path));
        }
    }
    if missing.is_empty() {
        return Ok(paths);
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
    let client = net::client_for(&settings)?;
    let fetched: Vec<(String, PathBuf, Value)> = net::runtime()?.block_on(async {
        let mut out = Vec::new();
        for (t, path) in missing {
            let schema = client
                .record_schema(&t, SchemaFormat::JsonSchema)
                .await
                .map_err(failure)?;
            out.push((t, path, schema));
        }
        Ok::<_, Failure>(out)
    })?;
    for (t, path, mut schema) in fetched {
        // The generator names a JSON Schema record by its `self` link; make sure it has one.
        if let Some(obj) = schema.as_object_mut() {
            if !obj.contains_key("links") {
                obj.insert(
                    "links".into(),
                    json!([{"rel": "self", "href": format!("/services/rest/record/v1/{t}/{{id}}")}]),
                );
            }
        }
        let doc = json!({
            "fetchedAt": httpdate::fmt_http_date(SystemTime::now()),
            "recordType": t,
            "schema": schema,
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        std::fs::write(&path, text)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("fetched schema of {t} into {}", path.display());
        paths.push(path);
    }
    Ok(paths)
}
