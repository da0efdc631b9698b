//! NetSuite account ids and the URLs derived from them.

use crate::error::{Error, Result};
use core::fmt;
use core::str::FromStr;

/// A NetSuite account id.
///
/// NetSuite spells one account two ways: the *realm* (upper case, underscore: `1234567_SB1`), used in
/// the `OAuth realm` and SOAP passports, and the *host label* (lower case, hyphen: `1234567-sb1`), used in
/// host names. Users type either; [`AccountId::parse`] accepts both and this type produces both.
///
/// ```
/// use nstba_core::AccountId;
/// let id: AccountId = " 1234567-sb1 ".parse()?;
/// assert_eq!(id.realm(), "1234567_SB1");
/// assert_eq!(id.host_label(), "1234567-sb1");
/// assert_eq!(id.rest_base_url(), "https://1234567-sb1.suitetalk.api.netsuite.com");
/// # Ok::<(), nstba_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId {
    realm: String,
}

impl AccountId {
    /// Parses an account id in any of NetSuite's spellings, trimming surrounding whitespace.
    ///
    /// Accepted: an alphanumeric account part (`1234567`, `TSTDRV1234567`), optionally followed by one
    /// `_` or `-` and an alphanumeric environment suffix (`SB1`, `sb2`, `RP`). Anything else (empty,
    /// inner whitespace, `/`, `.`, non-ASCII, several separators) is [`Error::InvalidAccountId`].
    pub fn parse(value: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidAccountId {
            value: value.to_owned(),
            reason,
        };
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(invalid("it is empty"));
        }
        if trimmed.len() > 64 {
            return Err(invalid("it is longer than 64 characters"));
        }
        if !trimmed.is_ascii() {
            return Err(invalid("it contains non-ASCII characters"));
        }
        if trimmed.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(invalid("it contains whitespace"));
        }
        let mut parts = trimmed.split(['_', '-']);
        let account = parts.next().unwrap_or_default();
        let suffix = parts.next();
        if parts.next().is_some() {
            return Err(invalid(
                "it has more than one '_' or '-' (expected e.g. 1234567_SB1)",
            ));
        }
        let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !alnum(account) {
            return Err(invalid(
                "the account part must be letters and digits only (e.g. 1234567 or TSTDRV1234567)",
            ));
        }
        if !account.bytes().any(|b| b.is_ascii_digit()) {
            return Err(invalid("the account part must contain digits"));
        }
        let mut realm = account.to_ascii_uppercase();
        if let Some(suffix) = suffix {
            if !alnum(suffix) {
                return Err(invalid(
                    "the environment suffix must be letters and digits only (e.g. SB1 or RP)",
                ));
            }
            realm.push('_');
            realm.push_str(&suffix.to_ascii_uppercase());
        }
        Ok(AccountId { realm })
    }

    /// The realm form: upper case with underscore (`1234567_SB1`). This is the `OAuth realm`.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The host label: lower case with hyphen (`1234567-sb1`).
    pub fn host_label(&self) -> String {
        self.realm.to_ascii_lowercase().replace('_', "-")
    }

    /// `https://<label>.suitetalk.api.netsuite.com`: the REST (records, SuiteQL, metadata) base URL.
    pub fn rest_base_url(&self) -> String {
        format!("https://{}.suitetalk.api.netsuite.com", self.host_label())
    }

    /// `https://<label>.restlets.api.netsuite.com`: the RESTlet and token-endpoint base URL.
    pub fn restlet_base_url(&self) -> String {
        format!("https://{}.restlets.api.netsuite.com", self.host_label())
    }

    /// `https://<label>.app.netsuite.com`: the UI base URL (used for `authorizetoken.nl`).
    pub fn app_base_url(&self) -> String {
        format!("https://{}.app.netsuite.com", self.host_label())
    }
}

impl FromStr for AccountId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        AccountId::parse(s)
    }
}

impl fmt::Display for AccountId {
    /// Displays the realm form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.realm)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.realm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_spelling() {
        for (input, realm, label) in [
            ("1234567", "1234567", "1234567"),
            ("1234567_SB1", "1234567_SB1", "1234567-sb1"),
            ("1234567-sb1", "1234567_SB1", "1234567-sb1"),
            ("1234567_sb1", "1234567_SB1", "1234567-sb1"),
            ("TSTDRV1234567", "TSTDRV1234567", "tstdrv1234567"),
            ("tstdrv1234567", "TSTDRV1234567", "tstdrv1234567"),
            ("1234567_RP", "1234567_RP", "1234567-rp"),
            ("  1234567_SB2\n", "1234567_SB2", "1234567-sb2"),
        ] {
            let id = AccountId::parse(input).unwrap();
            assert_eq!(id.realm(), realm, "{input}");
            assert_eq!(id.host_label(), label, "{input}");
        }
    }

    #[test]
    fn urls() {
        let id = AccountId::parse("1234567_SB1").unwrap();
        assert_eq!(
            id.restlet_base_url(),
            "https://1234567-sb1.restlets.api.netsuite.com"
        );
        assert_eq!(id.app_base_url(), "https://1234567-sb1.app.netsuite.com");
        assert_eq!(id.to_string(), "1234567_SB1");
    }

    #[test]
    fn rejects_and_names_the_value() {
        for bad in [
            "",
            "   ",
            "123 4567",
            "1234567/sb1",
            "1234567.sb1",
            "1234567_sb1_x",
            "12345é",
            "_SB1",
            "1234567_",
            "ACCOUNT",
            "1234567-s b1",
        ] {
            let err = AccountId::parse(bad).unwrap_err();
            match &err {
                Error::InvalidAccountId { value, .. } => assert_eq!(value, bad),
                other => panic!("unexpected {other:?}"),
            }
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }
}
