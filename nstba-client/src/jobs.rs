//! Async writes and jobs: a write sent with `Prefer: respond-async` and an
//! `X-NetSuite-Idempotency-Key` comes back as `202 Accepted` + the `Location` of a job; a [`Job`]
//! polls it with backoff and reads its task results as what the synchronous call would have
//! returned (a created id, nothing, an upserted id, one result per record of a batch).
//!
//! NetSuite runs an async request at most once per idempotency key: resending the same request with
//! the same key — after a lost reply, or after a restart — answers `400 IDEMPOTENCY_ERROR` with the
//! `Location` of the original job, which [`AsyncWrite::submit`] follows. So an async write is safe to
//! resend, and the send loop resends it after a timeout or a dropped connection like a read.

use crate::client::{Call, Client, Reply};
use crate::error::{Error, ErrorKind, Result};
use crate::records::id_from_location;
use crate::request::RawRequest;
use crate::retry::Effect;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use nstba_record::RecordId;
use rand::RngExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

/// The async job API's path prefix: jobs are at `{ASYNC_JOB_PATH}/{id}`.
pub const ASYNC_JOB_PATH: &str = "/services/rest/async/v1/job";

/// The header carrying the idempotency key of an async request.
pub const IDEMPOTENCY_KEY_HEADER: &str = "x-netsuite-idempotency-key";

/// The most records one batch request may carry.
pub const MAX_BATCH_SIZE: usize = 100;

/// The `Content-Type` of a batch body (`{"items": […]}` on the collection URL).
pub const BATCH_CONTENT_TYPE: &str = "application/vnd.oracle.resource+json; type=collection";

/// A fresh idempotency key: a random (version 4) UUID in its hyphenated lower-case form.
///
/// ```
/// let key = nstba_client::new_idempotency_key();
/// assert_eq!(key.len(), 36);
/// assert_eq!(&key[14..15], "4");
/// assert!(nstba_client::new_idempotency_key() != key);
/// ```
pub fn new_idempotency_key() -> String {
    let mut n: u128 = rand::rng().random();
    // Version 4 (random) in the high nibble of byte 6, RFC 4122 variant in byte 8.
    n = (n & !(0xF << 76)) | (0x4 << 76);
    n = (n & !(0x3 << 62)) | (0x2 << 62);
    let hex = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Checks that a caller's idempotency key is a UUID (8-4-4-4-12 hex digits), as NetSuite requires.
fn check_key(key: &str) -> Result<String> {
    let groups: Vec<&str> = key.split('-').collect();
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(key.to_ascii_lowercase())
    } else {
        Err(Error::invalid(
            "idempotency_key",
            format!("{key:?} is not a UUID (like 0f8fad5b-d9cb-469f-a165-70867728950e)"),
        ))
    }
}

/// How a [`Job`] is polled: the first check right away, then waits growing from `initial` (doubling)
/// up to `max`, giving up after `timeout` (the job keeps running on NetSuite; resume it later with
/// [`Client::job`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobPolling {
    initial: Duration,
    max: Duration,
    timeout: Duration,
}

impl Default for JobPolling {
    /// 500 ms doubling up to 10 s, for at most 15 minutes (NetSuite's own request limit).
    fn default() -> Self {
        JobPolling {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(10),
            timeout: Duration::from_secs(15 * 60),
        }
    }
}

impl JobPolling {
    /// The wait after the first check that found the job pending.
    pub fn initial(mut self, d: Duration) -> Self {
        self.initial = d;
        self
    }

    /// The longest wait between two checks.
    pub fn max(mut self, d: Duration) -> Self {
        self.max = d;
        self
    }

    /// How long to wait for the job in all before giving up.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
}

/// What a job's task results become: what the synchronous call returns. Implemented for
/// [`RecordId`] (a create or transform), `()` (an update, delete, action), `Option<RecordId>` (an
/// upsert), `Vec<Result<…>>` of those (a batch: one result per record, in order) and
/// `Vec<TaskResult>` (raw).
pub trait JobOutput: Sized + Send + 'static {
    /// Reads the task results of the completed job `job_id`.
    fn from_tasks(job_id: &str, tasks: Vec<TaskResult>) -> Result<Self>;
}

