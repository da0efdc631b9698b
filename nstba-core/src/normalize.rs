//! Request normalization for the signature base string (RFC 5849 §3.4.1): the one normalizer behind
//! [`crate::TbaKey::sign`], [`crate::TbaKey::explain`] and [`crate::base_string`].
//!
//! A URL in the shape every NetSuite call has (lower-case `http(s)://host[:port]/path?query`, plain
//! ASCII path) is split by hand; anything else goes through the `url` crate, which is also what the HTTP
//! client uses to send it. A test checks that both splits agree on random URLs.

use crate::error::{redact_url, Error, Result};
use smallvec::SmallVec;
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

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_le_bytes([1; 8]);
/// The top bit of every byte of a word.
const HIGH: u64 = ONES * 0x80;

/// How many of the eight bytes of `word` (little-endian: its first byte is the lowest) are ASCII
/// letters or digits before the first that is not: eight table tests in a few word operations.
/// (The other unreserved bytes, rarer in names and values, are left to the byte-wise path.)
#[inline]
fn alphanumeric_run(word: u64) -> usize {
    // On the low seven bits of each byte: adding `0x80 - lo` sets a byte's top bit exactly when it
    // is `lo` or above, adding `0x7f - hi` exactly when it is above `hi`; no sum carries into the
    // next byte.
    let low = word & !HIGH;
    let within = |x: u64, lo: u8, hi: u8| {
        (x + ONES * u64::from(0x80 - lo)) & !(x + ONES * u64::from(0x7f - hi)) & HIGH
    };
    // Setting bit 5 maps `A-Z` onto `a-z` and nothing else into that range.
    let alphanumeric = (within(low | (ONES * 0x20), b'a', b'z') | within(low, b'0', b'9'))
        // A byte with its own top bit set is not ASCII.
        & !word;
    ((!alphanumeric & HIGH).trailing_zeros() / 8) as usize
}

/// Appends `bytes` RFC 3986 percent-encoded.
///
/// Needs `bytes.len() * 3 + 8` bytes of spare capacity not to reallocate (the signing key's text
/// is sized so: a reallocation would leave a copy of it behind).
pub(crate) fn encode_into(out: &mut Vec<u8>, bytes: &[u8]) {
    encode_with(out, bytes, &ONCE, 3);
}

/// Base64's standard alphabet (RFC 4648 §4), in which OAuth writes HMAC signatures.
const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the base64 text of an HMAC-SHA256 tag RFC 3986 encoded, as the `Authorization` header
/// carries it, in one pass (the `base64` crate and [`encode_into`] one after the other write the
/// same through a 44-byte text; a test holds the two to each other).
///
/// Six bytes at a time are eight characters, assembled in a word. Base64 text is letters and digits
/// but for `+` and `/` (the only characters below `0`): a word without them (four in five of a
/// random tag) is copied as it is, one with them encoded byte by byte. The last two bytes are three
/// characters and the padding `=`, written `%3D`.
pub(crate) fn encode_tag_into(out: &mut Vec<u8>, tag: &[u8; 32]) {
    let mut buf = [0u8; 44 * 3 + 8];
    let mut n = 0;
    for start in (0..30).step_by(6) {
        let window: [u8; 8] = tag[start..start + 8].try_into().expect("eight bytes");
        // The six bytes in the top 48 bits.
        let bits = u64::from_be_bytes(window);
        let mut word = 0u64;
        for k in 0..8 {
            let char = BASE64_ALPHABET[(bits >> (58 - 6 * k) & 63) as usize];
            word |= u64::from(char) << (8 * k);
        }
        // ASCII bytes: adding 0x50 sets a byte's top bit exactly when it is `0` (0x30) or above.
        if !word.wrapping_add(ONES * 0x50) & HIGH == 0 {
            buf[n..n + 8].copy_from_slice(&word.to_le_bytes());
            n += 8;
        } else {
            for b in word.to_le_bytes() {
                store(&mut buf, &mut n, ONCE[b as usize]);
            }
        }
    }
    let bits = u32::from(tag[30]) << 16 | u32::from(tag[31]) << 8;
    for shift in [18, 12, 6] {
        let char = BASE64_ALPHABET[(bits >> shift & 63) as usize];
        store(&mut buf, &mut n, ONCE[char as usize]);
    }
    store(&mut buf, &mut n, ONCE[b'=' as usize]);
    out.extend_from_slice(&buf[..n]);
}

/// Appends `bytes` with every byte replaced by its entry of `table` (see [`escapes`]), which is at
/// most `width` bytes long.
///
/// No branch per byte: each entry is stored as a whole word and the position advanced by its
/// length, so a path or value with many reserved characters costs no more than a plain one.
fn encode_with(out: &mut Vec<u8>, bytes: &[u8], table: &[u64; 256], width: usize) {
    let start = out.len();
    out.resize(start + bytes.len() * width + 8, 0);
    let buf = &mut out[start..];
    let mut n = 0;
    for &b in bytes {
        store(buf, &mut n, table[b as usize]);
    }
    out.truncate(start + n);
}

/// Every byte as RFC 3986 encodes it, `times` times (1 or 2): the byte itself when unreserved, else
/// `%XX` (once) or `%25XX` (twice); as a little-endian word whose top byte is the length.
const fn escapes(times: usize) -> [u64; 256] {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if UNRESERVED[i] {
            i as u64 | 1 << 56
        } else {
            let hex = HEX[i >> 4] as u64 | (HEX[i & 15] as u64) << 8;
            if times == 1 {
                b'%' as u64 | hex << 8 | 3 << 56
            } else {
                b'%' as u64 | (b'2' as u64) << 8 | (b'5' as u64) << 16 | hex << 24 | 5 << 56
            }
        };
        i += 1;
    }
    t
}

/// [`escapes`] once: the form of the base URI's parts and the header's values.
const ONCE: [u64; 256] = escapes(1);

