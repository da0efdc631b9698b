//! Request normalization for the signature base string (RFC 5849 §3.4.1): the one normalizer behind
//! [`crate::TbaKey::sign`], [`crate::TbaKey::explain`] and [`crate::base_string`].
//!
//! A URL in the shape every NetSuite call has (lower-case `http(s)://host[:port]/path?query`, plain
//! ASCII path) is split by hand; anything else goes through the `url` crate, which is also what the HTTP
//! client uses to send it. A test checks that both splits agree on random URLs.

use crate::error::{redact_url, Error, Result};
use std::borrow::Cow;

/// `true` for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - . _ ~`.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' || b == b'~';
        i += 1;
    }
    t
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `bytes` RFC 3986 percent-encoded.
pub(crate) fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !UNRESERVED[b as usize] {
            out.extend_from_slice(&bytes[run..i]);
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            run = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

const OTHER: u8 = 0;
const LABEL: u8 = 1;
const DOT: u8 = 2;

/// Host bytes the hand-written split accepts: lower-case letters, digits and `-` in labels, `.` between them.
const HOST_BYTE: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            LABEL
        } else if b == b'.' {
            DOT
        } else {
            OTHER
        };
        i += 1;
    }
    t
};

const BAD: u8 = 1;
const HAS_DOT: u8 = 2;
const HAS_PERCENT: u8 = 4;
const END: u8 = 8;

/// Path bytes by what the hand-written split must know of them: `?`/`#` end the path; bytes outside
/// [`PATH_BYTE`] are rewritten by URL parsers; `.` and `%` may form dot segments.
const PATH_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b == b'?' || b == b'#' {
            END
        } else if !PATH_BYTE[i] {
            BAD
        } else if b == b'.' {
            HAS_DOT
        } else if b == b'%' {
            HAS_PERCENT
        } else {
            0
        };
        i += 1;
    }
    t
};

/// `true` for the bytes a URL path may hold without a URL parser rewriting it.
const PATH_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = UNRESERVED[i]
            || matches!(
                b,
                b'!' | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'%'
            );
        i += 1;
    }
    t
};

/// `true` when encoding would leave `s` unchanged.
pub(crate) fn is_unreserved(s: &str) -> bool {
    s.bytes().all(|b| UNRESERVED[b as usize])
}

/// `s` RFC 3986 encoded, borrowed when nothing changes.
pub(crate) fn encoded(s: &str) -> Cow<'_, str> {
    if is_unreserved(s) {
        Cow::Borrowed(s)
    } else {
        let mut out = Vec::with_capacity(s.len() * 3);
        encode_into(&mut out, s.as_bytes());
        Cow::Owned(String::from_utf8(out).expect("percent-encoded text is ASCII"))
    }
}

/// Appends an already-encoded string encoded once more: only `%` changes (to `%25`).
fn reencode_into(out: &mut Vec<u8>, encoded: &[u8]) {
    if !encoded.contains(&b'%') {
        out.extend_from_slice(encoded);
        return;
    }
    let mut run = 0;
    for (i, &b) in encoded.iter().enumerate() {
        if b == b'%' {
            out.extend_from_slice(&encoded[run..i]);
            out.extend_from_slice(b"%25");
            run = i + 1;
        }
    }
    out.extend_from_slice(&encoded[run..]);
}

/// The parts of a URL that enter the base string.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: &'static str,
    pub host: Cow<'a, str>,
    /// Whether the host holds only unreserved characters (so it enters the base string as is).
    pub host_unreserved: bool,
    pub port: Option<u16>,
    pub path: Cow<'a, str>,
    pub query: Option<Cow<'a, str>>,
}

/// Splits `raw` and decodes its query's parameters into `scratch` and `params`.
///
/// The hand-written split is taken when it applies and the query holds no whitespace or control
/// character (which URL parsers strip); otherwise the `url` crate's reading is used.
fn split_and_decode<'u>(
    raw: &'u str,
    scratch: &mut Vec<u8>,
    params: &mut Vec<Param<'_>>,
) -> Result<UrlParts<'u>> {
    let mut add = |range| params.push(Param::decoded(range));
    if let Some(url) = split_fast(raw) {
        let blank = match &url.query {
            Some(query) => push_form_into(scratch, query, &mut add),
            None => false,
        };
        if !blank {
            return Ok(url);
        }
        scratch.clear();
        params.clear();
    }
    let url = split_with_url_crate(raw)?;
    if let Some(query) = &url.query {
        push_form_into(scratch, query, &mut |range| {
            params.push(Param::decoded(range))
        });
    }
    Ok(url)
}

