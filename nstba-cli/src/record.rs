//! `nstba record get|create|update|upsert|delete|list|transform TYPE …`; the writes take `--async`
//! (an async job with an idempotency key, waited for) and `--idempotency-key` (to resume one).

use crate::net::{self, failure};
use crate::Failure;
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use nstba::client::{AsyncWrite, JobOutput};
use nstba::RecordKey;
use std::future::Future;

/// Arguments of `nstba record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    op: Op,
}

#[derive(Debug, Subcommand)]
enum Op {
    /// Run a record action (`approve`, `reject`, …) on a record.
    Action {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        /// The action, with or without its `@` (`approve`).
        action: String,
        /// The action's parameters as JSON, `@file` or `@-`.
        #[arg(long)]
        data: Option<String>,
        #[command(flatten)]
        mode: AsyncMode,
    },
    /// Attach a contact or a file to a record.
    Attach {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        /// `contact` or `file`.
        target_type: String,
        /// The contact's or file's internal id.
        target_id: String,
        /// The contact's role id (contacts only; may be negative, e.g. `-10`).
        #[arg(long, allow_hyphen_values = true)]
        role: Option<String>,
    },
    /// Detach a contact or a file from a record.
    Detach {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        /// `contact` or `file`.
        target_type: String,
        /// The contact's or file's internal id.
        target_id: String,
    },
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
        #[command(flatten)]
        mode: AsyncMode,
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
        #[command(flatten)]
        mode: AsyncMode,
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
        /// Sublists whose lines are replaced (comma-separated).
        #[arg(long, value_delimiter = ',')]
        replace: Vec<String>,
        #[command(flatten)]
        mode: AsyncMode,
    },
    /// Delete a record.
    Delete {
        /// Record type.
        record_type: String,
        /// Internal id, or `eid:<external id>`.
        id: String,
        #[command(flatten)]
        mode: AsyncMode,
    },
    /// Transform a record into a new one (`salesOrder 42 invoice`, `… itemFulfillment`); prints
    /// the new record's internal id.
    Transform {
        /// Record type of the source (`salesOrder`, `purchaseOrder`, `estimate`, …).
        record_type: String,
        /// Internal id of the source, or `eid:<external id>`.
        id: String,
        /// Record type to make (`invoice`, `itemFulfillment`, `cashSale`, …).
        target_type: String,
        /// Field values for the new record as JSON, `@file` or `@-`.
        #[arg(long)]
        data: Option<String>,
        #[command(flatten)]
        mode: AsyncMode,
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

/// What `record attach` / `record detach` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attachment {
    Attach,
    Detach,
}

/// How a write is sent: synchronously (default), or as an async job waited for.
#[derive(Debug, Args)]
struct AsyncMode {
    /// Send it as an async job (`Prefer: respond-async`) with an idempotency key and wait for the
    /// job: safe to run again after a lost answer. The key is printed on stderr first.
    #[arg(long = "async")]
    run_async: bool,
    /// Resume an async write: run the same command with the key printed before (implies --async);
    /// NetSuite answers with the original job, never a second write.
    #[arg(long, value_name = "UUID")]
    idempotency_key: Option<String>,
}

impl AsyncMode {
    fn on(&self) -> bool {
        self.run_async || self.idempotency_key.is_some()
    }

    /// Sends the write `request` the way the flags ask: as an async job waited for
    /// (`into_async`, see [`AsyncMode::send_async`]), or synchronously (`send`). Every write
    /// subcommand goes through here, so `--async` and `--idempotency-key` act alike on all of them.
    async fn send<W, T, F>(
        &self,
        request: W,
        into_async: impl FnOnce(W) -> AsyncWrite<T>,
        send: impl FnOnce(W) -> F,
    ) -> Result<T, Failure>
    where
        T: JobOutput,
        F: Future<Output = Result<T, nstba::client::Error>>,
    {
        if self.on() {
            self.send_async(into_async(request)).await
        } else {
            send(request).await.map_err(failure)
        }
    }

