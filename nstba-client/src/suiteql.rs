//! SuiteQL: `POST /services/rest/query/v1/suiteql?limit=…&offset=…` as a lazy stream of typed rows.
//!
//! The first page gives `totalResults`; the remaining pages are then fetched concurrently (each one a
//! request through the client's limiter) and yielded in order. At most `prefetch` pages are requested
//! or waiting ahead of the consumer, so memory stays flat however many rows the query has.

use crate::client::{decode, Call, Client};
use crate::error::{Error, ErrorKind, Result};
use crate::records::{push_param, MAX_PAGE_SIZE};
use crate::retry::Effect;
use bytes::Bytes;
use futures_util::Stream;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;

/// The SuiteQL endpoint path.
pub const SUITEQL_PATH: &str = "/services/rest/query/v1/suiteql";

/// The most rows offset paging reaches; past it, use [`SuiteQl::keyset`].
pub const SUITEQL_ROW_CAP: u64 = 100_000;

impl Client {
    /// A SuiteQL query whose rows decode as `T` (column keys are lower-case; use
    /// `serde_json::Value` for untyped rows and the [`crate::values`] helpers for NetSuite's strings).
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// use futures_util::TryStreamExt;
    /// #[derive(serde::Deserialize)]
    /// struct Row {
    ///     #[serde(with = "nstba_client::values::number_string")]
    ///     id: u64,
    ///     companyname: Option<String>,
    /// }
    /// let rows: Vec<Row> = client
    ///     .suiteql("SELECT id, companyname FROM customer ORDER BY id")
    ///     .page_size(1000)
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// # let _ = rows; Ok(()) }
    /// ```
    pub fn suiteql<T: DeserializeOwned + Send + 'static>(
        &self,
        query: impl Into<String>,
    ) -> SuiteQl<T> {
        SuiteQl {
            client: self.clone(),
            query: query.into(),
            page_size: MAX_PAGE_SIZE,
            keyset: None,
            prefetch: None,
            _t: PhantomData,
        }
    }
}

/// A SuiteQL query. Configure, then take [`SuiteQl::stream`] (rows) or [`SuiteQl::pages`].
#[must_use = "queries do nothing until streamed"]
pub struct SuiteQl<T> {
    client: Client,
    query: String,
    page_size: u32,
    keyset: Option<String>,
    prefetch: Option<usize>,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for SuiteQl<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiteQl")
            .field("query", &self.query)
            .field("page_size", &self.page_size)
            .field("keyset", &self.keyset)
            .field("prefetch", &self.prefetch)
            .finish()
    }
}

impl<T: DeserializeOwned + Send + 'static> SuiteQl<T> {
    /// Rows per page, 1..=1000 (default 1000).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n;
        self
    }

    /// Continue past the 100 000-row cap by keyset: the query must `ORDER BY` this unique column
    /// (ascending); each further chunk runs `SELECT * FROM (<query>) WHERE <column> > <last> ORDER BY
    /// <column>`.
    pub fn keyset(mut self, column: impl Into<String>) -> Self {
        self.keyset = Some(column.into());
        self
    }

    /// How many pages may be requested or buffered ahead of the consumer (default: the client's
    /// concurrency). `1` pages sequentially. Memory is bounded by `prefetch + 1` pages.
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = Some(pages.max(1));
        self
    }

    /// A lazy stream of pages, in order.
    pub fn pages(self) -> SuiteQlPages<T> {
        let prefetch = self.prefetch.unwrap_or(self.client.concurrency()).max(1);
        let invalid = if self.page_size == 0 || self.page_size > MAX_PAGE_SIZE {
            Some(Error::invalid(
                "page_size",
                format!("{} is not in 1..=1000", self.page_size),
            ))
        } else if self.query.trim().is_empty() {
            Some(Error::invalid("query", "the SuiteQL query is empty"))
        } else if let Some(col) = &self.keyset {
            (col.is_empty()
                || !col
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .then(|| Error::invalid("keyset", format!("{col:?} is not a column name")))
        } else {
            None
        };
        SuiteQlPages {
            shared: Arc::new(Shared {
                client: self.client,
                page_size: self.page_size,
                keyset: self.keyset.map(|k| k.to_ascii_lowercase()),
                stats: Stats::default(),
            }),
            base_query: self.query,
            prefetch,
            current_body: Bytes::new(),
            state: match invalid {
                Some(e) => State::Failed(Some(e)),
                None => State::NotStarted,
            },
            _t: PhantomData,
        }
    }

    /// A lazy stream of rows, in order.
    pub fn stream(self) -> SuiteQlRows<T> {
        SuiteQlRows {
            pages: self.pages(),
            current: None,
        }
    }

    /// Every row, collected (convenience for small results).
    pub async fn all(self) -> Result<Vec<T>> {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }
}

