//! The raw request builder: any method and path under the REST or the RESTlet base URL, sent
//! through the same path as every typed call — authorized per attempt, limited, retried by the one
//! classifier in [`crate::retry`].

use crate::client::{Call, Client, Reply};
use crate::error::{Error, ErrorKind, Result};
use crate::records::{id_from_location, push_param};
use crate::retry::Effect;
use bytes::Bytes;
use nstba_record::RecordId;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// Which base URL a raw request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    Rest,
    Restlet,
}

impl Client {
    /// A raw request to `path` under the REST base URL ([`Client::base_url`]), for the operations
    /// without a typed call: any method, query parameters, headers, and a JSON or form body.
    ///
    /// It is authorized per attempt, waits for the client's limiter and is retried like every other
    /// call: after a refusal (429, 503, governance codes, a connection that failed before sending)
    /// always; after a timeout, a dropped connection or a 500/502/504 only when repeating it is
    /// harmless — a read, a PUT/PATCH of fields, a DELETE, an async write with its idempotency key,
    /// or a request marked [`RawRequest::idempotent`]. A POST, or a PUT/PATCH adding sublist lines,
    /// is never sent twice once it may have reached NetSuite.
    ///
    /// `path` starts with `/`; a `?query` in it is kept (prefer [`RawRequest::query`], which
    /// encodes for you). A non-2xx answer is an [`Error`] like everywhere else.
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// use nstba_client::Method;
    /// let reply = client
    ///     .request(Method::POST, "/services/rest/record/v1/salesOrder/42/!transform/invoice")
    ///     .json(&serde_json::json!({"memo": "billed"}))
    ///     .send()
    ///     .await?;
    /// let invoice = reply.location_id();
    /// # let _ = invoice; Ok(()) }
    /// ```
    pub fn request(&self, method: Method, path: impl Into<String>) -> RawRequest {
        RawRequest::new(self.clone(), Base::Rest, method, path.into())
    }

    /// A raw request to `path` under the RESTlet base URL ([`Client::restlet_url`]), e.g.
    /// `/app/site/hosting/restlet.nl` with `script` and `deploy` query parameters. Same rules as
    /// [`Client::request`].
    pub fn restlet_request(&self, method: Method, path: impl Into<String>) -> RawRequest {
        RawRequest::new(self.clone(), Base::Restlet, method, path.into())
    }
}

/// A raw request: from [`Client::request`] or [`Client::restlet_request`]; finish with
/// [`RawRequest::send`] (or [`RawRequest::respond_async`] for an async job).
#[must_use = "requests do nothing until `.send().await`"]
pub struct RawRequest {
    client: Client,
    base: Base,
    method: Method,
    path: String,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<(Bytes, HeaderValue)>,
    idempotent: bool,
    /// The first builder mistake, reported by `send`.
    error: Option<Error>,
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("base", &self.base)
            .field("method", &self.method)
            .field("path", &self.path)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.as_ref().map(|(b, _)| b.len()))
            .finish_non_exhaustive()
    }
}

/// Headers the client sets itself per attempt: a caller cannot override them.
const RESERVED_HEADERS: &[&str] = &["authorization", "host", "content-length"];

impl RawRequest {
    fn new(client: Client, base: Base, method: Method, path: String) -> Self {
        let mut request = RawRequest {
            client,
            base,
            method,
            path: String::new(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
            idempotent: false,
            error: None,
        };
        match split_path(&path) {
            Ok((p, pairs)) => {
                request.path = p;
                for (k, v) in pairs {
                    push_param(&mut request.query, &k, &v);
                }
            }
            Err(e) => request.error = Some(e),
        }
        request
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Adds the query parameter `name=value` (RFC 3986 encoded; part of the signature).
    pub fn query(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let name = name.as_ref();
        if name.is_empty() {
            self.fail(Error::invalid("query", "a query parameter needs a name"));
        } else {
            push_param(&mut self.query, name, value.as_ref());
        }
        self
    }

    /// Adds a header (`Prefer`, `Accept`, `X-NetSuite-PropertyNameValidation`, …). `Authorization`,
    /// `Host` and `Content-Length` are set by the client and refused here; `Content-Type` replaces
    /// the body's.
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let (name, value) = (name.as_ref(), value.as_ref());
        let parsed = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Error::invalid("header", format!("{name:?} is not a header name")))
            .and_then(|n| {
                if RESERVED_HEADERS.contains(&n.as_str()) {
                    return Err(Error::invalid(
                        "header",
                        format!("{name:?} is set by the client on every attempt"),
                    ));
                }
                let v = HeaderValue::from_str(value.trim()).map_err(|_| {
                    Error::invalid(
                        "header",
                        format!("the value of {name:?} is not a header value"),
                    )
                })?;
                Ok((n, v))
            });
        match parsed {
            Ok((n, v)) if n == reqwest::header::CONTENT_TYPE => {
                if let Some((_, ct)) = &mut self.body {
                    *ct = v;
                } else {
                    self.headers.push((n, v));
                }
            }
            Ok(pair) => self.headers.push(pair),
            Err(e) => self.fail(e),
        }
        self
    }

