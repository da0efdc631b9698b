//! The typed operations: [`ClientExt::typed`] gives a [`TypedRecords<T>`] whose calls take and
//! return `T`, `T::Patch` and `Filter<T>`; every call goes through the client's ordinary records
//! path, so it is signed, limited and retried like any other.

use crate::select::Select;
use crate::{
    AsyncWrite, Client, CreateRecord, DeleteRecord, Error, GetRecord, GetSublist, ListItem,
    ListPage, ListRecords, Records, Result, UpdateRecord, UpsertRecord,
};
use futures_util::stream::{self, BoxStream, StreamExt};
use nstba_record::{Filter, FilterError, RecordId, RecordKey, TypedRecord};

impl From<FilterError> for Error {
    fn from(e: FilterError) -> Self {
        crate::ErrorKind::InvalidInput {
            what: "filter",
            reason: e.to_string(),
        }
        .into()
    }
}

/// Typed operations on a [`Client`].
pub trait ClientExt {
    /// The typed operations for record type `T`.
    fn typed<T: TypedRecord>(&self) -> TypedRecords<T>;
}

impl ClientExt for Client {
    fn typed<T: TypedRecord>(&self) -> TypedRecords<T> {
        TypedRecords {
            client: self.clone(),
            records: self.records::<T>(),
        }
    }
}

/// Typed operations for one record type. From [`ClientExt::typed`].
///
/// Every example below runs against the embedded emulator and uses this record:
///
/// ```
/// use nstba::{Record, RecordId};
///
/// #[derive(Record, Debug, Clone)]
/// #[netsuite(record = "customer")]
/// pub struct Customer {
///     #[netsuite(id)]
///     pub id: Option<RecordId>,
///     pub company_name: Option<String>,
///     pub email: Option<String>,
///     pub balance: Option<f64>,
///     #[netsuite(external_id)]
///     pub external_id: Option<String>,
/// }
/// ```
pub struct TypedRecords<T> {
    client: Client,
    records: Records<T>,
}

impl<T> Clone for TypedRecords<T> {
    fn clone(&self) -> Self {
        TypedRecords {
            client: self.client.clone(),
            records: self.records.clone(),
        }
    }
}

impl<T> std::fmt::Debug for TypedRecords<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TypedRecords").field(&self.records).finish()
    }
}

impl<T: TypedRecord> TypedRecords<T> {
    /// The untyped-path records handle this wraps.
    pub fn records(&self) -> &Records<T> {
        &self.records
    }

