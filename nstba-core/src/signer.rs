//! OAuth 1.0a HMAC-SHA256 signing the way NetSuite verifies it (RFC 5849 §3.4 with NetSuite's rules).

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::normalize::{base_string_common, encode_into, encoded, is_unreserved, Normalized};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::borrow::Cow;

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX` (upper-case hex).
pub const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The only signature method NetSuite accepts (HMAC-SHA1 ended with release 2023.1).
pub const SIGNATURE_METHOD: &str = "HMAC-SHA256";

/// Percent-encodes `value` as OAuth 1.0a requires (RFC 3986 unreserved characters kept, UTF-8, space
/// as `%20`, upper-case hex).
///
/// ```
/// assert_eq!(nstba_core::encode("a b+c/!*~"), "a%20b%2Bc%2F%21%2A~");
/// ```
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, RFC3986).to_string()
}

/// One request as it will be sent: method, full URL (query included) and, for an
/// `application/x-www-form-urlencoded` body only, the raw body text. JSON bodies are never signed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    method: &'a str,
    url: &'a str,
    form_body: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request without a signed body.
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Request {
            method,
            url,
            form_body: None,
        }
    }

    /// Adds the raw text of an `application/x-www-form-urlencoded` body, whose parameters are signed.
    pub fn form_body(mut self, body: &'a str) -> Self {
        self.form_body = Some(body);
        self
    }

    /// The method as given.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The URL as given.
    pub fn url(&self) -> &'a str {
        self.url
    }
}

/// The per-signing protocol values: timestamp, nonce and any extra `oauth_*` parameters
/// (`oauth_callback` for the request-token step, `oauth_verifier` for the access-token step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    timestamp: u64,
    nonce: String,
    extra: Vec<(String, String)>,
}

impl Stamp {
    /// A stamp with an explicit timestamp (Unix seconds) and nonce.
    ///
    /// The nonce must be at least 6 ASCII letters or digits, as NetSuite requires.
    pub fn new(timestamp: u64, nonce: impl Into<String>) -> Result<Self> {
        let nonce = nonce.into();
        let reason = if nonce.len() < 6 {
            Some("it must be at least 6 characters (20 recommended)")
        } else if nonce.len() > 64 {
            Some("it must be at most 64 characters")
        } else if !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Some("it must contain only ASCII letters and digits")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(Error::InvalidNonce { nonce, reason }),
            None => Ok(Stamp {
                timestamp,
                nonce,
                extra: Vec::new(),
            }),
        }
    }

    /// A stamp from the system clock and a fresh random nonce (see [`crate::random_nonce`]).
    pub fn now() -> Self {
        Stamp {
            timestamp: crate::clock::unix_now(),
            nonce: crate::nonce::random_nonce(),
            extra: Vec::new(),
        }
    }

    /// Adds an extra protocol parameter such as `oauth_callback` or `oauth_verifier`.
    ///
    /// The name must start with `oauth_` and must not be one the signer sets itself.
    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let reason = if !name.starts_with("oauth_") {
            Some("extra protocol parameters must start with oauth_; put others in the URL query")
        } else if RESERVED.contains(&name.as_str()) {
            Some("this parameter is set by the signer")
        } else if self.extra.iter().any(|(n, _)| *n == name) {
            Some("given twice")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidParameter { name, reason });
        }
        self.extra.push((name, value.into()));
        Ok(self)
    }

    /// Unix seconds.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// Extra `oauth_*` parameters.
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }
}

const RESERVED: [&str; 7] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_signature",
];