/// What one task result becomes (the item type of a batch's results).
pub trait TaskOutput: Sized + Send + 'static {
    /// Reads one task result; a failed task is its error.
    fn from_task(task: &TaskResult) -> Result<Self>;
}

impl TaskOutput for RecordId {
    fn from_task(task: &TaskResult) -> Result<Self> {
        task.check()?;
        task.location_id().ok_or_else(|| {
            task.reply
                .unexpected("the task result has no Location with the new record's id")
        })
    }
}

impl TaskOutput for () {
    fn from_task(task: &TaskResult) -> Result<Self> {
        task.check()
    }
}

impl TaskOutput for Option<RecordId> {
    fn from_task(task: &TaskResult) -> Result<Self> {
        task.check()?;
        Ok(task.location_id())
    }
}

fn single<T: TaskOutput>(job_id: &str, tasks: Vec<TaskResult>) -> Result<T> {
    match tasks.as_slice() {
        [task] => T::from_task(task),
        other => Err(job_error(
            job_id,
            format!("expected one task result, found {}", other.len()),
        )),
    }
}

macro_rules! job_outputs {
    ($($t:ty),*) => {$(
        impl JobOutput for $t {
            fn from_tasks(job_id: &str, tasks: Vec<TaskResult>) -> Result<Self> {
                single(job_id, tasks)
            }
        }
        impl JobOutput for Vec<Result<$t>> {
            fn from_tasks(_job_id: &str, tasks: Vec<TaskResult>) -> Result<Self> {
                Ok(tasks.iter().map(<$t as TaskOutput>::from_task).collect())
            }
        }
    )*};
}
job_outputs!(RecordId, (), Option<RecordId>);

impl JobOutput for Vec<TaskResult> {
    fn from_tasks(_job_id: &str, tasks: Vec<TaskResult>) -> Result<Self> {
        Ok(tasks)
    }
}

fn job_error(job_id: &str, reason: impl Into<String>) -> Error {
    ErrorKind::Job {
        job_id: job_id.to_owned(),
        reason: reason.into(),
    }
    .into()
}

/// The stored answer of one task of a job (`GET …/job/{id}/task/{task}/result`): the response the
/// request would have had if sent synchronously.
pub struct TaskResult {
    task_id: String,
    reply: Reply,
}

impl fmt::Debug for TaskResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskResult")
            .field("task_id", &self.task_id)
            .field("status", &self.reply.status)
            .field("location", &self.location())
            .finish_non_exhaustive()
    }
}

impl TaskResult {
    /// The task's id within its job.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// The HTTP status the request had.
    pub fn status(&self) -> u16 {
        self.reply.status
    }

    /// `true` for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.reply.status)
    }

    /// The headers of the stored answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.reply.headers
    }

    /// The `Location` of the stored answer (a created record).
    pub fn location(&self) -> Option<&str> {
        self.reply.header_str("location")
    }

    /// The id at the end of `Location`.
    pub fn location_id(&self) -> Option<RecordId> {
        self.location().and_then(id_from_location)
    }

    /// The body of the stored answer decoded as `T` (empty decodes as `null`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        self.reply.json()
    }

    /// The task's failure as an [`Error`] (a NetSuite error parsed from the stored answer), or
    /// `Ok(())` for a successful task.
    pub fn check(&self) -> Result<()> {
        if self.is_success() {
            Ok(())
        } else {
            Err(self.reply.error())
        }
    }
}

/// The state of a job (`GET …/async/v1/job/{id}`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobStatus {
    /// The job id.
    pub id: String,
    /// `true` once every task finished (succeeded or failed).
    pub completed: bool,
    /// NetSuite's `progress`: `pending`, `succeeded`, `failed`, … (as sent).
    pub progress: String,
}