/// [`escapes`] twice: the form of every parameter in the base string.
const TWICE: [u64; 256] = escapes(2);

const OTHER: u8 = 0;
const LABEL: u8 = 1;
const DOT: u8 = 2;
const HYPHEN: u8 = 3;

/// Host bytes the hand-written split accepts: lower-case letters and digits in labels, `-` inside
/// them, `.` between them.
const HOST_BYTE: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_lowercase() || b.is_ascii_digit() {
            LABEL
        } else if b == b'.' {
            DOT
        } else if b == b'-' {
            HYPHEN
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

/// Every path byte's [`ONCE`] word with its [`PATH_CLASS`] in the sixth byte (an encoded path byte
/// takes at most three): one table read per byte tells the split what it is and the writer what to
/// write.
const PATH_WORD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = ONCE[i] | (PATH_CLASS[i] as u64) << PATH_CLASS_SHIFT;
        i += 1;
    }
    t
};

/// Where [`PATH_WORD`] keeps the class.
const PATH_CLASS_SHIFT: u32 = 40;

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
        let mut out = Vec::with_capacity(s.len() * 3 + 8);
        encode_into(&mut out, s.as_bytes());
        Cow::Owned(ascii_string(out))
    }
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
    /// The query; from the hand-written split, the rest of the URL (the decoder stops at `#`).
    pub query: Option<Cow<'a, str>>,
}

/// Splits `raw`, appends its base URI encoded (`scheme%3A%2F%2Fhost[%3Aport]enc(path)`) and `&`
/// to `buf`, then decodes its query's parameters into `buf` and `params`; returns the parts and
/// where the parameters start in `buf` (just past the `&`).
///
/// The hand-written split is taken when it applies and the query holds no whitespace or control
/// character (which URL parsers strip); otherwise the `url` crate's reading is used.
fn split_and_decode<'u>(
    raw: &'u str,
    known_hosts: &[&str],
    buf: &mut Vec<u8>,
    params: &mut SmallVec<[Param; 16]>,
) -> Result<(UrlParts<'u>, usize)> {
    let buf_len = buf.len();
    if let Some(url) = split_fast(raw, known_hosts, buf) {
        buf.push(b'&');
        let params_start = buf.len();
        let blank = match &url.query {
            Some(query) => push_form_into(buf, query.as_bytes(), true, &mut |r| {
                params.push(Param::decoded(r))
            }),
            None => false,
        };
        if !blank {
            return Ok((url, params_start));
        }
        buf.truncate(buf_len);
        params.clear();
    }
    split_and_decode_with_url_crate(raw, buf, params)
}

/// The rest of [`split_and_decode`] for URLs the hand-written split does not take: out of line,
/// so the common path's code stays together.
#[cold]
#[inline(never)]
fn split_and_decode_with_url_crate(
    raw: &str,
    buf: &mut Vec<u8>,
    params: &mut SmallVec<[Param; 16]>,
) -> Result<(UrlParts<'static>, usize)> {
    let url = split_with_url_crate(raw)?;
    write_base_uri(buf, &url);
    buf.push(b'&');
    let params_start = buf.len();
    if let Some(query) = &url.query {
        decode_params(buf, query.as_bytes(), false, params);
    }
    Ok((url, params_start))
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

/// Splits URLs already in the form the `url` crate would produce and appends the base URI encoded
/// to `out` (as [`write_base_uri`] would); `None` means "ask the url crate" (and `out` is as it was).
///
/// One pass over the bytes: lower-case `http(s)://`, a lower-case ASCII host name or dotted-quad
/// address, an optional port, a path of characters no parser rewrites and without dot segments. The
/// query is taken as is: the caller checks it for whitespace and control characters.
///
/// A host of `known_hosts` (ones this split accepts, checked by the caller once: the signing key's own
/// REST and RESTlet hosts) followed by the path, query or fragment is taken without scanning it.
pub(crate) fn split_fast<'u>(
    url: &'u str,
    known_hosts: &[&str],
    out: &mut Vec<u8>,
) -> Option<UrlParts<'u>> {
    let b = url.as_bytes();
    let (scheme, start, default_port) = if b.starts_with(b"https://") {
        ("https", 8, 443)
    } else if b.starts_with(b"http://") {
        ("http", 7, 80)
    } else {
        return None;
    };
    let rest = &b[start..];
    if let Some(host) = known_hosts.iter().find(|h| {
        !h.is_empty()
            && rest.starts_with(h.as_bytes())
            && matches!(rest.get(h.len()), Some(b'/' | b'?' | b'#'))
    }) {
        let end = start + host.len();
        return split_path_and_query(url, scheme, start..end, end, None, out);
    }
    split_host(url, scheme, start, default_port, out)
}

/// The rest of [`split_fast`] for a host it was not given: the host is scanned and checked, and
/// a port read. Out of line, so the code for the key's own hosts stays together.
#[inline(never)]
fn split_host<'u>(
    url: &'u str,
    scheme: &'static str,
    start: usize,
    default_port: u32,
    out: &mut Vec<u8>,
) -> Option<UrlParts<'u>> {
    let b = url.as_bytes();
    let n = b.len();
    // One branch per byte (the host's end): a host whose labels are non-empty and neither start nor
    // end with `-` has no two `.`/`-` in a row and neither starts nor ends with one. `--` inside a
    // label (as in `xn--` punycode labels, which parsers decode) is also left to the url crate.
    let mut i = start;
    let mut prev = DOT;
    let mut bad = false;
    let mut label_start = start;
    while i < n {
        let class = HOST_BYTE[b[i] as usize];
        if class == OTHER {
            break;
        }
        bad |= (prev != LABEL) & (class != LABEL);
        label_start = if class == DOT { i + 1 } else { label_start };
        prev = class;
        i += 1;
    }
    if bad | (prev != LABEL) {
        return None;
    }
    let host_end = i;
    let host = &url[start..host_end];
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
    split_path_and_query(url, scheme, start..host_end, i, port, out)
}