pub(crate) fn split_with_url_crate(raw: &str) -> Result<UrlParts<'static>> {
    let invalid = |reason: String| Error::InvalidUrl {
        url: redact_url(raw),
        reason,
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid(e.to_string()))?;
    let scheme = match url.scheme() {
        "http" => "http",
        "https" => "https",
        _ => {
            return Err(invalid(
                "only absolute http:// and https:// URLs can be signed".to_owned(),
            ))
        }
    };
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h.to_owned(),
        _ => return Err(invalid("the URL has no host".to_owned())),
    };
    Ok(UrlParts {
        scheme,
        host_unreserved: is_unreserved(&host),
        host: Cow::Owned(host),
        port: url.port(),
        path: Cow::Owned(url.path().to_owned()),
        query: url.query().map(|q| Cow::Owned(q.to_owned())),
    })
}

/// Splits URLs already in the form the `url` crate would produce; `None` means "ask the url crate".
///
/// One pass over the bytes: lower-case `http(s)://`, a lower-case ASCII host name or dotted-quad
/// address, an optional port, a path of characters no parser rewrites and without dot segments. The
/// query is taken as is: the caller checks it for whitespace and control characters.
fn split_fast(url: &str) -> Option<UrlParts<'_>> {
    let b = url.as_bytes();
    let n = b.len();
    let (scheme, start, default_port) = if b.starts_with(b"https://") {
        ("https", 8, 443)
    } else if b.starts_with(b"http://") {
        ("http", 7, 80)
    } else {
        return None;
    };
    let label_ok = |l: &[u8]| {
        !l.is_empty() && l[0] != b'-' && l[l.len() - 1] != b'-' && !l.starts_with(b"xn--")
    };
    let mut i = start;
    let mut label_start = start;
    while i < n {
        match HOST_BYTE[b[i] as usize] {
            LABEL => {}
            DOT => {
                if !label_ok(&b[label_start..i]) {
                    return None;
                }
                label_start = i + 1;
            }
            _ => break,
        }
        i += 1;
    }
    if !label_ok(&b[label_start..i]) {
        return None;
    }
    let host = &url[start..i];
    // A numeric last label makes the host an IPv4 address, which URL parsers canonicalize.
    if b[label_start].is_ascii_digit() && !is_canonical_ipv4(host) {
        return None;
    }
    let mut port = None;
    if i < n && b[i] == b':' {
        let digits_start = i + 1;
        i = digits_start;
        let mut value: u32 = 0;
        while i < n && b[i].is_ascii_digit() && i - digits_start < 5 {
            value = value * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        let len = i - digits_start;
        if len == 0 || b[digits_start] == b'0' || value > 65535 {
            return None;
        }
        if value != default_port {
            port = Some(value as u16);
        }
    }
    if i < n && !matches!(b[i], b'/' | b'?' | b'#') {
        return None;
    }
    let path_start = i;
    // One pass over the path: stop at `?` or `#`, and note whether every byte is one no parser
    // rewrites and whether a `.` or `%` (possible dot segments) occurs.
    let mut path_end = i;
    let mut flags = 0u8;
    while path_end < n {
        let class = PATH_CLASS[b[path_end] as usize];
        if class & END != 0 {
            break;
        }
        flags |= class;
        path_end += 1;
    }
    if flags & BAD != 0 {
        return None;
    }
    let path_bytes = &b[path_start..path_end];
    if flags & HAS_DOT != 0
        && path_bytes
            .split(|&c| c == b'/')
            .any(|seg| seg == b"." || seg == b"..")
    {
        return None;
    }
    if flags & HAS_PERCENT != 0
        && path_bytes
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'2' && (w[2] | 0x20) == b'e')
    {
        return None; // an encoded dot, which parsers may treat as a dot segment
    }
    let path = if path_end == path_start {
        "/"
    } else {
        &url[path_start..path_end]
    };
    let mut query = None;
    if path_end < n && b[path_end] == b'?' {
        let query_start = path_end + 1;
        let query_end = url[query_start..].find('#').map_or(n, |p| query_start + p);
        // Whitespace and controls, which parsers strip, are found while the query is decoded (see
        // `split_and_decode`).
        query = Some(Cow::Borrowed(&url[query_start..query_end]));
    }
    Some(UrlParts {
        scheme,
        // Lower-case letters, digits, `-` and `.` only.
        host_unreserved: true,
        host: Cow::Borrowed(host),
        port,
        path: Cow::Borrowed(path),
        query,
    })
}

