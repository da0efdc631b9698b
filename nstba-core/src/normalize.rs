//! Request normalization for the signature base string (RFC 5849 §3.4.1), tuned for the hot path.
//!
//! A URL in the shape every NetSuite call has (lower-case `http(s)://host[:port]/path?query`, plain
//! ASCII path) is split by hand; anything else goes through the `url` crate, which is also what the HTTP
//! client uses to send it. A test checks that both paths agree on random URLs.

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

/// Host bytes the fast path accepts: lower-case letters, digits and `-` in labels, `.` between them.
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

/// Path bytes by what the fast path must know of them: `?`/`#` end the path; bytes outside
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
    pub port: Option<u16>,
    pub path: Cow<'a, str>,
    pub query: Option<Cow<'a, str>>,
}

pub(crate) fn split_url(url: &str) -> Result<UrlParts<'_>> {
    match split_fast(url, true) {
        Some(parts) => Ok(parts),
        None => split_with_url_crate(url),
    }
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
        host: Cow::Owned(host),
        port: url.port(),
        path: Cow::Owned(url.path().to_owned()),
        query: url.query().map(|q| Cow::Owned(q.to_owned())),
    })
}

/// Splits URLs already in the form the `url` crate would produce; `None` means "ask the url crate".
///
/// One pass over the bytes: lower-case `http(s)://`, a lower-case ASCII host name or dotted-quad
/// address, an optional port, a path of characters no parser rewrites and without dot segments, and a
/// query without whitespace or control characters.
fn split_fast(url: &str, check_query: bool) -> Option<UrlParts<'_>> {
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
        // Parsers strip or trim whitespace and controls. (`base_string_common` checks this itself
        // while it reads the query, so it asks not to scan twice.)
        if check_query
            && !b[query_start..query_end]
                .iter()
                .fold(true, |ok, &c| ok & (c > b' ') & (c != 0x7f))
        {
            return None;
        }
        query = Some(Cow::Borrowed(&url[query_start..query_end]));
    }
    Some(UrlParts {
        scheme,
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

/// A request reduced to what the base string is made of.
pub(crate) struct Normalized<'a> {
    pub method: Cow<'a, str>,
    pub url: UrlParts<'a>,
    /// Names and values encoded twice (as they appear in the base string), back to back. Encoding `%`
    /// as `%25` preserves lexicographic order, so sorting these sorts the normalized parameters.
    buf: Vec<u8>,
    /// (name start, name end = value start, value end) into `buf`, sorted.
    pairs: Vec<(u32, u32, u32)>,
}

impl<'a> Normalized<'a> {
    /// `oauth` holds the protocol parameters already RFC 3986 encoded.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(
        method: &'a str,
        url: &'a str,
        form_body: Option<&str>,
        oauth: &[(K, V)],
    ) -> Result<Self> {
        let mut n = Normalized {
            method: normalize_method(method)?,
            url: split_url(url)?,
            buf: Vec::with_capacity(url.len() * 2 + 320),
            pairs: Vec::with_capacity(16),
        };
        if let Some(query) = n.url.query.take() {
            n.push_form(&query);
            n.url.query = Some(query);
        }
        if let Some(body) = form_body {
            n.push_form(body);
        }
        for (k, v) in oauth {
            let start = n.buf.len() as u32;
            reencode_into(&mut n.buf, k.as_ref().as_bytes());
            let mid = n.buf.len() as u32;
            reencode_into(&mut n.buf, v.as_ref().as_bytes());
            n.pairs.push((start, mid, n.buf.len() as u32));
        }
        let buf = &n.buf;
        n.pairs.sort_unstable_by(|a, b| {
            let key = |p: &(u32, u32, u32)| {
                (
                    &buf[p.0 as usize..p.1 as usize],
                    &buf[p.1 as usize..p.2 as usize],
                )
            };
            key(a).cmp(&key(b))
        });
        Ok(n)
    }

    /// Adds every `name=value` of an `application/x-www-form-urlencoded` string (a URL query or a
    /// form body): each decoded (`+` is a space, `%XX` a byte, a `%` without two hex digits itself)
    /// and encoded twice, in one pass without allocating.
    fn push_form(&mut self, form: &str) {
        let pairs = &mut self.pairs;
        push_form_into(&mut self.buf, form, |range| pairs.push(range));
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

    /// The normalized parameters in order, each name and value encoded once.
    pub fn sorted(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.pairs.iter().map(|p| {
            let once = |a: u32, b: u32| {
                std::str::from_utf8(&self.buf[a as usize..b as usize])
                    .expect("encoded text is ASCII")
                    .replace("%25", "%")
            };
            (once(p.0, p.1), once(p.1, p.2))
        })
    }

    /// `METHOD&enc(base URI)&`.
    fn write_head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.method.as_bytes());
        out.push(b'&');
        write_base_uri(out, &self.url);
        out.push(b'&');
    }

    /// `METHOD&enc(base URI)&enc(normalized parameters)`.
    pub fn base_string(&self) -> String {
        let mut out = Vec::with_capacity(
            self.method.len()
                + self.url.host.len()
                + self.url.path.len() * 2
                + self.buf.len()
                + self.pairs.len() * 6
                + 32,
        );
        self.write_head(&mut out);
        for (i, p) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"%26");
            }
            out.extend_from_slice(&self.buf[p.0 as usize..p.1 as usize]);
            out.extend_from_slice(b"%3D");
            out.extend_from_slice(&self.buf[p.1 as usize..p.2 as usize]);
        }
        String::from_utf8(out).expect("the base string is ASCII")
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
    mut pair: impl FnMut((u32, u32, u32)),
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