/// The rest of [`split_fast`]: the host is `url[host]`, the path starts at `path_start`.
fn split_path_and_query<'u>(
    url: &'u str,
    scheme: &'static str,
    host: std::ops::Range<usize>,
    path_start: usize,
    port: Option<u16>,
    out: &mut Vec<u8>,
) -> Option<UrlParts<'u>> {
    let b = url.as_bytes();
    let n = b.len();
    let host = &url[host];
    let out_len = out.len();
    // The host holds lower-case letters, digits, `-` and `.` only: unreserved.
    write_origin(out, scheme, host, true, port);
    // One pass over the path, writing it encoded: stop at `?` or `#`, and note whether every byte is
    // one no parser rewrites and whether a `.` or `%` (possible dot segments) occurs. Each byte's
    // word is stored whole and the position advanced by its length (see `encode_with`). (The room
    // reserved is for the rest of the URL, as where the path ends is not known yet.)
    let rest = &b[path_start..];
    let mut at = out.len();
    out.resize(at + rest.len() * 3 + 8, 0);
    let buf = out.as_mut_slice();
    // NetSuite's own path prefixes are written in their encoded form and not scanned: they hold
    // no `.` or `%` and end with `/`, so what follows starts a segment of its own.
    let (skip, encoded) = known_path_prefix(rest);
    buf[at..at + encoded.len()].copy_from_slice(encoded);
    at += encoded.len();
    let mut flags = 0u64;
    let mut path_len = rest.len();
    for (i, &c) in rest[skip..].iter().enumerate() {
        let word = PATH_WORD[c as usize];
        if word & u64::from(END) << PATH_CLASS_SHIFT != 0 {
            path_len = skip + i;
            break;
        }
        flags |= word;
        // The class byte sits below the length byte, past the three bytes an encoded byte takes:
        // it is stored but never kept.
        store(buf, &mut at, word);
    }
    let flags = (flags >> PATH_CLASS_SHIFT) as u8;
    let path_end = path_start + path_len;
    let path_bytes = &b[path_start..path_end];
    let rejected = flags & BAD != 0
        || flags & HAS_DOT != 0
            && path_bytes
                .split(|&c| c == b'/')
                .any(|seg| seg == b"." || seg == b"..")
        // An encoded dot, which parsers may treat as a dot segment.
        || flags & HAS_PERCENT != 0
            && path_bytes
                .windows(3)
                .any(|w| w[0] == b'%' && w[1] == b'2' && (w[2] | 0x20) == b'e');
    if rejected {
        out.truncate(out_len);
        return None;
    }
    let path = if path_len == 0 {
        // An empty path is `/`, encoded.
        out[at..at + 3].copy_from_slice(b"%2F");
        at += 3;
        "/"
    } else {
        &url[path_start..path_end]
    };
    out.truncate(at);
    let mut query = None;
    if path_end < n && b[path_end] == b'?' {
        // The rest of the URL: its decoding stops at a `#` (see `split_and_decode`), which also finds
        // whitespace and controls, which parsers strip.
        query = Some(Cow::Borrowed(&url[path_end + 1..]));
    }
    Some(UrlParts {
        scheme,
        host_unreserved: true,
        host: Cow::Borrowed(host),
        port,
        path: Cow::Borrowed(path),
        query,
    })
}

/// The path prefixes of NetSuite's REST record and SuiteQL calls, its other REST services and its
/// RESTlets, each with its RFC 3986 encoding; the longest that applies comes first.
const PATH_PREFIXES: [(&[u8], &[u8]); 4] = [
    (
        b"/services/rest/record/v1/",
        b"%2Fservices%2Frest%2Frecord%2Fv1%2F",
    ),
    (
        b"/services/rest/query/v1/",
        b"%2Fservices%2Frest%2Fquery%2Fv1%2F",
    ),
    (b"/services/rest/", b"%2Fservices%2Frest%2F"),
    (b"/app/site/hosting/", b"%2Fapp%2Fsite%2Fhosting%2F"),
];

/// How many bytes of `path` a [`PATH_PREFIXES`] entry covers, and its encoding; `(0, b"")` when
/// none does.
#[inline]
fn known_path_prefix(path: &[u8]) -> (usize, &'static [u8]) {
    PATH_PREFIXES
        .iter()
        .find(|(raw, _)| path.starts_with(raw))
        .map_or((0, b""), |&(raw, encoded)| (raw.len(), encoded))
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

/// Appends `s` RFC 3986 encoded once (as the `Authorization` header carries values).
pub(crate) fn encode_once_into(out: &mut Vec<u8>, s: &str) {
    encode_with(out, s.as_bytes(), &ONCE, 3);
}

/// `s` RFC 3986 encoded twice (as it appears in the base string).
pub(crate) fn encoded_twice(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() * 5 + 8);
    encode_with(&mut out, s.as_bytes(), &TWICE, 5);
    ascii_string(out)
}

/// Text this module wrote (percent-encoded, so ASCII) as a `String`. The lossy branch is never
/// taken; it stands where a panic would otherwise be.
pub(crate) fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where a protocol parameter's `%26name%3Dvalue` text (name and value encoded twice) is.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    /// A range of [`Normalized::protocol_scratch`].
    Scratch(u32, u32),
    /// Text the caller holds in that form, borrowed as is.
    Ready(&'a [u8]),
}

/// One protocol parameter, as `%26name%3Dvalue` with name and value encoded twice.
#[derive(Debug, Clone, Copy)]
struct Entry<'a> {
    /// The name's first 8 bytes, big-endian (see [`prefix_key`]).
    key: u64,
    joined: Piece<'a>,
    /// The twice-encoded name's length.
    name_len: u32,
    /// Whether the value changes from one signing to the next (the nonce, the timestamp).
    per_call: bool,
}

