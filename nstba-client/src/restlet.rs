//! RESTlets: `…/app/site/hosting/restlet.nl?script=…&deploy=…[&custom…]`, every parameter signed.

use crate::client::{Call, Client};
use crate::error::{Error, ErrorKind, Result};
use crate::records::push_param;
use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The RESTlet endpoint path.
pub const RESTLET_PATH: &str = "/app/site/hosting/restlet.nl";

impl Client {
    /// A call to the RESTlet deployment `script` / `deploy` (ids such as `"customscript_x"` / `"1"`).
    ///
    /// ```no_run
    /// # async fn demo(client: nstba_client::Client) -> Result<(), nstba_client::Error> {
    /// use reqwest::Method;
    /// let reply: serde_json::Value = client
    ///     .restlet("customscript_orders", "1")
    ///     .method(Method::POST)
    ///     .param("mode", "full")
    ///     .body(&serde_json::json!({"ids": [1, 2]}))
    ///     .send()
    ///     .await?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub fn restlet(&self, script: impl Into<String>, deploy: impl Into<String>) -> RestletCall {
        RestletCall {
            client: self.clone(),
            script: script.into(),
            deploy: deploy.into(),
            method: None,
            params: Vec::new(),
            body: None,
        }
    }
}

/// A RESTlet request. Finish with [`RestletCall::send`].
#[must_use = "requests do nothing until `.send().await`"]
pub struct RestletCall {
    client: Client,
    script: String,
    deploy: String,
    method: Option<Method>,
    params: Vec<(String, String)>,
    body: Option<Result<Bytes>>,
}

impl std::fmt::Debug for RestletCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestletCall")
            .field("script", &self.script)
            .field("deploy", &self.deploy)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl RestletCall {
    /// The HTTP method: GET (default without a body), POST (default with a body), PUT or DELETE.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// An extra query parameter (signed with the rest).
    pub fn param(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.params.push((name.into(), value.to_string()));
        self
    }

    /// A JSON body.
    pub fn body(mut self, body: &impl Serialize) -> Self {
        self.body = Some(
            serde_json::to_vec(body)
                .map(Bytes::from)
                .map_err(|e| ErrorKind::Encode(e).into()),
        );
        self
    }

    /// Sends the request and decodes the JSON reply as `R` (an empty reply decodes as `null`, so
    /// `()` and `Option<_>` work for RESTlets that return nothing; a `text/plain` reply that is not JSON
    /// decodes as a JSON string, so `String` works for RESTlets that return text). A POST is never
    /// repeated once it may have reached NetSuite.
    pub async fn send<R: DeserializeOwned>(self) -> Result<R> {
        let reply = self.execute().await?;
        let is_text = reply
            .header_str("content-type")
            .is_some_and(|t| t.trim_start().starts_with("text/"));
        match reply.json() {
            Err(e)
                if is_text && serde_json::from_slice::<serde_json::Value>(&reply.body).is_err() =>
            {
                let text = String::from_utf8_lossy(&reply.body).into_owned();
                serde_json::from_value(serde_json::Value::String(text)).map_err(|_| e)
            }
            other => other,
        }
    }

    /// Sends the request and returns the reply body as text, whatever its content type.
    pub async fn send_text(self) -> Result<String> {
        let reply = self.execute().await?;
        Ok(String::from_utf8_lossy(&reply.body).into_owned())
    }

    async fn execute(self) -> Result<crate::client::Reply> {
        if self.script.trim().is_empty() || self.deploy.trim().is_empty() {
            return Err(Error::invalid("restlet", "script and deploy must be set"));
        }
        let body = self.body.transpose()?;
        let method = self.method.unwrap_or(if body.is_some() {
            Method::POST
        } else {
            Method::GET
        });
        if !matches!(
            method,
            Method::GET | Method::POST | Method::PUT | Method::DELETE
        ) {
            return Err(Error::invalid(
                "method",
                format!("RESTlets accept GET, POST, PUT and DELETE, not {method}"),
            ));
        }
        let mut q = String::new();
        push_param(&mut q, "script", &self.script);
        push_param(&mut q, "deploy", &self.deploy);
        for (k, v) in &self.params {
            if k.is_empty() {
                return Err(Error::invalid("param", "a parameter name is empty"));
            }
            push_param(&mut q, k, v);
        }
        let url = self.client.restlet_join(&format!("{RESTLET_PATH}{q}"))?;
        // A POST is never sent again once it may have reached NetSuite (see `Effect::of_method`).
        let mut call = Call::new(method, url);
        if let Some(b) = body {
            call = call.json_body(b);
        }
        self.client.execute(call).await
    }
}
