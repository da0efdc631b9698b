//! A minimal local NetSuite stand-in for the OAuth 2.0 M2M tests and bench: the token endpoint
//! (`POST /services/rest/auth/oauth2/v1/token`, verifying the client assertion) and one REST GET
//! (`/services/rest/record/v1/customer/<id>`) that accepts `Authorization: Bearer <issued token>`
//! (and, when allowed, any TBA `OAuth …` header).
//!
//! Stand-in until the emulator (nstba-mock) serves the token endpoint: tests using it are to be
//! re-pointed at `MockNetSuite` once that lands.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use nstba_core::m2m::{verify_assertion, PublicKey};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What the token endpoint answers.
#[derive(Clone, Debug)]
pub enum TokenMode {
    /// A token with this `expires_in` (a JSON number or string).
    Grant(serde_json::Value),
    /// An error status and body.
    Refuse(u16, String),
}

pub struct State {
    pub token_requests: AtomicUsize,
    pub rest_requests: AtomicUsize,
    pub unauthorized: AtomicUsize,
    next_token: AtomicUsize,
    accepted: Mutex<HashSet<String>>,
    /// Issued tokens are accepted by the REST GET (false: every new token is refused).
    pub accept_new_tokens: AtomicBool,
    pub allow_tba: AtomicBool,
    pub mode: Mutex<TokenMode>,
    /// Every REST `Authorization` header seen, in order.
    pub seen: Mutex<Vec<String>>,
    /// Every `jti` seen by the token endpoint.
    pub jtis: Mutex<Vec<String>>,
    /// Public keys by kid and the expected `aud`: when set, assertions are verified.
    verify: Mutex<Option<(HashMap<String, PublicKey>, String)>>,
    /// Assertions that failed verification.
    pub bad_assertions: Mutex<Vec<String>>,
    /// When set, the token endpoint answers only after `release` is notified.
    pub hold: AtomicBool,
    pub release: Notify,
    pub token_request_arrived: Notify,
}

pub struct TokenServer {
    pub base_url: String,
    pub state: Arc<State>,
}

impl TokenServer {
    pub async fn start() -> TokenServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            token_requests: AtomicUsize::new(0),
            rest_requests: AtomicUsize::new(0),
            unauthorized: AtomicUsize::new(0),
            next_token: AtomicUsize::new(0),
            accepted: Mutex::new(HashSet::new()),
            accept_new_tokens: AtomicBool::new(true),
            allow_tba: AtomicBool::new(false),
            mode: Mutex::new(TokenMode::Grant(serde_json::json!(3600))),
            seen: Mutex::new(Vec::new()),
            jtis: Mutex::new(Vec::new()),
            verify: Mutex::new(None),
            bad_assertions: Mutex::new(Vec::new()),
            hold: AtomicBool::new(false),
            release: Notify::new(),
            token_request_arrived: Notify::new(),
        });
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let st = st.clone();
                tokio::spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let service = hyper::service::service_fn(move |req| {
                        let st = st.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(st, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        TokenServer {
            base_url: format!("http://{addr}"),
            state,
        }
    }

    /// Verify every assertion with `key` (kid `kid`) against `audience`.
    pub fn verify_with(&self, kid: &str, key: PublicKey, audience: &str) {
        *self.state.verify.lock().unwrap() =
            Some((HashMap::from([(kid.to_owned(), key)]), audience.to_owned()));
    }

    pub fn set_mode(&self, mode: TokenMode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Stops accepting every token issued so far (as if they were revoked or expired early).
    pub fn revoke_all(&self) {
        self.state.accepted.lock().unwrap().clear();
    }

    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    pub fn rest_requests(&self) -> usize {
        self.state.rest_requests.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<String> {
        self.state.seen.lock().unwrap().clone()
    }
}

fn respond(status: u16, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

async fn handle(st: Arc<State>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    if path == "/services/rest/auth/oauth2/v1/token" {
        st.token_requests.fetch_add(1, Ordering::SeqCst);
        st.token_request_arrived.notify_one();
        if st.hold.load(Ordering::SeqCst) {
            st.release.notified().await;
        }
        return token(&st, &parts, &body);
    }
    if parts.method == hyper::Method::GET && path.starts_with("/services/rest/record/v1/customer/")
    {
        st.rest_requests.fetch_add(1, Ordering::SeqCst);
        let auth = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        st.seen.lock().unwrap().push(auth.clone());
        let ok = match auth.strip_prefix("Bearer ") {
            Some(t) => st.accepted.lock().unwrap().contains(t),
            None => st.allow_tba.load(Ordering::SeqCst) && auth.starts_with("OAuth "),
        };
        if !ok {
            st.unauthorized.fetch_add(1, Ordering::SeqCst);
            return respond(
                401,
                r#"{"type":"https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]}"#.into(),
            );
        }
        let id = path.rsplit('/').next().unwrap_or("1");
        return respond(200, format!(r#"{{"id":"{id}","companyName":"C{id}"}}"#));
    }
    respond(404, r#"{"title":"Not Found"}"#.into())
}

fn token(st: &State, parts: &hyper::http::request::Parts, body: &[u8]) -> Response<Full<Bytes>> {
    let form_ok = parts
        .headers
        .get("content-type")
        .is_some_and(|v| v == "application/x-www-form-urlencoded");
    let fields: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let grant_ok = fields.get("grant_type").map(String::as_str) == Some("client_credentials")
        && fields.get("client_assertion_type").map(String::as_str)
            == Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    let Some(jwt) = fields
        .get("client_assertion")
        .filter(|_| form_ok && grant_ok)
    else {
        return respond(400, r#"{"error":"invalid_request"}"#.into());
    };
    if let Some((keys, aud)) = &*st.verify.lock().unwrap() {
        // The time check is the client's clock's business in these tests; a huge skew admits any.
        match verify_assertion(jwt, keys, aud, nstba_core::unix_now(), u64::MAX / 4) {
            Ok(v) => st
                .jtis
                .lock()
                .unwrap()
                .push(v.claims.jti.unwrap_or_default()),
            Err(e) => {
                st.bad_assertions.lock().unwrap().push(e.to_string());
                return respond(401, r#"{"error":"invalid_client"}"#.into());
            }
        }
    }
    match st.mode.lock().unwrap().clone() {
        TokenMode::Grant(expires_in) => {
            let n = st.next_token.fetch_add(1, Ordering::SeqCst) + 1;
            let token = format!("secret-access-token-{n}");
            if st.accept_new_tokens.load(Ordering::SeqCst) {
                st.accepted.lock().unwrap().insert(token.clone());
            }
            let body = serde_json::json!({
                "access_token": token,
                "expires_in": expires_in,
                "token_type": "bearer",
            });
            respond(200, body.to_string())
        }
        TokenMode::Refuse(status, body) => respond(status, body),
    }
}
