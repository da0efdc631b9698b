//! Record operations (REST record API v1): get, create, update, upsert, delete, list, sublist.
//!
//! Typed and untyped calls share this code: [`Client::record`] gives `Records<serde_json::Value>`,
//! [`Client::records`] gives `Records<T>` for a [`Record`] type with `T::RECORD_TYPE`.

use crate::client::{Call, Client, Reply};
use crate::error::{Error, ErrorKind, Result};
use crate::jobs::{AsyncWrite, JobOutput, BATCH_CONTENT_TYPE, MAX_BATCH_SIZE};
use crate::retry::Effect;
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use nstba_core::encode;
use nstba_record::names::is_netsuite_id;
use nstba_record::{Record, RecordId, RecordKey, Sublist};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use std::sync::Arc;

/// The REST record API's path prefix.
pub const RECORD_PATH: &str = "/services/rest/record/v1";

/// The largest page NetSuite serves (list and SuiteQL).
pub const MAX_PAGE_SIZE: u32 = 1000;

impl Client {
    /// Untyped operations on one record type (`"customer"`, `"salesOrder"`, `"customrecord_x"`);
    /// records are `serde_json::Value`s.
    pub fn record(&self, record_type: impl Into<String>) -> Records<serde_json::Value> {
        Records::new(self.clone(), record_type.into())
    }

    /// The records handle of `T::RECORD_TYPE` that the typed operations ([`crate::ClientExt::typed`])
    /// wrap.
    pub(crate) fn records<T: Record>(&self) -> Records<T> {
        Records::new(self.clone(), T::RECORD_TYPE.to_owned())
    }
}

/// Operations on one record type, decoding records as `T`. Cheap to clone.
pub struct Records<T> {
    pub(crate) client: Client,
    pub(crate) record_type: Arc<str>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Records<T> {
    fn clone(&self) -> Self {
        Records {
            client: self.client.clone(),
            record_type: self.record_type.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Records<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("record_type", &self.record_type)
            .finish()
    }
}

fn check_type(t: &str) -> Result<()> {
    if !is_netsuite_id(t) {
        return Err(Error::invalid(
            "record_type",
            format!("{t:?} is not a record type (letters, digits and `_` only)"),
        ));
    }
    Ok(())
}

pub(crate) fn check_name(what: &'static str, t: &str) -> Result<()> {
    if !is_netsuite_id(t) {
        return Err(Error::invalid(
            what,
            format!("{t:?} is not a field or sublist name (letters, digits and `_` only)"),
        ));
    }
    Ok(())
}

pub(crate) fn check_key(key: &RecordKey) -> Result<()> {
    let empty = match key {
        RecordKey::Id(id) => id.as_str().is_empty(),
        RecordKey::External(e) => e.is_empty(),
    };
    if empty {
        return Err(Error::invalid("key", "the record id is empty"));
    }
    Ok(())
}

pub(crate) fn to_body(body: &impl Serialize) -> Result<Bytes> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| ErrorKind::Encode(e).into())
}

/// Appends `name=value` (RFC 3986 encoded) to a query string being built.
pub(crate) fn push_param(query: &mut String, name: &str, value: &str) {
    query.push(if query.is_empty() { '?' } else { '&' });
    query.push_str(&encode(name));
    query.push('=');
    query.push_str(&encode(value));
}

/// The id at the end of a `Location` header (`…/customer/123` → `123`).
pub(crate) fn id_from_location(location: &str) -> Option<RecordId> {
    let path = location.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let decoded = percent_encoding::percent_decode_str(last)
        .decode_utf8()
        .ok()?
        .into_owned();
    (!decoded.is_empty() && !decoded.contains(':')).then(|| RecordId::new(decoded))
}