    /// `GET /{type}/{id}` decoded as `T`; add `.expand_sub_resources(true)` for sublist lines.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::ClientExt;
    /// let acme: Customer = client.typed::<Customer>().get("1").send().await?;
    /// assert_eq!(acme.company_name.as_deref(), Some("Acme Corporation"));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn get(&self, key: impl Into<RecordKey>) -> GetRecord<T> {
        self.records.get(key)
    }

    /// `POST /{type}` with `record` (absent `Option` fields are not sent); returns the new id.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::ClientExt;
    /// let new = Customer { id: None, company_name: Some("Initrode".into()), email: None,
    ///                      balance: None, external_id: Some("INIT-1".into()) };
    /// let id = client.typed::<Customer>().create(&new).send().await?;
    /// let back = client.typed::<Customer>().get(&id).send().await?;
    /// assert_eq!(back.company_name.as_deref(), Some("Initrode"));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn create(&self, record: &T) -> CreateRecord {
        self.records.create(record)
    }

    /// `PATCH /{type}/{id}` with a typed patch: unchanged fields are not sent, cleared ones are
    /// sent as `null`.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::{ClientExt, Patch};
    /// let customers = client.typed::<Customer>();
    /// let patch = CustomerPatch { email: Patch::set("billing@acme.example"), balance: Patch::Clear,
    ///                             ..Customer::patch() };
    /// customers.update("1", &patch).send().await?;
    /// let acme = customers.get("1").send().await?;
    /// assert_eq!(acme.email.as_deref(), Some("billing@acme.example"));
    /// assert_eq!(acme.balance, None);
    /// assert_eq!(acme.company_name.as_deref(), Some("Acme Corporation")); // unchanged
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn update(&self, key: impl Into<RecordKey>, patch: &T::Patch) -> UpdateRecord {
        self.records.update(key, patch)
    }

    /// `PUT /{type}/eid:{external_id}`: creates or replaces the record with this external id.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::ClientExt;
    /// use nstba::RecordKey;
    /// let c = Customer { id: None, company_name: Some("Upserted Ltd".into()), email: None,
    ///                    balance: None, external_id: None };
    /// client.typed::<Customer>().upsert("UP-1", &c).send().await?;
    /// let back = client.typed::<Customer>().get(RecordKey::external("UP-1")).send().await?;
    /// assert_eq!(back.company_name.as_deref(), Some("Upserted Ltd"));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn upsert(&self, external_id: impl Into<String>, record: &T) -> UpsertRecord {
        self.records.upsert(external_id, record)
    }

    /// Creates `record` exactly once, even across lost replies (an async job with an idempotency
    /// key, resent with the same key; see [`Records::create_once`]); `.send()` returns the new id.
    pub fn create_once(&self, record: &T) -> AsyncWrite<RecordId> {
        self.records.create_once(record)
    }

    /// Upserts `record` by external id exactly once, even across lost replies (see
    /// [`Records::upsert_once`]).
    pub async fn upsert_once(
        &self,
        external_id: impl Into<String>,
        record: &T,
    ) -> Result<Option<RecordId>> {
        self.records.upsert_once(external_id, record).await
    }

    /// `DELETE /{type}/{id}`.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::ClientExt;
    /// client.typed::<Customer>().delete("3").send().await?;
    /// assert!(client.typed::<Customer>().get("3").send().await.is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn delete(&self, key: impl Into<RecordKey>) -> DeleteRecord {
        self.records.delete(key)
    }

    /// `GET /{type}/{id}/{sublist}`: the lines of one sublist, decoded as `S` (a
    /// `#[netsuite(subrecord)]` struct).
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use nstba::typed::ClientExt;
    /// use nstba::Record;
    ///
    /// #[derive(Record, Debug)]
    /// #[netsuite(subrecord)]
    /// pub struct AddressLine {
    ///     pub label: Option<String>,
    ///     pub default_billing: Option<bool>,
    /// }
    ///
    /// let lines = client.typed::<Customer>().sublist::<AddressLine>("1", "addressbook").send().await?;
    /// assert_eq!(lines.items()[0].label.as_deref(), Some("HQ"));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn sublist<S: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        key: impl Into<RecordKey>,
        name: impl Into<String>,
    ) -> GetSublist<S> {
        self.records.sublist(key, name)
    }

    /// `GET /{type}?q=<filter>`: a lazy list of the matching records (see [`TypedList`]).
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use futures_util::TryStreamExt;
    /// use nstba::typed::ClientExt;
    /// let f = Customer::fields();
    /// let found: Vec<Customer> = client.typed::<Customer>()
    ///     .list(f.company_name.starts_with("Acme").or(f.company_name.is("Initech")))
    ///     .records().try_collect().await?;
    /// assert_eq!(found.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn list(&self, filter: Filter<T>) -> TypedList<T> {
        TypedList {
            list: self.records.list(),
            query: Some(filter.to_query().map_err(Error::from)),
        }
    }

    /// `GET /{type}` without a filter.
    pub fn list_all(&self) -> TypedList<T> {
        TypedList {
            list: self.records.list(),
            query: None,
        }
    }

    /// A typed SuiteQL query: exactly `T`'s columns from `T::TABLE`, rows decoded into `T`.
    ///
    /// ```
    /// # include!("doc_prelude.rs");
    /// # fn main() { run(|client| async move {
    /// use futures_util::TryStreamExt;
    /// use nstba::typed::ClientExt;
    /// let f = Customer::fields();
    /// let rows: Vec<Customer> = client.typed::<Customer>().select()
    ///     .filter(f.email.ends_with(".example"))
    ///     .order_by(f.company_name)
    ///     .stream().try_collect().await?;
    /// assert!(rows.len() >= 10);
    /// assert!(rows.windows(2).all(|w| w[0].company_name <= w[1].company_name));
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }); }
    /// ```
    pub fn select(&self) -> Select<T> {
        Select::new(self.client.clone())
    }
}

/// A typed record list. Take the matching ids ([`TypedList::stream`]), pages
/// ([`TypedList::pages`]) or the records themselves ([`TypedList::records`]).
#[must_use = "lists do nothing until streamed"]
pub struct TypedList<T> {
    list: ListRecords<T>,
    query: Option<Result<String>>,
}

impl<T: TypedRecord> TypedList<T> {
    /// Page size, 1..=1000.
    pub fn page_size(mut self, n: u32) -> Self {
        self.list = self.list.page_size(n);
        self
    }

    /// Only these fields on each record fetched by [`TypedList::records`] — field handles'
    /// wire names (`[f.email.wire()]`) or wire names; the fields `T` needs must be among them.
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.list = self.list.fields(fields);
        self
    }

    /// Sublists and subrecords inline on each record fetched by [`TypedList::records`].
    pub fn expand_sub_resources(mut self, expand: bool) -> Self {
        self.list = self.list.expand_sub_resources(expand);
        self
    }

    fn prepared(self) -> Result<ListRecords<T>> {
        match self.query {
            None => Ok(self.list),
            Some(Ok(q)) => Ok(self.list.query(q)),
            Some(Err(e)) => Err(e),
        }
    }

    /// The ids of the matching records, lazily.
    pub fn stream(self) -> BoxStream<'static, Result<ListItem>> {
        match self.prepared() {
            Ok(l) => l.stream(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// The pages, lazily.
    pub fn pages(self) -> BoxStream<'static, Result<ListPage>> {
        match self.prepared() {
            Ok(l) => l.pages(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// The matching records, fetched and decoded as `T` (concurrently, in list order).
    pub fn records(self) -> BoxStream<'static, Result<T>> {
        match self.prepared() {
            Ok(l) => l.records(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }
}