/// A prepared signing key: realm, consumer key, optional token id, and the HMAC-SHA256 state keyed with
/// `enc(consumer_secret)&enc(token_secret)` (token secret empty in the request-token step).
///
/// Preparing the HMAC state once means each signing clones it instead of hashing the key again. The
/// secrets themselves are not kept; `Debug` shows only the public parts.
#[derive(Clone)]
pub struct TbaKey {
    realm: String,
    consumer_key: String,
    token_id: Option<String>,
    /// `realm`, `consumer_key` and `token_id` RFC 3986 encoded once, for every signing.
    realm_enc: String,
    consumer_key_enc: String,
    token_id_enc: Option<String>,
    /// The fixed parts of the base string's protocol parameters and of the header, for the common
    /// case (see [`TbaKey::sign`]).
    template: Template,
    mac: Hmac<Sha256>,
}

/// Pre-assembled pieces of a signing with no extra protocol parameters and no form body. In sorted
/// order the protocol parameters are `oauth_consumer_key, oauth_nonce, oauth_signature_method,
/// oauth_timestamp[, oauth_token], oauth_version`, so in the base string they form one block with
/// two holes (nonce, timestamp), and the header is a prefix, two holes and the signature.
#[derive(Clone)]
struct Template {
    /// `oauth_consumer_key%3D<ck>%26oauth_nonce%3D`.
    block_a: String,
    /// `%26oauth_token%3D<token>%26oauth_version%3D1.0` (without the token part when there is none).
    block_c: String,
    /// `OAuth realm="…", oauth_consumer_key="…", oauth_token="…", oauth_signature_method="HMAC-SHA256", oauth_timestamp="`.
    header_a: String,
}

const BLOCK_B: &str = "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D";

impl Template {
    fn new(realm_enc: &str, consumer_key_enc: &str, token_id_enc: Option<&str>) -> Template {
        let twice = |s: &str| s.replace('%', "%25");
        let mut header_a =
            format!("OAuth realm=\"{realm_enc}\", oauth_consumer_key=\"{consumer_key_enc}\"");
        let mut block_c = String::new();
        if let Some(token) = token_id_enc {
            header_a.push_str(&format!(", oauth_token=\"{token}\""));
            block_c.push_str(&format!("%26oauth_token%3D{}", twice(token)));
        }
        block_c.push_str("%26oauth_version%3D1.0");
        header_a.push_str(", oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"");
        Template {
            block_a: format!(
                "oauth_consumer_key%3D{}%26oauth_nonce%3D",
                twice(consumer_key_enc)
            ),
            block_c,
            header_a,
        }
    }
}

impl TbaKey {
    /// Prepares a key. `token` is `None` for the first step of the 3-step flow (key `cs&`).
    pub fn new(
        account: &AccountId,
        consumer_key: &str,
        consumer_secret: &SecretString,
        token: Option<(&str, &SecretString)>,
    ) -> Self {
        let mut key = encode(consumer_secret.expose_secret());
        key.push('&');
        if let Some((_, secret)) = token {
            key.push_str(&encode(secret.expose_secret()));
        }
        let mac =
            Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
        // Overwrite the key text before it is dropped.
        let mut bytes = key.into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        drop(bytes);
        let realm_enc = encoded(account.realm()).into_owned();
        let consumer_key_enc = encoded(consumer_key).into_owned();
        let token_id_enc = token.map(|(id, _)| encoded(id).into_owned());
        TbaKey {
            realm: account.realm().to_owned(),
            consumer_key: consumer_key.to_owned(),
            token_id: token.map(|(id, _)| id.to_owned()),
            template: Template::new(&realm_enc, &consumer_key_enc, token_id_enc.as_deref()),
            realm_enc,
            consumer_key_enc,
            token_id_enc,
            mac,
        }
    }

    /// The realm this key signs for.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The token id, if any.
    pub fn token_id(&self) -> Option<&str> {
        self.token_id.as_deref()
    }

