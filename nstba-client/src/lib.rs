//! # nstba-client — the async NetSuite client
//!
//! Records (REST record API v1), SuiteQL, RESTlets and the token endpoints, with every request:
//! - **authorized** at send time, per attempt: signed with Token-Based Authentication ([`nstba_core`])
//!   over the final URL with a fresh nonce and timestamp, or — OAuth 2.0 machine-to-machine, [`M2m`] —
//!   with a cached bearer token fetched once for all concurrent callers and refreshed before it expires
//!   (the [`Authorize`] step);
//! - **limited** by one concurrency limiter per [`Client`] and its clones (records, every SuiteQL page and RESTlets
//!   share it), never more in flight than configured, and by the account's limiter: shared by every
//!   client of the account in the process by default, or across processes through Redis
//!   ([`LimiterScope`]);
//! - **retried** on 429, 500/502/503/504, governance refusals, timeouts and connection failures, with
//!   exponential backoff, jitter and `Retry-After` ([`RetryPolicy`]); a write that is not idempotent
//!   (a create, a RESTlet POST) is never repeated once it may have reached NetSuite.
//!
//! Failures are one small [`Error`]: [`Error::is_transient`] says whether it may pass,
//! [`Error::is_safe_to_resend`] whether sending the same request again is harmless (the retry loop
//! asks exactly that), and the message says when a write may have been applied.
//!
//! Two ways in: [`Client::record`] for untyped JSON on any record type, and [`ClientExt::typed`] for
//! a `#[derive(Record)]` struct (typed get/create/update/list, `Filter`s and typed SuiteQL).
//! Beyond CRUD: [`Records::transform`], record actions ([`Records::action`]), [`Records::attach`] /
//! [`Records::detach`], and for anything else the raw builder [`Client::request`] (any method and
//! path, same authorization, limiter and retries).
//!
//! **Writes that happen exactly once.** A write whose reply was lost may have been applied: the
//! error says so ([`Error::may_have_been_applied`]) and such a write is never resent by itself.
//! To retry safely, send writes as async jobs with an idempotency key ([`AsyncWrite`], from
//! `respond_async()` on every write, or [`Records::create_once`] / [`Records::upsert_once`]): a resend
//! with the same key resolves to the original [`Job`], never a second write; a job can be resumed by
//! id ([`Client::job`]) or by key after a restart. Batches of up to 100 records go the same way
//! ([`Records::create_batch`] …). [`Client::governance_limits`] reads the account's concurrency
//! limits ([`ClientBuilder::build_sized_by_governance`] sizes the limiter from them).
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use nstba_client::Client;
//!
//! # async fn demo() -> Result<(), nstba_client::Error> {
//! let client = Client::from_env()?;
//! let customers = client.record("customer");
//! let id = customers.create(&serde_json::json!({"companyName": "Acme"})).send().await?;
//! let acme: serde_json::Value = customers.get(&id).fields(["companyName"]).send().await?;
//! customers.update(&id, &serde_json::json!({"comments": "hi"})).send().await?;
//!
//! let mut rows = client.suiteql::<serde_json::Value>("SELECT id FROM customer ORDER BY id").stream();
//! while let Some(row) = rows.next().await {
//!     let _row = row?;
//! }
//! # let _ = acme; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auth;
mod client;
mod error;
mod governance;
mod jobs;
mod limiter;
mod metadata;
mod ops;
mod records;
mod request;
mod restlet;
mod retry;
mod select;
mod suiteql;
mod token;
mod typed;

pub use auth::{
    AuthError, Authorize, BoxFuture, M2m, RequestParts, DEFAULT_REFRESH_BEFORE, TOKEN_PATH,
};
pub use client::{
    Client, ClientBuilder, CLIENT_ENV_VARIABLES, DEFAULT_CONCURRENCY, DEFAULT_M2M_SCOPES,
    M2M_ENV_VARIABLES,
};
pub use error::{
    Error, ErrorDetail, ErrorKind, Result, INVALID_LOGIN_CHECKLIST, TOKEN_REFUSED_CHECKLIST,
};
pub use governance::{GovernanceLimits, GOVERNANCE_LIMITS_PATH};
pub use jobs::{
    new_idempotency_key, AsyncWrite, Job, JobOutput, JobPolling, JobStatus, TaskOutput, TaskResult,
    ASYNC_JOB_PATH, BATCH_CONTENT_TYPE, IDEMPOTENCY_KEY_HEADER, MAX_BATCH_SIZE,
};
pub use limiter::{
    Limiter, LimiterError, LimiterPermit, LimiterScope, OnUnavailable, RedisLimit, DEFAULT_LEASE,
    DEFAULT_REDIS_TIMEOUT,
};
pub use metadata::{Check, SchemaFormat, METADATA_CATALOG_PATH};
pub use nstba_record::{
    values, FieldInfo, FieldKind, Filter, FilterError, Record, RecordId, RecordKey, RecordRef,
    Sublist, TypedRecord,
};
pub use ops::{Attach, RecordAction, Transform, ATTACHABLE_TYPES};
pub use records::{
    CreateRecord, DeleteRecord, GetRecord, GetSublist, ListItem, ListPage, ListRecords, Records,
    UpdateRecord, UpsertRecord, MAX_PAGE_SIZE, RECORD_PATH,
};
pub use request::{RawRequest, RawResponse};
pub use restlet::{RestletCall, RESTLET_PATH};
pub use retry::RetryPolicy;
pub use select::{decode_row, Select};
pub use suiteql::{SuiteQl, SuiteQlPage, SuiteQlPages, SuiteQlRows, SUITEQL_PATH, SUITEQL_ROW_CAP};
pub use token::{IssueToken, IssuedToken, ISSUE_TOKEN_PATH, REVOKE_TOKEN_PATH};
pub use typed::{ClientExt, TypedList, TypedRecords};

pub use reqwest::Method;
