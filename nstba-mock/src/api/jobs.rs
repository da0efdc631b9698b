//! Asynchronous requests (`Prefer: respond-async`), batches on a collection URL, idempotency keys,
//! and the job API `/services/rest/async/v1/job/…`.
//!
//! An asynchronous request is answered `202 Accepted` at once with `Location: …/async/v1/job/<id>`;
//! its work (one task, or one task per item of a batch) runs in the background after the configured
//! delay (so `pending` can be observed), on a blocking thread, through the same handlers as the
//! synchronous request. Each task keeps the response the synchronous call would have given, which
//! `…/task/<tid>/result` returns.
//!
//! An `X-NetSuite-Idempotency-Key` (a UUID v4) on an asynchronous request is remembered with its job:
//! a second request with the same key (same account) runs nothing and is answered `400
//! IDEMPOTENCY_ERROR` with `Location` = the first job. Jobs and keys live in memory, at most
//! [`JobConfig::retention`] jobs: beyond that the oldest job is forgotten together with its key.

use super::problem::{self, json_response, Problem, Resp, COLLECTION, SINGULAR};
use super::{records, Ctx, Handler};
use bytes::Bytes;
use futures_util::FutureExt as _;
use http_body_util::BodyExt as _;
use hyper::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use hyper::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The job API's path prefix.
pub(crate) const JOB_PREFIX: &str = "/services/rest/async/v1/job";
/// The idempotency header.
pub(crate) const IDEMPOTENCY_KEY: &str = "x-netsuite-idempotency-key";
/// The most items one batch may carry.
pub(crate) const MAX_BATCH: usize = 100;

/// How jobs run and how many are remembered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobConfig {
    /// How long a job stays `pending` before its tasks run.
    pub delay: Duration,
    /// The most jobs (with their idempotency keys) kept; the oldest is forgotten first.
    pub retention: usize,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            delay: Duration::from_millis(20),
            retention: 10_000,
        }
    }
}

/// A task's response, as the synchronous request would have answered.
#[derive(Debug, Clone)]
struct Outcome {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

impl Outcome {
    fn of(resp: Resp) -> Outcome {
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header(LOCATION);
        let content_type = header(CONTENT_TYPE);
        // A `Full` body is ready at once.
        let body = resp
            .into_body()
            .collect()
            .now_or_never()
            .and_then(Result::ok)
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        Outcome {
            status,
            location,
            content_type,
            body,
        }
    }

    fn succeeded(&self) -> bool {
        self.status < 400
    }
}

struct Job {
    account: String,
    key: Option<String>,
    /// One entry per task; `None` until the task has run.
    tasks: Vec<Option<Outcome>>,
}

impl Job {
    fn completed(&self) -> bool {
        self.tasks.iter().all(Option::is_some)
    }

    /// `pending` until every task ran; then `succeeded` if every task did, else `failed`.
    fn progress(&self) -> &'static str {
        if !self.completed() {
            "pending"
        } else if self.tasks.iter().flatten().all(Outcome::succeeded) {
            "succeeded"
        } else {
            "failed"
        }
    }
}

#[derive(Default)]
struct JobsInner {
    next: u64,
    jobs: HashMap<u64, Job>,
    /// Job ids, oldest first.
    order: VecDeque<u64>,
    /// (account, idempotency key) → job id.
    keys: HashMap<(String, String), u64>,
}

/// Every job of the server, bounded by [`JobConfig::retention`].
pub(crate) struct Jobs {
    config: JobConfig,
    inner: Mutex<JobsInner>,
}