impl<'a> Entry<'a> {
    /// `%26name%3Dvalue`.
    fn joined<'s>(&self, protocol_scratch: &'s [u8]) -> &'s [u8]
    where
        'a: 's,
    {
        match self.joined {
            Piece::Scratch(a, b) => &protocol_scratch[a as usize..b as usize],
            Piece::Ready(s) => s,
        }
    }

    /// The twice-encoded name and value.
    fn parts<'s>(&self, protocol_scratch: &'s [u8]) -> (&'s [u8], &'s [u8])
    where
        'a: 's,
    {
        name_and_value(self.joined(protocol_scratch), self.name_len as usize)
    }
}

/// The name and value of a parameter joined as `%26name%3Dvalue`, its name `name_len` bytes long.
fn name_and_value(joined: &[u8], name_len: usize) -> (&[u8], &[u8]) {
    let name_end = 3 + name_len;
    (&joined[3..name_end], &joined[name_end + 3..])
}

/// One query or form parameter, decoded and encoded twice into [`Normalized::scratch`] as it will
/// appear in the base string after another parameter: `%26name%3Dvalue`, from `start` (at `%26`)
/// to `end`, the `%3D` at `mid`.
#[derive(Debug, Clone, Copy)]
struct Param {
    /// The name's first 8 bytes, big-endian (see [`prefix_key`]).
    key: u64,
    start: u32,
    mid: u32,
    end: u32,
}

impl Param {
    /// A parameter decoded into the scratch buffer at (`%26` start, `%3D` start, value end).
    fn decoded((start, mid, end): (u32, u32, u32)) -> Self {
        Param {
            key: 0,
            start,
            mid,
            end,
        }
    }

    fn name<'s>(&self, scratch: &'s [u8]) -> &'s [u8] {
        &scratch[self.start as usize + 3..self.mid as usize]
    }

    fn value<'s>(&self, scratch: &'s [u8]) -> &'s [u8] {
        &scratch[self.mid as usize + 3..self.end as usize]
    }

    /// `%26name%3Dvalue`.
    fn joined<'s>(&self, scratch: &'s [u8]) -> &'s [u8] {
        &scratch[self.start as usize..self.end as usize]
    }

    /// The twice-encoded name's length.
    fn name_len(&self) -> usize {
        (self.mid - self.start) as usize - 3
    }
}

/// A request reduced to its signature base string.
///
/// [`Normalized::start`] writes `METHOD&enc(base URI)&` into a scratch buffer and decodes the
/// query's and form body's parameters after it, each as `%26name%3Dvalue` with name and value
/// encoded twice (as it will appear in the base string); [`Normalized::push_joined`] adds protocol
/// parameters the caller holds in that form, [`Normalized::push`] others. [`Normalized::finish`]
/// sorts the query and form parameters and the protocol parameters each on their own (the signer adds
/// the latter already in order, so theirs is a check), then writes the base string (the scratch
/// buffer's `METHOD&enc(base URI)&` and the two lists merged) into the buffer a header-only signing
/// left on this thread, or else one of its exact length; [`Normalized::take_base_bytes`] hands it
/// out at its exact length either way.
/// Encoding `%` as `%25` keeps byte order, so ordering the twice-encoded text orders the normalized
/// parameters by name, then value, as RFC 5849 §3.4.1.3.2 says — wherever a name occurs.
///
/// Everything is written as bytes (percent-encoded text is ASCII) and turned into a `String` once.
pub(crate) struct Normalized<'a> {
    method: Cow<'a, str>,
    url: UrlParts<'a>,
    text: Vec<u8>,
    scratch: Vec<u8>,
    /// The length of `METHOD&enc(base URI)&` at the start of `scratch`.
    prefix_len: usize,
    /// How much of the base string comes before the first per-call parameter (after `finish`).
    stable_len: usize,
    params: SmallVec<[Param; 16]>,
    protocol_scratch: Vec<u8>,
    protocol: SmallVec<[Entry<'a>; 8]>,
}

impl<'a> Normalized<'a> {
    /// An empty normalizer, to be started with [`Normalized::start`]. (Built in place by the caller
    /// and then filled: its parameter lists live inline and are never moved.)
    pub fn new() -> Self {
        Normalized {
            method: Cow::Borrowed(""),
            url: UrlParts {
                scheme: "",
                host: Cow::Borrowed(""),
                host_unreserved: true,
                port: None,
                path: Cow::Borrowed(""),
                query: None,
            },
            text: Vec::new(),
            scratch: Vec::new(),
            prefix_len: 0,
            stable_len: 0,
            params: SmallVec::new(),
            protocol_scratch: Vec::new(),
            protocol: SmallVec::new(),
        }
    }

    /// Starts the base string of `method url` with the query's and `form_body`'s parameters.
    pub fn start(
        &mut self,
        method: &'a str,
        url: &'a str,
        known_hosts: &[&str],
        form_body: Option<&str>,
    ) -> Result<()> {
        self.method = normalize_method(method)?;
        // This thread's scratch buffer from the previous signing, if any: one allocation less.
        self.scratch = SCRATCH.take();
        self.scratch.clear();
        // The method, the base URI (at most three bytes for each of the URL's), the parameters
        // (at most five for each byte of the query and body; the decoder makes its own room).
        self.scratch
            .reserve(self.method.len() + (url.len() + form_body.map_or(0, str::len)) * 5 + 64);
        self.scratch.extend_from_slice(self.method.as_bytes());
        self.scratch.push(b'&');
        let (parts, prefix_len) =
            split_and_decode(url, known_hosts, &mut self.scratch, &mut self.params)?;
        self.url = parts;
        self.prefix_len = prefix_len;
        if let Some(body) = form_body {
            decode_params(&mut self.scratch, body.as_bytes(), false, &mut self.params);
        }
        Ok(())
    }