    /// Signs `request` with `stamp` and returns the `Authorization` header value and the base string.
    ///
    /// ```
    /// use nstba_core::{AccountId, Credentials, Request, Stamp};
    /// let creds = Credentials::new(AccountId::parse("123456")?, "ck", "cs", "tk", "ts")?;
    /// let signed = creds.key().sign(
    ///     &Request::new("get", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1"),
    ///     &Stamp::new(1700000000, "abcdefghij")?,
    /// )?;
    /// assert!(signed.authorization().starts_with("OAuth realm=\"123456\", oauth_consumer_key=\"ck\""));
    /// assert!(signed.base_string().starts_with("GET&https%3A%2F%2F123456.suitetalk"));
    /// # Ok::<(), nstba_core::Error>(())
    /// ```
    pub fn sign(&self, request: &Request<'_>, stamp: &Stamp) -> Result<Signed> {
        if stamp.extra.is_empty() && request.form_body.is_none() && is_unreserved(&stamp.nonce) {
            if let Some(signed) = self.sign_common(request, stamp)? {
                return Ok(signed);
            }
        }
        self.sign_normalized(request, stamp)
            .map(|(_, signed)| signed)
    }

    /// The common case (no extra protocol parameter, no form body, no query parameter that sorts
    /// among the protocol parameters) from pre-assembled pieces. Gives exactly what the general path
    /// gives (a property test checks it); `None` when the request is not the common case.
    fn sign_common(&self, request: &Request<'_>, stamp: &Stamp) -> Result<Option<Signed>> {
        let mut digits = [0u8; 20];
        let ts = format_u64(stamp.timestamp, &mut digits);
        let t = &self.template;
        let block = [
            t.block_a.as_bytes(),
            stamp.nonce.as_bytes(),
            BLOCK_B.as_bytes(),
            ts.as_bytes(),
            t.block_c.as_bytes(),
        ];
        let Some(base_string) = base_string_common(
            request.method,
            request.url,
            &block,
            "oauth_consumer_key",
            "oauth_version",
        )?
        else {
            return Ok(None);
        };
        let signature = self.signature_text(&base_string);
        let sig = signature.as_str();
        let mut header = String::with_capacity(t.header_a.len() + 120 + sig.len() * 2);
        header.push_str(&t.header_a);
        header.push_str(ts);
        header.push_str("\", oauth_nonce=\"");
        header.push_str(&stamp.nonce);
        header.push_str("\", oauth_version=\"1.0\", oauth_signature=\"");
        // base64 only needs `+`, `/` and `=` escaped.
        let mut run = 0;
        for (i, c) in sig.bytes().enumerate() {
            let escaped = match c {
                b'+' => "%2B",
                b'/' => "%2F",
                b'=' => "%3D",
                _ => continue,
            };
            header.push_str(&sig[run..i]);
            header.push_str(escaped);
            run = i + 1;
        }
        header.push_str(&sig[run..]);
        header.push('"');
        Ok(Some(Signed {
            authorization: header,
            base_string,
            signature,
        }))
    }

    /// Signs like [`TbaKey::sign`] and also returns the normalized parameter list — everything a user
    /// needs to compare with what NetSuite computed, and no secret.
    pub fn explain(&self, request: &Request<'_>, stamp: &Stamp) -> Result<Explain> {
        let (normalized, signed) = self.sign_normalized(request, stamp)?;
        Ok(Explain {
            params: normalized.sorted().collect(),
            method: normalized.method.clone().into_owned(),
            base_uri: normalized.base_uri(),
            signed,
        })
    }

