//! Fault injection: rules that answer with an error status, drop the connection, or delay, like a
//! gateway in front of NetSuite.

use super::routes::Style;
use crate::api::problem::{self, Problem, Resp};
use hyper::header::HeaderValue;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// What a fault rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this HTTP status (429, 500, 502, 503, …) and a NetSuite-shaped error body.
    Status(u16),
    /// Close the connection without answering.
    DropConnection,
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Handle the request (a write is committed), then close the connection instead of answering:
    /// the client cannot tell whether its request was applied.
    DropAfterProcessing,
}

/// A fault rule: what to do, to which requests, how often.
///
/// ```
/// use nstba_mock::Fault;
/// let f = Fault::status(503).times(2).path("/services/rest/query");
/// let g = Fault::drop_connection().fraction(0.1);
/// // Every 5th record request is processed, then its connection is cut before the answer.
/// let h = Fault::drop_after_processing().every(5).path("/services/rest/record");
/// # let _ = (f, g, h);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: Option<u64>,
    pub(crate) fraction: Option<f64>,
    pub(crate) every: Option<u64>,
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) seed: u64,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            times: None,
            fraction: None,
            every: None,
            method: None,
            path: None,
            seed: 0x005e_ed0f_fa17,
        }
    }

    /// Answer with `status` (429 / 500 / 502 / 503 …).
    pub fn status(status: u16) -> Self {
        Fault::new(FaultKind::Status(status))
    }

    /// Drop the connection without answering.
    pub fn drop_connection() -> Self {
        Fault::new(FaultKind::DropConnection)
    }

    /// Handle the request to the end (a create or update is stored), then close the connection
    /// without sending the answer — a proxy or network that loses the response of a write that
    /// landed. Only requests that reached a handler (authenticated, routed) count; a request whose
    /// answer is dropped still counts in [`Counters::faulted`](crate::Counters::faulted).
    pub fn drop_after_processing() -> Self {
        Fault::new(FaultKind::DropAfterProcessing)
    }

    /// Respond slowly: wait `d` before handling.
    pub fn delay(d: Duration) -> Self {
        Fault::new(FaultKind::Delay(d))
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// A fraction (0.0–1.0) of matching requests, chosen by a seeded deterministic RNG.
    pub fn fraction(mut self, f: f64) -> Self {
        self.fraction = Some(f.clamp(0.0, 1.0));
        self
    }

    /// Every `n`-th matching request (the `n`-th, `2n`-th, …), counted from the start: deterministic
    /// whatever the seed. `n` = 0 is taken as 1. Combines with [`Fault::times`] (counted among the
    /// requests this selects) and [`Fault::fraction`] (rolled for these only).
    pub fn every(mut self, n: u64) -> Self {
        self.every = Some(n.max(1));
        self
    }

    /// The seed of the RNG behind [`Fault::fraction`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Only requests whose path starts with `prefix`; a pattern with `*` is a glob over the whole
    /// path (`/services/rest/record/v1/*/1`).
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path = Some(prefix.into());
        self
    }

    /// Only requests with this HTTP method (any case), e.g. `POST` to lose only the answers of
    /// creates and not of the reads that check them.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// What the rule does.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }
}

/// What the rules decide for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Handle the request, after waiting this long (zero: no delay rule fired).
    Proceed(Duration),
    /// Close the connection without answering.
    Drop,
    /// Wait this long, then answer with this status.
    Answer(Duration, u16),
}

/// The fault rules of a server, with their remaining counts and RNGs.
pub(crate) struct Faults(Vec<FaultState>);

impl Faults {
    pub fn new(rules: Vec<Fault>) -> Faults {
        Faults(
            rules
                .into_iter()
                .map(|rule| FaultState {
                    seen: AtomicU64::new(0),
                    remaining: AtomicU64::new(rule.times.unwrap_or(u64::MAX)),
                    rng: Mutex::new(StdRng::seed_from_u64(rule.seed)),
                    rule,
                })
                .collect(),
        )
    }