    /// Adds one protocol parameter, name and value not encoded yet.
    pub fn push(&mut self, name: &str, value: &str) {
        let start = self.protocol_scratch.len();
        self.protocol_scratch.extend_from_slice(b"%26");
        encode_with(&mut self.protocol_scratch, name.as_bytes(), &TWICE, 5);
        let name_len = self.protocol_scratch.len() - start - 3;
        self.protocol_scratch.extend_from_slice(b"%3D");
        encode_with(&mut self.protocol_scratch, value.as_bytes(), &TWICE, 5);
        self.protocol.push(Entry {
            key: prefix_key(&self.protocol_scratch[start + 3..start + 3 + name_len]),
            joined: Piece::Scratch(start as u32, self.protocol_scratch.len() as u32),
            name_len: name_len as u32,
            per_call: false,
        });
    }

    /// Adds one protocol parameter held as it appears in the base string after another one:
    /// `%26name%3Dvalue`, name and value encoded twice, the name `name_len` bytes long.
    #[inline]
    pub fn push_joined(&mut self, joined: &'a [u8], name_len: usize) {
        self.push_ready(joined, name_len, false);
    }

    /// Adds a protocol parameter like [`Normalized::push_joined`] whose value changes from one
    /// signing to the next (the nonce, the timestamp): the base string's part before the first
    /// such parameter is [`Normalized::stable_len`] long.
    #[inline]
    pub fn push_joined_per_call(&mut self, joined: &'a [u8], name_len: usize) {
        self.push_ready(joined, name_len, true);
    }

    #[inline]
    fn push_ready(&mut self, joined: &'a [u8], name_len: usize, per_call: bool) {
        self.protocol.push(Entry {
            key: prefix_key(&joined[3..3 + name_len]),
            joined: Piece::Ready(joined),
            name_len: name_len as u32,
            per_call,
        });
    }

    /// Orders both lists and completes the base string.
    pub fn finish(&mut self) {
        let scratch = self.scratch.as_slice();
        let params = self.params.as_mut_slice();
        for p in params.iter_mut() {
            p.key = prefix_key_in(scratch, p.start as usize + 3, p.name_len());
        }
        let part = |p: &Param| (p.name(scratch), p.value(scratch));
        params.sort_unstable_by(|a, b| order(a.key, b.key, || part(a), || part(b)));
        let protocol_scratch = self.protocol_scratch.as_slice();
        let entries = self.protocol.as_mut_slice();
        let entry_order = |a: &Entry<'a>, b: &Entry<'a>| {
            order(
                a.key,
                b.key,
                || a.parts(protocol_scratch),
                || b.parts(protocol_scratch),
            )
        };
        // The signer pushes them in order: then checking is all the sorting there is (and the
        // sort's code stays out of the way).
        if !entries.is_sorted_by(|a, b| entry_order(a, b).is_le()) {
            sort_cold(entries, entry_order);
        }
        // The base string's exact length: the prefix, then every parameter, the first without its
        // `%26` (allocated once, and small enough for the allocator's quickest path in common cases).
        let params_len: usize = params
            .iter()
            .map(|p| (p.end - p.start) as usize)
            .sum::<usize>()
            + entries
                .iter()
                .map(|e| e.joined(protocol_scratch).len())
                .sum::<usize>();
        // This thread's base-string buffer from the previous signing whose base string was not
        // kept (a header-only signing), if any; else one of the exact length.
        let mut text = TEXT.take();
        text.clear();
        text.reserve_exact(self.prefix_len + params_len.saturating_sub(3));
        text.extend_from_slice(&self.scratch[..self.prefix_len]);
        let mut first = true;
        let mut stable_len = None;
        self.merged(|joined, _, per_call| {
            if per_call && stable_len.is_none() {
                stable_len = Some(text.len());
            }
            // The first parameter goes without its `%26`.
            text.extend_from_slice(if first { &joined[3..] } else { joined });
            first = false;
        });
        self.stable_len = stable_len.unwrap_or(text.len());
        self.text = text;
    }

    /// The one merge of the ordered query/form parameters with the ordered protocol parameters:
    /// calls `f` with every `%26name%3Dvalue` (name and value encoded twice), its name's length and
    /// whether it is a per-call parameter, in base-string order (after `finish`). Names and values
    /// are sliced only where two names' keys tie.
    fn merged<'s>(&'s self, mut f: impl FnMut(&'s [u8], usize, bool)) {
        let params = self.params.as_slice();
        let scratch = self.scratch.as_slice();
        let protocol_scratch = self.protocol_scratch.as_slice();
        let mut next = 0;
        for e in self.protocol.as_slice() {
            while let Some(p) = params.get(next) {
                let part = || (p.name(scratch), p.value(scratch));
                if order(p.key, e.key, part, || e.parts(protocol_scratch)).is_gt() {
                    break;
                }
                f(p.joined(scratch), p.name_len(), false);
                next += 1;
            }
            f(e.joined(protocol_scratch), e.name_len as usize, e.per_call);
        }
        for p in &params[next..] {
            f(p.joined(scratch), p.name_len(), false);
        }
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
    pub fn sorted(&self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.params.len() + self.protocol.len());
        let once = |twice: &[u8]| String::from_utf8_lossy(twice).replace("%25", "%");
        self.merged(|joined, name_len, _| {
            let (name, value) = name_and_value(joined, name_len);
            out.push((once(name), once(value)));
        });
        out
    }

    /// The base string (after `finish`).
    pub fn base_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The length of the base string's part before its first per-call parameter (see
    /// [`Normalized::push_joined_per_call`]); the whole length when there is none (after `finish`).
    /// Two signings of the same request share this part.
    pub fn stable_len(&self) -> usize {
        self.stable_len
    }

    /// The base string's bytes in a buffer of their exact length (after `finish`): the normalizer's
    /// own when it is that (and then it leaves the normalizer's empty), else a copy (the thread's
    /// reused buffer stays for the next signing).
    pub fn take_base_bytes(&mut self) -> Vec<u8> {
        if self.text.capacity() == self.text.len() {
            std::mem::take(&mut self.text)
        } else {
            self.text.clone()
        }
    }

