//! NetSuite-shaped responses: the REST problem body, RESTlet errors, JSON helpers.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

/// The response type every handler produces.
pub(crate) type Resp = Response<Full<Bytes>>;

/// NetSuite's detail text for every 401 (the reason is only in the Login Audit Trail).
pub(crate) const INVALID_LOGIN_DETAIL: &str = "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.";

/// A REST error in NetSuite's problem shape.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    pub query_param: Option<String>,
    pub path: Option<String>,
}

impl Problem {
    pub fn new(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            code,
            detail: detail.into(),
            query_param: None,
            path: None,
        }
    }

    pub fn param(mut self, name: &str) -> Self {
        self.query_param = Some(name.to_owned());
        self
    }

    pub fn at(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    pub fn invalid_param(name: &str, detail: impl Into<String>) -> Self {
        Problem::new(400, "INVALID_PARAMETER", detail).param(name)
    }

    pub fn invalid_content(detail: impl Into<String>) -> Self {
        Problem::new(400, "INVALID_CONTENT", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(404, "NONEXISTENT_ID", detail)
    }

    pub fn into_response(self) -> Resp {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut detail = json!({ "detail": self.detail, "o:errorCode": self.code });
        if let Some(q) = self.query_param {
            detail["o:errorQueryParam"] = Value::String(q);
        }
        if let Some(p) = self.path {
            detail["o:errorPath"] = Value::String(p);
        }
        let body = json!({
            "type": type_uri(status),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": self.status,
            "o:errorDetails": [detail],
        });
        json_response(
            status,
            &body,
            "application/vnd.oracle.resource+json; type=error",
        )
    }
}

fn type_uri(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        401 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
        403 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
        404 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
        405 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6",
        429 => "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
        500 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1",
        502 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.3",
        503 => "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4",
        _ => "about:blank",
    }
}

/// The REST 401 every authentication failure gets.
pub(crate) fn invalid_login() -> Resp {
    Problem::new(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL).into_response()
}

/// A RESTlet-style error `{"error":{"code","message"}}`.
pub(crate) fn restlet_error(status: u16, code: &str, message: &str) -> Resp {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(
        status,
        &json!({"error": {"code": code, "message": message}}),
        "application/json;charset=utf-8",
    )
}

/// A JSON response with the given content type.
pub(crate) fn json_response(status: StatusCode, body: &Value, content_type: &'static str) -> Resp {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut resp = Response::new(Full::new(Bytes::from(bytes)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// 204 No Content, optionally with a `Location`.
pub(crate) fn no_content(location: Option<&str>) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    if let Some(loc) = location {
        if let Ok(v) = HeaderValue::from_str(loc) {
            resp.headers_mut().insert(hyper::header::LOCATION, v);
        }
    }
    resp
}

/// The content type of a single resource.
pub(crate) const SINGULAR: &str = "application/vnd.oracle.resource+json; type=singular";
/// The content type of a collection.
pub(crate) const COLLECTION: &str = "application/vnd.oracle.resource+json; type=collection";
