//! `nstba record get|create|update|upsert|delete|list TYPE …`.

use crate::net::{self, failure};
use crate::Failure;
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use nstba::RecordKey;

/// Arguments of `nstba record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, Subcommand)]
enum Op {
    /// Print one record as JSON.
    Get {
        /// Record type (`customer`, `salesOrder`, `customrecord_x`).
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        /// Only these fields (comma-separated).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
        /// Expand sublists and subrecords.
        #[arg(long)]
        expand: bool,
    },
    /// Create a record; prints the new internal id.
    Create {
        /// Record type.
        record_type: String,
        /// The record as JSON, `@file` or `@-` (stdin).
        #[arg(long)]
        data: String,
    },
    /// Update fields of a record (omitted fields unchanged, `null` clears).
    Update {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        /// The changed fields as JSON, `@file` or `@-`.
        #[arg(long)]
        data: String,
        /// Sublists whose lines are replaced (comma-separated).
        #[arg(long, value_delimiter = ',')]
        replace: Vec<String>,
    },
    /// Create or update the record with this external id; prints its internal id when known.
    Upsert {
        /// Record type.
        record_type: String,
        /// External id.
        external_id: String,
        /// The record as JSON, `@file` or `@-`.
        #[arg(long)]
        data: String,
    },
    /// Delete a record.
    Delete {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
    },
    /// List record ids, one JSON object per line.
    List {
        /// Record type.
        record_type: String,
        /// Filter in NetSuite's `q=` syntax, e.g. `email START_WITH "ap@"`.
        #[arg(long)]
        query: Option<String>,
        /// Stop after this many items.
        #[arg(long)]
        limit: Option<u64>,
    },
}

/// `nstba record …`.
pub fn run(args: RecordArgs, profile: Option<&str>) -> Result<(), Failure> {
    // Read and check --data before anything touches the network.
    let data = match &args.op {
        Op::Create { data, .. } | Op::Update { data, .. } | Op::Upsert { data, .. } => {
            Some(net::data(data)?)
        }
        _ => None,
    };
    let client = net::client(profile)?;
    net::runtime()?.block_on(async move {
        match args.op {
            Op::Get {
                record_type,
                id,
                fields,
                expand,
            } => {
                let mut get = client.record(record_type).get(RecordKey::from(id.as_str()));
                if !fields.is_empty() {
                    get = get.fields(fields);
                }
                let value = get
                    .expand_sub_resources(expand)
                    .send()
                    .await
                    .map_err(failure)?;
                net::print_json(&value);
            }
            Op::Create { record_type, .. } => {
                let id = client
                    .record(record_type)
                    .create(&data.unwrap_or_default())
                    .send()
                    .await
                    .map_err(failure)?;
                println!("{id}");
            }
            Op::Update {
                record_type,
                id,
                replace,
                ..
            } => {
                let mut update = client
                    .record(record_type)
                    .update(RecordKey::from(id.as_str()), &data.unwrap_or_default());
                if !replace.is_empty() {
                    update = update.replace(replace);
                }
                update.send().await.map_err(failure)?;
            }
            Op::Upsert {
                record_type,
                external_id,
                ..
            } => {
                let id = client
                    .record(record_type)
                    .upsert(external_id, &data.unwrap_or_default())
                    .send()
                    .await
                    .map_err(failure)?;
                if let Some(id) = id {
                    println!("{id}");
                }
            }
            Op::Delete { record_type, id } => {
                client
                    .record(record_type)
                    .delete(RecordKey::from(id.as_str()))
                    .send()
                    .await
                    .map_err(failure)?;
            }
            Op::List {
                record_type,
                query,
                limit,
            } => {
                let mut list = client.record(record_type).list();
                if let Some(q) = query {
                    list = list.query(q);
                }
                if let Some(l) = limit {
                    list = list.page_size(l.clamp(1, 1000) as u32);
                }
                let mut items = list.stream();
                let mut n = 0u64;
                while let Some(item) = items.next().await {
                    if limit.is_some_and(|l| n >= l) {
                        break;
                    }
                    let item = item.map_err(failure)?;
                    println!("{}", serde_json::json!({ "id": item.id }));
                    n += 1;
                }
            }
        }
        Ok(())
    })
}
