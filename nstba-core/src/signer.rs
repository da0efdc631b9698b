//! OAuth 1.0a HMAC-SHA256 signing the way NetSuite verifies it (RFC 5849 §3.4 with NetSuite's rules).

use crate::account::AccountId;
use crate::error::{redact_url, Error, Result};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode, percent_encode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
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
    mac: Hmac<Sha256>,
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
        let mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
        // Overwrite the key text before it is dropped.
        let mut bytes = key.into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        drop(bytes);
        TbaKey {
            realm: account.realm().to_owned(),
            consumer_key: consumer_key.to_owned(),
            token_id: token.map(|(id, _)| id.to_owned()),
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
        self.sign_normalized(request, stamp).map(|(_, signed)| signed)
    }

    /// Signs like [`TbaKey::sign`] and also returns the normalized parameter list — everything a user
    /// needs to compare with what NetSuite computed, and no secret.
    pub fn explain(&self, request: &Request<'_>, stamp: &Stamp) -> Result<Explain> {
        let (normalized, signed) = self.sign_normalized(request, stamp)?;
        Ok(Explain {
            params: normalized
                .sorted()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            method: normalized.method,
            base_uri: normalized.base_uri,
            signed,
        })
    }

    fn sign_normalized(&self, request: &Request<'_>, stamp: &Stamp) -> Result<(Normalized, Signed)> {
        let timestamp = stamp.timestamp.to_string();
        let oauth = self.protocol_params(stamp, &timestamp);
        let normalized = Normalized::new(request, &oauth)?;
        let base_string = normalized.base_string();
        let signature = self.signature(&base_string);
        let authorization = self.header(&oauth, &signature);
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
        let mut mac = self.mac.clone();
        mac.update(base_string.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }

    fn protocol_params<'s>(&'s self, stamp: &'s Stamp, timestamp: &'s str) -> Vec<(&'s str, &'s str)> {
        let mut oauth = Vec::with_capacity(6 + stamp.extra.len());
        oauth.push(("oauth_consumer_key", self.consumer_key.as_str()));
        if let Some(token) = &self.token_id {
            oauth.push(("oauth_token", token.as_str()));
        }
        oauth.push(("oauth_signature_method", SIGNATURE_METHOD));
        oauth.push(("oauth_timestamp", timestamp));
        oauth.push(("oauth_nonce", stamp.nonce.as_str()));
        oauth.push(("oauth_version", "1.0"));
        for (k, v) in &stamp.extra {
            oauth.push((k.as_str(), v.as_str()));
        }
        oauth
    }

    fn header(&self, oauth: &[(&str, &str)], signature: &str) -> String {
        let mut out = String::with_capacity(160 + signature.len() * 2 + oauth.iter().map(|(k, v)| k.len() + v.len() + 6).sum::<usize>());
        out.push_str("OAuth realm=\"");
        out.extend(utf8_percent_encode(&self.realm, RFC3986));
        out.push('"');
        for (k, v) in oauth.iter().copied().chain([("oauth_signature", signature)]) {
            out.push_str(", ");
            out.push_str(k);
            out.push_str("=\"");
            out.extend(utf8_percent_encode(v, RFC3986));
            out.push('"');
        }
        out
    }
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

/// The result of one signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    authorization: String,
    base_string: String,
    signature: String,
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
        &self.signature
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
        write!(f, "signature:   {}", self.signed.signature)
    }
}

/// Builds the signature base string for `request` with the given protocol parameters (every `oauth_*`
/// parameter except `oauth_signature`; never `realm`).
///
/// This is what the emulator uses to verify a request as received.
pub fn base_string(request: &Request<'_>, oauth_params: &[(&str, &str)]) -> Result<String> {
    Ok(Normalized::new(request, oauth_params)?.base_string())
}

/// The normalized parts of one request.
struct Normalized {
    method: String,
    base_uri: String,
    /// Encoded names and values, back to back.
    buf: String,
    /// (name start, name end = value start, value end) into `buf`, sorted.
    pairs: Vec<(u32, u32, u32)>,
}