/// The common-case base string written into one buffer: `METHOD&enc(base URI)&` + the query
/// parameters sorting before `first` + `block` + the ones sorting after `last`. `None` when a query
/// name sorts between `first` and `last`, or there are more than 16 query parameters (the caller then
/// takes the general path).
pub(crate) fn base_string_common(
    method: &str,
    url: &str,
    block: &[&[u8]],
    first: &str,
    last: &str,
) -> Result<Option<String>> {
    let method = normalize_method(method)?;
    let Some(parts) = split_fast(url, false) else {
        return Ok(None);
    };
    let block_len: usize = block.iter().map(|b| b.len()).sum();
    let mut out: Vec<u8> = Vec::with_capacity(url.len() * 2 + block_len + 64);
    out.extend_from_slice(method.as_bytes());
    out.push(b'&');
    write_base_uri(&mut out, &parts);
    out.push(b'&');
    // The query's pairs are decoded into a per-thread scratch buffer (no allocation once warm),
    // sorted there by range, and copied into place around the block.
    let done = SCRATCH.with(|cell| {
        let mut own = Vec::new();
        let mut borrowed = cell.try_borrow_mut();
        let scratch: &mut Vec<u8> = match borrowed.as_deref_mut() {
            Ok(v) => v,
            Err(_) => &mut own,
        };
        scratch.clear();
        let done = query_around_block(
            &mut out,
            scratch,
            parts.query.as_deref(),
            block,
            first,
            last,
        );
        if scratch.capacity() > 64 * 1024 {
            *scratch = Vec::new();
        }
        done
    });
    Ok(done.then(|| String::from_utf8(out).expect("the base string is ASCII")))
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(512));
}

/// Appends the query's pairs sorting before `first`, the block, and those sorting after `last` to
/// `out`; `false` when that order cannot hold (see [`base_string_common`]).
fn query_around_block(
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    query: Option<&str>,
    block: &[&[u8]],
    first: &str,
    last: &str,
) -> bool {
    let mut ranges = [(0u32, 0u32, 0u32); 16];
    let mut count = 0usize;
    let mut overflow = false;
    if let Some(query) = query {
        let blank = push_form_into(scratch, query, |r| {
            if count < ranges.len() {
                ranges[count] = r;
                count += 1;
            } else {
                overflow = true;
            }
        });
        if blank || overflow {
            return false;
        }
    }
    let ranges = &mut ranges[..count];
    let name = |p: &(u32, u32, u32)| &scratch[p.0 as usize..p.1 as usize];
    let value = |p: &(u32, u32, u32)| &scratch[p.1 as usize..p.2 as usize];
    ranges.sort_unstable_by(|a, b| {
        short_cmp(name(a), name(b)).then_with(|| short_cmp(value(a), value(b)))
    });
    let split = ranges.partition_point(|p| short_cmp(name(p), first.as_bytes()).is_lt());
    if ranges[split..]
        .first()
        .is_some_and(|p| short_cmp(name(p), last.as_bytes()).is_le())
    {
        return false;
    }
    for p in &ranges[..split] {
        out.extend_from_slice(name(p));
        out.extend_from_slice(b"%3D");
        out.extend_from_slice(value(p));
        out.extend_from_slice(b"%26");
    }
    for b in block {
        out.extend_from_slice(b);
    }
    for p in &ranges[split..] {
        out.extend_from_slice(b"%26");
        out.extend_from_slice(name(p));
        out.extend_from_slice(b"%3D");
        out.extend_from_slice(value(p));
    }
    true
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
    if is_unreserved(&url.host) {
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
            assert!(split_fast(url, true).is_some(), "{url}");
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
            failure_persistence: None,
            ..Config::default()
        };
        // A fixed seed: the count asserted below must not depend on the run.
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
            .run(&url, |url| {
                if let Some(fast) = split_fast(&url, true) {
                    fast_hits.set(fast_hits.get() + 1);
                    let slow = split_with_url_crate(&url)
                        .map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
                    prop_assert_eq!(&fast.scheme, &slow.scheme, "{}", url);
                    prop_assert_eq!(&fast.host, &slow.host, "{}", url);
                    prop_assert_eq!(fast.port, slow.port, "{}", url);
                    prop_assert_eq!(&fast.path, &slow.path, "{}", url);
                    // Queries may differ in how characters are escaped, never in the decoded pairs.
                    let pairs = |q: &Option<Cow<'_, str>>| {
                        let mut n = Normalized {
                            method: Cow::Borrowed(""),
                            url: split_url("http://x/").unwrap(),
                            buf: Vec::new(),
                            pairs: Vec::new(),
                        };
                        if let Some(q) = q {
                            n.push_form(q);
                        }
                        n.sorted().collect::<Vec<_>>()
                    };
                    prop_assert_eq!(pairs(&fast.query), pairs(&slow.query), "{}", url);
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
