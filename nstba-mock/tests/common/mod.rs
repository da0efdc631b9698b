//! Shared helpers: sign requests with nstba-core and send them with reqwest.
#![allow(dead_code)]

use nstba_core::{Credentials, Request, Stamp};
use std::sync::atomic::{AtomicU64, Ordering};

/// The fixed time every test clock answers.
pub const NOW: u64 = 1_700_000_000;

/// A signing test client.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub creds: Credentials,
    pub ts: u64,
    counter: AtomicU64,
}

impl Client {
    pub fn new(base: &str, creds: Credentials) -> Self {
        Client {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            creds,
            ts: NOW,
            counter: AtomicU64::new(0),
        }
    }

    pub fn nonce(&self) -> String {
        format!("nonce{:012}x", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    /// The Authorization header for `method url` with this client's clock and a fresh nonce.
    pub fn auth(&self, method: &str, url: &str) -> String {
        self.auth_with(method, url, self.ts, &self.nonce())
    }

    pub fn auth_with(&self, method: &str, url: &str, ts: u64, nonce: &str) -> String {
        self.creds
            .key()
            .authorization(&Request::new(method, url), &Stamp::new(ts, nonce).unwrap())
            .unwrap()
    }

    /// Sends a signed request; `path` is appended to the base URL.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let url = format!("{}{}", self.base, path);
        let auth = self.auth(method, &url);
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                &url,
            )
            .header("Authorization", auth);
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&b).unwrap());
        }
        req.send().await.unwrap()
    }

    pub async fn json(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let r = self.send(method, path, body).await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let v = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, v)
    }

    pub async fn suiteql(&self, q: &str, query: &str) -> (u16, serde_json::Value) {
        let url = format!("{}/services/rest/query/v1/suiteql{}", self.base, query);
        let auth = self.auth("POST", &url);
        let r = self
            .http
            .post(&url)
            .header("Authorization", auth)
            .header("Prefer", "transient")
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(&serde_json::json!({ "q": q })).unwrap())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}
