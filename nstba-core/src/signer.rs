//! OAuth 1.0a HMAC-SHA256 signing the way NetSuite verifies it (RFC 5849 §3.4 with NetSuite's rules).

use crate::account::AccountId;
use crate::error::{Error, Result};
use crate::normalize::{
    ascii_string, encode_into, encode_once_into, encode_tag_into, encoded, encoded_twice,
    Normalized,
};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::sync::Mutex;
use zeroize::Zeroizing;

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
#[derive(Clone, PartialEq, Eq)]
pub struct Stamp {
    timestamp: u64,
    text: StampText,
    extra: Vec<(String, String)>,
}

impl fmt::Debug for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stamp")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce())
            .field("extra", &self.extra)
            .finish()
    }
}

impl Stamp {
    /// A stamp with an explicit timestamp (Unix seconds) and nonce.
    ///
    /// The nonce must be at least 6 ASCII letters or digits, as NetSuite requires.
    pub fn new(timestamp: u64, nonce: impl Into<String>) -> Result<Self> {
        let nonce = nonce.into();
        let reason = if nonce.len() < 6 {
            Some("it must be at least 6 characters (20 recommended)")
        } else if nonce.len() > MAX_NONCE_LEN {
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
                text: StampText::new(
                    nonce.len(),
                    |slot| slot.copy_from_slice(nonce.as_bytes()),
                    timestamp,
                ),
                extra: Vec::new(),
            }),
        }
    }

    /// A stamp from the system clock and a fresh random nonce (see [`crate::random_nonce`]).
    #[inline]
    pub fn now() -> Self {
        Stamp::random_at(crate::clock::unix_now())
    }

    /// A stamp at `timestamp` with a fresh random nonce, drawn in place.
    #[inline]
    pub(crate) fn random_at(timestamp: u64) -> Self {
        Stamp {
            timestamp,
            text: StampText::new(crate::NONCE_LEN, crate::nonce::fill_nonce, timestamp),
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
        } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            Some("a protocol parameter name holds only ASCII letters, digits and _")
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
        // Letters and digits (checked by `Stamp::new`, drawn so by `Stamp::now`).
        std::str::from_utf8(self.text.nonce()).unwrap_or_default()
    }

    /// Extra `oauth_*` parameters.
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }
}

/// The longest nonce [`Stamp::new`] accepts.
const MAX_NONCE_LEN: usize = 64;

/// `oauth_nonce` as it starts in the base string after another parameter.
const NONCE_JOINED: &[u8] = b"%26oauth_nonce%3D";
/// `oauth_timestamp` as it starts in the base string after another parameter.
const TIMESTAMP_JOINED: &[u8] = b"%26oauth_timestamp%3D";
/// Room for both, the longest nonce and the 20 digits of any `u64`.
const STAMP_TEXT_LEN: usize = NONCE_JOINED.len() + MAX_NONCE_LEN + TIMESTAMP_JOINED.len() + 20;

/// A stamp's nonce and timestamp as the base string carries them, written once, inline (no
/// allocation per stamp): `%26oauth_nonce%3D<nonce>%26oauth_timestamp%3D<digits>`. Letters and
/// digits need no encoding, so the header takes the values from the same text.
#[derive(Clone, Copy, PartialEq, Eq)]
struct StampText {
    buf: [u8; STAMP_TEXT_LEN],
    nonce_end: u8,
    len: u8,
}

impl StampText {
    /// The text for a nonce of `nonce_len` letters and digits (at most [`MAX_NONCE_LEN`]), which
    /// `write_nonce` writes in place, and `seconds`.
    #[inline]
    fn new(nonce_len: usize, write_nonce: impl FnOnce(&mut [u8]), seconds: u64) -> Self {
        let mut buf = [0u8; STAMP_TEXT_LEN];
        let nonce_start = NONCE_JOINED.len();
        buf[..nonce_start].copy_from_slice(NONCE_JOINED);
        let nonce_end = nonce_start + nonce_len;
        write_nonce(&mut buf[nonce_start..nonce_end]);
        let digits_start = nonce_end + TIMESTAMP_JOINED.len();
        buf[nonce_end..digits_start].copy_from_slice(TIMESTAMP_JOINED);
        let (digits, first) = decimal(seconds);
        let len = digits_start + digits.len() - first;
        buf[digits_start..len].copy_from_slice(&digits[first..]);
        StampText {
            buf,
            nonce_end: nonce_end as u8,
            len: len as u8,
        }
    }