fn is_canonical_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// A protocol parameter's name or value as the signer holds it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    /// Only unreserved characters, which encoding leaves as they are (the nonce, the timestamp
    /// digits, fixed values, most keys and token ids).
    Plain(&'a str),
    /// Already RFC 3986 encoded.
    Encoded(&'a str),
    /// Not encoded yet (values given by the caller).
    Raw(&'a str),
}

impl Text<'_> {
    /// Appends the text RFC 3986 encoded once (as it appears in the header).
    pub(crate) fn write_once_str(self, out: &mut String) {
        let s = match self {
            Text::Plain(s) | Text::Encoded(s) => return out.push_str(s),
            Text::Raw(s) => s,
        };
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !UNRESERVED[b as usize] {
                // `run..i` holds only unreserved (ASCII) bytes, so both ends are char boundaries.
                if i > run {
                    out.push_str(&s[run..i]);
                }
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
                run = i + 1;
            }
        }
        if run < bytes.len() {
            out.push_str(&s[run..]);
        }
    }

    /// Appends the text encoded twice (as it appears in the base string).
    fn write_twice(self, out: &mut Vec<u8>) {
        match self {
            Text::Plain(s) => out.extend_from_slice(s.as_bytes()),
            Text::Encoded(s) => reencode_into(out, s.as_bytes()),
            Text::Raw(s) => encode_twice_into(out, s.as_bytes()),
        }
    }
}

/// Where the twice-encoded name or value of one parameter is.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    /// A range of [`Normalized::scratch`].
    Scratch(u32, u32),
    /// Text that encoding twice leaves unchanged, borrowed as is.
    Ready(&'a [u8]),
}

/// One parameter of the base string.
#[derive(Debug, Clone, Copy)]
struct Param<'a> {
    /// The name's first 8 bytes, big-endian: orders most pairs of names by one comparison.
    key: u64,
    name: Piece<'a>,
    value: Piece<'a>,
}

impl Param<'_> {
    /// A parameter decoded into the scratch buffer at (name start, value start, value end).
    fn decoded((start, mid, end): (u32, u32, u32)) -> Self {
        Param {
            key: 0,
            name: Piece::Scratch(start, mid),
            value: Piece::Scratch(mid, end),
        }
    }
}

/// A request reduced to its signature base string.
///
/// [`Normalized::new`] writes `METHOD&enc(base URI)&` into the output and decodes the query's and
/// form body's parameters into a scratch buffer, each name and value encoded twice (as it will appear
/// in the base string); [`Normalized::push`] adds the protocol parameters, borrowing those that need no
/// encoding. [`Normalized::finish`] sorts the parameters (encoding `%` as `%25` keeps byte order, so
/// sorting the twice-encoded text sorts the normalized parameters) and appends them to the output
/// joined with `%3D` and `%26`.
pub(crate) struct Normalized<'a> {
    method: Cow<'a, str>,
    url: UrlParts<'a>,
    text: Vec<u8>,
    scratch: Vec<u8>,
    params: Vec<Param<'a>>,
}