impl<T: DeserializeOwned + Send + 'static> Records<T> {
    fn new(client: Client, record_type: String) -> Self {
        Records {
            client,
            record_type: record_type.into(),
            _t: PhantomData,
        }
    }

    /// The record type.
    pub fn record_type(&self) -> &str {
        &self.record_type
    }

    /// `GET /{type}/{id}`.
    pub fn get(&self, key: impl Into<RecordKey>) -> GetRecord<T> {
        GetRecord {
            records: self.clone(),
            key: key.into(),
            fetch: Fetch::default(),
        }
    }

    /// `POST /{type}`: creates a record; the new id comes from the `Location` header.
    pub fn create(&self, body: &impl Serialize) -> CreateRecord {
        CreateRecord {
            client: self.client.clone(),
            record_type: self.record_type.clone(),
            body: to_body(body),
        }
    }

    /// Creates a record exactly once, even across lost replies: `POST /{type}` as an async job
    /// (`Prefer: respond-async`) with an idempotency key, resent with the same key after a timeout
    /// or dropped connection (NetSuite answers a resend with the original job), then polls the job
    /// and returns the new id. Same as `create(body).respond_async()`.
    ///
    /// Keep [`AsyncWrite::key`] to resume after a restart: send the same body with
    /// `.idempotency_key(key)` and the original record's id comes back, not a second record.
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// let write = client.record("customer").create_once(&serde_json::json!({"companyName": "Acme"}));
    /// let key = write.key().to_owned(); // store it with the work item
    /// let id = write.send().await?;
    /// # let _ = (key, id); Ok(()) }
    /// ```
    pub fn create_once(&self, body: &impl Serialize) -> AsyncWrite<RecordId> {
        self.create(body).respond_async()
    }

    /// Upserts by external id exactly once, even across lost replies: a plain `PUT
    /// /{type}/eid:{external_id}` when repeating it is harmless (no sublist lines added: it is then
    /// resent automatically after a lost reply), otherwise an async job with an idempotency key.
    /// See [`UpsertRecord::send_once`].
    pub async fn upsert_once(
        &self,
        external_id: impl Into<String>,
        body: &impl Serialize,
    ) -> Result<Option<RecordId>> {
        self.upsert(external_id, body).send_once(None).await
    }

    /// Creates up to [`MAX_BATCH_SIZE`] records in one async batch (`POST /{type}` with
    /// `{"items": […]}`, `Prefer: respond-async`, an idempotency key). The job's outcome is one
    /// result per record, in order: the new id, or that record's error.
    pub fn create_batch<B: Serialize>(&self, records: &[B]) -> AsyncWrite<Vec<Result<RecordId>>> {
        self.batch(Method::POST, records)
    }

    /// Updates up to [`MAX_BATCH_SIZE`] records in one async batch (`PATCH /{type}`): each item
    /// names its record with `id` (internal, or `eid:…`) or `externalId`. One result per item.
    pub fn update_batch<B: Serialize>(&self, patches: &[B]) -> AsyncWrite<Vec<Result<()>>> {
        self.batch(Method::PATCH, patches)
    }

    /// Upserts up to [`MAX_BATCH_SIZE`] records in one async batch (`PUT /{type}`): each item
    /// carries its `externalId`. One result per item (the internal id when NetSuite reports one).
    pub fn upsert_batch<B: Serialize>(
        &self,
        records: &[B],
    ) -> AsyncWrite<Vec<Result<Option<RecordId>>>> {
        self.batch(Method::PUT, records)
    }

    /// Deletes up to [`MAX_BATCH_SIZE`] records in one async batch (`DELETE /{type}`). One result
    /// per record.
    pub fn delete_batch(&self, keys: &[RecordKey]) -> AsyncWrite<Vec<Result<()>>> {
        let items: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| match k {
                RecordKey::Id(id) => serde_json::json!({ "id": id.as_str() }),
                RecordKey::External(e) => serde_json::json!({ "externalId": e }),
            })
            .collect();
        self.batch(Method::DELETE, &items)
    }

    /// A batch on the collection URL: `{"items": […]}` with the collection content type.
    fn batch<B: Serialize, O: crate::JobOutput>(
        &self,
        method: Method,
        items: &[B],
    ) -> AsyncWrite<O> {
        let call = (|| {
            if items.is_empty() || items.len() > MAX_BATCH_SIZE {
                return Err(Error::invalid(
                    "records",
                    format!(
                        "a batch holds 1 to {MAX_BATCH_SIZE} records, not {}",
                        items.len()
                    ),
                ));
            }
            let body = to_body(&serde_json::json!({ "items": items }))?;
            let url = record_url(&self.client, &self.record_type, None, "")?;
            let mut call = Call::new(method, url).json_body(body);
            call.content_type = Some(reqwest::header::HeaderValue::from_static(
                BATCH_CONTENT_TYPE,
            ));
            Ok(call)
        })();
        AsyncWrite::new(self.client.clone(), call)
    }

    /// `PATCH /{type}/{id}`: fields present in `patch` change, `null` clears, the rest stay.
    ///
    /// Field-only updates are retried like reads. An update carrying sublist lines without
    /// [`UpdateRecord::replace`] merges (adds) lines, so it is retried only when it certainly did not
    /// reach NetSuite, like a create.
    pub fn update(&self, key: impl Into<RecordKey>, patch: &impl Serialize) -> UpdateRecord {
        UpdateRecord {
            write: FieldsWrite::new(self, key.into(), patch),
        }
    }

    /// `PUT /{type}/eid:{external_id}`: creates or replaces the record with this external id.
    pub fn upsert(&self, external_id: impl Into<String>, body: &impl Serialize) -> UpsertRecord {
        UpsertRecord {
            write: FieldsWrite::new(self, RecordKey::External(external_id.into()), body),
        }
    }

    /// `DELETE /{type}/{id}`.
    pub fn delete(&self, key: impl Into<RecordKey>) -> DeleteRecord {
        DeleteRecord {
            client: self.client.clone(),
            record_type: self.record_type.clone(),
            key: key.into(),
        }
    }

    /// `GET /{type}?q=…&limit=…&offset=…`: a lazy list of ids (see [`ListRecords`]).
    pub fn list(&self) -> ListRecords<T> {
        ListRecords {
            records: self.clone(),
            query: None,
            page_size: MAX_PAGE_SIZE,
            offset: 0,
            fetch: Fetch::default(),
        }
    }

    /// Every record of the type, fetched as `T` (ids listed page by page, records fetched
    /// concurrently inside the client's limiter and yielded in list order). Same as
    /// `self.list().records()`.
    pub fn list_records(&self) -> BoxStream<'static, Result<T>> {
        self.list().records()
    }

    /// `GET /{type}/{id}/{sublist}`: one sublist's lines, decoded as `S`.
    pub fn sublist<S: DeserializeOwned + Send + 'static>(
        &self,
        key: impl Into<RecordKey>,
        name: impl Into<String>,
    ) -> GetSublist<S> {
        GetSublist {
            client: self.client.clone(),
            record_type: self.record_type.clone(),
            key: key.into(),
            name: name.into(),
            _s: PhantomData,
        }
    }
}

