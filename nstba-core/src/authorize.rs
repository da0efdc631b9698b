//! The signing algorithm behind a small trait, so another scheme (OAuth 2.0) can sit beside TBA.

use crate::clock::{Clock, NonceSource, RandomNonce, SystemClock};
use crate::credentials::Credentials;
use crate::error::Result;
use crate::signer::{Request, Stamp};
use std::sync::Arc;

/// Produces the `Authorization` header value for a finished request, at send time.
///
/// HTTP clients call this once per attempt, after the URL is final, so every attempt carries a fresh
/// timestamp and nonce.
pub trait Authorizer: Send + Sync {
    /// The `Authorization` header value for `request`.
    fn authorize(&self, request: &Request<'_>) -> Result<String>;
}

/// NetSuite Token-Based Authentication: OAuth 1.0a HMAC-SHA256 with the account as realm.
///
/// Production defaults are the system clock and [`RandomNonce`]; both can be replaced for tests.
///
/// ```
/// use nstba_core::{AccountId, Authorizer, Credentials, FixedClock, Request, Tba};
/// let creds = Credentials::new(AccountId::parse("123456")?, "ck", "cs", "tk", "ts")?;
/// let tba = Tba::new(creds).with_clock(FixedClock(1_700_000_000));
/// let header = tba.authorize(&Request::new("GET", "https://123456.suitetalk.api.netsuite.com/x"))?;
/// assert!(header.contains("oauth_timestamp=\"1700000000\""));
/// # Ok::<(), nstba_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Tba {
    credentials: Credentials,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl Tba {
    /// TBA with the system clock and random nonces.
    pub fn new(credentials: Credentials) -> Self {
        Tba {
            credentials,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonce),
        }
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the nonce source.
    pub fn with_nonces(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Arc::new(nonces);
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A stamp from this signer's clock and nonce source.
    pub fn stamp(&self) -> Result<Stamp> {
        self.nonces.stamp(self.clock.now())
    }
}

impl Authorizer for Tba {
    fn authorize(&self, request: &Request<'_>) -> Result<String> {
        let stamp = self.stamp()?;
        self.credentials.key().authorization(request, &stamp)
    }
}

impl core::fmt::Debug for Tba {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tba")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}
