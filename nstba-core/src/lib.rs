//! # nstba-core — NetSuite Token-Based Authentication, sans I/O
//!
//! Signs NetSuite REST, SuiteQL and RESTlet requests with TBA (OAuth 1.0a, HMAC-SHA256, the account as
//! `realm`) byte for byte as NetSuite verifies them, and builds SOAP `tokenPassport`s. No HTTP, no async:
//! give it a method, a URL, credentials, a timestamp and a nonce; get the `Authorization` header value
//! (and, for debugging `INVALID_LOGIN`, the base string).
//!
//! ```
//! use nstba_core::{AccountId, Credentials, Request, Stamp};
//!
//! let creds = Credentials::new(
//!     AccountId::parse("1234567_SB1")?,
//!     "consumer-key", "consumer-secret", "token-id", "token-secret",
//! )?;
//! let url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?limit=5";
//! // Production: Stamp::now() (system clock + CSPRNG nonce). Here fixed, for a stable example.
//! let signed = creds.key().sign(&Request::new("GET", url), &Stamp::new(1700000000, "n0nce1234567")?)?;
//! assert!(signed.authorization().starts_with("OAuth realm=\"1234567_SB1\""));
//! assert!(signed.base_string().contains("limit%3D5"));
//! # Ok::<(), nstba_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod account;
mod authorize;
mod clock;
mod credentials;
mod error;
pub mod m2m;
mod nonce;
mod normalize;
mod passport;
mod signer;

pub use account::AccountId;
pub use authorize::{Authorizer, Tba};
pub use clock::{unix_now, Clock, FixedClock, NonceSource, RandomNonce, SystemClock};
pub use credentials::{Credentials, ENV_VARIABLES};
pub use error::{Error, Result};
pub use m2m::{AssertionError, ClientAssertion};
pub use nonce::{random_nonce, NONCE_LEN};
pub use passport::{TokenPassport, DEFAULT_SOAP_VERSION};
pub use secrecy;
pub use signer::{
    base_string, encode, Explain, OAuthHeader, Request, Signed, Stamp, TbaKey, RFC3986,
    SIGNATURE_METHOD,
};