pub(crate) fn record_url(
    client: &Client,
    record_type: &str,
    key: Option<&RecordKey>,
    rest: &str,
) -> Result<url::Url> {
    check_type(record_type)?;
    let mut path = format!("{RECORD_PATH}/{record_type}");
    if let Some(key) = key {
        check_key(key)?;
        path.push('/');
        path.push_str(&key.path_segment());
    }
    path.push_str(rest);
    client.rest_url(&path)
}

/// What a record fetch asks for besides the record: `fields=` and `expandSubResources=`; set by
/// [`GetRecord`]'s and [`ListRecords`]' setters (see `fetch_setters!`).
#[derive(Clone, Default)]
struct Fetch {
    fields: Vec<String>,
    expand: bool,
}

impl Fetch {
    /// The query string (empty when nothing is asked); a field name that is not a NetSuite
    /// identifier is an error naming it.
    fn query(&self) -> Result<String> {
        let mut query = String::new();
        if !self.fields.is_empty() {
            for f in &self.fields {
                check_name("fields", f)?;
            }
            push_param(&mut query, "fields", &self.fields.join(","));
        }
        if self.expand {
            push_param(&mut query, "expandSubResources", "true");
        }
        Ok(query)
    }
}

/// The `fields` and `expand_sub_resources` setters of a request holding a [`Fetch`] in `fetch`;
/// `$applies` says to which records they apply.
macro_rules! fetch_setters {
    ($applies:literal) => {
        #[doc = concat!("Only these fields", $applies, " (`fields=a,b`).")]
        pub fn fields<I, S>(mut self, fields: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.fetch.fields = fields.into_iter().map(Into::into).collect();
            self
        }

        #[doc = concat!("`expandSubResources=true`", $applies, ": sublists and subrecords inline.")]
        pub fn expand_sub_resources(mut self, expand: bool) -> Self {
            self.fetch.expand = expand;
            self
        }
    };
}

