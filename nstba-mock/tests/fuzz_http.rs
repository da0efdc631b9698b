//! No panic on any input, over HTTP (issue 13): random methods, paths, headers, bodies, `q=` filters
//! and SuiteQL, signed and unsigned, thrown at a running emulator. Deterministic (fixed proptest
//! seed); a panic hook counts every panic anywhere in the process.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static PANICS: AtomicU64 = AtomicU64::new(0);

fn count_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

fn words(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(list).prop_map(str::to_owned),
            1 => any::<String>(),
        ],
        0..12,
    )
    .prop_map(|p| p.concat())
}

const PATH: &[&str] = &[
    "/services/rest/record/v1/",
    "/services/rest/query/v1/suiteql",
    "/app/site/hosting/restlet.nl",
    "/rest/issuetoken",
    "/rest/revoketoken",
    "/services/rest/auth/oauth2/v1/token",
    "customer",
    "/",
    "1",
    "%",
    "%2F",
    "%ZZ",
    "%C3%A9",
    "metadata-catalog",
    "?q=",
    "&limit=",
    "-1",
    "99999999999999999999",
    "salesOrder/1/item",
    "?expandSubResources=true",
    "eid:",
];

const HEADER_VALUES: &[&str] = &[
    "OAuth realm=\"1234567_SB1\"",
    "OAuth ",
    "oauth_consumer_key=\"",
    "\"",
    ",",
    "=",
    "oauth_signature_method=\"HMAC-SHA256\"",
    "oauth_timestamp=\"99999999999999999999999\"",
    "Bearer ",
    "NLAuth nlauth_account=",
    "transient",
    "application/x-www-form-urlencoded",
    "application/json",
    "é",
    "\u{7f}",
];

/// One raw request; the status code, or None when the server closed without answering (a request
/// hyper itself refuses may get 400 or nothing).
async fn raw(addr: std::net::SocketAddr, bytes: Vec<u8>) -> Option<u16> {
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    s.write_all(&bytes).await.ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&buf);
    text.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn no_request_makes_the_emulator_panic() {
    count_panics();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ns = rt.block_on(async {
        MockNetSuite::builder()
            .clock(FixedClock(NOW))
            .concurrency_limit(100)
            .query_timeout(Duration::from_millis(300))
            .header_read_timeout(Duration::from_secs(2))
            .demo_data()
            .start()
            .await
            .unwrap()
    });
    let addr = ns.local_addr();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let methods = prop::sample::select(
        &[
            "GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD", "X",
        ][..],
    );

    // Unsigned, raw: any path, header and body.
    let raw_case = (
        methods.clone(),
        words(PATH),
        words(HEADER_VALUES),
        prop::collection::vec(any::<u8>(), 0..64),
    );
    runner(400)
        .run(&raw_case, |(method, path, auth, body)| {
            let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
            let path = if path.starts_with('/') { path } else { format!("/{path}") };
            let mut req = format!(
                "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: {auth}\r\nPrefer: {auth}\r\nContent-Type: {auth}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            req.extend_from_slice(&body);
            let status = rt.block_on(raw(addr, req));
            prop_assert_ne!(status, Some(500), "{} {}", method, path);
            Ok(())
        })
        .unwrap();

    // Signed: any path and query, any JSON-ish body.
    let json_body = prop_oneof![
        any::<String>(),
        // Objects with odd values, stored by creates and patches (and later described).
        prop::collection::btree_map(
            "[a-zA-Z_]{1,12}",
            prop_oneof![
                any::<String>().prop_map(serde_json::Value::from),
                "[0-9]{4}-[0-9]{2}-[0-9\u{e9}]{2}[T ][0-9:\u{e9}]{8}.{0,4}"
                    .prop_map(serde_json::Value::from),
                any::<f64>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(|n| serde_json::json!({"id": n.to_string()})),
                Just(serde_json::json!({"items": [{"x": 1}, "odd", null]})),
            ],
            0..6,
        )
        .prop_map(|m| serde_json::to_string(&m).unwrap()),
        words(&[
            "{",
            "}",
            "[",
            "]",
            "\"companyName\"",
            ":",
            ",",
            "\"x\"",
            "null",
            "1e999",
            "{\"items\":",
            "\"2024-01-0\u{e9}T00:00:00\""
        ]),
    ];
    runner(400)
        .run(
            &(methods, words(PATH), json_body),
            |(method, path, body)| {
                let path: String = path
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '#')
                    .collect();
                let path = if path.starts_with('/') {
                    path
                } else {
                    format!("/{path}")
                };
                if path.to_ascii_lowercase().contains("revoketoken") {
                    // It would revoke the token the rest of the test signs with.
                    return Ok(());
                }
                let status = rt.block_on(async {
                    let url = format!("{}{path}", ns.base_url());
                    let Ok(method_v) = reqwest::Method::from_bytes(method.as_bytes()) else {
                        return None;
                    };
                    let r = c
                        .http
                        .request(method_v, &url)
                        .header("Authorization", c.auth(method, &url))
                        .header("Prefer", "transient")
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .ok()?;
                    Some(r.status().as_u16())
                });
                prop_assert_ne!(status, Some(500), "{} {} {}", method, path, body);
                Ok(())
            },
        )
        .unwrap();

    // Signed SuiteQL and record filters.
    let sql = words(&[
        "SELECT ",
        "* ",
        "id",
        ", ",
        "companyname ",
        "FROM ",
        "customer ",
        "transaction ",
        "WHERE ",
        "= ",
        "'",
        "\"",
        "(",
        ")",
        "-- ",
        "/*",
        "*/",
        ";",
        "1",
        "NVL(",
        "TO_CHAR(",
        "FETCH FIRST 2 ROWS ONLY",
        "sqlite_master",
        "nstba_record",
        "ORDER BY ",
        "UNION ",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) ",
        "\u{0}",
        "é",
    ]);
    runner(300)
        .run(
            &(
                sql,
                words(&[
                    "companyName",
                    " IS ",
                    " CONTAIN ",
                    "\"",
                    "(",
                    ")",
                    " AND ",
                    " OR ",
                    "[",
                    "]",
                    ",",
                ]),
            ),
            |(q, filter)| {
                let (s1, s2) = rt.block_on(async {
                    let (s1, _) = c.suiteql(&q, "?limit=3").await;
                    let path = format!(
                        "/services/rest/record/v1/customer?q={}",
                        url_escape(&filter)
                    );
                    let (s2, _) = c.json("GET", &path, None).await;
                    (s1, s2)
                });
                prop_assert_ne!(s1, 500, "{}", q);
                prop_assert_ne!(s2, 500, "{}", filter);
                Ok(())
            },
        )
        .unwrap();

    // Still up, and nothing panicked anywhere.
    let (s, v) = rt.block_on(c.json("GET", "/services/rest/record/v1/customer", None));
    assert_eq!(s, 200, "{v}");
    let (s, v) = rt.block_on(c.suiteql("SELECT COUNT(*) AS n FROM customer", ""));
    assert_eq!(s, 200, "{v}");
    let (s, _) = rt.block_on(c.json(
        "GET",
        "/services/rest/record/v1/metadata-catalog/customer",
        None,
    ));
    assert_eq!(s, 200);
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "panics happened");
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
