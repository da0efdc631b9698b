//! SOAP `tokenPassport`.

use crate::credentials::Credentials;
use crate::signer::Stamp;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use zeroize::Zeroizing;

/// The default SuiteTalk SOAP version used in the passport's XML namespaces.
pub const DEFAULT_SOAP_VERSION: &str = "2025_2";

/// A SOAP `tokenPassport`: HMAC-SHA256 over `account&consumerKey&tokenId&nonce&timestamp` (raw values,
/// account in realm form), keyed with `consumerSecret&tokenSecret`.
///
/// ```
/// use nstba_core::{AccountId, Credentials, Stamp, TokenPassport};
/// let creds = Credentials::new(AccountId::parse("1234567-sb1")?, "ck", "cs", "tk", "ts")?;
/// let passport = TokenPassport::new(&creds, &Stamp::new(1700000000, "abcdefghij")?);
/// assert_eq!(passport.base_string(), "1234567_SB1&ck&tk&abcdefghij&1700000000");
/// assert!(passport.to_xml().contains("<platformCore:signature algorithm=\"HMAC-SHA256\">"));
/// # Ok::<(), nstba_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPassport {
    account: String,
    consumer_key: String,
    token: String,
    nonce: String,
    timestamp: u64,
    signature: String,
    version: String,
}

impl TokenPassport {
    /// Signs a passport for `credentials` with `stamp`'s nonce and timestamp.
    pub fn new(credentials: &Credentials, stamp: &Stamp) -> Self {
        let account = credentials.account().realm().to_owned();
        let base = format!(
            "{}&{}&{}&{}&{}",
            account,
            credentials.consumer_key(),
            credentials.token_id(),
            stamp.nonce(),
            stamp.timestamp()
        );
        // The passport key is `consumerSecret&tokenSecret` with raw (not percent-encoded) values,
        // built in a buffer sized up front (never reallocated) and wiped when dropped.
        let (consumer_secret, token_secret) = credentials.secrets();
        let (cs, ts) = (
            consumer_secret.expose_secret().as_bytes(),
            token_secret.expose_secret().as_bytes(),
        );
        let mut key = Zeroizing::new(Vec::with_capacity(cs.len() + 1 + ts.len()));
        key.extend_from_slice(cs);
        key.push(b'&');
        key.extend_from_slice(ts);
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
        mac.update(base.as_bytes());
        let signature = BASE64.encode(mac.finalize().into_bytes());
        TokenPassport {
            account,
            consumer_key: credentials.consumer_key().to_owned(),
            token: credentials.token_id().to_owned(),
            nonce: stamp.nonce().to_owned(),
            timestamp: stamp.timestamp(),
            signature,
            version: DEFAULT_SOAP_VERSION.to_owned(),
        }
    }

    /// Uses another SuiteTalk version (`2024_2`, …) in the XML namespaces.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The string that was signed.
    pub fn base_string(&self) -> String {
        format!(
            "{}&{}&{}&{}&{}",
            self.account, self.consumer_key, self.token, self.nonce, self.timestamp
        )
    }

    /// The base64 signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The `tokenPassport` SOAP header element.
    pub fn to_xml(&self) -> String {
        let v = xml_escape(&self.version);
        let mut out = String::with_capacity(700);
        out.push_str(&format!(
            "<platformMsgs:tokenPassport xmlns:platformMsgs=\"urn:messages_{v}.platform.webservices.netsuite.com\" xmlns:platformCore=\"urn:core_{v}.platform.webservices.netsuite.com\">"
        ));
        for (name, value) in [
            ("account", self.account.as_str()),
            ("consumerKey", self.consumer_key.as_str()),
            ("token", self.token.as_str()),
            ("nonce", self.nonce.as_str()),
        ] {
            out.push_str(&format!(
                "<platformCore:{name}>{}</platformCore:{name}>",
                xml_escape(value)
            ));
        }
        out.push_str(&format!(
            "<platformCore:timestamp>{}</platformCore:timestamp>",
            self.timestamp
        ));
        out.push_str(&format!(
            "<platformCore:signature algorithm=\"HMAC-SHA256\">{}</platformCore:signature>",
            xml_escape(&self.signature)
        ));
        out.push_str("</platformMsgs:tokenPassport>");
        out
    }
}

impl fmt::Display for TokenPassport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_xml())
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