/// A `GET /{type}/{id}` request. Finish with [`GetRecord::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct GetRecord<T> {
    records: Records<T>,
    key: RecordKey,
    fetch: Fetch,
}

impl<T: DeserializeOwned + Send + 'static> GetRecord<T> {
    fetch_setters!("");

    /// Sends the request.
    pub async fn send(self) -> Result<T> {
        let query = self.fetch.query()?;
        let r = &self.records;
        let url = record_url(&r.client, &r.record_type, Some(&self.key), &query)?;
        let reply = r.client.execute(Call::new(Method::GET, url)).await?;
        reply.json()
    }
}

/// A `POST /{type}` request. Finish with [`CreateRecord::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct CreateRecord {
    client: Client,
    record_type: Arc<str>,
    body: Result<Bytes>,
}

impl CreateRecord {
    /// Sends the request; returns the new record's internal id (from `Location`).
    ///
    /// Never repeated once it may have reached NetSuite: it is only retried after a connection
    /// failure before sending, a 429/503, or a governance refusal.
    pub async fn send(self) -> Result<RecordId> {
        send_create(self.into_call()).await
    }

    fn into_call(self) -> (Client, Result<Call>) {
        let call = (|| {
            let body = self.body?;
            let url = record_url(&self.client, &self.record_type, None, "")?;
            // A POST: never sent again once it may have reached NetSuite (`Effect::of_request`).
            let effect = Effect::of_request("POST", &url, Some(&body), false);
            Ok(Call::new(Method::POST, url).effect(effect).json_body(body))
        })();
        (self.client, call)
    }

    /// Sends the create as an async job with an idempotency key instead (see [`AsyncWrite`]):
    /// safe to resend, so a reply lost on the way back never leads to a second record.
    pub fn respond_async(self) -> AsyncWrite<RecordId> {
        as_job(self.into_call())
    }
}

/// A request ready to go: the client to send it with and the call (or why it could not be built).
pub(crate) type Prepared = (Client, Result<Call>);

/// Sends a write whose reply carries nothing to read.
pub(crate) async fn send_unit((client, call): Prepared) -> Result<()> {
    client.execute(call?).await?;
    Ok(())
}

/// Sends a create (or transform); returns the new record's id from `Location`.
pub(crate) async fn send_create((client, call): Prepared) -> Result<RecordId> {
    let reply = client.execute(call?).await?;
    created_id(&reply)
}

/// The write as an async job with an idempotency key instead (see [`AsyncWrite`]).
pub(crate) fn as_job<R: JobOutput>((client, call): Prepared) -> AsyncWrite<R> {
    AsyncWrite::new(client, call)
}

/// The new record's id from a create's (or transform's) `Location`.
pub(crate) fn created_id(reply: &Reply) -> Result<RecordId> {
    let location = reply
        .header_str("location")
        .ok_or_else(|| reply.unexpected("no Location header on a create"))?;
    id_from_location(location)
        .ok_or_else(|| reply.unexpected(format!("cannot read an id from Location {location:?}")))
}

/// What an update (`PATCH`) and an upsert (`PUT`) share: the record, its field values and the
/// sublists to replace; [`UpdateRecord`] and [`UpsertRecord`] wrap it and differ only in the method
/// and in what `send` returns.
struct FieldsWrite {
    client: Client,
    record_type: Arc<str>,
    key: RecordKey,
    body: Result<Bytes>,
    replace: Vec<String>,
}

impl FieldsWrite {
    fn new<T>(records: &Records<T>, key: RecordKey, body: &impl Serialize) -> Self {
        FieldsWrite {
            client: records.client.clone(),
            record_type: records.record_type.clone(),
            key,
            body: to_body(body),
            replace: Vec::new(),
        }
    }

    fn replace<I, S>(mut self, sublists: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replace = sublists.into_iter().map(Into::into).collect();
        self
    }

    fn replace_sublists<R>(
        self,
        sublists: impl IntoIterator<Item = nstba_record::Field<R, nstba_record::kind::Sublist>>,
    ) -> Self {
        self.replace(sublists.into_iter().map(|f| f.wire()))
    }