impl<'a> Normalized<'a> {
    /// Starts the base string of `method url` with the query's and `form_body`'s parameters.
    /// `protocol_len` is the room the protocol parameters will take in the base string.
    pub fn new(
        method: &'a str,
        url: &'a str,
        form_body: Option<&str>,
        protocol_len: usize,
    ) -> Result<Self> {
        let method = normalize_method(method)?;
        let decoded_len = (url.len() + form_body.map_or(0, str::len)) * 2;
        let mut scratch = Vec::with_capacity(decoded_len);
        let mut params = Vec::with_capacity(16);
        let url = split_and_decode(url, &mut scratch, &mut params)?;
        if let Some(body) = form_body {
            push_form_into(&mut scratch, body, &mut |range| {
                params.push(Param::decoded(range))
            });
        }
        let head_len = method.len() + 16 + url.host.len() + url.path.len() * 3;
        let mut text = Vec::with_capacity(head_len + decoded_len + protocol_len + 32);
        text.extend_from_slice(method.as_bytes());
        text.push(b'&');
        write_base_uri(&mut text, &url);
        text.push(b'&');
        Ok(Normalized {
            method,
            url,
            text,
            scratch,
            params,
        })
    }

    /// Adds one protocol parameter.
    pub fn push(&mut self, name: Text<'a>, value: Text<'a>) {
        let name = self.piece(name);
        let value = self.piece(value);
        self.params.push(Param {
            key: 0,
            name,
            value,
        });
    }

    /// `text` encoded twice: borrowed when that changes nothing, else written to the scratch buffer.
    fn piece(&mut self, text: Text<'a>) -> Piece<'a> {
        match text {
            Text::Plain(s) => Piece::Ready(s.as_bytes()),
            Text::Encoded(s) if !s.as_bytes().contains(&b'%') => Piece::Ready(s.as_bytes()),
            Text::Raw(s) if is_unreserved(s) => Piece::Ready(s.as_bytes()),
            text => {
                let start = self.scratch.len() as u32;
                text.write_twice(&mut self.scratch);
                Piece::Scratch(start, self.scratch.len() as u32)
            }
        }
    }

    /// Sorts the parameters and completes the base string.
    pub fn finish(mut self) -> Self {
        let scratch = &self.scratch;
        let get = |p: Piece<'a>| -> &[u8] {
            match p {
                Piece::Scratch(a, b) => &scratch[a as usize..b as usize],
                Piece::Ready(s) => s,
            }
        };
        for p in &mut self.params {
            p.key = prefix_key(get(p.name));
        }
        self.params.sort_unstable_by(|a, b| {
            a.key
                .cmp(&b.key)
                .then_with(|| short_cmp(get(a.name), get(b.name)))
                .then_with(|| short_cmp(get(a.value), get(b.value)))
        });
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                self.text.extend_from_slice(b"%26");
            }
            self.text.extend_from_slice(get(p.name));
            self.text.extend_from_slice(b"%3D");
            self.text.extend_from_slice(get(p.value));
        }
        self
    }

    /// The upper-cased method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Base URI: scheme and host lower-case, default port dropped, path as sent, no query.
    pub fn base_uri(&self) -> String {
        let mut out = format!("{}://{}", self.url.scheme, self.url.host);
        if let Some(port) = self.url.port {
            out.push_str(&format!(":{port}"));
        }
        out.push_str(&self.url.path);
        out
    }

    /// The normalized parameters in order, each name and value encoded once (after `finish`).
    pub fn sorted(&self) -> impl Iterator<Item = (String, String)> + '_ {
        let once = |p: Piece<'_>| {
            let twice = match p {
                Piece::Scratch(a, b) => &self.scratch[a as usize..b as usize],
                Piece::Ready(s) => s,
            };
            std::str::from_utf8(twice)
                .expect("encoded text is ASCII")
                .replace("%25", "%")
        };
        self.params
            .iter()
            .map(move |p| (once(p.name), once(p.value)))
    }

    /// The base string's bytes (after `finish`).
    pub fn base_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The base string, keeping its buffer (after `finish`).
    pub fn into_base_string(self) -> String {
        String::from_utf8(self.text).expect("the base string is ASCII")
    }
}

/// The first 8 bytes of `name`, big-endian, zero-padded. Encoded text holds no zero byte, so ordering
/// by this key agrees with ordering by the bytes wherever the keys differ.
fn prefix_key(name: &[u8]) -> u64 {
    match name.first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        None => name
            .iter()
            .enumerate()
            .fold(0, |key, (i, &b)| key | u64::from(b) << (56 - 8 * i)),
    }
}

