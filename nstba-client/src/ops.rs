//! Record operations beyond CRUD: transform (`!transform`), record actions (`@approve` and
//! friends), attach and detach (`!attach` / `!detach` of contacts and files).
//!
//! Each is a POST: never sent again once it may have reached NetSuite (a lost reply says the
//! operation may have been applied); `respond_async()` sends it as an async job with an idempotency
//! key instead, which is safe to resend.

use crate::client::{Call, Client};
use crate::error::{Error, Result};
use crate::jobs::AsyncWrite;
use crate::records::{
    as_job, check_key, check_name, record_url, send_create, send_unit, to_body, Records,
};
use crate::retry::Effect;
use bytes::Bytes;
use nstba_record::{RecordId, RecordKey};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;

/// What a record may be attached to / detached from: NetSuite supports contacts and files.
pub const ATTACHABLE_TYPES: [&str; 2] = ["contact", "file"];

impl<T: DeserializeOwned + Send + 'static> Records<T> {
    /// `POST /{type}/{id}/!transform/{target_type}`: a new record of `target_type` made from this
    /// one (a sales order → `itemFulfillment`, `invoice`, `cashSale`; …); returns its id.
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// let invoice = client.record("salesOrder").transform("42", "invoice").send().await?;
    /// # let _ = invoice; Ok(()) }
    /// ```
    pub fn transform(
        &self,
        key: impl Into<RecordKey>,
        target_type: impl Into<String>,
    ) -> Transform {
        Transform {
            op: Op::new(self, key.into()),
            target_type: target_type.into(),
        }
    }

    /// `POST /{type}/{id}/@{action}`: a record action such as `approve` or `reject` (the `@` is
    /// optional in `action`).
    pub fn action(&self, key: impl Into<RecordKey>, action: impl Into<String>) -> RecordAction {
        RecordAction {
            op: Op::new(self, key.into()),
            action: action.into(),
        }
    }

    /// `POST /{type}/{id}/!attach/{target_type}/{target_id}`: attaches a contact or a file to this
    /// record (optionally with a role, [`Attach::role`]).
    pub fn attach(
        &self,
        key: impl Into<RecordKey>,
        target_type: impl Into<String>,
        target: impl Into<RecordKey>,
    ) -> Attach {
        self.attach_or_detach("!attach", key.into(), target_type.into(), target.into())
    }

    /// `POST /{type}/{id}/!detach/{target_type}/{target_id}`: detaches a contact or a file.
    pub fn detach(
        &self,
        key: impl Into<RecordKey>,
        target_type: impl Into<String>,
        target: impl Into<RecordKey>,
    ) -> Attach {
        self.attach_or_detach("!detach", key.into(), target_type.into(), target.into())
    }

    /// The [`Attach`] request of [`Records::attach`] (`verb` `!attach`) or [`Records::detach`]
    /// (`!detach`).
    fn attach_or_detach(
        &self,
        verb: &'static str,
        key: RecordKey,
        target_type: String,
        target: RecordKey,
    ) -> Attach {
        Attach {
            op: Op::new(self, key),
            verb,
            target_type,
            target,
        }
    }
}

/// What every operation carries: the record it runs on and an optional JSON body.
struct Op {
    client: Client,
    record_type: Arc<str>,
    key: RecordKey,
    body: Option<Result<Bytes>>,
}

impl Op {
    fn new<T>(records: &Records<T>, key: RecordKey) -> Self {
        Op {
            client: records.client.clone(),
            record_type: records.record_type.clone(),
            key,
            body: None,
        }
    }

    /// The POST to `/{type}/{id}{rest}`.
    fn call(self, rest: Result<String>) -> (Client, Result<Call>) {
        let call = (|| {
            let url = record_url(&self.client, &self.record_type, Some(&self.key), &rest?)?;
            let body = self.body.transpose()?;
            let effect = Effect::of_request("POST", &url, body.as_deref(), false);
            let mut call = Call::new(Method::POST, url).effect(effect);
            if let Some(b) = body {
                call = call.json_body(b);
            }
            Ok(call)
        })();
        (self.client, call)
    }
}

/// A `!transform` request. From [`Records::transform`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct Transform {
    op: Op,
    target_type: String,
}

impl Transform {
    /// Field values for the new record (`{"memo": …, "item": {"items": […]}}`).
    pub fn body(mut self, body: &impl Serialize) -> Self {
        self.op.body = Some(to_body(body));
        self
    }

    fn into_call(self) -> (Client, Result<Call>) {
        let target = self.target_type;
        let rest = if nstba_record::names::is_netsuite_id(&target) {
            Ok(format!("/!transform/{target}"))
        } else {
            Err(Error::invalid(
                "target_type",
                format!("{target:?} is not a record type (letters, digits and `_` only)"),
            ))
        };
        self.op.call(rest)
    }

    /// Sends it; returns the new record's id (from `Location`).
    pub async fn send(self) -> Result<RecordId> {
        send_create(self.into_call()).await
    }

    /// As an async job with an idempotency key (safe to resend; see [`AsyncWrite`]).
    pub fn respond_async(self) -> AsyncWrite<RecordId> {
        as_job(self.into_call())
    }
}

/// A record action (`@approve`, …). From [`Records::action`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct RecordAction {
    op: Op,
    action: String,
}

impl RecordAction {
    /// The action's parameters as JSON.
    pub fn body(mut self, body: &impl Serialize) -> Self {
        self.op.body = Some(to_body(body));
        self
    }

    fn into_call(self) -> (Client, Result<Call>) {
        let action = self.action.trim_start_matches('@').to_owned();
        let rest = check_name("action", &action).map(|()| format!("/@{action}"));
        self.op.call(rest)
    }

    /// Sends it.
    pub async fn send(self) -> Result<()> {
        send_unit(self.into_call()).await
    }

    /// As an async job with an idempotency key (safe to resend; see [`AsyncWrite`]).
    pub fn respond_async(self) -> AsyncWrite<()> {
        as_job(self.into_call())
    }
}

/// An `!attach` or `!detach` request. From [`Records::attach`] / [`Records::detach`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct Attach {
    op: Op,
    verb: &'static str,
    target_type: String,
    target: RecordKey,
}

impl Attach {
    /// The contact's role on the record (`{"role": {"id": …}}`), for attaching a contact.
    pub fn role(mut self, role_id: impl Into<String>) -> Self {
        let role: String = role_id.into();
        self.op.body = Some(to_body(&serde_json::json!({ "role": { "id": role } })));
        self
    }

    fn into_call(self) -> (Client, Result<Call>) {
        let t = self.target_type;
        let rest = if !ATTACHABLE_TYPES.contains(&t.as_str()) {
            Err(Error::invalid(
                "target_type",
                format!("{t:?}: only contacts and files can be attached (`contact`, `file`)"),
            ))
        } else {
            check_key(&self.target)
                .map(|()| format!("/{}/{t}/{}", self.verb, self.target.path_segment()))
        };
        self.op.call(rest)
    }

    /// Sends it.
    pub async fn send(self) -> Result<()> {
        send_unit(self.into_call()).await
    }

    /// As an async job with an idempotency key (safe to resend; see [`AsyncWrite`]).
    pub fn respond_async(self) -> AsyncWrite<()> {
        as_job(self.into_call())
    }
}