    /// The `method` (`PATCH` or `PUT`) to `/{type}/{id}?replace=…`.
    fn into_call(self, method: Method) -> (Client, Result<Call>) {
        let call = (|| {
            let body = self.body?;
            let query = replace_query(&self.replace)?;
            let url = record_url(&self.client, &self.record_type, Some(&self.key), &query)?;
            // Sublist lines in a merging PATCH or PUT are added again if it is repeated: such a
            // write is not idempotent, so it is only retried when it certainly did not reach
            // NetSuite, like a create (decided in `Effect::of_request`).
            let effect = Effect::of_request(method.as_str(), &url, Some(&body), false);
            Ok(Call::new(method, url).effect(effect).json_body(body))
        })();
        (self.client, call)
    }

    /// `true` when resending this write as is could apply it twice (it adds sublist lines), or
    /// when the request cannot be built (the error comes with `send`).
    fn adds_lines(&self) -> bool {
        let Ok(body) = &self.body else { return true };
        crate::retry::adds_lines(body, &self.replace)
    }
}

/// A `PATCH /{type}/{id}` request. Finish with [`UpdateRecord::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct UpdateRecord {
    write: FieldsWrite,
}

impl UpdateRecord {
    /// Replace these sublists' lines instead of merging (`replace=item,addressbook`).
    pub fn replace<I, S>(self, sublists: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UpdateRecord {
            write: self.write.replace(sublists),
        }
    }

    /// Like [`UpdateRecord::replace`], naming the sublists by their typed field handles
    /// (`Customer::fields().addressbook`), so a misspelled or non-sublist field does not compile.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::{ClientExt, Patch, Sublist};
    /// use nstba::Record;
    ///
    /// #[derive(Record, Debug, Clone, PartialEq)]
    /// #[netsuite(subrecord)]
    /// pub struct Address { pub label: Option<String> }
    ///
    /// #[derive(Record, Debug, Clone)]
    /// #[netsuite(record = "customer")]
    /// pub struct CustomerWithAddresses {
    ///     #[netsuite(id)]
    ///     pub id: Option<nstba::RecordId>,
    ///     pub company_name: Option<String>,
    ///     pub addressbook: Sublist<Address>,
    /// }
    ///
    /// let customers = client.typed::<CustomerWithAddresses>();
    /// let f = CustomerWithAddresses::fields();
    /// let patch = CustomerWithAddressesPatch {
    ///     addressbook: Patch::set(Sublist::new(vec![Address { label: Some("Only".into()) }])),
    ///     ..CustomerWithAddresses::patch()
    /// };
    /// customers.update("1", &patch).replace_sublists([f.addressbook]).send().await?;
    /// let lines = customers.sublist::<Address>("1", "addressbook").send().await?;
    /// assert_eq!(lines.items().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn replace_sublists<R>(
        self,
        sublists: impl IntoIterator<Item = nstba_record::Field<R, nstba_record::kind::Sublist>>,
    ) -> Self {
        UpdateRecord {
            write: self.write.replace_sublists(sublists),
        }
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        send_unit(self.into_call()).await
    }

    fn into_call(self) -> (Client, Result<Call>) {
        self.write.into_call(Method::PATCH)
    }

    /// Sends the update as an async job with an idempotency key instead (see [`AsyncWrite`]):
    /// safe to resend even when it adds sublist lines.
    pub fn respond_async(self) -> AsyncWrite<()> {
        as_job(self.into_call())
    }
}

/// `?replace=a,b` (empty when no sublist is replaced), names checked.
pub(crate) fn replace_query(replace: &[String]) -> Result<String> {
    let mut query = String::new();
    if !replace.is_empty() {
        for s in replace {
            check_name("replace", s)?;
        }
        push_param(&mut query, "replace", &replace.join(","));
    }
    Ok(query)
}

/// A `PUT /{type}/eid:{external id}` request. Finish with [`UpsertRecord::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct UpsertRecord {
    write: FieldsWrite,
}

impl UpsertRecord {
    /// Replace these sublists' lines instead of merging (`replace=item,addressbook`).
    pub fn replace<I, S>(self, sublists: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UpsertRecord {
            write: self.write.replace(sublists),
        }
    }