    fn sign_normalized<'r>(
        &self,
        request: &Request<'r>,
        stamp: &Stamp,
    ) -> Result<(Normalized<'r>, Signed)> {
        let mut digits = [0u8; 20];
        let ts = format_u64(stamp.timestamp, &mut digits);
        // Every value below is RFC 3986 encoded: the key's parts once at construction, the nonce is
        // alphanumeric by construction, the timestamp digits; extras are encoded here.
        let nonce = encoded(&stamp.nonce);
        let mut oauth: Vec<(&str, Cow<'_, str>)> = Vec::with_capacity(6 + stamp.extra.len());
        oauth.push(("oauth_consumer_key", Cow::Borrowed(&self.consumer_key_enc)));
        if let Some(token) = &self.token_id_enc {
            oauth.push(("oauth_token", Cow::Borrowed(token)));
        }
        oauth.push(("oauth_signature_method", Cow::Borrowed(SIGNATURE_METHOD)));
        oauth.push(("oauth_timestamp", Cow::Borrowed(ts)));
        oauth.push(("oauth_nonce", nonce));
        oauth.push(("oauth_version", Cow::Borrowed("1.0")));
        for (k, v) in &stamp.extra {
            oauth.push((k.as_str(), encoded(v)));
        }
        let normalized = Normalized::new(request.method, request.url, request.form_body, &oauth)?;
        let base_string = normalized.base_string();
        let signature = self.signature_text(&base_string);
        let authorization = self.header(&oauth, signature.as_str());
        Ok((
            normalized,
            Signed {
                authorization,
                base_string,
                signature,
            },
        ))
    }

    /// Checks a base64 signature against `base_string` in constant time.
    pub fn verify(&self, base_string: &str, signature_base64: &str) -> bool {
        let Ok(raw) = BASE64.decode(signature_base64) else {
            return false;
        };
        let mut mac = self.mac.clone();
        mac.update(base_string.as_bytes());
        mac.verify_slice(&raw).is_ok()
    }

    /// base64(HMAC-SHA256(key, base_string)), before header percent-encoding.
    pub fn signature(&self, base_string: &str) -> String {
        self.signature_text(base_string).as_str().to_owned()
    }

    fn signature_text(&self, base_string: &str) -> SignatureText {
        let mut mac = self.mac.clone();
        mac.update(base_string.as_bytes());
        let mut bytes = [0u8; 44];
        let n = BASE64
            .encode_slice(mac.finalize().into_bytes(), &mut bytes)
            .expect("32 bytes are 44 base64 characters");
        debug_assert_eq!(n, 44);
        SignatureText(bytes)
    }

    /// `OAuth realm="…", k="v", …, oauth_signature="…"` from already-encoded values.
    fn header(&self, oauth: &[(&str, Cow<'_, str>)], signature: &str) -> String {
        let len: usize = oauth.iter().map(|(k, v)| k.len() + v.len() + 5).sum();
        let mut out = Vec::with_capacity(40 + self.realm_enc.len() + len + signature.len() * 2);
        out.extend_from_slice(b"OAuth realm=\"");
        out.extend_from_slice(self.realm_enc.as_bytes());
        out.push(b'"');
        for (k, v) in oauth {
            out.extend_from_slice(b", ");
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b"=\"");
            out.extend_from_slice(v.as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b", oauth_signature=\"");
        encode_into(&mut out, signature.as_bytes());
        out.push(b'"');
        String::from_utf8(out).expect("the header is ASCII")
    }
}

/// Writes `n` in decimal into `buf` and returns the digits.
fn format_u64(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).expect("digits are ASCII")
}

impl fmt::Debug for TbaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TbaKey")
            .field("realm", &self.realm)
            .field("consumer_key", &self.consumer_key)
            .field("token_id", &self.token_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The base64 text of an HMAC-SHA256 signature, kept inline (no allocation per signing).
#[derive(Clone, Copy, PartialEq, Eq)]
struct SignatureText([u8; 44]);

impl SignatureText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("base64 is ASCII")
    }
}

impl fmt::Debug for SignatureText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The result of one signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    authorization: String,
    base_string: String,
    signature: SignatureText,
}

impl Signed {
    /// The `Authorization` header value: `OAuth realm="…", oauth_consumer_key="…", …`.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// Consumes the result, keeping only the header value.
    pub fn into_authorization(self) -> String {
        self.authorization
    }

    /// The signature base string.
    pub fn base_string(&self) -> &str {
        &self.base_string
    }