    /// A JSON body (`Content-Type: application/json`).
    pub fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(b) => self.set_body(Bytes::from(b), "application/json"),
            Err(e) => self.fail(ErrorKind::Encode(e).into()),
        }
        self
    }

    /// A form body (`application/x-www-form-urlencoded`), pairs encoded in order.
    pub fn form<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut s = String::new();
        for (k, v) in pairs {
            if !s.is_empty() {
                s.push('&');
            }
            s.push_str(&nstba_core::encode(k.as_ref()));
            s.push('=');
            s.push_str(&nstba_core::encode(v.as_ref()));
        }
        self.set_body(Bytes::from(s), "application/x-www-form-urlencoded");
        self
    }

    /// A body as is, with its `Content-Type`.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(ct) => {
                self.headers
                    .retain(|(n, _)| n != reqwest::header::CONTENT_TYPE);
                self.body = Some((body.into(), ct));
            }
            Err(_) => self.fail(Error::invalid(
                "content_type",
                format!("{content_type:?} is not a header value"),
            )),
        }
        self
    }

    fn set_body(&mut self, body: Bytes, default_type: &'static str) {
        // An explicit Content-Type header given earlier wins.
        let pos = self
            .headers
            .iter()
            .position(|(n, _)| n == reqwest::header::CONTENT_TYPE);
        let ct = match pos {
            Some(i) => self.headers.remove(i).1,
            None => HeaderValue::from_str(default_type)
                .unwrap_or(HeaderValue::from_static("application/json")),
        };
        self.body = Some((body, ct));
    }

    /// Declares that sending this request twice is harmless (a POST that only reads, a call the
    /// server de-duplicates), so it is retried after a timeout or dropped connection too. Without it
    /// the method and body decide (see [`Client::request`]).
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Sends the request with `Prefer: respond-async` and an idempotency key instead: see
    /// [`crate::AsyncWrite`]. The job's tasks come back raw ([`crate::TaskResult`]).
    pub fn respond_async(self) -> crate::AsyncWrite<Vec<crate::TaskResult>> {
        crate::AsyncWrite::from_raw(self)
    }

    /// The call this request stands for, its effect decided by [`Effect::of_request`].
    pub(crate) fn into_call(self, idempotency_key: bool) -> (Client, Result<Call>) {
        let RawRequest {
            client,
            base,
            method,
            path,
            query,
            headers,
            body,
            idempotent,
            error,
        } = self;
        if let Some(e) = error {
            return (client, Err(e));
        }
        let path_and_query = format!("{path}{query}");
        let url = match base {
            Base::Rest => client.rest_url(&path_and_query),
            Base::Restlet => client.restlet_join(&path_and_query),
        };
        let url = match url {
            Ok(u) => u,
            Err(e) => return (client, Err(e)),
        };
        // An async request carrying its own idempotency key (set with `.header`) runs at most once
        // per key, like one from `respond_async`.
        let keyed_by_caller = headers
            .iter()
            .any(|(n, _)| n.as_str() == crate::jobs::IDEMPOTENCY_KEY_HEADER)
            && headers.iter().any(|(n, v)| {
                n.as_str() == "prefer"
                    && v.to_str()
                        .is_ok_and(|v| v.to_ascii_lowercase().contains("respond-async"))
            });
        let idempotency_key = idempotency_key || keyed_by_caller;
        let effect = if idempotent {
            Effect::of_method(method.as_str()).declared_idempotent()
        } else {
            Effect::of_request(
                method.as_str(),
                &url,
                body.as_ref().map(|(b, _)| &b[..]),
                idempotency_key,
            )
        };
        let mut call = Call::new(method, url).effect(effect);
        if keyed_by_caller {
            // A resend answered `IDEMPOTENCY_ERROR` + `Location`: the original job, returned as
            // the response.
            call.accept = Some(crate::jobs::is_idempotency_conflict);
        }
        call.headers = headers;
        if let Some((body, ct)) = body {
            call.content_type = Some(ct);
            call = call.json_body(body);
        }
        (client, Ok(call))
    }

    /// Sends the request; a 2xx answer comes back as a [`RawResponse`], anything else as an
    /// [`Error`] — except, for a request sent with `Prefer: respond-async` and its own
    /// `X-NetSuite-Idempotency-Key` header, the `400 IDEMPOTENCY_ERROR` whose `Location` is the
    /// original job (such a request is resent after a lost reply, like one from
    /// [`RawRequest::respond_async`]).
    pub async fn send(self) -> Result<RawResponse> {
        let (client, call) = self.into_call(false);
        let reply = client.execute(call?).await?;
        Ok(RawResponse { reply })
    }
}