    /// Like [`UpsertRecord::replace`], naming the sublists by their typed field handles.
    pub fn replace_sublists<R>(
        self,
        sublists: impl IntoIterator<Item = nstba_record::Field<R, nstba_record::kind::Sublist>>,
    ) -> Self {
        UpsertRecord {
            write: self.write.replace_sublists(sublists),
        }
    }

    /// Sends the request; returns the internal id when NetSuite reports one in `Location`.
    ///
    /// Retried like an idempotent write unless the body adds sublist lines (lines of a sublist not
    /// named in [`UpsertRecord::replace`]): such an upsert is only retried when it certainly did not
    /// reach NetSuite, like a create.
    pub async fn send(self) -> Result<Option<RecordId>> {
        let (client, call) = self.into_call();
        let reply = client.execute(call?).await?;
        Ok(reply.header_str("location").and_then(id_from_location))
    }

    fn into_call(self) -> (Client, Result<Call>) {
        self.write.into_call(Method::PUT)
    }

    /// Sends the upsert as an async job with an idempotency key instead (see [`AsyncWrite`]).
    pub fn respond_async(self) -> AsyncWrite<Option<RecordId>> {
        as_job(self.into_call())
    }

    /// Sends it so that it is applied exactly once even across lost replies: as is when it is
    /// idempotent (an `eid:` upsert of fields, or replacing the sublists it carries — resent
    /// automatically after a lost reply), otherwise as an async job with an idempotency key
    /// (`key`, or a fresh one when `None`).
    pub async fn send_once(self, key: Option<&str>) -> Result<Option<RecordId>> {
        if self.write.adds_lines() || key.is_some() {
            let mut write = self.respond_async();
            if let Some(k) = key {
                write = write.idempotency_key(k);
            }
            write.send().await
        } else {
            self.send().await
        }
    }
}

/// A `DELETE /{type}/{id}` request. Finish with [`DeleteRecord::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct DeleteRecord {
    client: Client,
    record_type: Arc<str>,
    key: RecordKey,
}

impl DeleteRecord {
    /// Sends the request. When an attempt failed ambiguously (connection dropped after sending) and
    /// the retry finds the record gone (404), the delete counts as done.
    pub async fn send(self) -> Result<()> {
        send_unit(self.into_call()).await
    }

    fn into_call(self) -> (Client, Result<Call>) {
        let call = record_url(&self.client, &self.record_type, Some(&self.key), "").map(|url| {
            let mut call = Call::new(Method::DELETE, url);
            call.gone_is_done = true;
            call
        });
        (self.client, call)
    }

    /// Sends the delete as an async job with an idempotency key instead (see [`AsyncWrite`]).
    pub fn respond_async(self) -> AsyncWrite<()> {
        let (client, call) = self.into_call();
        let call = call.map(|mut c| {
            c.gone_is_done = false;
            c
        });
        AsyncWrite::new(client, call)
    }
}

/// One item of a record list: the id (NetSuite lists ids and links only).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ListItem {
    /// Internal id.
    pub id: RecordId,
}

/// One page of a record list.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListPage {
    /// The items of this page.
    #[serde(default)]
    pub items: Vec<ListItem>,
    /// Items on this page.
    #[serde(default)]
    pub count: u64,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
    /// Offset of this page.
    #[serde(default)]
    pub offset: u64,
    /// Total matching records.
    #[serde(default)]
    pub total_results: u64,
}

/// A record list (`GET /{type}`): filter with [`ListRecords::query`], then take a lazy stream of ids
/// ([`ListRecords::stream`]), of pages ([`ListRecords::pages`]) or of fetched records
/// ([`ListRecords::records`]).
#[must_use = "lists do nothing until streamed"]
pub struct ListRecords<T> {
    records: Records<T>,
    query: Option<String>,
    page_size: u32,
    offset: u64,
    fetch: Fetch,
}