    /// The base string, keeping its buffer (after `finish`; leaves the normalizer's empty).
    pub fn take_base_string(&mut self) -> String {
        ascii_string(self.take_base_bytes())
    }
}

thread_local! {
    /// The scratch buffer of the last [`Normalized`] dropped on this thread, kept for the next.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    /// The base-string buffer of the last [`Normalized`] dropped on this thread with its base string
    /// still in it (nobody took it), kept for the next.
    pub(crate) static TEXT: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest scratch buffer kept for the next signing (a huge form body's is freed).
const SCRATCH_KEPT: usize = 4096;

impl Drop for Normalized<'_> {
    fn drop(&mut self) {
        if self.scratch.capacity() <= SCRATCH_KEPT {
            // Holds only the method, the base URI and the query and form text (encoded): never a
            // key's secret.
            SCRATCH.set(std::mem::take(&mut self.scratch));
        }
        if self.text.capacity() != 0 && self.text.capacity() <= SCRATCH_KEPT {
            // The base string: the method, the URL and form text and the protocol parameters the
            // header carries too, encoded: never a key's secret.
            TEXT.set(std::mem::take(&mut self.text));
        }
    }
}

/// RFC 5849 order of two twice-encoded parameters: by name, then by value. The names' `key`s
/// decide most pairs; only when they are equal are the (name, value) texts fetched and compared.
#[inline]
fn order<'x, 'y>(
    a_key: u64,
    b_key: u64,
    a: impl FnOnce() -> (&'x [u8], &'x [u8]),
    b: impl FnOnce() -> (&'y [u8], &'y [u8]),
) -> std::cmp::Ordering {
    if a_key != b_key {
        return a_key.cmp(&b_key);
    }
    let ((a_name, a_value), (b_name, b_value)) = (a(), b());
    short_cmp(a_name, b_name).then_with(|| short_cmp(a_value, b_value))
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

/// [`prefix_key`] of the `len`-byte name at `buf[start..]`, read as one word (the bytes after a
/// short name masked off) when eight bytes follow `start`.
fn prefix_key_in(buf: &[u8], start: usize, len: usize) -> u64 {
    match buf.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        Some(first) if len >= 8 => u64::from_be_bytes(*first),
        Some(first) => u64::from_be_bytes(*first) & !(u64::MAX >> (8 * len)),
        None => prefix_key(&buf[start..start + len]),
    }
}

/// What [`push_form_into`] does with a byte of a form: most are written encoded twice.
const FORM_PLAIN: u8 = 0;
const FORM_AMP: u8 = 1;
const FORM_EQ: u8 = 2;
const FORM_PERCENT: u8 = 3;
const FORM_PLUS: u8 = 4;
const FORM_HASH: u8 = 5;
/// Whitespace and control characters, which URL parsers strip: written, and reported.
const FORM_BLANK: u8 = 6;

const FORM_CLASS: [u8; 256] = {
    let mut t = [FORM_PLAIN; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b'&' => FORM_AMP,
            b'=' => FORM_EQ,
            b'%' => FORM_PERCENT,
            b'+' => FORM_PLUS,
            b'#' => FORM_HASH,
            b if b <= b' ' || b == 0x7f => FORM_BLANK,
            _ => FORM_PLAIN,
        };
        i += 1;
    }
    t
};

/// The value of a hex digit; 16 for other bytes.
const HEX_VALUE: [u8; 256] = {
    let mut t = [16u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            b @ b'A'..=b'F' => b - b'A' + 10,
            _ => 16,
        };
        i += 1;
    }
    t
};

/// `%26` (a parameter's `&`) and `%3D` (its `=`) as [`escapes`] words.
const AMP_WORD: u64 = b'%' as u64 | (b'2' as u64) << 8 | (b'6' as u64) << 16 | 3 << 56;
const EQ_WORD: u64 = b'%' as u64 | (b'3' as u64) << 8 | (b'D' as u64) << 16 | 3 << 56;

/// Stores an [`escapes`] word at `out[*n..]` and advances `*n` by its length.
#[inline(always)]
fn store(out: &mut [u8], n: &mut usize, word: u64) {
    out[*n..*n + 8].copy_from_slice(&word.to_le_bytes());
    *n += (word >> 56) as usize;
}

/// Appends every `name=value` of an `application/x-www-form-urlencoded` string (a URL query or a form
/// body) to `buf` as `%26name%3Dvalue`, each name and value decoded (`+` is a space, `%XX` a byte, a
/// `%` without two hex digits itself) and encoded twice, and reports each pair's (`%26` start, `%3D`
/// start, value end).
///
/// With `to_hash`, the text ends at the first `#` (a URL's query followed by its fragment).
///
/// Returns `true` when the text holds whitespace or control characters (which URL parsers strip).
pub(crate) fn push_form_into(
    buf: &mut Vec<u8>,
    bytes: &[u8],
    to_hash: bool,
    pair: &mut impl FnMut((u32, u32, u32)),
) -> bool {
    let mut n = buf.len();
    // Room for the worst case: every byte five long, a `%26` before and a `%3D` after the text, and
    // a word stored past the end.
    buf.resize(n + bytes.len() * 5 + 16, 0);
    let out = buf.as_mut_slice();
    let mut blank = false;
    let mut start = n;
    store(out, &mut n, AMP_WORD);
    let mut mid: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        let class = FORM_CLASS[b as usize];
        // Tested on its own, ahead of the rest: a predictable branch, not a jump through a table.
        if class == FORM_PLAIN {
            store(out, &mut n, TWICE[b as usize]);
            // Letters and digits (most of a name, number or word) are written as they are: the rest
            // of a run of them is copied eight bytes at a time.
            if let Some(next) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
                let run = alphanumeric_run(u64::from_le_bytes(*next));
                out[n..n + 8].copy_from_slice(next);
                n += run;
                i += run;
            }
            continue;
        }
        match class {
            FORM_AMP => {
                if n > start + 3 || mid.is_some() {
                    let mid = mid.unwrap_or_else(|| {
                        let at = n;
                        store(out, &mut n, EQ_WORD);
                        at
                    });
                    pair((start as u32, mid as u32, n as u32));
                    start = n;
                    store(out, &mut n, AMP_WORD);
                }
                mid = None;
            }
            FORM_EQ if mid.is_none() => {
                mid = Some(n);
                store(out, &mut n, EQ_WORD);
            }
            FORM_PERCENT => {
                let digit = |at: usize| bytes.get(at).map_or(16, |&d| HEX_VALUE[d as usize]);
                let (high, low) = (digit(i), digit(i + 1));
                if high < 16 && low < 16 {
                    store(out, &mut n, TWICE[(high << 4 | low) as usize]);
                    i += 2;
                } else {
                    store(out, &mut n, TWICE[b'%' as usize]);
                }
            }
            FORM_PLUS => store(out, &mut n, TWICE[b' ' as usize]),
            FORM_HASH if to_hash => break,
            class => {
                blank |= class == FORM_BLANK;
                store(out, &mut n, TWICE[b as usize]);
            }
        }
    }
    if n > start + 3 || mid.is_some() {
        let mid = mid.unwrap_or_else(|| {
            let at = n;
            store(out, &mut n, EQ_WORD);
            at
        });
        pair((start as u32, mid as u32, n as u32));
    } else {
        // An empty last pair: drop its `%26`.
        n = start;
    }
    buf.truncate(n);
    blank
}