    /// Checks the rules in order: delays add up, the first firing status or drop rule decides.
    /// [`FaultKind::DropAfterProcessing`] rules are not checked here but by
    /// [`Faults::drop_after_processing`], once the handler has run.
    pub fn check(&self, method: &str, path: &str) -> Verdict {
        let mut delay = Duration::ZERO;
        for f in &self.0 {
            if f.rule.kind == FaultKind::DropAfterProcessing || !f.fires(method, path) {
                continue;
            }
            match f.rule.kind {
                FaultKind::Delay(d) => delay += d,
                FaultKind::DropConnection => return Verdict::Drop,
                FaultKind::Status(s) => return Verdict::Answer(delay, s),
                FaultKind::DropAfterProcessing => {}
            }
        }
        Verdict::Proceed(delay)
    }

    /// Whether a [`FaultKind::DropAfterProcessing`] rule fires for a request whose handler has run
    /// (the first such rule that fires decides; each consumes its own selectors).
    pub fn drop_after_processing(&self, method: &str, path: &str) -> bool {
        self.0
            .iter()
            .filter(|f| f.rule.kind == FaultKind::DropAfterProcessing)
            .any(|f| f.fires(method, path))
    }
}

struct FaultState {
    rule: Fault,
    /// Matching requests seen, for [`Fault::every`].
    seen: AtomicU64,
    remaining: AtomicU64,
    rng: Mutex<StdRng>,
}

impl FaultState {
    /// Whether this rule fires for `method path` (consumes one of `times`).
    fn fires(&self, method: &str, path: &str) -> bool {
        if self
            .rule
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return false;
        }
        if let Some(pattern) = &self.rule.path {
            if !path_matches(pattern, path) {
                return false;
            }
        }
        if let Some(n) = self.rule.every {
            let seen = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
            if !seen.is_multiple_of(n) {
                return false;
            }
        }
        if let Some(f) = self.rule.fraction {
            let roll: f64 = self
                .rng
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .random::<f64>();
            if roll >= f {
                return false;
            }
        }
        if self.rule.times.is_some() {
            return self
                .remaining
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
        }
        true
    }
}

/// A prefix, or a glob when the pattern contains `*` (which matches any run of characters).
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    if !pattern.contains('*') {
        return path.starts_with(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().unwrap_or((&"", &[]));
    let Some(mut tail) = path.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        if last {
            return part.is_empty() || tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    tail.is_empty()
}

/// The answer of a status rule, in the error style of the path.
pub(crate) fn fault_response(status: u16, style: Style) -> Resp {
    let detail = match status {
        429 => "Concurrent request limit exceeded. Request blocked.",
        502 => "Bad Gateway.",
        503 => "Service Unavailable. Please try again later.",
        _ => "An unexpected error occurred.",
    };
    let mut resp = match style {
        Style::Restlet => problem::restlet_error(status, "UNEXPECTED_ERROR", detail),
        Style::Rest => Problem::new(status, "UNEXPECTED_ERROR", detail).into_response(),
    };
    if status == 429 || status == 503 {
        resp.headers_mut()
            .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn path_patterns() {
        assert!(path_matches(
            "/services/rest/query",
            "/services/rest/query/v1/suiteql"
        ));
        assert!(!path_matches(
            "/services/rest/query",
            "/services/rest/record/v1/x"
        ));
        assert!(path_matches(
            "/services/rest/record/v1/*/1",
            "/services/rest/record/v1/customer/1"
        ));
        assert!(!path_matches(
            "/services/rest/record/v1/*/1",
            "/services/rest/record/v1/customer/12"
        ));
        assert!(path_matches("*suiteql", "/services/rest/query/v1/suiteql"));
        assert!(path_matches("/a/*/c/*", "/a/b/c/d/e"));
        assert!(!path_matches("/a/*/c/*", "/a/b/x/d"));
        assert!(path_matches("*", "/anything"));
    }
}