/// Appends every `name=value` of an `application/x-www-form-urlencoded` string (a URL query or a form
/// body) to `buf`, each name and value decoded (`+` is a space, `%XX` a byte, a `%` without two hex
/// digits itself) and encoded twice, and reports each pair's (name start, value start, value end).
///
/// Returns `true` when the text holds whitespace or control characters (which URL parsers strip).
pub(crate) fn push_form_into(
    buf: &mut Vec<u8>,
    form: &str,
    pair: &mut impl FnMut((u32, u32, u32)),
) -> bool {
    let mut blank = false;
    let bytes = form.as_bytes();
    let n = bytes.len();
    let mut start = buf.len() as u32;
    let mut mid: Option<u32> = None;
    let mut i = 0;
    loop {
        let run = i;
        while i < n && UNRESERVED[bytes[i] as usize] {
            i += 1;
        }
        buf.extend_from_slice(&bytes[run..i]);
        let b = bytes.get(i).copied();
        match b {
            None | Some(b'&') => {
                let end = buf.len() as u32;
                if end > start || mid.is_some() {
                    pair((start, mid.unwrap_or(end), end));
                }
                if b.is_none() {
                    return blank;
                }
                start = end;
                mid = None;
            }
            Some(b'=') if mid.is_none() => mid = Some(buf.len() as u32),
            Some(b'+') => buf.extend_from_slice(b"%2520"),
            Some(b'%') => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(h), Some(l)) => {
                    push_twice(buf, h << 4 | l);
                    i += 2;
                }
                _ => buf.extend_from_slice(b"%2525"),
            },
            Some(b) => {
                blank |= b <= b' ' || b == 0x7f;
                push_twice(buf, b);
            }
        }
        i += 1;
    }
}

/// Byte-wise comparison for the short names and values of query parameters, where a `memcmp` call
/// costs more than the comparison.
fn short_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `scheme%3A%2F%2Fhost[%3Aport]enc(path)`.
fn write_base_uri(out: &mut Vec<u8>, url: &UrlParts<'_>) {
    out.extend_from_slice(url.scheme.as_bytes());
    out.extend_from_slice(b"%3A%2F%2F");
    if url.host_unreserved {
        out.extend_from_slice(url.host.as_bytes());
    } else {
        encode_into(out, url.host.as_bytes());
    }
    if let Some(port) = url.port {
        out.extend_from_slice(b"%3A");
        out.extend_from_slice(port.to_string().as_bytes());
    }
    encode_into(out, url.path.as_bytes());
}