impl JobStatus {
    /// `true` when the job completed and NetSuite reports it failed.
    pub fn failed(&self) -> bool {
        self.completed && self.progress.eq_ignore_ascii_case("failed")
    }
}

/// An async write being prepared: finish with [`AsyncWrite::send`] (submit and wait for the outcome)
/// or [`AsyncWrite::submit`] (submit only, returning the [`Job`]).
///
/// The idempotency key is fixed when this is built ([`new_idempotency_key`] unless
/// [`AsyncWrite::idempotency_key`] gives one) and sent on every attempt: a reply lost on the way back
/// is resent with the same key and resolves to the original job, never a second write. Store
/// [`AsyncWrite::key`] before sending to be able to resume after a restart: build the same write with
/// the same key and send it again.
#[must_use = "requests do nothing until `.send().await` or `.submit().await`"]
pub struct AsyncWrite<T> {
    client: Client,
    call: Result<Call>,
    key: Result<String>,
    polling: JobPolling,
    _t: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for AsyncWrite<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self
            .call
            .as_ref()
            .ok()
            .map(|c| format!("{} {}", c.method, c.url.path()));
        f.debug_struct("AsyncWrite")
            .field("call", &call)
            .field("key", &self.key.as_ref().ok())
            .field("polling", &self.polling)
            .finish()
    }
}

impl AsyncWrite<Vec<TaskResult>> {
    pub(crate) fn from_raw(raw: RawRequest) -> Self {
        let (client, call) = raw.into_call(true);
        AsyncWrite::new(client, call)
    }
}

impl<T: JobOutput> AsyncWrite<T> {
    pub(crate) fn new(client: Client, call: Result<Call>) -> Self {
        AsyncWrite {
            client,
            call,
            key: Ok(new_idempotency_key()),
            polling: JobPolling::default(),
            _t: PhantomData,
        }
    }

    /// Uses this idempotency key (a UUID) instead of a fresh one: to resume a write whose outcome
    /// was lost (the same request with the same key resolves to the original job).
    pub fn idempotency_key(mut self, key: impl AsRef<str>) -> Self {
        self.key = check_key(key.as_ref().trim());
        self
    }

    /// The idempotency key this write is sent with (empty if the given one was invalid).
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or("")
    }

    /// How the job is polled by [`AsyncWrite::send`].
    pub fn polling(mut self, polling: JobPolling) -> Self {
        self.polling = polling;
        self
    }

    /// Submits the write: `Prefer: respond-async` with the idempotency key. Returns the [`Job`]
    /// (the original one when this key was used before). An answer that is not async (a server that
    /// ignored `Prefer`) is the job's immediate result.
    pub async fn submit(self) -> Result<Job<T>> {
        let key = self.key?;
        let mut call = self.call?;
        call.headers.push((
            HeaderName::from_static("prefer"),
            HeaderValue::from_static("respond-async"),
        ));
        let key_value = HeaderValue::from_str(&key)
            .map_err(|_| Error::invalid("idempotency_key", "not a header value"))?;
        call.headers
            .push((HeaderName::from_static(IDEMPOTENCY_KEY_HEADER), key_value));
        call.effect =
            Effect::of_request(call.method.as_str(), &call.url, call.body.as_deref(), true);
        call.accept = Some(is_idempotency_conflict);
        let reply = self.client.execute(call).await?;
        let mut job = Job {
            client: self.client,
            id: String::new(),
            key: Some(key),
            polling: self.polling,
            finished: None,
            _t: PhantomData,
        };
        if reply.status == 202 || reply.status == 400 {
            // 202 Accepted, or IDEMPOTENCY_ERROR: this key's original job.
            let location = reply.header_str("location").ok_or_else(|| {
                reply.unexpected("an async answer without the Location of its job")
            })?;
            job.id = job_id_from_location(location).ok_or_else(|| {
                reply.unexpected(format!("cannot read a job id from Location {location:?}"))
            })?;
        } else {
            // Answered synchronously: that answer is the outcome.
            job.finished = Some(vec![TaskResult {
                task_id: String::new(),
                reply,
            }]);
        }
        Ok(job)
    }

    /// Submits the write and waits for its outcome (see [`Job::wait`]).
    pub async fn send(self) -> Result<T> {
        self.submit().await?.wait().await
    }
}