/// One SuiteQL page.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SuiteQlPage<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Offset of this page within its chunk (chunks restart at 0 after a keyset continuation).
    pub offset: u64,
    /// `totalResults` of the chunk.
    pub total_results: u64,
    /// Whether NetSuite reported more rows after this page.
    pub has_more: bool,
}

#[derive(Debug, Default)]
struct Stats {
    pages_fetched: AtomicU64,
    requests: AtomicU64,
    buffered: AtomicUsize,
    max_buffered: AtomicUsize,
}

impl Stats {
    fn page_arrived(&self) {
        let now = self.buffered.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_buffered.fetch_max(now, Ordering::SeqCst);
        self.pages_fetched.fetch_add(1, Ordering::Relaxed);
    }
    fn page_consumed(&self) {
        self.buffered.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Shared {
    client: Client,
    page_size: u32,
    keyset: Option<String>,
    stats: Stats,
}

#[derive(Serialize)]
struct QueryBody<'a> {
    q: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<R> {
    #[serde(default = "Vec::new")]
    items: Vec<R>,
    #[serde(default)]
    total_results: Option<u64>,
    #[serde(default)]
    has_more: bool,
}

struct Fetched<T> {
    page: SuiteQlPage<T>,
    last_key: Option<String>,
}

/// Fetches and decodes one page (runs inside a spawned task).
async fn fetch_page<T: DeserializeOwned>(
    shared: Arc<Shared>,
    body: Bytes,
    limit: u32,
    offset: u64,
) -> Result<Fetched<T>> {
    let mut q = String::new();
    push_param(&mut q, "limit", &limit.to_string());
    push_param(&mut q, "offset", &offset.to_string());
    let url = shared.client.rest_url(&format!("{SUITEQL_PATH}{q}"))?;
    let call = Call::new(Method::POST, url)
        .json_body(body)
        .header(
            HeaderName::from_static("prefer"),
            HeaderValue::from_static("transient"),
        )
        // A query changes nothing: safe to send again whatever happened to an attempt.
        .effect(Effect::Read);
    shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    let reply = shared.client.execute(call).await?;
    let fetched = match &shared.keyset {
        None => {
            let env: Envelope<T> =
                decode(&reply.body).map_err(|(p, m)| reply.decode_error(p, m))?;
            Fetched {
                page: SuiteQlPage {
                    total_results: env.total_results.unwrap_or(env.items.len() as u64 + offset),
                    items: env.items,
                    offset,
                    has_more: env.has_more,
                },
                last_key: None,
            }
        }
        Some(column) => {
            let env: Envelope<serde_json::Value> =
                decode(&reply.body).map_err(|(p, m)| reply.decode_error(p, m))?;
            let last_key = env
                .items
                .last()
                .and_then(|row| row.get(column.as_str()))
                .and_then(key_literal);
            let mut items = Vec::with_capacity(env.items.len());
            for (i, row) in env.items.into_iter().enumerate() {
                let row: T = match T::deserialize(&row) {
                    Ok(row) => row,
                    Err(_) => serde_path_to_error::deserialize(row).map_err(|e| {
                        reply
                            .decode_error(format!("items[{i}].{}", e.path()), e.inner().to_string())
                    })?,
                };
                items.push(row);
            }
            Fetched {
                page: SuiteQlPage {
                    total_results: env.total_results.unwrap_or(items.len() as u64 + offset),
                    items,
                    offset,
                    has_more: env.has_more,
                },
                last_key,
            }
        }
    };
    shared.stats.page_arrived();
    Ok(fetched)
}

/// A SuiteQL literal for a keyset value: integers bare, anything else single-quoted.
fn key_literal(v: &serde_json::Value) -> Option<String> {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let numeric = !s.is_empty()
        && s.strip_prefix('-')
            .unwrap_or(&s)
            .chars()
            .all(|c| c.is_ascii_digit())
        && s != "-";
    Some(if numeric {
        s
    } else {
        format!("'{}'", s.replace('\'', "''"))
    })
}

/// A spawned page fetch; aborted when dropped.
struct Task<T> {
    handle: JoinHandle<Result<Fetched<T>>>,
    /// The offset the task fetches (named in the error when the task fails).
    offset: u64,
}

impl<T> Task<T> {
    /// The task's result; a panic or cancellation becomes [`ErrorKind::PageTaskFailed`].
    fn poll_result(&mut self, cx: &mut Context<'_>) -> Poll<Result<Fetched<T>>> {
        match Pin::new(&mut self.handle).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(result)) => Poll::Ready(result),
            Poll::Ready(Err(e)) => Poll::Ready(Err(task_failed(self.offset, e))),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// The error for a page task that ended without a result.
fn task_failed(offset: u64, e: tokio::task::JoinError) -> Error {
    let (panicked, message) = match e.try_into_panic() {
        Ok(payload) => {
            let message = if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_owned()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "a panic without a message".to_owned()
            };
            (true, message)
        }
        Err(e) => (false, e.to_string()),
    };
    ErrorKind::PageTaskFailed {
        offset,
        panicked,
        message,
    }
    .into()
}

enum State<T> {
    NotStarted,
    /// Waiting for a chunk's first page.
    First(Task<T>),
    /// Remaining pages of a chunk, in order.
    Paging {
        tasks: VecDeque<Task<T>>,
        body: Bytes,
        next_offset: u64,
        end: u64,
        /// Rows beyond this chunk (keyset continuation needed).
        more_after_chunk: bool,
        last_key: Option<String>,
    },
    Failed(Option<Error>),
    Done,
}

/// The lazy page stream of a SuiteQL query (see [`SuiteQl::pages`]). Dropping it cancels pending
/// page requests.
#[must_use = "streams do nothing unless polled"]
pub struct SuiteQlPages<T> {
    shared: Arc<Shared>,
    base_query: String,
    prefetch: usize,
    current_body: Bytes,
    state: State<T>,
    _t: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for SuiteQlPages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiteQlPages")
            .field("prefetch", &self.prefetch)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> SuiteQlPages<T> {
    /// Pages received so far.
    pub fn pages_fetched(&self) -> u64 {
        self.shared.stats.pages_fetched.load(Ordering::Relaxed)
    }

    /// The most pages that were held at once in the read-ahead buffer (received, not yet yielded).
    /// Bounded by the prefetch depth; a row stream holds one more page, the one it is yielding.
    pub fn max_pages_buffered(&self) -> usize {
        self.shared.stats.max_buffered.load(Ordering::SeqCst)
    }

    /// The configured prefetch depth.
    pub fn prefetch_depth(&self) -> usize {
        self.prefetch
    }

    fn body_for(&self, after: Option<&str>) -> Result<Bytes> {
        let query = match (after, &self.shared.keyset) {
            (Some(last), Some(col)) => format!(
                "SELECT * FROM ({}) WHERE {col} > {last} ORDER BY {col}",
                self.base_query.trim().trim_end_matches(';')
            ),
            _ => self.base_query.clone(),
        };
        serde_json::to_vec(&QueryBody { q: &query })
            .map(Bytes::from)
            .map_err(|e| ErrorKind::Encode(e).into())
    }

    fn spawn(&self, body: Bytes, limit: u32, offset: u64) -> Task<T> {
        Task {
            handle: tokio::spawn(fetch_page::<T>(self.shared.clone(), body, limit, offset)),
            offset,
        }
    }

    fn start_chunk(&mut self, after: Option<&str>) {
        if tokio::runtime::Handle::try_current().is_err() {
            self.state = State::Failed(Some(Error::config(
                None,
                "SuiteQL streams must be polled inside a Tokio runtime",
            )));
            return;
        }
        self.state = match self.body_for(after) {
            Ok(body) => {
                let size = self.shared.page_size;
                self.current_body = body.clone();
                State::First(self.spawn(body, size, 0))
            }
            Err(e) => State::Failed(Some(e)),
        };
    }

    /// Tops up the in-flight page requests to `prefetch`.
    fn refill(&mut self) {
        let size = u64::from(self.shared.page_size);
        let prefetch = self.prefetch;
        let mut spawns = Vec::new();
        if let State::Paging {
            tasks,
            body,
            next_offset,
            end,
            ..
        } = &mut self.state
        {
            while tasks.len() + spawns.len() < prefetch && *next_offset < *end {
                spawns.push((body.clone(), *next_offset));
                *next_offset += size;
            }
        }
        let new: Vec<Task<T>> = spawns
            .into_iter()
            .map(|(b, off)| self.spawn(b, self.shared.page_size, off))
            .collect();
        if let State::Paging { tasks, .. } = &mut self.state {
            tasks.extend(new);
        }
    }

    fn fail(&mut self, e: Error) -> Poll<Option<Result<SuiteQlPage<T>>>> {
        self.state = State::Done;
        Poll::Ready(Some(Err(e)))
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for SuiteQlPages<T> {
    type Item = Result<SuiteQlPage<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::NotStarted => this.start_chunk(None),
                State::Failed(e) => {
                    let e = e.take();
                    this.state = State::Done;
                    return Poll::Ready(e.map(Err));
                }
                State::Done => return Poll::Ready(None),
                State::First(task) => {
                    let fetched = match task.poll_result(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => return this.fail(e),
                        Poll::Ready(Ok(f)) => f,
                    };
                    let size = u64::from(this.shared.page_size);
                    let total = fetched.page.total_results;
                    let keyset = this.shared.keyset.is_some();
                    this.shared.stats.page_consumed();
                    if total > SUITEQL_ROW_CAP && !keyset {
                        return this.fail(
                            ErrorKind::TooManyRows {
                                total_results: total,
                                cap: SUITEQL_ROW_CAP,
                            }
                            .into(),
                        );
                    }
                    // Offsets must stay multiples of the page size and inside the cap.
                    let reachable = if total > SUITEQL_ROW_CAP {
                        (SUITEQL_ROW_CAP / size) * size
                    } else {
                        total
                    };
                    let got = fetched.page.items.len() as u64;
                    let end = if fetched.page.has_more || got >= size {
                        reachable.max(got)
                    } else {
                        got
                    };
                    let body = this.current_body.clone();
                    this.state = State::Paging {
                        tasks: VecDeque::new(),
                        body,
                        next_offset: size,
                        end,
                        more_after_chunk: keyset && total > end && got > 0,
                        last_key: fetched.last_key,
                    };
                    this.refill();
                    return Poll::Ready(Some(Ok(fetched.page)));
                }
                State::Paging {
                    tasks,
                    more_after_chunk,
                    last_key,
                    ..
                } => {
                    let Some(front) = tasks.front_mut() else {
                        // Chunk finished.
                        if *more_after_chunk {
                            match last_key.take() {
                                Some(last) => this.start_chunk(Some(&last)),
                                None => {
                                    return this.fail(Error::invalid(
                                        "keyset",
                                        "the keyset column is missing from the rows",
                                    ))
                                }
                            }
                            continue;
                        }
                        this.state = State::Done;
                        return Poll::Ready(None);
                    };
                    let fetched = match front.poll_result(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => return this.fail(e),
                        Poll::Ready(Ok(f)) => f,
                    };
                    tasks.pop_front();
                    this.shared.stats.page_consumed();
                    if fetched.last_key.is_some() {
                        *last_key = fetched.last_key;
                    }
                    this.refill();
                    return Poll::Ready(Some(Ok(fetched.page)));
                }
            }
        }
    }
}

/// The lazy row stream of a SuiteQL query (see [`SuiteQl::stream`]): rows in order, pages fetched
/// ahead concurrently through a bounded buffer. `Send + Unpin`. Dropping it cancels pending requests.
#[must_use = "streams do nothing unless polled"]
pub struct SuiteQlRows<T> {
    pages: SuiteQlPages<T>,
    current: Option<std::vec::IntoIter<T>>,
}

// Rows are never pinned in place: they are moved out of the buffer by value.
impl<T> Unpin for SuiteQlRows<T> {}

impl<T> std::fmt::Debug for SuiteQlRows<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiteQlRows").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> SuiteQlRows<T> {
    /// Pages received so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages.pages_fetched()
    }