fn hex(b: Option<&u8>) -> Option<u8> {
    match b? {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `bytes` RFC 3986 percent-encoded twice (`%` of the first encoding becomes `%25`).
fn encode_twice_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !UNRESERVED[b as usize] {
            out.extend_from_slice(&bytes[run..i]);
            push_twice(out, b);
            run = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Appends one decoded byte encoded twice.
#[inline]
fn push_twice(out: &mut Vec<u8>, b: u8) {
    if UNRESERVED[b as usize] {
        out.push(b);
    } else {
        out.extend_from_slice(&[
            b'%',
            b'2',
            b'5',
            HEX[(b >> 4) as usize],
            HEX[(b & 15) as usize],
        ]);
    }
}

fn normalize_method(method: &str) -> Result<Cow<'_, str>> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(Error::InvalidMethod {
            method: method.to_owned(),
        });
    }
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        Ok(Cow::Owned(method.to_ascii_uppercase()))
    } else {
        Ok(Cow::Borrowed(method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fast_path_is_taken_for_netsuite_urls() {
        for url in [
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?q=a%20b&limit=10",
            "http://127.0.0.1:8080/app/site/hosting/restlet.nl?script=1&deploy=1",
            "https://1234567.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/1/!transform/invoice",
        ] {
            assert!(split_fast(url).is_some(), "{url}");
        }
    }

    #[test]
    fn encoding_matches_the_percent_encoding_crate() {
        let all: String = (0u32..0x800).filter_map(char::from_u32).collect();
        let mut out = Vec::new();
        encode_into(&mut out, all.as_bytes());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            percent_encoding::utf8_percent_encode(&all, crate::RFC3986).to_string()
        );
    }

    /// Whenever the hand-written split applies, it agrees with the `url` crate; and it applies often.
    #[test]
    fn fast_split_agrees_with_url_crate() {
        use proptest::test_runner::{Config, TestRunner};
        use std::cell::Cell;
        let good_segment = "/[a-z0-9.~!$&'()*+,;=:@%_-]{0,6}";
        let any_segment = "/[a-zA-Z0-9.~!$&'()*+,;=:@%^|{}\\[\\]\" \t-]{0,6}";
        let url = (
            prop::sample::select(vec!["http://", "https://", "https://", "HTTPS://", "ftp://"]),
            prop_oneof![
                6 => "[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4})?(\\.[a-z][a-z0-9]{0,6}){0,3}",
                1 => "[a-z0-9-]{1,8}(\\.[a-z0-9-]{1,8}){0,3}",
                1 => "[a-zA-Z0-9.-]{1,12}",
                1 => "[0-9]{1,3}(\\.[0-9]{1,4}){0,4}",
                1 => "xn--[a-z]{2,6}\\.com",
            ],
            prop::option::of(prop_oneof![4 => "[1-9][0-9]{0,4}", 1 => "[0-9]{0,6}", 1 => Just("443".to_owned()), 1 => Just("80".to_owned())]),
            prop::collection::vec(prop_oneof![8 => good_segment, 1 => any_segment, 1 => "/\\.{1,2}|/%2[eE]"], 0..4),
            prop::option::of(prop_oneof![4 => "[a-zA-Z0-9=&+%._~!*'()-]{0,16}", 1 => "[a-z=& \t\u{e9}]{0,8}"]),
            prop::option::of("[a-z#?]{0,4}"),
        )
            .prop_map(|(scheme, host, port, path, query, fragment)| {
                let mut url = format!("{scheme}{host}");
                if let Some(p) = port {
                    url.push(':');
                    url.push_str(&p);
                }
                url.push_str(&path.concat());
                if let Some(q) = query {
                    url.push('?');
                    url.push_str(&q);
                }
                if let Some(f) = fragment {
                    url.push('#');
                    url.push_str(&f);
                }
                url
            });
        let fast_hits = Cell::new(0u32);
        let config = Config {
            cases: 3000,
            // Failures are persisted under proptest-regressions/ and replayed first.
            source_file: Some(file!()),
            ..Config::default()
        };
        // A fixed seed: the count asserted below must not depend on the run.
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
            .run(&url, |url| {
                if let Some(fast) = split_fast(&url) {
                    fast_hits.set(fast_hits.get() + 1);
                    let slow = split_with_url_crate(&url)
                        .map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
                    prop_assert_eq!(&fast.scheme, &slow.scheme, "{}", url);
                    prop_assert_eq!(&fast.host, &slow.host, "{}", url);
                    prop_assert_eq!(fast.port, slow.port, "{}", url);
                    prop_assert_eq!(&fast.path, &slow.path, "{}", url);
                    // Queries may differ in how characters are escaped, never in the decoded pairs
                    // the normalizer reads (raw whitespace sends it to the url crate's reading).
                    let sorted = |scratch: &[u8], params: &[Param<'_>]| {
                        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = params
                            .iter()
                            .map(|p| match (p.name, p.value) {
                                (Piece::Scratch(a, b), Piece::Scratch(_, c)) => (
                                    scratch[a as usize..b as usize].to_vec(),
                                    scratch[b as usize..c as usize].to_vec(),
                                ),
                                _ => unreachable!("query parameters are decoded"),
                            })
                            .collect();
                        pairs.sort();
                        pairs
                    };
                    let (mut scratch, mut params) = (Vec::new(), Vec::new());
                    split_and_decode(&url, &mut scratch, &mut params).unwrap();
                    let (mut slow_scratch, mut slow_params) = (Vec::new(), Vec::new());
                    if let Some(q) = &slow.query {
                        push_form_into(&mut slow_scratch, q, &mut |r| {
                            slow_params.push(Param::decoded(r))
                        });
                    }
                    prop_assert_eq!(
                        sorted(&scratch, &params),
                        sorted(&slow_scratch, &slow_params),
                        "{}",
                        url
                    );
                }
                Ok(())
            })
            .unwrap();
        assert!(
            fast_hits.get() > 600,
            "fast path taken only {} times",
            fast_hits.get()
        );
    }
}
