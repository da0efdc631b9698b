//! The metadata catalog (`/services/rest/record/v1/metadata-catalog`) and a one-call connection check.

use crate::client::{Call, Client};
use crate::error::{Error, Result};
use reqwest::header::{HeaderValue, ACCEPT};
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime};

/// Path of the metadata catalog.
pub const METADATA_CATALOG_PATH: &str = "/services/rest/record/v1/metadata-catalog";

/// Which form of a record type's schema to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFormat {
    /// JSON Schema (draft-06 hyper-schema), `Accept: application/schema+json`.
    JsonSchema,
    /// OpenAPI 3, `Accept: application/swagger+json`.
    OpenApi,
}

impl SchemaFormat {
    fn accept(self) -> &'static str {
        match self {
            SchemaFormat::JsonSchema => "application/schema+json",
            SchemaFormat::OpenApi => "application/swagger+json",
        }
    }
}

/// The outcome of [`Client::check`]: what one signed request to the account showed.
#[derive(Debug)]
pub struct Check {
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The server's clock, from its `Date` header.
    pub server_time: Option<SystemTime>,
    /// This machine's clock when the response arrived.
    pub local_time: SystemTime,
    /// Round-trip time.
    pub elapsed: Duration,
    /// The error, when the call failed (an `INVALID_LOGIN` carries the checklist of causes).
    pub error: Option<Error>,
}

impl Check {
    /// Server clock minus local clock, in seconds (positive: this machine is behind). NetSuite rejects
    /// TBA timestamps more than about 5 minutes off.
    pub fn clock_offset_secs(&self) -> Option<i64> {
        let server = self.server_time?;
        Some(match server.duration_since(self.local_time) {
            Ok(ahead) => ahead.as_secs() as i64,
            Err(behind) => -(behind.duration().as_secs() as i64),
        })
    }
}

impl Client {
    /// The record types in the account's metadata catalog.
    pub async fn metadata_catalog(&self) -> Result<Vec<String>> {
        let url = self.rest_url(METADATA_CATALOG_PATH)?;
        let reply = self.execute(Call::new(Method::GET, url)).await?;
        let doc: Value = reply.json()?;
        let items = doc
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| reply.unexpected("the metadata catalog has no `items` array"))?;
        Ok(items
            .iter()
            .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect())
    }

    /// One record type's schema from the metadata catalog, as JSON.
    pub async fn record_schema(&self, record_type: &str, format: SchemaFormat) -> Result<Value> {
        if record_type.is_empty()
            || !record_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(Error::invalid(
                "record_type",
                format!("{record_type:?} is not a record type name"),
            ));
        }
        let url = self.rest_url(&format!("{METADATA_CATALOG_PATH}/{record_type}"))?;
        let call =
            Call::new(Method::GET, url).header(ACCEPT, HeaderValue::from_static(format.accept()));
        self.execute(call).await?.json()
    }

    /// One cheap signed request (the metadata catalog), sent once without retries, reporting the
    /// server's clock from its `Date` header even when the request is refused — what you need when
    /// NetSuite answers `INVALID_LOGIN`.
    pub async fn check(&self) -> Check {
        let started = Instant::now();
        let call = match self.rest_url(METADATA_CATALOG_PATH) {
            Ok(url) => Call::new(Method::GET, url),
            Err(e) => {
                return Check {
                    status: None,
                    server_time: None,
                    local_time: SystemTime::now(),
                    elapsed: started.elapsed(),
                    error: Some(e),
                }
            }
        };
        let outcome = self.attempt(&call).await;
        let local_time = SystemTime::now();
        match outcome {
            Ok(reply) => {
                let server_time = reply
                    .header_str("date")
                    .and_then(|d| httpdate::parse_http_date(d).ok());
                let error = (!(200..300).contains(&reply.status)).then(|| reply.error());
                Check {
                    status: Some(reply.status),
                    server_time,
                    local_time,
                    elapsed: started.elapsed(),
                    error,
                }
            }
            Err(e) => Check {
                status: None,
                server_time: None,
                local_time,
                elapsed: started.elapsed(),
                error: Some(e),
            },
        }
    }
}