    /// `%26oauth_nonce%3D<nonce>`.
    fn nonce_joined(&self) -> &[u8] {
        &self.buf[..self.nonce_end as usize]
    }

    /// `%26oauth_timestamp%3D<digits>`.
    fn timestamp_joined(&self) -> &[u8] {
        &self.buf[self.nonce_end as usize..self.len as usize]
    }

    fn nonce(&self) -> &[u8] {
        &self.buf[NONCE_JOINED.len()..self.nonce_end as usize]
    }

    fn timestamp(&self) -> &[u8] {
        &self.buf[self.nonce_end as usize + TIMESTAMP_JOINED.len()..self.len as usize]
    }
}

/// `00` to `99`.
const DIGIT_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// The decimal digits of `n`, right-aligned, and where they start: two digits per division.
fn decimal(mut n: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + n as u8;
    }
    (digits, i)
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
/// secrets themselves are not kept (the key text is wiped once the state is built, and the state is
/// wiped when dropped); `Debug` shows only the public parts.
#[derive(Clone)]
pub struct TbaKey {
    realm: String,
    consumer_key: String,
    token_id: Option<String>,
    /// `%26oauth_consumer_key%3D…` and `%26oauth_token%3D…` as the base string carries them (value
    /// encoded twice), written once per key.
    consumer_key_joined: String,
    token_id_joined: Option<String>,
    /// The header up to the timestamp's value, which only depends on the key: `OAuth realm="…",
    /// oauth_consumer_key="…"[, oauth_token="…"], oauth_signature_method="HMAC-SHA256",
    /// oauth_timestamp="`.
    header_start: String,
    mac: Hmac<Sha256>,
    /// The MAC after the first 64 bytes (one SHA-256 block) of the base strings of this account's
    /// own REST and RESTlet calls (`GET&https%3A%2F%2F<label>.suitetalk.api.netsuite.com%2Fservices…`),
    /// per method: nearly every request starts with one, and resuming from it saves a block.
    prefixed: Vec<Prefixed>,
    /// The account's REST and RESTlet hosts, which the URL split takes without scanning them (an
    /// empty string when the split would not accept one as it is).
    hosts: [String; 2],
    /// The MAC after the whole blocks of the last base string's part that stays the same from one
    /// signing of a request to the next (see [`Remembered`]).
    remembered: Remembered,
}

/// The MAC state after the whole 64-byte blocks of a signed base string that came before its
/// first per-call parameter (the nonce): what a list or SuiteQL page loop, a poll or a retry signs
/// again with a new nonce and timestamp (`GET&<base URI>&limit%3D1000%26oauth_consumer_key%3D…` —
/// `offset` sorts after the `oauth_*` parameters). A signing whose base string starts with the
/// remembered bytes resumes from the state instead of hashing them again.
///
/// Blocks are remembered when two signings in a row that do not resume have them (until then only
/// their bytes are kept): a run of requests that share nothing (records fetched by id, two lists
/// signed in turn) costs a copy of a few hundred bytes per signing, not a copy of the state each
/// time, and a request signed between the pages of a remembered list does not displace it.
///
/// Taken with `try_lock`: a signing that finds another one holding it goes the ordinary way rather
/// than wait. A clone of the key starts with nothing remembered; the state (keyed from the secrets)
/// is wiped when replaced or dropped, like the key's own.
#[derive(Default)]
struct Remembered(Mutex<Memo>);

/// See [`Remembered`].
#[derive(Default)]
struct Memo {
    /// The base string's first bytes, a whole number of blocks, and the key's MAC after them.
    resume: Option<(Vec<u8>, Hmac<Sha256>)>,
    /// The whole blocks before the nonce of the last signing that did not resume.
    seen: Vec<u8>,
}

impl Clone for Remembered {
    fn clone(&self) -> Self {
        Remembered::default()
    }
}