    /// The base64 signature (before it is percent-encoded into the header).
    pub fn signature(&self) -> &str {
        self.signature.as_str()
    }
}

/// The explain view of one signing: the pieces of the base string and the result. Contains no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explain {
    /// Upper-cased method.
    pub method: String,
    /// Base URI: scheme and host lower-cased, default port dropped, path as sent, no query or fragment.
    pub base_uri: String,
    /// Normalized parameters: each name and value decoded then RFC 3986 encoded, sorted by name then value.
    pub params: Vec<(String, String)>,
    /// The header value, base string and signature.
    pub signed: Signed,
}

impl fmt::Display for Explain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "method:      {}", self.method)?;
        writeln!(f, "base URI:    {}", self.base_uri)?;
        writeln!(f, "parameters (decoded, re-encoded, sorted):")?;
        for (k, v) in &self.params {
            writeln!(f, "  {k}={v}")?;
        }
        writeln!(f, "base string: {}", self.signed.base_string)?;
        write!(f, "signature:   {}", self.signed.signature())
    }
}

/// Builds the signature base string for `request` with the given protocol parameters (every `oauth_*`
/// parameter except `oauth_signature`, decoded; never `realm`).
///
/// This is what the emulator uses to verify a request as received.
pub fn base_string(request: &Request<'_>, oauth_params: &[(&str, &str)]) -> Result<String> {
    let encoded: Vec<(Cow<'_, str>, Cow<'_, str>)> = oauth_params
        .iter()
        .map(|(k, v)| (encoded(k), encoded(v)))
        .collect();
    Ok(Normalized::new(request.method, request.url, request.form_body, &encoded)?.base_string())
}

/// A parsed `Authorization: OAuth …` header: the realm and every parameter, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthHeader {
    params: Vec<(String, String)>,
}

impl OAuthHeader {
    /// Parses an `Authorization` header value of the `OAuth` scheme.
    ///
    /// Parameters are `name="value"` separated by commas; values are percent-decoded. A parameter given
    /// twice, an unquoted value or another scheme is [`Error::InvalidHeader`].
    pub fn parse(value: &str) -> Result<Self> {
        let invalid = |reason: String| Error::InvalidHeader { reason };
        let value = value.trim();
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("OAuth") {
            return Err(invalid("the scheme is not OAuth".to_owned()));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        let mut rest = rest.trim_start();
        while !rest.is_empty() {
            let eq = rest
                .find('=')
                .ok_or_else(|| invalid("a parameter has no '='".to_owned()))?;
            let name = rest[..eq].trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(invalid(format!("bad parameter name {name:?}")));
            }
            let after = rest[eq + 1..].trim_start();
            let body = after
                .strip_prefix('"')
                .ok_or_else(|| invalid(format!("the value of {name} is not quoted")))?;
            let close = body
                .find('"')
                .ok_or_else(|| invalid(format!("the value of {name} has no closing quote")))?;
            let decoded = percent_decode(&body.as_bytes()[..close])
                .decode_utf8()
                .map_err(|_| invalid(format!("the value of {name} is not UTF-8")))?
                .into_owned();
            if params.iter().any(|(n, _)| n == name) {
                return Err(invalid(format!("{name} is given twice")));
            }
            params.push((name.to_owned(), decoded));
            rest = body[close + 1..].trim_start();
            if let Some(r) = rest.strip_prefix(',') {
                rest = r.trim_start();
            } else if !rest.is_empty() {
                return Err(invalid("parameters must be separated by commas".to_owned()));
            }
        }
        Ok(OAuthHeader { params })
    }

    /// The value of one parameter (`realm`, `oauth_nonce`, …), decoded.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter in header order, decoded.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The parameters that enter the base string: every `oauth_*` except `oauth_signature`.
    pub fn signed_params(&self) -> Vec<(&str, &str)> {
        self.params
            .iter()
            .filter(|(n, _)| n.starts_with("oauth_") && n != "oauth_signature")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}
