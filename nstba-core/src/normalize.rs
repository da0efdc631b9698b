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
    match split_fast(url) {
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
fn split_fast(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest, default_port) = if let Some(r) = url.strip_prefix("https://") {
        ("https", r, 443)
    } else if let Some(r) = url.strip_prefix("http://") {
        ("http", r, 80)
    } else {
        return None;
    };
    // Whitespace, controls and backslashes are rewritten or stripped by URL parsers.
    if url.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-'])
        && !host.contains("..")
        && !host
            .split('.')
            .any(|l| l.starts_with("xn--") || l.starts_with('-') || l.ends_with('-'));
    if !host_ok {
        return None;
    }
    // A numeric last label makes the host an IPv4 address, which URL parsers canonicalize.
    let last = host.rsplit('.').next()?;
    if last.bytes().next()?.is_ascii_digit() && !is_canonical_ipv4(host) {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => {
            if p.is_empty()
                || p.len() > 5
                || p.starts_with('0')
                || !p.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let n: u32 = p.parse().ok()?;
            if n > 65535 {
                return None;
            }
            (n != default_port).then_some(n as u16)
        }
    };
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let path_ok = path.bytes().all(|b| PATH_BYTE[b as usize])
        && !path.split('/').any(|seg| seg == "." || seg == "..")
        && !path
            .as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'2' && (w[2] | 0x20) == b'e');
    if !path_ok {
        return None;
    }
    Some(UrlParts {
        scheme,
        host: Cow::Borrowed(host),
        port,
        path: Cow::Borrowed(if path.is_empty() { "/" } else { path }),
        query: query.map(Cow::Borrowed),
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
        let bytes = form.as_bytes();
        let mut start = self.buf.len() as u32;
        let mut mid: Option<u32> = None;
        let mut i = 0;
        while i <= bytes.len() {
            let b = bytes.get(i).copied();
            match b {
                None | Some(b'&') => {
                    let end = self.buf.len() as u32;
                    if end > start || mid.is_some() {
                        self.pairs.push((start, mid.unwrap_or(end), end));
                    }
                    start = end;
                    mid = None;
                }
                Some(b'=') if mid.is_none() => mid = Some(self.buf.len() as u32),
                Some(b'+') => self.buf.extend_from_slice(b"%2520"),
                Some(b'%') => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                    (Some(h), Some(l)) => {
                        push_twice(&mut self.buf, h << 4 | l);
                        i += 2;
                    }
                    _ => self.buf.extend_from_slice(b"%2525"),
                },
                Some(b) => push_twice(&mut self.buf, b),
            }
            i += 1;
        }
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
        out.extend_from_slice(self.method.as_bytes());
        out.push(b'&');
        out.extend_from_slice(self.url.scheme.as_bytes());
        out.extend_from_slice(b"%3A%2F%2F");
        encode_into(&mut out, self.url.host.as_bytes());
        if let Some(port) = self.url.port {
            out.extend_from_slice(b"%3A");
            out.extend_from_slice(port.to_string().as_bytes());
        }
        encode_into(&mut out, self.url.path.as_bytes());
        out.push(b'&');
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, .. ProptestConfig::default() })]

        /// Whenever the hand-written split applies, it agrees with the `url` crate.
        #[test]
        fn fast_split_agrees_with_url_crate(
            scheme in prop::sample::select(vec!["http://", "https://", "HTTPS://", "ftp://"]),
            host in "[a-zA-Z0-9.-]{1,12}|[0-9]{1,3}(\\.[0-9]{1,4}){0,4}|xn--[a-z]{2,6}",
            port in prop::option::of("[0-9]{0,6}"),
            path in "(/[a-zA-Z0-9.~!$&'()*+,;=:@%^|{}\\[\\]\" -]{0,6}){0,4}",
            query in prop::option::of("[a-zA-Z0-9=&+%é ._~!*'()-]{0,16}"),
            fragment in prop::option::of("[a-z#?]{0,4}"),
        ) {
            let mut url = format!("{scheme}{host}");
            if let Some(p) = port { url.push(':'); url.push_str(&p); }
            url.push_str(&path);
            if let Some(q) = query { url.push('?'); url.push_str(&q); }
            if let Some(f) = fragment { url.push('#'); url.push_str(&f); }
            if let Some(fast) = split_fast(&url) {
                let slow = split_with_url_crate(&url).map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
                prop_assert_eq!(&fast.scheme, &slow.scheme, "{}", url);
                prop_assert_eq!(&fast.host, &slow.host, "{}", url);
                prop_assert_eq!(fast.port, slow.port, "{}", url);
                prop_assert_eq!(&fast.path, &slow.path, "{}", url);
                // Queries may differ in how characters are escaped, never in the decoded pairs.
                let pairs = |q: &Option<Cow<'_, str>>| {
                    let mut n = Normalized { method: Cow::Borrowed(""), url: split_url("http://x/").unwrap(), buf: Vec::new(), pairs: Vec::new() };
                    if let Some(q) = q { n.push_form(q); }
                    n.sorted().collect::<Vec<_>>()
                };
                prop_assert_eq!(pairs(&fast.query), pairs(&slow.query), "{}", url);
            }
        }
    }
}