/// `400 IDEMPOTENCY_ERROR` with a `Location`: the key's original job, read by `submit`.
pub(crate) fn is_idempotency_conflict(reply: &Reply) -> bool {
    reply.status == 400
        && reply.header_str("location").is_some()
        && reply.error().codes().contains(&"IDEMPOTENCY_ERROR")
}

/// A stored task answer: any 4xx but 401 (authorization) and 429 (the limit), which concern the
/// result request itself.
fn is_task_answer(reply: &Reply) -> bool {
    (400..500).contains(&reply.status) && !matches!(reply.status, 401 | 429)
}

/// The job id in `…/async/v1/job/{id}` (absolute or not).
fn job_id_from_location(location: &str) -> Option<String> {
    let path = location.split(['?', '#']).next()?;
    let (_, rest) = path.rsplit_once("/job/")?;
    let id = rest.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
}

/// An async job: poll it ([`Job::status`]) or wait for its outcome ([`Job::wait`]). From
/// [`AsyncWrite::submit`], or resumed from its id with [`Client::job`].
pub struct Job<T> {
    client: Client,
    id: String,
    key: Option<String>,
    polling: JobPolling,
    /// The outcome when the write was answered synchronously.
    finished: Option<Vec<TaskResult>>,
    _t: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("polling", &self.polling)
            .field("answered_synchronously", &self.finished.is_some())
            .finish()
    }
}

impl Client {
    /// The async job `id` (the last segment of the `Location` an async write answered), to wait for
    /// its outcome again — after a restart, say. `T` is what the synchronous call returns
    /// ([`JobOutput`]).
    pub fn job<T: JobOutput>(&self, id: impl Into<String>) -> Job<T> {
        Job {
            client: self.clone(),
            id: id.into(),
            key: None,
            polling: JobPolling::default(),
            finished: None,
            _t: PhantomData,
        }
    }
}

impl<T: JobOutput> Job<T> {
    /// The job id (empty when the write was answered synchronously).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The idempotency key the job was submitted with, when known.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// How [`Job::wait`] polls.
    pub fn polling(mut self, polling: JobPolling) -> Self {
        self.polling = polling;
        self
    }