impl Normalized {
    fn new(request: &Request<'_>, oauth: &[(&str, &str)]) -> Result<Self> {
        let method = normalize_method(request.method)?;
        let invalid = |reason: &str| Error::InvalidUrl {
            url: redact_url(request.url),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(request.url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only absolute http:// and https:// URLs can be signed"));
        }
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(invalid("the URL has no host")),
        };
        // `url` lower-cases scheme and host, drops a default port and normalizes the path exactly as
        // the HTTP client (reqwest) will send it.
        let mut base_uri = String::with_capacity(request.url.len());
        base_uri.push_str(url.scheme());
        base_uri.push_str("://");
        base_uri.push_str(host);
        if let Some(port) = url.port() {
            base_uri.push(':');
            base_uri.push_str(&port.to_string());
        }
        base_uri.push_str(url.path());

        let mut n = Normalized {
            method,
            base_uri,
            buf: String::with_capacity(256),
            pairs: Vec::with_capacity(16),
        };
        if let Some(query) = url.query() {
            n.push_form(query);
        }
        if let Some(body) = request.form_body {
            n.push_form(body);
        }
        for (k, v) in oauth {
            n.push_encoded(utf8_percent_encode(k, RFC3986), utf8_percent_encode(v, RFC3986));
        }
        let buf = &n.buf;
        n.pairs.sort_unstable_by(|a, b| {
            let key = |p: &(u32, u32, u32)| {
                (&buf[p.0 as usize..p.1 as usize], &buf[p.1 as usize..p.2 as usize])
            };
            key(a).cmp(&key(b))
        });
        Ok(n)
    }

    /// Adds every `name=value` of an `application/x-www-form-urlencoded` string (a URL query or a
    /// form body), decoded (`+` is a space) and re-encoded.
    fn push_form(&mut self, form: &str) {
        for part in form.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = form_decode(name);
            let value = form_decode(value);
            self.push_encoded(percent_encode(&name, RFC3986), percent_encode(&value, RFC3986));
        }
    }

    fn push_encoded<'x>(
        &mut self,
        name: impl Iterator<Item = &'x str>,
        value: impl Iterator<Item = &'x str>,
    ) {
        let start = self.buf.len() as u32;
        self.buf.extend(name);
        let mid = self.buf.len() as u32;
        self.buf.extend(value);
        let end = self.buf.len() as u32;
        self.pairs.push((start, mid, end));
    }

    fn sorted(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|p| {
            (
                &self.buf[p.0 as usize..p.1 as usize],
                &self.buf[p.1 as usize..p.2 as usize],
            )
        })
    }

    fn base_string(&self) -> String {
        let mut out = String::with_capacity(
            self.method.len() + self.base_uri.len() * 3 / 2 + self.buf.len() * 3 / 2 + self.pairs.len() * 6 + 8,
        );
        out.push_str(&self.method);
        out.push('&');
        out.extend(utf8_percent_encode(&self.base_uri, RFC3986));
        out.push('&');
        // The normalized parameters are already RFC 3986 encoded (only unreserved characters and
        // `%XX`), so encoding them again only turns `%` into `%25`.
        let push_twice_encoded = |s: &str, out: &mut String| {
            for chunk in s.split_inclusive('%') {
                match chunk.strip_suffix('%') {
                    Some(head) => {
                        out.push_str(head);
                        out.push_str("%25");
                    }
                    None => out.push_str(chunk),
                }
            }
        };
        for (i, (k, v)) in self.sorted().enumerate() {
            if i > 0 {
                out.push_str("%26");
            }
            push_twice_encoded(k, &mut out);
            out.push_str("%3D");
            push_twice_encoded(v, &mut out);
        }
        out
    }
}

/// Decodes one `application/x-www-form-urlencoded` name or value to bytes (`+` is a space, `%XX` is
/// a byte, a `%` not followed by two hex digits stays as it is). Borrows when nothing changes.
fn form_decode(raw: &str) -> Cow<'_, [u8]> {
    if raw.contains('+') {
        let spaced = raw.replace('+', " ");
        Cow::Owned(Cow::from(percent_decode(spaced.as_bytes())).into_owned())
    } else {
        percent_decode(raw.as_bytes()).into()
    }
}

fn normalize_method(method: &str) -> Result<String> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(Error::InvalidMethod {
            method: method.to_owned(),
        });
    }
    Ok(method.to_ascii_uppercase())
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
            let decoded = percent_decode(body[..close].as_bytes())
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