/// Splits `/a/b?x=1&y` into the path and decoded query pairs, refusing what would leave the base
/// URL (a scheme or host, `..` segments) or is not a path.
fn split_path(raw: &str) -> Result<(String, Vec<(String, String)>)> {
    let bad = |reason: &str| Error::invalid("path", format!("{raw:?}: {reason}"));
    let (path, query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(bad(
            "must start with a single `/` (a path under the base URL)",
        ));
    }
    if path.contains('#') || path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(bad("has a fragment, a space or a control character"));
    }
    if path.split('/').any(|seg| {
        let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
        decoded == ".." || decoded == "."
    }) {
        return Err(bad("`.` and `..` segments are not allowed"));
    }
    let mut pairs = Vec::new();
    for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let dec = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(Cow::into_owned)
                .map_err(|_| bad("the query is not UTF-8 once decoded"))
        };
        pairs.push((dec(k)?, dec(v)?));
    }
    Ok((path.to_owned(), pairs))
}

/// A successful (2xx) answer to a [`RawRequest`]: status, headers and body.
pub struct RawResponse {
    pub(crate) reply: Reply,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.reply.status)
            .field("path", &self.reply.path)
            .field("body_bytes", &self.reply.body.len())
            .finish_non_exhaustive()
    }
}

impl RawResponse {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.reply.status
    }

    /// Every response header.
    pub fn headers(&self) -> &HeaderMap {
        &self.reply.headers
    }

    /// One header as text, when present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.reply.header_str(name)
    }

    /// The body bytes.
    pub fn body(&self) -> &Bytes {
        &self.reply.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.reply.body)
    }

    /// The body decoded as `T`; a mismatch names its JSON path. An empty body decodes as `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        self.reply.json()
    }

    /// The `Location` header (a created record, an async job).
    pub fn location(&self) -> Option<&str> {
        self.reply.header_str("location")
    }

    /// The id at the end of `Location` (`…/customer/123` → `123`), e.g. of a created or transformed
    /// record.
    pub fn location_id(&self) -> Option<RecordId> {
        self.location().and_then(id_from_location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_under_the_base() {
        assert!(split_path("/services/rest/record/v1/customer").is_ok());
        let (p, q) = split_path("/services/rest/record/v1/customer?q=a%20b&limit=5").unwrap();
        assert_eq!(p, "/services/rest/record/v1/customer");
        assert_eq!(
            q,
            vec![("q".into(), "a b".into()), ("limit".into(), "5".into())]
        );
        for bad in [
            "services/rest",
            "//evil.example/x",
            "http://evil.example/",
            "/a/../b",
            "/a/%2e%2e/b",
            "/a b",
            "/a#frag",
            "",
        ] {
            let e = split_path(bad).unwrap_err();
            assert!(e.to_string().contains("path"), "{bad}: {e}");
        }
    }
}