impl Jobs {
    pub fn new(config: JobConfig) -> Jobs {
        Jobs {
            config: JobConfig {
                retention: config.retention.max(1),
                ..config
            },
            inner: Mutex::new(JobsInner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, JobsInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a job of `tasks` tasks; with a key already used by the account, the job that key
    /// submitted instead (`Err`). Check and registration are one step, so a key runs at most once.
    fn submit(&self, account: &str, key: Option<&str>, tasks: usize) -> Result<u64, u64> {
        let mut inner = self.lock();
        if let Some(key) = key {
            if let Some(&id) = inner.keys.get(&(account.to_owned(), key.to_owned())) {
                return Err(id);
            }
        }
        while inner.order.len() >= self.config.retention {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(job) = inner.jobs.remove(&old) {
                if let Some(k) = job.key {
                    inner.keys.remove(&(job.account, k));
                }
            }
        }
        inner.next += 1;
        let id = inner.next;
        if let Some(key) = key {
            inner.keys.insert((account.to_owned(), key.to_owned()), id);
        }
        inner.jobs.insert(
            id,
            Job {
                account: account.to_owned(),
                key: key.map(str::to_owned),
                tasks: vec![None; tasks],
            },
        );
        inner.order.push_back(id);
        Ok(id)
    }

    fn finish(&self, job: u64, task: usize, outcome: Outcome) {
        if let Some(slot) = self
            .lock()
            .jobs
            .get_mut(&job)
            .and_then(|j| j.tasks.get_mut(task))
        {
            *slot = Some(outcome);
        }
    }

    /// How many jobs are remembered.
    pub fn len(&self) -> usize {
        self.lock().jobs.len()
    }
}

/// Whether the `Prefer` values ask for asynchronous processing.
fn prefers_async(prefer: &str) -> bool {
    prefer.split(',').any(|p| {
        p.split(';')
            .next()
            .is_some_and(|token| token.trim().eq_ignore_ascii_case("respond-async"))
    })
}

/// Whether `s` is a UUID version 4 (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`, any hex case).
pub(crate) fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && b[14] == b'4'
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

fn is_collection_content(ctx: &Ctx) -> bool {
    ctx.header("content-type").is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.starts_with("application/vnd.oracle.resource+json")
            && ct
                .split(';')
                .any(|p| p.trim().replace(' ', "") == "type=collection")
    })
}

/// Whether the request is a write on a record collection URL (`/record/v1/{type}`): a batch.
fn is_batch(ctx: &Ctx) -> bool {
    let collection = matches!(ctx.path_params.as_slice(), [("type", _)]);
    collection
        && match ctx.method.as_str() {
            "POST" => is_collection_content(ctx),
            "PATCH" | "PUT" | "DELETE" => true,
            _ => false,
        }
}

/// `PATCH`/`PUT`/`DELETE` on a collection URL: only a batch, which [`dispatch`] runs as a job; sent
/// synchronously, the batch is refused.
pub(crate) fn batch_only(_ctx: &Ctx) -> Resp {
    batch_needs_async()
}

fn batch_needs_async() -> Resp {
    Problem::new(
        400,
        "INVALID_REQUEST",
        "A batch request on a collection URL must be sent with the header Prefer: respond-async.",
    )
    .into_response()
}

/// Runs a request: synchronously, or — asked with `Prefer: respond-async` on a request that may run
/// asynchronously — as a job answered `202`.
pub(crate) fn dispatch(handler: Handler, may_run_async: bool, ctx: &Ctx) -> Resp {
    if !may_run_async {
        return handler(ctx);
    }
    let batch = is_batch(ctx);
    if !prefers_async(&ctx.prefer) {
        if batch {
            return batch_needs_async();
        }
        return handler(ctx);
    }
    submit(handler, batch, ctx)
}

/// Registers the job (or answers why not) and starts it.
fn submit(handler: Handler, batch: bool, ctx: &Ctx) -> Resp {
    let key = match ctx.header(IDEMPOTENCY_KEY).map(str::trim) {
        Some(k) if is_uuid_v4(k) => Some(k.to_ascii_lowercase()),
        Some(k) => {
            return Problem::new(
                400,
                "INVALID_PARAMETER",
                format!(
                    "Invalid idempotency key '{}' in X-NetSuite-Idempotency-Key: a UUID version 4 is required.",
                    k.escape_debug()
                ),
            )
            .into_response()
        }
        None if ctx.headers.contains_key(IDEMPOTENCY_KEY) => {
            return Problem::new(
                400,
                "INVALID_PARAMETER",
                "Invalid idempotency key in X-NetSuite-Idempotency-Key: a UUID version 4 is required.",
            )
            .into_response()
        }
        None => None,
    };
    let tasks = if batch {
        match batch_tasks(ctx) {
            Ok(tasks) => tasks,
            Err(p) => return p.into_response(),
        }
    } else {
        vec![(handler, ctx.clone())]
    };
    let jobs = &ctx.app.jobs;
    let id = match jobs.submit(&ctx.caller.account, key.as_deref(), tasks.len()) {
        Ok(id) => id,
        Err(original) => {
            let mut resp = Problem::new(
                400,
                "IDEMPOTENCY_ERROR",
                "A request with the same idempotency key is already submitted.",
            )
            .into_response();
            set_header(&mut resp, LOCATION, &job_href(ctx, original));
            return resp;
        }
    };
    run(ctx.app.clone(), id, tasks);
    let mut resp = problem::no_content(Some(&job_href(ctx, id)));
    *resp.status_mut() = StatusCode::ACCEPTED;
    set_header(
        &mut resp,
        hyper::header::HeaderName::from_static("preference-applied"),
        "respond-async",
    );
    resp
}

fn set_header(resp: &mut Resp, name: hyper::header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

/// Runs the tasks in order, in the background after the configured delay (inline without a runtime).
fn run(app: Arc<super::App>, job: u64, tasks: Vec<(Handler, Ctx)>) {
    let delay = app.jobs.config.delay;
    let work = move || {
        for (i, (handler, ctx)) in tasks.into_iter().enumerate() {
            let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&ctx)))
                .unwrap_or_else(|_| {
                    Problem::new(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")
                        .into_response()
                });
            app.jobs.finish(job, i, Outcome::of(resp));
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let _ = tokio::task::spawn_blocking(work).await;
            });
        }
        Err(_) => work(),
    }
}

