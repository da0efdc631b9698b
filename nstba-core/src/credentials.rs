//! TBA credentials: the five values an integration needs.

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::signer::TbaKey;
use core::fmt;
use secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

/// The environment variables [`Credentials::from_env`] reads, in order.
pub const ENV_VARIABLES: [&str; 5] = [
    "NETSUITE_ACCOUNT_ID",
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
];

/// Account + consumer key/secret (the integration record) + token id/secret (the access token).
///
/// Secrets are held as [`SecretString`]s: they are only exposed where the HMAC key is built, `Debug`
/// prints them as `[redacted]`, and the type has no `Serialize`.
///
/// ```
/// use nstba_core::{AccountId, Credentials};
/// let creds = Credentials::new(
///     AccountId::parse("1234567_SB1")?,
///     "consumer-key", "consumer-secret", "token-id", "token-secret",
/// )?;
/// assert!(!format!("{creds:?}").contains("consumer-secret"));
/// # Ok::<(), nstba_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    account: AccountId,
    consumer_key: String,
    consumer_secret: SecretString,
    token_id: String,
    token_secret: SecretString,
    key: TbaKey,
}

impl Credentials {
    /// Builds credentials from the account and the four values NetSuite showed once.
    ///
    /// Keys and secrets are trimmed of surrounding whitespace (a frequent copy-paste accident); an empty
    /// value or one with inner whitespace is [`Error::InvalidCredential`].
    pub fn new(
        account: AccountId,
        consumer_key: impl Into<String>,
        consumer_secret: impl Into<String>,
        token_id: impl Into<String>,
        token_secret: impl Into<String>,
    ) -> Result<Self> {
        let consumer_key = clean("consumer key", consumer_key.into())?;
        let consumer_secret = into_secret(clean("consumer secret", consumer_secret.into())?);
        let token_id = clean("token id", token_id.into())?;
        let token_secret = into_secret(clean("token secret", token_secret.into())?);
        let key = TbaKey::new(
            &account,
            &consumer_key,
            &consumer_secret,
            Some((&token_id, &token_secret)),
        );
        Ok(Credentials {
            account,
            consumer_key,
            consumer_secret,
            token_id,
            token_secret,
            key,
        })
    }

    /// Reads `NETSUITE_ACCOUNT_ID`, `NETSUITE_CONSUMER_KEY`, `NETSUITE_CONSUMER_SECRET`,
    /// `NETSUITE_TOKEN_ID` and `NETSUITE_TOKEN_SECRET`. The error names *every* missing or empty one.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`], reading the variables through `lookup` (for tests and for
    /// configuration sources other than the process environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        // Two of the values are secrets: whatever is not moved into the credentials is wiped.
        let mut values: Zeroizing<Vec<String>> = Zeroizing::new(Vec::with_capacity(5));
        let mut missing = Vec::new();
        for name in ENV_VARIABLES {
            match lookup(name) {
                Some(v) if !v.trim().is_empty() => values.push(v),
                _ => {
                    missing.push(name);
                    values.push(String::new());
                }
            }
        }
        if !missing.is_empty() {
            return Err(Error::MissingVariables { names: missing });
        }
        let mut take = |i: usize| std::mem::take(&mut values[i]);
        let account = AccountId::parse(&take(0))?;
        Credentials::new(account, take(1), take(2), take(3), take(4))
    }

    /// The account.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The consumer key (not secret).
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The token id (not secret).
    pub fn token_id(&self) -> &str {
        &self.token_id
    }

    /// The consumer secret and token secret, for building keys inside this crate only.
    pub(crate) fn secrets(&self) -> (&SecretString, &SecretString) {
        (&self.consumer_secret, &self.token_secret)
    }

    /// The prepared signing key (HMAC state keyed with `consumer_secret&token_secret`).
    pub fn key(&self) -> &TbaKey {
        &self.key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("account", &self.account.realm())
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"[redacted]")
            .field("token_id", &self.token_id)
            .field("token_secret", &"[redacted]")
            .finish()
    }
}

/// Trims `value`; an empty value or one with inner whitespace is an error naming the credential. The
/// input is wiped unless it is returned as is (it may be a secret).
fn clean(name: &'static str, mut value: String) -> Result<String> {
    let trimmed = value.trim();
    let result = if trimmed.is_empty() {
        Err(Error::InvalidCredential {
            name,
            reason: "it is empty",
        })
    } else if trimmed.chars().any(char::is_whitespace) {
        Err(Error::InvalidCredential {
            name,
            reason: "it contains whitespace",
        })
    } else if trimmed.len() == value.len() {
        return Ok(value);
    } else {
        Ok(trimmed.to_owned())
    };
    value.zeroize();
    result
}

/// Moves a secret into a [`SecretString`] (wiped when dropped) through an exact-size copy, so that no
/// reallocation leaves an unwiped copy behind; the input is wiped.
fn into_secret(mut value: String) -> SecretString {
    let exact: Box<str> = Box::from(value.as_str());
    value.zeroize();
    SecretString::new(exact)
}