    /// The most pages held at once in the read-ahead buffer (received, not yet handed to the row
    /// iterator); at most the prefetch depth. The row stream holds one more page, the one it yields from.
    pub fn max_pages_buffered(&self) -> usize {
        self.pages.max_pages_buffered()
    }

    /// The prefetch depth.
    pub fn prefetch_depth(&self) -> usize {
        self.pages.prefetch_depth()
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for SuiteQlRows<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(rows) = &mut this.current {
                if let Some(row) = rows.next() {
                    return Poll::Ready(Some(Ok(row)));
                }
                this.current = None;
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.current = Some(page.items.into_iter()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_outside_tokio_is_an_error_not_a_panic() {
        let creds = nstba_core::Credentials::new(
            nstba_core::AccountId::parse("123456").unwrap(),
            "ck",
            "cs",
            "tk",
            "ts",
        )
        .unwrap();
        let client = Client::builder().credentials(creds).build().unwrap();
        let mut rows = client.suiteql::<serde_json::Value>("SELECT 1").stream();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let first = Pin::new(&mut rows).poll_next(&mut cx);
        assert!(
            matches!(&first, Poll::Ready(Some(Err(e))) if matches!(e.kind(), ErrorKind::Config { .. })),
            "{first:?}"
        );
    }

    #[test]
    fn key_literals() {
        assert_eq!(
            key_literal(&serde_json::json!("123")).as_deref(),
            Some("123")
        );
        assert_eq!(key_literal(&serde_json::json!(7)).as_deref(), Some("7"));
        assert_eq!(
            key_literal(&serde_json::json!("O'Neil")).as_deref(),
            Some("'O''Neil'")
        );
        assert_eq!(key_literal(&serde_json::json!("-")).as_deref(), Some("'-'"));
        assert_eq!(key_literal(&serde_json::json!(null)), None);
    }

    #[test]
    fn body_escapes_like_json() {
        let b = serde_json::to_string(&QueryBody {
            q: "SELECT 'a\"b' FROM t WHERE x = '\\\t'",
        })
        .unwrap();
        assert_eq!(b, r#"{"q":"SELECT 'a\"b' FROM t WHERE x = '\\\t'"}"#);
    }
}
