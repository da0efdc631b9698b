//! Governance: the account's concurrency limits as NetSuite reports them
//! (`GET /services/rest/system/v1/governanceLimits`, administrators only), and — opt-in — a client
//! whose limiter is sized from them.

use crate::client::{Call, Client, ClientBuilder};
use crate::error::Result;
use reqwest::Method;
use serde::{Deserialize, Deserializer};

/// The path of the governance limits resource.
pub const GOVERNANCE_LIMITS_PATH: &str = "/services/rest/system/v1/governanceLimits";

/// The account's concurrency limits (`governanceLimits`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GovernanceLimits {
    /// The most requests the whole account may have in flight (SOAP, REST and RESTlets together).
    #[serde(deserialize_with = "count")]
    pub account_concurrency_limit: u32,
    /// The part of the account limit not allocated to a specific integration: what integrations
    /// without their own limit share.
    #[serde(default, deserialize_with = "optional_count")]
    pub account_unallocated_concurrency_limit: Option<u32>,
    /// This integration's own limit, when one is allocated (`integrationSpecific`).
    #[serde(default, deserialize_with = "optional_count")]
    pub integration_concurrency_limit: Option<u32>,
    /// `integrationSpecific`, `accountLimit` or `internal` (as sent).
    #[serde(default)]
    pub integration_limit_type: Option<String>,
}

impl GovernanceLimits {
    /// The concurrency this integration may use: its own limit when one is allocated
    /// (`integrationSpecific`); the unallocated part of the account's limit, which every
    /// integration without a limit shares (`accountLimit`); otherwise the account limit. At least 1.
    ///
    /// ```
    /// # use nstba_client::GovernanceLimits;
    /// let l: GovernanceLimits = serde_json::from_str(r#"{"accountConcurrencyLimit": 15,
    ///     "accountUnallocatedConcurrencyLimit": 10, "integrationConcurrencyLimit": 4,
    ///     "integrationLimitType": "integrationSpecific"}"#)?;
    /// assert_eq!(l.concurrency(), 4);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn concurrency(&self) -> usize {
        let limit = match self.integration_limit_type.as_deref() {
            Some("integrationSpecific") => self.integration_concurrency_limit,
            Some("accountLimit") => self.account_unallocated_concurrency_limit,
            _ => None,
        }
        .unwrap_or(self.account_concurrency_limit);
        (limit as usize).max(1)
    }
}

/// A count sent as a number or a numeric string.
fn count<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Count {
        Number(u32),
        Text(String),
    }
    match Count::deserialize(d)? {
        Count::Number(n) => Ok(n),
        Count::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a whole number"))),
    }
}

fn optional_count<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Option<u32>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "count")] u32);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

impl Client {
    /// `GET /services/rest/system/v1/governanceLimits`: the account's concurrency limits (NetSuite
    /// answers administrators only; others get an error).
    pub async fn governance_limits(&self) -> Result<GovernanceLimits> {
        let url = self.rest_url(GOVERNANCE_LIMITS_PATH)?;
        let reply = self.execute(Call::new(Method::GET, url)).await?;
        reply.json()
    }
}

impl ClientBuilder {
    /// Builds the client, reads the account's [`GovernanceLimits`] with it, and builds it again with
    /// its concurrency set to [`GovernanceLimits::concurrency`] (opt-in: NetSuite answers
    /// `governanceLimits` to administrators only; on an error nothing is built and the caller can
    /// fall back to [`ClientBuilder::build`]). With M2M, the client keeps the access token the
    /// first build fetched: one token request, not two.
    pub async fn build_sized_by_governance(self) -> Result<(Client, GovernanceLimits)> {
        let builder = self.share_m2m_token();
        let probe = builder.clone().build()?;
        let limits = probe.governance_limits().await?;
        let client = builder.concurrency(limits.concurrency()).build()?;
        Ok((client, limits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> GovernanceLimits {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn reads_the_three_limit_types() {
        let specific = parse(
            r#"{"accountConcurrencyLimit":5,"accountUnallocatedConcurrencyLimit":3,
                "integrationConcurrencyLimit":2,"integrationLimitType":"integrationSpecific"}"#,
        );
        assert_eq!(specific.integration_concurrency_limit, Some(2));
        assert_eq!(specific.concurrency(), 2);
        let shared = parse(
            r#"{"accountConcurrencyLimit":5,"accountUnallocatedConcurrencyLimit":3,
                "integrationLimitType":"accountLimit"}"#,
        );
        assert_eq!(shared.concurrency(), 3);
        let internal = parse(
            r#"{"accountConcurrencyLimit":"25","accountUnallocatedConcurrencyLimit":3,
                "integrationLimitType":"internal"}"#,
        );
        assert_eq!(internal.account_concurrency_limit, 25);
        assert_eq!(internal.concurrency(), 25);
        let zero = parse(r#"{"accountConcurrencyLimit":0}"#);
        assert_eq!(zero.concurrency(), 1);
        let e = serde_json::from_str::<GovernanceLimits>(r#"{"accountConcurrencyLimit":"many"}"#)
            .unwrap_err();
        assert!(e.to_string().contains("many"), "{e}");
    }
}
