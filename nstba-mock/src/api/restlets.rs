//! RESTlets: `GET|POST|PUT|DELETE /app/site/hosting/restlet.nl?script=&deploy=`, answered by
//! registered handlers.

use super::problem::{self, Resp};
use super::Ctx;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A RESTlet invocation handed to a registered handler.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestletCall {
    /// HTTP method (`GET`, `POST`, `PUT`, `DELETE`).
    pub method: String,
    /// Every query parameter (including `script` and `deploy`), decoded, in order.
    pub params: Vec<(String, String)>,
    /// The body: parsed JSON, a JSON string for a non-JSON body, `None` when empty.
    pub body: Option<serde_json::Value>,
    /// The realm of the calling account.
    pub account: String,
}

impl RestletCall {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An error a RESTlet handler throws: answered as `{"error":{"code","message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestletError {
    /// HTTP status (400 by default).
    pub status: u16,
    /// Error code, e.g. `SSS_MISSING_REQD_ARGUMENT`.
    pub code: String,
    /// Message.
    pub message: String,
}

impl RestletError {
    /// A 400 error with a code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        RestletError {
            status: 400,
            code: code.into(),
            message: message.into(),
        }
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
}

impl fmt::Display for RestletError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RestletError {}

/// A registered RESTlet handler.
pub(crate) type RestletHandler =
    Arc<dyn Fn(RestletCall) -> Result<serde_json::Value, RestletError> + Send + Sync>;

/// The registered RESTlets by (script, deploy).
#[derive(Default)]
pub(crate) struct Restlets(HashMap<(String, String), RestletHandler>);

impl Restlets {
    /// Registers (or replaces) the handler of `script` / `deploy`.
    pub fn insert(&mut self, script: String, deploy: String, handler: RestletHandler) {
        self.0.insert((script, deploy), handler);
    }

    fn get(&self, script: &str, deploy: &str) -> Option<&RestletHandler> {
        self.0.get(&(script.to_owned(), deploy.to_owned()))
    }
}

/// Calls the RESTlet named by `script` and `deploy`.
pub(crate) fn call(ctx: &Ctx) -> Resp {
    let script = ctx.param("script").unwrap_or("");
    let deploy = ctx.param("deploy").unwrap_or("");
    let Some(handler) = ctx.app.restlets.get(script, deploy) else {
        return problem::restlet_error(
            400,
            "SSS_INVALID_SCRIPTLET_ID",
            "That Suitelet is invalid, disabled, or no longer exists.",
        );
    };
    let body = if ctx.body.iter().all(u8::is_ascii_whitespace) || ctx.method == "GET" {
        None
    } else {
        match serde_json::from_slice::<serde_json::Value>(&ctx.body) {
            Ok(v) => Some(v),
            Err(_) => Some(serde_json::Value::String(
                String::from_utf8_lossy(&ctx.body).into_owned(),
            )),
        }
    };
    let call = RestletCall {
        method: ctx.method.clone(),
        params: ctx.query.clone(),
        body,
        account: ctx.caller.account.clone(),
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(call)));
    let Ok(outcome) = outcome else {
        return problem::restlet_error(
            500,
            "UNEXPECTED_ERROR",
            "An unexpected SuiteScript error has occurred.",
        );
    };
    match outcome {
        Ok(serde_json::Value::String(s)) => {
            let mut r = Response::new(Full::new(Bytes::from(s)));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain;charset=utf-8"),
            );
            r
        }
        Ok(v) => problem::json_response(StatusCode::OK, &v, "application/json;charset=utf-8"),
        Err(e) => problem::restlet_error(e.status, &e.code, &e.message),
    }
}