/// [`push_form_into`] adding each pair to `params`, out of line: for the form body's and the url
/// crate's paths (the query of a URL the hand-written split takes has the loop inlined).
#[inline(never)]
fn decode_params(
    buf: &mut Vec<u8>,
    bytes: &[u8],
    to_hash: bool,
    params: &mut SmallVec<[Param; 16]>,
) -> bool {
    push_form_into(buf, bytes, to_hash, &mut |r| params.push(Param::decoded(r)))
}

/// `sort_unstable_by`, out of line: for lists that are nearly always in order already.
#[cold]
#[inline(never)]
fn sort_cold<T>(list: &mut [T], order: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    list.sort_unstable_by(order);
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
    write_origin(out, url.scheme, &url.host, url.host_unreserved, url.port);
    encode_with(out, url.path.as_bytes(), &ONCE, 3);
}

/// `scheme%3A%2F%2Fhost[%3Aport]`: the base URI up to its path.
fn write_origin(out: &mut Vec<u8>, scheme: &str, host: &str, unreserved: bool, port: Option<u16>) {
    out.extend_from_slice(scheme.as_bytes());
    out.extend_from_slice(b"%3A%2F%2F");
    if unreserved {
        out.extend_from_slice(host.as_bytes());
    } else {
        encode_with(out, host.as_bytes(), &ONCE, 3);
    }
    if let Some(port) = port {
        out.extend_from_slice(b"%3A");
        out.extend_from_slice(port.to_string().as_bytes());
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
            assert!(split_fast(url, &[], &mut Vec::new()).is_some(), "{url}");
        }
    }

    /// Each NetSuite path prefix is written as the general encoder writes it, and holds nothing the
    /// split would have to look at (a `.`, a `%`, a byte parsers rewrite) and ends a segment.
    #[test]
    fn path_prefixes_are_encoded_and_plain() {
        for (raw, encoded) in PATH_PREFIXES {
            let mut general = Vec::new();
            encode_with(&mut general, raw, &ONCE, 3);
            assert_eq!(general, encoded, "{}", String::from_utf8_lossy(raw));
            assert!(raw.ends_with(b"/"));
            assert!(raw.iter().all(|&b| PATH_CLASS[b as usize] == 0), "{raw:?}");
        }
        // The longest first: a later entry never is a longer form of an earlier one.
        for (i, (a, _)) in PATH_PREFIXES.iter().enumerate() {
            for (b, _) in &PATH_PREFIXES[i + 1..] {
                assert!(!b.starts_with(a), "{a:?} before {b:?}");
            }
        }
    }

    /// The word-wide test agrees with the byte-wise one for every byte in every place, after any
    /// run.
    #[test]
    fn alphanumeric_run_counts_what_the_bytes_say() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', b'Z', b'5', b'~', b'%', b'@', 0xff] {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let expected = word
                        .iter()
                        .position(|c| !c.is_ascii_alphanumeric())
                        .unwrap_or(8);
                    assert_eq!(
                        alphanumeric_run(u64::from_le_bytes(word)),
                        expected,
                        "{word:?}"
                    );
                }
            }
        }
    }

    proptest! {
        /// The form decoder reads the pairs the `url` crate's `form_urlencoded` reads, for text
        /// with raw reserved characters, escapes, `%`, `+` and non-ASCII letters beside runs of
        /// letters and digits of every length (which the decoder copies a word at a time).
        #[test]
        fn form_decoder_agrees_with_form_urlencoded(
            pieces in prop::collection::vec(prop_oneof![
                4 => "[a-zA-Z0-9]{1,19}",
                2 => "[!-$&-/:-@\\[-`{-~]",
                // Escapes of ASCII bytes, and `%` as itself: an escape of a byte that is not
                // UTF-8 on its own is read as U+FFFD by `form_urlencoded` (we sign the bytes).
                1 => "%[0-7][0-9A-Fa-f]",
                1 => "%[g-zG-Z]",
                1 => "[é日+]",
            ], 0..24),
        ) {
            let text = pieces.concat();
            let mut buf = b"kept".to_vec();
            let mut ranges = Vec::new();
            push_form_into(&mut buf, text.as_bytes(), false, &mut |r| ranges.push(r));
            prop_assert_eq!(&buf[..4], b"kept");
            let ours: Vec<(String, String)> = ranges
                .into_iter()
                .map(|r| {
                    let p = Param::decoded(r);
                    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
                    (text(p.name(&buf)), text(p.value(&buf)))
                })
                .collect();
            let theirs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
                .map(|(name, value)| (encoded_twice(&name), encoded_twice(&value)))
                .collect();
            prop_assert_eq!(ours, theirs, "{}", text);
        }
    }

    /// The tag's encoder writes what the `base64` crate and the general encoder write one after the
    /// other: every six-bit value at every place (so `+` and `/` wherever they fall), and tags of
    /// all ones and all zeros.
    #[test]
    fn the_tag_encoder_agrees_with_base64_and_the_general_encoder() {
        use base64::Engine as _;
        let mut tags = vec![[0u8; 32], [0xff; 32]];
        for place in 0..43 {
            for value in 0..64u32 {
                // Set the six bits of character `place` of a tag of varied bytes.
                let mut tag: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
                for bit in 0..6 {
                    let at = place * 6 + bit;
                    if at < 256 {
                        let mask = 0x80 >> (at % 8);
                        let on = value >> (5 - bit) & 1 == 1;
                        tag[at / 8] = if on {
                            tag[at / 8] | mask
                        } else {
                            tag[at / 8] & !mask
                        };
                    }
                }
                tags.push(tag);
            }
        }
        for tag in tags {
            let text = base64::engine::general_purpose::STANDARD.encode(tag);
            let (mut general, mut own) = (b"kept".to_vec(), b"kept".to_vec());
            encode_into(&mut general, text.as_bytes());
            encode_tag_into(&mut own, &tag);
            assert_eq!(own, general, "{text}");
        }
    }

    /// A name's key read as one word from a longer text is the key of the name alone.
    #[test]
    fn a_prefix_key_read_in_place_is_the_name_alone() {
        let text = b"%26limit%3D10%26q%3Dx%26offset%3D0%26a_long_name%3D%26";
        for start in 0..text.len() {
            for len in 0..=text.len() - start {
                assert_eq!(
                    prefix_key_in(text, start, len),
                    prefix_key(&text[start..start + len]),
                    "{start} {len}"
                );
            }
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
            // Half the paths start with one of NetSuite's prefixes, which the split writes without
            // scanning (what follows them must still be checked: a dot segment, say).
            prop::option::of(prop::sample::select(
                PATH_PREFIXES
                    .iter()
                    .map(|(raw, _)| std::str::from_utf8(raw).unwrap())
                    .collect::<Vec<_>>(),
            )),
            prop::collection::vec(prop_oneof![8 => good_segment, 1 => any_segment, 1 => "/\\.{1,2}|/%2[eE]"], 0..4),
            prop::option::of(prop_oneof![4 => "[a-zA-Z0-9=&+%._~!*'()-]{0,16}", 1 => "[a-z=& \t\u{e9}]{0,8}"]),
            prop::option::of("[a-z#?]{0,4}"),
        )
            .prop_map(|(scheme, host, port, prefix, path, query, fragment)| {
                let mut url = format!("{scheme}{host}");
                if let Some(p) = port {
                    url.push(':');
                    url.push_str(&p);
                }
                let path = path.concat();
                match prefix {
                    // The prefix ends with `/`: the first segment follows it without its own.
                    Some(prefix) => {
                        url.push_str(prefix);
                        url.push_str(path.strip_prefix('/').unwrap_or(&path));
                    }
                    None => url.push_str(&path),
                }
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
                let mut written = b"kept".to_vec();
                let fast = split_fast(&url, &[], &mut written);
                if fast.is_none() {
                    // Refused: what was there is left as it was.
                    prop_assert_eq!(&written[..], b"kept", "{}", url);
                }
                if let Some(fast) = fast {
                    fast_hits.set(fast_hits.get() + 1);
                    // A known host is taken without scanning, to the same effect.
                    let mut known_written = Vec::new();
                    if let Some(known) = split_fast(&url, &[&fast.host], &mut known_written) {
                        prop_assert_eq!(&known_written, &written[4..], "{}", url);
                        prop_assert_eq!(&known.host, &fast.host, "{}", url);
                        prop_assert_eq!(known.port, fast.port, "{}", url);
                        prop_assert_eq!(&known.path, &fast.path, "{}", url);
                        prop_assert_eq!(&known.query, &fast.query, "{}", url);
                    }
                    let slow = split_with_url_crate(&url)
                        .map_err(|e| TestCaseError::fail(format!("{url}: {e}")))?;
                    prop_assert_eq!(&fast.scheme, &slow.scheme, "{}", url);
                    prop_assert_eq!(&fast.host, &slow.host, "{}", url);
                    prop_assert_eq!(fast.port, slow.port, "{}", url);
                    prop_assert_eq!(&fast.path, &slow.path, "{}", url);
                    // The base URI written while splitting is the one written from the parts.
                    let mut from_parts = b"kept".to_vec();
                    write_base_uri(&mut from_parts, &slow);
                    prop_assert_eq!(
                        String::from_utf8_lossy(&written),
                        String::from_utf8_lossy(&from_parts),
                        "{}",
                        url
                    );
                    // Queries may differ in how characters are escaped, never in the decoded pairs
                    // the normalizer reads (raw whitespace sends it to the url crate's reading).
                    let sorted = |scratch: &[u8], params: &[Param]| {
                        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = params
                            .iter()
                            .map(|p| (p.name(scratch).to_vec(), p.value(scratch).to_vec()))
                            .collect();
                        pairs.sort();
                        pairs
                    };
                    let (mut scratch, mut params) = (Vec::new(), SmallVec::new());
                    split_and_decode(&url, &[], &mut scratch, &mut params).unwrap();
                    let (mut slow_scratch, mut slow_params) =
                        (Vec::new(), SmallVec::<[Param; 16]>::new());
                    if let Some(q) = &slow.query {
                        push_form_into(&mut slow_scratch, q.as_bytes(), false, &mut |r| {
                            slow_params.push(Param::decoded(r))
                        });
                    }
                    prop_assert_eq!(
                        sorted(&scratch, params.as_slice()),
                        sorted(&slow_scratch, slow_params.as_slice()),
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