/// One base-string block absorbed ahead of time.
#[derive(Clone)]
struct Prefixed {
    block: [u8; 64],
    mac: Hmac<Sha256>,
}

/// The methods whose base-string prefixes [`TbaKey`] absorbs ahead of time.
const PREFIXED_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The first SHA-256 block of the base strings of `method` calls under `base_url` + `path` (the
/// path's own `/` encoded as the base string carries it), when the prefix fills a block.
fn prefix_block(method: &str, base_url: &str, path: &str) -> Option<[u8; 64]> {
    let mut text = String::with_capacity(128);
    text.push_str(method);
    text.push('&');
    text.push_str(&encoded(base_url));
    text.push_str(&encoded(path));
    text.as_bytes().get(..64)?.try_into().ok()
}

impl TbaKey {
    /// Prepares a key. `token` is `None` for the first step of the 3-step flow (key `cs&`).
    pub fn new(
        account: &AccountId,
        consumer_key: &str,
        consumer_secret: &SecretString,
        token: Option<(&str, &SecretString)>,
    ) -> Self {
        let consumer_secret = consumer_secret.expose_secret().as_bytes();
        let token_secret = token.map_or(&[][..], |(_, s)| s.expose_secret().as_bytes());
        // Sized up front (with the room `encode_into` asks for) so the key text is never moved by a
        // reallocation (which would leave a copy behind); wiped when dropped, capacity and all.
        let mut key = Zeroizing::new(Vec::with_capacity(
            (consumer_secret.len() + token_secret.len()) * 3 + 1 + 16,
        ));
        encode_into(&mut key, consumer_secret);
        key.push(b'&');
        encode_into(&mut key, token_secret);
        let mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
        let mut header_start = format!(
            "OAuth realm=\"{}\", oauth_consumer_key=\"{}\"",
            encoded(account.realm()),
            encoded(consumer_key)
        );
        if let Some((token, _)) = token {
            header_start.push_str(&format!(", oauth_token=\"{}\"", encoded(token)));
        }
        header_start.push_str(", oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"");
        let mut prefixed = Vec::new();
        for method in PREFIXED_METHODS {
            for (base, path) in [
                (account.rest_base_url(), "/services/rest/"),
                (account.restlet_base_url(), "/app/site/hosting/"),
            ] {
                if let Some(block) = prefix_block(method, &base, path) {
                    let mut mac = mac.clone();
                    mac.update(&block);
                    prefixed.push(Prefixed { block, mac });
                }
            }
        }
        let host = |base: String| {
            let host = base.strip_prefix("https://").unwrap_or_default().to_owned();
            let checked =
                crate::normalize::split_fast(&format!("https://{host}/"), &[], &mut Vec::new())
                    .is_some_and(|u| u.host == host);
            if checked {
                host
            } else {
                String::new()
            }
        };
        TbaKey {
            hosts: [
                host(account.rest_base_url()),
                host(account.restlet_base_url()),
            ],
            prefixed,
            realm: account.realm().to_owned(),
            consumer_key: consumer_key.to_owned(),
            token_id: token.map(|(id, _)| id.to_owned()),
            consumer_key_joined: format!("%26oauth_consumer_key%3D{}", encoded_twice(consumer_key)),
            token_id_joined: token.map(|(id, _)| format!("%26oauth_token%3D{}", encoded_twice(id))),
            header_start,
            mac,
            remembered: Remembered::default(),
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
        self.sign_normalized(request, stamp, |normalized, tag, authorization| Signed {
            authorization,
            base_string: normalized.take_base_bytes(),
            signature: SignatureText::of(tag),
        })
    }

    /// Signs like [`TbaKey::sign`] and returns only the `Authorization` header value: what a client
    /// sends (and what [`crate::Tba`] returns). The base string is built in a buffer this thread
    /// reuses instead of one of its own, as nobody reads it.
    ///
    /// ```
    /// use nstba_core::{AccountId, Credentials, Request, Stamp};
    /// let creds = Credentials::new(AccountId::parse("123456")?, "ck", "cs", "tk", "ts")?;
    /// let request = Request::new("GET", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1");
    /// let stamp = Stamp::new(1700000000, "abcdefghij")?;
    /// let header = creds.key().authorization(&request, &stamp)?;
    /// assert_eq!(header, creds.key().sign(&request, &stamp)?.into_authorization());
    /// # Ok::<(), nstba_core::Error>(())
    /// ```
    pub fn authorization(&self, request: &Request<'_>, stamp: &Stamp) -> Result<String> {
        self.sign_normalized(request, stamp, |_, _, authorization| authorization)
    }

    /// Signs like [`TbaKey::sign`] (the same normalizer and header writer) and also returns the
    /// normalized parameter list — everything a user needs to compare with what NetSuite computed,
    /// and no secret.
    pub fn explain(&self, request: &Request<'_>, stamp: &Stamp) -> Result<Explain> {
        self.sign_normalized(request, stamp, |normalized, tag, authorization| Explain {
            params: normalized.sorted(),
            method: normalized.method().to_owned(),
            base_uri: normalized.base_uri(),
            signed: Signed {
                authorization,
                base_string: normalized.take_base_bytes(),
                signature: SignatureText::of(tag),
            },
        })
    }

    /// The one signing path: normalize, HMAC, header; then `done` takes what it needs of the
    /// normalizer (which stays in place on this frame), the MAC tag and the header. (The header
    /// carries the tag's base64 text encoded, written from the tag in one pass; `sign` and `explain`
    /// also keep the text itself.)
    fn sign_normalized<'s, R>(
        &'s self,
        request: &Request<'s>,
        stamp: &'s Stamp,
        done: impl FnOnce(&mut Normalized<'s>, &[u8; 32], String) -> R,
    ) -> Result<R> {
        let mut normalized = Normalized::new();
        let hosts = [self.hosts[0].as_str(), self.hosts[1].as_str()];
        normalized.start(request.method, request.url, &hosts, request.form_body)?;
        // In base-string order, so the normalizer's check finds them ordered; extra parameters
        // (`oauth_callback`, `oauth_verifier`, …) are put in their place by the normalizer.
        normalized.push_joined(
            self.consumer_key_joined.as_bytes(),
            "oauth_consumer_key".len(),
        );
        normalized.push_joined_per_call(stamp.text.nonce_joined(), "oauth_nonce".len());
        normalized.push_joined(
            b"%26oauth_signature_method%3DHMAC-SHA256",
            "oauth_signature_method".len(),
        );
        normalized.push_joined_per_call(stamp.text.timestamp_joined(), "oauth_timestamp".len());
        if let Some(token) = &self.token_id_joined {
            normalized.push_joined(token.as_bytes(), "oauth_token".len());
        }
        normalized.push_joined(b"%26oauth_version%3D1.0", "oauth_version".len());
        for (name, value) in &stamp.extra {
            normalized.push(name, value);
        }
        normalized.finish();
        // The MAC's last blocks are a chain of dependent steps; the header's text up to the
        // signature does not depend on them, so it is written while they run.
        let tag = self.tag(normalized.base_bytes(), normalized.stable_len());
        let mut header = self.header_open(stamp);
        encode_tag_into(&mut header, &tag);
        header.push(b'"');
        let authorization = ascii_string(header);
        Ok(done(&mut normalized, &tag, authorization))
    }

    /// The header writer, up to the signature's value: `OAuth realm="…", oauth_consumer_key="…", …,
    /// oauth_signature="`, every value encoded once: the key's part (written once, in
    /// [`TbaKey::new`]), then the stamp's (`oauth_timestamp`, `oauth_nonce`, `oauth_version`, the
    /// extra parameters). The caller appends the encoded signature and the closing `"`.
    fn header_open(&self, stamp: &Stamp) -> Vec<u8> {
        // The fixed names and values and the signature take under 240 bytes.
        let mut len = self.header_start.len() + 240 + stamp.text.len as usize;
        for (name, value) in &stamp.extra {
            len += name.len() + value.len() * 3 + 5;
        }
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(self.header_start.as_bytes());
        out.extend_from_slice(stamp.text.timestamp());
        out.extend_from_slice(b"\", oauth_nonce=\"");
        out.extend_from_slice(stamp.text.nonce());
        out.extend_from_slice(b"\", oauth_version=\"1.0\"");
        for (name, value) in &stamp.extra {
            out.extend_from_slice(b", ");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"=\"");
            encode_once_into(&mut out, value);
            out.push(b'"');
        }
        out.extend_from_slice(b", oauth_signature=\"");
        out
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
        self.signature_text(base_string.as_bytes())
            .as_str()
            .to_owned()
    }

    fn signature_text(&self, base_string: &[u8]) -> SignatureText {
        SignatureText::of(&self.tag(base_string, 0))
    }

    /// HMAC-SHA256 of `base_string`, resumed from the remembered blocks (see [`Remembered`]) or a
    /// prefix block absorbed ahead of time when the base string starts with them. The whole blocks
    /// of its first `stable_len` bytes are remembered (the second time in a row) when they reach
    /// further than where it resumed.
    fn tag(&self, base_string: &[u8], stable_len: usize) -> [u8; 32] {
        let mut memo = self.remembered.0.try_lock().ok();
        let (mut mac, mut from) = match memo.as_deref_mut() {
            Some(Memo {
                resume: Some((blocks, mac)),
                seen,
            }) if base_string.starts_with(blocks) => {
                // A run of signings that do not resume ends here.
                seen.clear();
                (mac.clone(), blocks.len())
            }
            _ => self.absorbed_prefix(base_string),
        };
        let whole = stable_len.min(base_string.len()) / 64 * 64;
        if let Some(memo) = memo.as_deref_mut().filter(|_| whole > from) {
            let blocks = &base_string[..whole];
            if memo.seen == blocks {
                mac.update(&base_string[from..whole]);
                from = whole;
                let blocks = std::mem::take(&mut memo.seen);
                // The buffer of the blocks replaced keeps the next ones seen.
                if let Some((old, _)) = memo.resume.replace((blocks, mac.clone())) {
                    memo.seen = old;
                    memo.seen.clear();
                }
            } else {
                memo.seen.clear();
                memo.seen.extend_from_slice(blocks);
            }
        }
        drop(memo);
        mac.update(&base_string[from..]);
        mac.finalize().into_bytes().into()
    }

    /// The MAC after the prefix block of `base_string` absorbed ahead of time, if any, and how many
    /// bytes it has absorbed.
    fn absorbed_prefix(&self, base_string: &[u8]) -> (Hmac<Sha256>, usize) {
        match base_string
            .get(..64)
            .and_then(|head| self.prefixed.iter().find(|p| p.block == *head))
        {
            Some(p) => (p.mac.clone(), 64),
            None => (self.mac.clone(), 0),
        }
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

/// The base64 text of an HMAC-SHA256 signature, kept inline (no allocation per signing).
#[derive(Clone, Copy, PartialEq, Eq)]
struct SignatureText([u8; 44]);

impl SignatureText {
    /// The base64 text of an HMAC-SHA256 tag.
    fn of(tag: &[u8; 32]) -> Self {
        let mut bytes = [0u8; 44];
        let n = BASE64
            .encode_slice(tag, &mut bytes)
            .expect("32 bytes are 44 base64 characters");
        debug_assert_eq!(n, 44);
        SignatureText(bytes)
    }

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
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    authorization: String,
    /// The base string's bytes (ASCII: everything in it is percent-encoded), read as text only when
    /// asked for: most callers send the header and never look at it.
    base_string: Vec<u8>,
    signature: SignatureText,
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("authorization", &self.authorization)
            .field("base_string", &self.base_string())
            .field("signature", &self.signature)
            .finish()
    }
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
        // Always ASCII (see the field); an empty text stands where a panic would otherwise be.
        std::str::from_utf8(&self.base_string).unwrap_or_default()
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
        writeln!(f, "base string: {}", self.signed.base_string())?;
        write!(f, "signature:   {}", self.signed.signature())
    }
}

/// Builds the signature base string for `request` with the given protocol parameters (every `oauth_*`
/// parameter except `oauth_signature`, decoded; never `realm`).
///
/// This is what the emulator uses to verify a request as received.
pub fn base_string(request: &Request<'_>, oauth_params: &[(&str, &str)]) -> Result<String> {
    let mut normalized = Normalized::new();
    normalized.start(request.method, request.url, &[], request.form_body)?;
    for (name, value) in oauth_params {
        normalized.push(name, value);
    }
    normalized.finish();
    Ok(normalized.take_base_string())
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

#[cfg(test)]
mod stamp_tests {
    use super::*;

    /// The stamp's inline text holds the longest nonce `Stamp::new` accepts with the largest
    /// timestamp, and signing with it (and with extra parameters that need encoding) writes both
    /// where the base string and the header expect them.
    #[test]
    fn the_longest_nonce_and_largest_timestamp_fit_and_sign() {
        let nonce = "N0".repeat(MAX_NONCE_LEN / 2);
        let stamp = Stamp::new(u64::MAX, nonce.clone())
            .unwrap()
            .with_param("oauth_verifier", "a b/c")
            .unwrap();
        assert_eq!(stamp.nonce(), nonce);
        assert_eq!(stamp.timestamp(), u64::MAX);
        assert!(format!("{stamp:?}").contains(&nonce));
        let account = AccountId::parse("123456").unwrap();
        let secret = SecretString::from("s");
        let key = TbaKey::new(&account, "ck", &secret, Some(("tk", &secret)));
        let url = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/customer?z=1";
        let signed = key.sign(&Request::new("GET", url), &stamp).unwrap();
        let digits = u64::MAX.to_string();
        assert!(signed.base_string().contains(&format!(
            "%26oauth_nonce%3D{nonce}%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D{digits}%26oauth_token%3Dtk%26oauth_verifier%3Da%2520b%252Fc%26oauth_version%3D1.0%26z%3D1"
        )));
        assert!(signed.authorization().contains(&format!(
            "oauth_timestamp=\"{digits}\", oauth_nonce=\"{nonce}\", oauth_version=\"1.0\", oauth_verifier=\"a%20b%2Fc\", oauth_signature=\""
        )));
        // One character more is refused, not cut.
        assert!(matches!(
            Stamp::new(1, "N".repeat(MAX_NONCE_LEN + 1)),
            Err(Error::InvalidNonce { .. })
        ));
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    /// A key for the sandbox account 1234567_SB1 (secrets `consumer secret` and `token secret`) and
    /// a fixed stamp.
    fn sandbox_key_and_stamp() -> (TbaKey, Stamp) {
        let account = AccountId::parse("1234567_SB1").unwrap();
        let cs = SecretString::from("consumer secret");
        let ts = SecretString::from("token secret");
        let key = TbaKey::new(&account, "ck", &cs, Some(("tk", &ts)));
        (key, Stamp::new(1_700_000_000, "abcdefghij").unwrap())
    }

    /// The signature over a base string that starts with an absorbed block equals HMAC-SHA256 over
    /// the whole base string, keyed from the secrets — and so does every other one.
    #[test]
    fn resuming_from_an_absorbed_block_gives_the_plain_hmac() {
        let (key, stamp) = sandbox_key_and_stamp();
        assert_eq!(key.prefixed.len(), 10, "5 methods × REST and RESTlet hosts");
        assert_eq!(
            key.hosts,
            [
                "1234567-sb1.suitetalk.api.netsuite.com",
                "1234567-sb1.restlets.api.netsuite.com"
            ]
        );
        let mut resumed = 0;
        for method in ["GET", "post", "PUT", "PATCH", "DELETE", "HEAD"] {
            for url in [
                "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?limit=5",
                "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql",
                "https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=1&deploy=1",
                "https://7654321.suitetalk.api.netsuite.com/services/rest/record/v1/customer",
                "http://127.0.0.1:8080/services/rest/record/v1/customer",
                "https://1234567-sb1.suitetalk.api.netsuite.com/",
            ] {
                let signed = key.sign(&Request::new(method, url), &stamp).unwrap();
                let base = signed.base_string().as_bytes();
                let expected = plain_signature(b"consumer%20secret&token%20secret", base);
                assert_eq!(signed.signature(), expected, "{method} {url}");
                if key.prefixed.iter().any(|p| base.starts_with(&p.block)) {
                    resumed += 1;
                }
            }
        }
        // Five methods × the three own-host URLs long enough to fill the block.
        assert_eq!(resumed, 15);
    }

    /// The plain HMAC-SHA256 of `base`, keyed with `key`, in base64.
    fn plain_signature(key: &[u8], base: &[u8]) -> String {
        let mut plain = Hmac::<Sha256>::new_from_slice(key).unwrap();
        plain.update(base);
        BASE64.encode(plain.finalize().into_bytes())
    }

    /// How many bytes the key remembers (see [`Remembered`]).
    fn remembered_len(key: &TbaKey) -> Option<usize> {
        key.remembered
            .0
            .lock()
            .unwrap()
            .resume
            .as_ref()
            .map(|(blocks, _)| blocks.len())
    }

    /// A signing whose base string starts with the remembered blocks resumes from the remembered
    /// state (a state planted under another key shows in its signature), any other one does not
    /// and remembers its own; the blocks remembered are the whole ones before the nonce.
    #[test]
    fn the_blocks_before_the_nonce_are_remembered_and_resumed_from() {
        let account = AccountId::parse("1234567_SB1").unwrap();
        let (cs, ts) = (SecretString::from("cs"), SecretString::from("ts"));
        let ck = "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4";
        let key = TbaKey::new(&account, ck, &cs, Some(("tk", &ts)));
        let stamp = |n: &str| Stamp::new(1_700_000_000, n).unwrap();
        let list =
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer";
        let page = |offset: u32| format!("{list}?limit=1000&offset={offset}");
        // Signs `url` and checks the signature against the plain HMAC keyed with `secret`.
        let sign = |key: &TbaKey, url: &str, nonce: &str, secret: &[u8]| {
            let signed = key.sign(&Request::new("GET", url), &stamp(nonce)).unwrap();
            let base = signed.base_string().as_bytes();
            assert_eq!(signed.signature(), plain_signature(secret, base), "{url}");
            signed
        };
        let first = sign(&key, &page(0), "aaaaaaaa", b"cs&ts");
        // `GET&…customer&limit%3D1000%26oauth_consumer_key%3D<64>` is 200 bytes: three blocks,
        // remembered the second time in a row.
        let base = first.base_string();
        assert_eq!(base.find("%26oauth_nonce"), Some(200), "{base}");
        assert_eq!(remembered_len(&key), None);
        sign(&key, &page(1000), "bbbbbbbb", b"cs&ts");
        assert_eq!(remembered_len(&key), Some(192));
        // Plant the state of another key after the same blocks: the next page resumes from it.
        {
            let mut memo = key.remembered.0.lock().unwrap();
            let (blocks, mac) = memo.resume.as_mut().unwrap();
            let mut other = Hmac::<Sha256>::new_from_slice(b"other&key").unwrap();
            other.update(blocks);
            *mac = other;
        }
        sign(&key, &page(2000), "cccccccc", b"other&key");
        // Other lists share less than the remembered blocks: signed from the key's own state,
        // the remembered blocks kept while they alternate (each seen once in a row), replaced when
        // one comes twice in a row.
        let orders = list.replace("customer", "salesOrder") + "?limit=1000";
        let items = list.replace("customer", "inventoryItem") + "?limit=1000";
        for url in [&orders, &items, &orders, &items] {
            sign(&key, url, "dddddddd", b"cs&ts");
        }
        // A list signed between the pages of the remembered one does not displace it: a signing
        // that resumes ends the run of those that did not.
        sign(&key, &page(2500), "eeeeeeee", b"other&key");
        sign(&key, &items, "eeeeeeee", b"cs&ts");
        sign(&key, &page(2600), "eeeeeeee", b"other&key");
        sign(&key, &items, "eeeeeeee", b"cs&ts");
        sign(&key, &page(3000), "eeeeeeee", b"other&key");
        sign(&key, &items, "ffffffff", b"cs&ts");
        sign(&key, &items, "gggggggg", b"cs&ts");
        sign(&key, &page(4000), "hhhhhhhh", b"cs&ts");
        sign(&key, &items, "iiiiiiii", b"cs&ts");
        assert_eq!(remembered_len(&key), Some(192));
        // A base string whose part before the nonce fills no block beyond the absorbed prefix
        // block leaves nothing remembered; without a prefix block, its first block is remembered.
        // A clone of a key remembers nothing.
        let short_key = TbaKey::new(&account, "ck", &cs, Some(("tk", &ts)));
        let host = "https://1234567-sb1.suitetalk.api.netsuite.com";
        for (path, remembered) in [("/services/rest/x", None), ("/x", Some(64))] {
            let url = format!("{host}{path}");
            sign(&short_key, &url, "jjjjjjjj", b"cs&ts");
            sign(&short_key, &url, "kkkkkkkk", b"cs&ts");
            assert_eq!(remembered_len(&short_key), remembered, "{path}");
        }
        assert_eq!(remembered_len(&key.clone()), None);
    }

    /// Threads signing with one key at once all get the plain HMAC: each pages through a list of
    /// its own (so runs of two in a row are remembered and resumed from, and replaced when another
    /// thread's list comes twice in a row), the last one through three lists in turn; some find the
    /// remembered state taken and go the ordinary way.
    #[test]
    fn signing_from_many_threads_at_once_gives_the_plain_hmac() {
        let account = AccountId::parse("1234567_SB1").unwrap();
        let (cs, ts) = (SecretString::from("cs"), SecretString::from("ts"));
        let key = TbaKey::new(&account, &"k".repeat(64), &cs, Some(("tk", &ts)));
        let list = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/";
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let key = &key;
                scope.spawn(move || {
                    for i in 0..300u32 {
                        let records = ["customer", "invoice", "salesOrder"];
                        let record = records.get(thread).copied();
                        let record = record.unwrap_or(records[(i % 3) as usize]);
                        let url = format!("{list}{record}?limit=1000&offset={i}");
                        let nonce = format!("nonce{thread}x{i}");
                        let stamp = Stamp::new(1_700_000_000 + u64::from(i), nonce).unwrap();
                        let signed = key.sign(&Request::new("GET", &url), &stamp).unwrap();
                        let base = signed.base_string().as_bytes();
                        assert_eq!(signed.signature(), plain_signature(b"cs&ts", base), "{url}");
                    }
                });
            }
        });
    }

    /// The base string is written into a buffer of its exact length (one small allocation, not an
    /// estimate of twice its size), whichever way the URL was split and whatever was added.
    #[test]
    fn the_base_string_buffer_is_allocated_at_its_exact_length() {
        let (key, stamp) = sandbox_key_and_stamp();
        let with_verifier = stamp.clone().with_param("oauth_verifier", "a b").unwrap();
        let own = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer";
        let query = format!("{own}?q=companyName%20START_WITH%20%22Acme%22&limit=1000");
        for (request, stamp) in [
            (Request::new("GET", own), &stamp),
            (Request::new("GET", &query), &stamp),
            (Request::new("get", &query), &with_verifier),
            (Request::new("POST", own).form_body("b=2&a=1+1"), &stamp),
            // The url crate's reading: upper-case host, a space in the path and the query.
            (
                Request::new("GET", "HTTPS://Example.COM/a b?x=1 2&&y"),
                &stamp,
            ),
            (Request::new("GET", "http://127.0.0.1:8080"), &stamp),
        ] {
            // A header-only signing of a longer request first leaves this thread a larger buffer
            // to reuse: the next base string taken is still a buffer of its own length.
            let longer = format!("{query}&offset=2000&extra=padding%20padding%20padding");
            key.authorization(&Request::new("GET", &longer), stamp)
                .unwrap();
            let signed = key.sign(&request, stamp).unwrap();
            assert_eq!(
                key.authorization(&request, stamp).unwrap(),
                signed.authorization()
            );
            assert_eq!(
                signed.base_string.capacity(),
                signed.base_string.len(),
                "{}",
                signed.base_string()
            );
            // The header-only signing left its buffer for the next one.
            let kept = crate::normalize::TEXT.take();
            assert!(
                kept.capacity() >= signed.base_string.len(),
                "{}",
                kept.capacity()
            );
            let params = [("oauth_consumer_key", "ck"), ("oauth_nonce", "n")];
            let base = base_string(&request, &params).unwrap();
            assert_eq!(base.capacity(), base.len(), "{base}");
        }
    }
}