impl<T: DeserializeOwned + Send + 'static> ListRecords<T> {
    /// `q=`: a filter such as `companyName START_WITH "A" AND dateCreated ON_OR_AFTER "1/1/2024"`.
    pub fn query(mut self, q: impl Into<String>) -> Self {
        self.query = Some(q.into());
        self
    }

    /// Page size, 1..=1000 (default 1000).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// Start offset: a multiple of the page size (default 0).
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = n;
        self
    }

    fetch_setters!(" on each record fetched by [`ListRecords::records`]");

    /// A lazy stream of pages, fetched one after the other as the stream is polled.
    pub fn pages(self) -> BoxStream<'static, Result<ListPage>> {
        let ListRecords {
            records,
            query,
            page_size,
            offset,
            ..
        } = self;
        let check = if page_size == 0 || page_size > MAX_PAGE_SIZE {
            Err(Error::invalid(
                "page_size",
                format!("{page_size} is not in 1..=1000"),
            ))
        } else if offset % u64::from(page_size) != 0 {
            Err(Error::invalid(
                "offset",
                format!("{offset} is not a multiple of the page size {page_size}"),
            ))
        } else {
            Ok(())
        };
        if let Err(e) = check {
            return stream::once(async move { Err(e) }).boxed();
        }
        stream::unfold(Some(offset), move |next| {
            let records = records.clone();
            let query = query.clone();
            async move {
                let offset = next?;
                let mut q = String::new();
                if let Some(f) = &query {
                    push_param(&mut q, "q", f);
                }
                push_param(&mut q, "limit", &page_size.to_string());
                push_param(&mut q, "offset", &offset.to_string());
                let page = async {
                    let url = record_url(&records.client, &records.record_type, None, &q)?;
                    let reply = records.client.execute(Call::new(Method::GET, url)).await?;
                    reply.json::<ListPage>()
                }
                .await;
                match page {
                    Ok(page) => {
                        let next = (page.has_more && !page.items.is_empty())
                            .then(|| offset + u64::from(page_size));
                        Some((Ok(page), next))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }

    /// A lazy stream of ids.
    pub fn stream(self) -> BoxStream<'static, Result<ListItem>> {
        self.pages()
            .flat_map(|page| match page {
                Ok(p) => stream::iter(p.items.into_iter().map(Ok).collect::<Vec<_>>()),
                Err(e) => stream::iter(vec![Err(e)]),
            })
            .boxed()
    }

    /// A lazy stream of the listed records fetched as `T`, concurrently (up to the client's
    /// concurrency, inside its limiter) and in list order.
    ///
    /// [`ListRecords::fields`] and [`ListRecords::expand_sub_resources`] apply to each fetch.
    pub fn records(self) -> BoxStream<'static, Result<T>> {
        let records = self.records.clone();
        let width = records.client.concurrency();
        let fetch = self.fetch.clone();
        self.stream()
            .map(move |item| {
                let records = records.clone();
                let fetch = fetch.clone();
                async move {
                    let mut get = records.get(item?.id);
                    get.fetch = fetch;
                    get.send().await
                }
            })
            .buffered(width)
            .boxed()
    }
}

/// A `GET /{type}/{id}/{sublist}` request. Finish with [`GetSublist::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct GetSublist<S> {
    client: Client,
    record_type: Arc<str>,
    key: RecordKey,
    name: String,
    _s: PhantomData<fn() -> S>,
}

impl<S: DeserializeOwned + Send + 'static> GetSublist<S> {
    /// Sends the request.
    pub async fn send(self) -> Result<Sublist<S>> {
        check_name("sublist", &self.name)?;
        let rest = format!("/{}", self.name);
        let url = record_url(&self.client, &self.record_type, Some(&self.key), &rest)?;
        let reply = self.client.execute(Call::new(Method::GET, url)).await?;
        reply.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_ids() {
        let id = |s| id_from_location(s).map(|i| i.to_string());
        assert_eq!(
            id("https://h/services/rest/record/v1/customer/123").as_deref(),
            Some("123")
        );
        assert_eq!(
            id("/services/rest/record/v1/customer/77/").as_deref(),
            Some("77")
        );
        assert_eq!(id("/x/customer/eid:A"), None);
        assert_eq!(id(""), None);
    }

    #[test]
    fn params_are_rfc3986() {
        let mut q = String::new();
        push_param(&mut q, "q", "companyName IS \"A+B\"");
        push_param(&mut q, "limit", "5");
        assert_eq!(q, "?q=companyName%20IS%20%22A%2BB%22&limit=5");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_type("customer").is_ok());
        assert!(check_type("customrecord_x1").is_ok());
        assert!(check_type("").is_err());
        assert!(check_type("cust/../x").is_err());
        assert!(check_key(&RecordKey::from("")).is_err());
    }
}