    /// Sends `write` as an async job (with the given key, or a fresh one printed on stderr so the
    /// command can be resumed) and waits for its outcome.
    async fn send_async<T: JobOutput>(&self, write: AsyncWrite<T>) -> Result<T, Failure> {
        let write = match &self.idempotency_key {
            Some(key) => write.idempotency_key(key),
            None => {
                eprintln!(
                    "nstba: idempotency key {} (if this is interrupted, run the same command with \
                     --idempotency-key {} to get its outcome)",
                    write.key(),
                    write.key()
                );
                write
            }
        };
        let job = write.submit().await.map_err(failure)?;
        if !job.id().is_empty() {
            eprintln!("nstba: async job {}", job.id());
        }
        job.wait().await.map_err(failure)
    }
}

/// `nstba record …`.
pub fn run(args: RecordArgs, profile: Option<&str>) -> Result<(), Failure> {
    // Read and check --data before anything touches the network.
    let data = match &args.op {
        Op::Create { data, .. } | Op::Update { data, .. } | Op::Upsert { data, .. } => {
            Some(net::data(data)?)
        }
        Op::Transform { data, .. } | Op::Action { data, .. } => {
            data.as_deref().map(net::data).transpose()?
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
            Op::Create {
                record_type, mode, ..
            } => {
                let create = client.record(record_type).create(&data.unwrap_or_default());
                let id = mode
                    .send(create, |w| w.respond_async(), |w| w.send())
                    .await?;
                println!("{id}");
            }
            Op::Update {
                record_type,
                id,
                replace,
                mode,
                ..
            } => {
                let mut update = client
                    .record(record_type)
                    .update(RecordKey::from(id.as_str()), &data.unwrap_or_default());
                if !replace.is_empty() {
                    update = update.replace(replace);
                }
                mode.send(update, |w| w.respond_async(), |w| w.send())
                    .await?;
            }
            Op::Upsert {
                record_type,
                external_id,
                replace,
                mode,
                ..
            } => {
                let mut upsert = client
                    .record(record_type)
                    .upsert(external_id, &data.unwrap_or_default());
                if !replace.is_empty() {
                    upsert = upsert.replace(replace);
                }
                let id = mode
                    .send(upsert, |w| w.respond_async(), |w| w.send())
                    .await?;
                if let Some(id) = id {
                    println!("{id}");
                }
            }
            Op::Delete {
                record_type,
                id,
                mode,
            } => {
                let delete = client
                    .record(record_type)
                    .delete(RecordKey::from(id.as_str()));
                mode.send(delete, |w| w.respond_async(), |w| w.send())
                    .await?;
            }
            Op::Action {
                record_type,
                id,
                action,
                mode,
                ..
            } => {
                let mut call = client
                    .record(record_type)
                    .action(RecordKey::from(id.as_str()), action);
                if let Some(body) = &data {
                    call = call.body(body);
                }
                mode.send(call, |w| w.respond_async(), |w| w.send()).await?;
            }
            Op::Attach {
                record_type,
                id,
                target_type,
                target_id,
                role,
            } => {
                attach(
                    &client,
                    Attachment::Attach,
                    record_type,
                    id,
                    target_type,
                    target_id,
                    role,
                )
                .await?
            }
            Op::Detach {
                record_type,
                id,
                target_type,
                target_id,
            } => {
                attach(
                    &client,
                    Attachment::Detach,
                    record_type,
                    id,
                    target_type,
                    target_id,
                    None,
                )
                .await?
            }
            Op::Transform {
                record_type,
                id,
                target_type,
                mode,
                ..
            } => {
                let mut transform = client
                    .record(record_type)
                    .transform(RecordKey::from(id.as_str()), target_type);
                if let Some(body) = &data {
                    transform = transform.body(body);
                }
                let new_id = mode
                    .send(transform, |w| w.respond_async(), |w| w.send())
                    .await?;
                println!("{new_id}");
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

/// `record attach` / `record detach`.
async fn attach(
    client: &nstba::client::Client,
    what: Attachment,
    record_type: String,
    id: String,
    target_type: String,
    target_id: String,
    role: Option<String>,
) -> Result<(), Failure> {
    let records = client.record(record_type);
    let key = RecordKey::from(id.as_str());
    let target = RecordKey::from(target_id.as_str());
    let mut call = match what {
        Attachment::Attach => records.attach(key, target_type, target),
        Attachment::Detach => records.detach(key, target_type, target),
    };
    if let Some(role) = role {
        call = call.role(role);
    }
    call.send().await.map_err(failure)
}