    fn job_url(&self, rest: &str) -> Result<url::Url> {
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::invalid(
                "job_id",
                format!("{:?} is not a job id", self.id),
            ));
        }
        self.client
            .rest_url(&format!("{ASYNC_JOB_PATH}/{}{rest}", self.id))
    }

    /// `GET …/job/{id}`: the job's state now.
    pub async fn status(&self) -> Result<JobStatus> {
        if self.finished.is_some() {
            return Ok(JobStatus {
                id: self.id.clone(),
                completed: true,
                progress: "succeeded".into(),
            });
        }
        let url = self.job_url("")?;
        let reply = self.client.execute(Call::new(Method::GET, url)).await?;
        let doc: serde_json::Value = reply.json()?;
        let completed = match doc.get("completed") {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => return Err(reply.unexpected("the job has no `completed` flag")),
        };
        let progress = doc
            .get("progress")
            .and_then(|p| p.as_str())
            .unwrap_or(if completed { "succeeded" } else { "pending" })
            .to_owned();
        Ok(JobStatus {
            id: self.id.clone(),
            completed,
            progress,
        })
    }

    /// Polls (per [`JobPolling`]) until the job completed, then reads its task results as `T`.
    /// A failed task is its NetSuite error; a job still pending after the polling timeout is an
    /// [`ErrorKind::Job`] error (the job itself keeps running: wait again with [`Client::job`]).
    pub async fn wait(self) -> Result<T> {
        if let Some(tasks) = self.finished {
            return T::from_tasks(&self.id, tasks);
        }
        let started = Instant::now();
        let mut delay = self.polling.initial;
        loop {
            let status = self.status().await?;
            if status.completed {
                break;
            }
            if started.elapsed() >= self.polling.timeout {
                return Err(job_error(
                    &self.id,
                    format!(
                        "still {} after {:?}; it keeps running on NetSuite: wait for it again with \
                         Client::job",
                        status.progress,
                        started.elapsed()
                    ),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.polling.max);
        }
        let tasks = self.task_results().await?;
        T::from_tasks(&self.id, tasks)
    }

    /// `GET …/job/{id}/task` and each task's `…/result`, in task order.
    pub async fn task_results(&self) -> Result<Vec<TaskResult>> {
        let url = self.job_url("/task")?;
        let reply = self.client.execute(Call::new(Method::GET, url)).await?;
        let doc: serde_json::Value = reply.json()?;
        let items = doc
            .get("items")
            .and_then(|i| i.as_array())
            .ok_or_else(|| reply.unexpected("the task list has no `items`"))?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let id = task_id(item)
                .ok_or_else(|| reply.unexpected("a task without an id or self link"))?;
            ids.push(id);
        }
        let width = self.client.concurrency().max(1);
        stream::iter(ids)
            .map(|task_id| async move {
                let url = self.job_url(&format!("/task/{task_id}/result"))?;
                let mut call = Call::new(Method::GET, url);
                call.accept = Some(is_task_answer);
                let reply = self.client.execute(call).await?;
                Ok::<_, Error>(TaskResult { task_id, reply })
            })
            .buffered(width)
            .try_collect()
            .await
    }
}

/// A task's id: its `id`, else the last segment of its `self` link.
fn task_id(item: &serde_json::Value) -> Option<String> {
    let id = match item.get("id") {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => item
            .get("links")
            .and_then(|l| l.as_array())
            .and_then(|links| {
                links
                    .iter()
                    .find(|l| l.get("rel").and_then(|r| r.as_str()) == Some("self"))
            })
            .and_then(|l| l.get("href"))
            .and_then(|h| h.as_str())
            .and_then(|h| {
                h.split(['?', '#'])
                    .next()?
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .map(str::to_owned)
            }),
    }?;
    (!id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_v4_uuids() {
        for _ in 0..100 {
            let k = new_idempotency_key();
            assert_eq!(check_key(&k).unwrap(), k);
            assert_eq!(&k[14..15], "4", "{k}");
            assert!(matches!(&k[19..20], "8" | "9" | "a" | "b"), "{k}");
        }
        assert!(check_key("0F8FAD5B-D9CB-469F-A165-70867728950E").is_ok());
        for bad in [
            "",
            "x",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5bd9cb469fa16570867728950e",
        ] {
            let e = check_key(bad).unwrap_err();
            assert!(e.to_string().contains("not a UUID"), "{e}");
        }
    }

    #[test]
    fn job_ids_from_locations() {
        assert_eq!(
            job_id_from_location("https://h/services/rest/async/v1/job/42").as_deref(),
            Some("42")
        );
        assert_eq!(
            job_id_from_location("/services/rest/async/v1/job/ab-1/").as_deref(),
            Some("ab-1")
        );
        assert_eq!(
            job_id_from_location("/services/rest/record/v1/customer/1"),
            None
        );
        assert_eq!(job_id_from_location("/x/job/1/task"), None);
    }

    #[test]
    fn task_ids() {
        let t = |v: serde_json::Value| task_id(&v);
        assert_eq!(t(serde_json::json!({"id": "7"})).as_deref(), Some("7"));
        assert_eq!(t(serde_json::json!({"id": 8})).as_deref(), Some("8"));
        let linked = serde_json::json!({"links": [{"rel": "self", "href": "http://h/services/rest/async/v1/job/1/task/9"}]});
        assert_eq!(t(linked).as_deref(), Some("9"));
        assert_eq!(t(serde_json::json!({"id": "../x"})), None);
        assert_eq!(t(serde_json::json!({})), None);
    }
}