/// One task per item of a batch: its own request on the record (or the collection, for creates).
fn batch_tasks(ctx: &Ctx) -> Result<Vec<(Handler, Ctx)>, Problem> {
    if !is_collection_content(ctx) {
        return Err(Problem::invalid_content(
            "A batch request needs Content-Type: application/vnd.oracle.resource+json; type=collection.",
        ));
    }
    let items = match serde_json::from_slice::<Value>(&ctx.body) {
        Ok(Value::Object(mut o)) => match o.remove("items") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(Problem::invalid_content(
                    "Invalid content in the request body: a batch is {\"items\": [...]}.",
                ))
            }
        },
        Ok(_) => {
            return Err(Problem::invalid_content(
                "Invalid content in the request body: a batch is {\"items\": [...]}.",
            ))
        }
        Err(e) => {
            return Err(Problem::invalid_content(format!(
                "Invalid content in the request body: the JSON is malformed ({e})."
            )))
        }
    };
    if items.is_empty() {
        return Err(Problem::invalid_content(
            "Invalid content in the request body: the batch has no items.",
        ));
    }
    if items.len() > MAX_BATCH {
        return Err(Problem::invalid_content(format!(
            "A batch may carry at most {MAX_BATCH} records; this one has {}.",
            items.len()
        )));
    }
    let ty = ctx.segment("type").to_owned();
    let mut tasks = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(mut item) = item else {
            return Err(Problem::invalid_content(format!(
                "Invalid content in the request body: item {i} is not a JSON object."
            ))
            .at(&format!("items[{i}]")));
        };
        let mut task = ctx.clone();
        let (handler, id): (Handler, Option<String>) = match ctx.method.as_str() {
            "POST" => (records::create, None),
            "PATCH" => (records::patch, Some(locator(&mut item, i, true)?)),
            "PUT" => {
                let eid = item.get("externalId").and_then(scalar).ok_or_else(|| {
                    Problem::invalid_content(format!(
                        "Item {i} of a PUT (upsert) batch needs an externalId."
                    ))
                    .at(&format!("items[{i}].externalId"))
                })?;
                (records::put, Some(format!("eid:{eid}")))
            }
            _ => (records::delete, Some(locator(&mut item, i, false)?)),
        };
        if let Some(id) = id {
            task.path = format!("{}/{id}", ctx.path.trim_end_matches('/'));
            task.path_params = vec![("type", ty.clone()), ("id", id)];
        }
        task.body = Bytes::from(serde_json::to_vec(&Value::Object(item)).unwrap_or_default());
        tasks.push((handler, task));
    }
    Ok(tasks)
}

/// The record an item of a PATCH / DELETE batch names: its `id` (internal, or `eid:…`), else its
/// `externalId`. The `id` is taken out of a PATCH body.
fn locator(item: &mut Map<String, Value>, i: usize, take: bool) -> Result<String, Problem> {
    let id = if take {
        item.remove("id")
    } else {
        item.get("id").cloned()
    };
    if let Some(id) = id.as_ref().and_then(scalar) {
        return Ok(id);
    }
    if let Some(eid) = item.get("externalId").and_then(scalar) {
        return Ok(format!("eid:{eid}"));
    }
    Err(Problem::invalid_content(format!(
        "Item {i} of the batch needs an id or an externalId."
    ))
    .at(&format!("items[{i}].id")))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn job_href(ctx: &Ctx, id: u64) -> String {
    format!("{}{JOB_PREFIX}/{id}", ctx.base)
}

fn links(href: &str) -> Value {
    json!([{"rel": "self", "href": href}])
}

/// Runs `f` on the caller's job named by the `{job}` segment (404 for another account's job or a
/// forgotten one).
fn with_job(ctx: &Ctx, f: impl FnOnce(u64, &Job) -> Result<Resp, Problem>) -> Resp {
    let seg = ctx.segment("job");
    let missing = || Problem::not_found(format!("The job '{seg}' does not exist."));
    let result = seg.parse::<u64>().map_err(|_| missing()).and_then(|id| {
        let inner = ctx.app.jobs.lock();
        match inner.jobs.get(&id) {
            Some(job) if job.account == ctx.caller.account => f(id, job),
            _ => Err(missing()),
        }
    });
    result.unwrap_or_else(Problem::into_response)
}

fn task_index(ctx: &Ctx, job: &Job) -> Result<usize, Problem> {
    let seg = ctx.segment("task");
    seg.parse::<usize>()
        .ok()
        .filter(|n| (1..=job.tasks.len()).contains(n))
        .map(|n| n - 1)
        .ok_or_else(|| Problem::not_found(format!("The task '{seg}' does not exist.")))
}

/// `GET /async/v1/job/{job}`: `{links, completed, id, progress, task: {links}}`.
pub(crate) fn job(ctx: &Ctx) -> Resp {
    with_job(ctx, |id, job| {
        let href = job_href(ctx, id);
        let body = json!({
            "links": links(&href),
            "completed": job.completed(),
            "id": id.to_string(),
            "progress": job.progress(),
            "task": {"links": links(&format!("{href}/task"))},
        });
        Ok(json_response(StatusCode::OK, &body, SINGULAR))
    })
}

/// `GET /async/v1/job/{job}/task`: the tasks, one per request (a batch: one per item, in order).
pub(crate) fn tasks(ctx: &Ctx) -> Resp {
    with_job(ctx, |id, job| {
        let href = format!("{}/task", job_href(ctx, id));
        let items: Vec<Value> = (1..=job.tasks.len())
            .map(|n| json!({"links": links(&format!("{href}/{n}")), "id": n.to_string()}))
            .collect();
        let n = items.len();
        let body = json!({"links": links(&href), "count": n, "hasMore": false, "items": items,
                          "offset": 0, "totalResults": n});
        Ok(json_response(StatusCode::OK, &body, COLLECTION))
    })
}

/// `GET /async/v1/job/{job}/task/{task}`: `{links, completed, id, progress, result: {links}}`.
pub(crate) fn task(ctx: &Ctx) -> Resp {
    with_job(ctx, |id, job| {
        let i = task_index(ctx, job)?;
        let href = format!("{}/task/{}", job_href(ctx, id), i + 1);
        let outcome = job.tasks[i].as_ref();
        let progress = match outcome {
            None => "pending",
            Some(o) if o.succeeded() => "succeeded",
            Some(_) => "failed",
        };
        let body = json!({
            "links": links(&href),
            "completed": outcome.is_some(),
            "id": (i + 1).to_string(),
            "progress": progress,
            "result": {"links": links(&format!("{href}/result"))},
        });
        Ok(json_response(StatusCode::OK, &body, SINGULAR))
    })
}

/// `GET /async/v1/job/{job}/task/{task}/result`: the task's response as the synchronous request
/// would have answered (status, `Location`, `Content-Type`, body); 404 while it has not run.
pub(crate) fn result(ctx: &Ctx) -> Resp {
    with_job(ctx, |_, job| {
        let i = task_index(ctx, job)?;
        let Some(outcome) = &job.tasks[i] else {
            return Err(Problem::not_found(format!(
                "The task '{}' has not completed yet: its result is not available.",
                i + 1
            )));
        };
        let mut resp = problem::no_content(outcome.location.as_deref());
        *resp.status_mut() = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::OK);
        *resp.body_mut() = http_body_util::Full::new(outcome.body.clone());
        if let Some(ct) = &outcome.content_type {
            set_header(&mut resp, CONTENT_TYPE, ct);
        }
        Ok(resp)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respond_async_among_other_preferences() {
        assert!(prefers_async("respond-async"));
        assert!(prefers_async("transient, Respond-Async"));
        assert!(prefers_async("respond-async; wait=10"));
        assert!(!prefers_async("transient"));
        assert!(!prefers_async("respond-asynchronously"));
        assert!(!prefers_async(""));
    }

    #[test]
    fn uuid_v4_only() {
        assert!(is_uuid_v4("1b4e28ba-2fa1-41d2-883f-0016d3cca427"));
        assert!(is_uuid_v4("1B4E28BA-2FA1-41D2-A83F-0016D3CCA427"));
        // Version 1, a bad variant, too short, not hex, no dashes.
        assert!(!is_uuid_v4("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
        assert!(!is_uuid_v4("1b4e28ba-2fa1-41d2-c83f-0016d3cca427"));
        assert!(!is_uuid_v4("1b4e28ba-2fa1-41d2-883f-0016d3cca42"));
        assert!(!is_uuid_v4("1b4e28ba-2fa1-41d2-883f-0016d3cca42g"));
        assert!(!is_uuid_v4("1b4e28ba2fa141d2883f0016d3cca4270000"));
        assert!(!is_uuid_v4("not-a-key"));
    }

    #[test]
    fn retention_forgets_the_oldest_job_and_its_key() {
        let jobs = Jobs::new(JobConfig {
            delay: Duration::ZERO,
            retention: 2,
        });
        let a = jobs.submit("ACME", Some("k1"), 1).unwrap();
        assert_eq!(jobs.submit("ACME", Some("k1"), 1), Err(a));
        // Another account may use the same key.
        let b = jobs.submit("OTHER", Some("k1"), 1).unwrap();
        let _c = jobs.submit("ACME", Some("k2"), 1).unwrap();
        assert_eq!(jobs.len(), 2);
        // `a` was forgotten with its key; `b` is still there.
        assert!(jobs.submit("ACME", Some("k1"), 1).is_ok());
        assert!(!jobs.lock().jobs.contains_key(&a));
        assert_eq!(jobs.lock().keys.len(), 2);
        let _ = b;
    }
}
