//! The emulator under hostile and heavy input (issue 13): each defect found, with a test.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::{json, Value};
use std::time::Duration;

async fn demo() -> (MockNetSuite, Client) {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(50)
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    (ns, c)
}

fn detail(v: &Value) -> &str {
    v["o:errorDetails"][0]["detail"].as_str().unwrap_or("")
}

#[tokio::test]
async fn only_netsuite_tables_are_visible_to_suiteql() {
    let (_ns, c) = demo().await;
    let (s, v) = c.suiteql("SELECT COUNT(*) AS n FROM customer", "").await;
    assert_eq!(s, 200, "{v}");
    let (s, unknown) = c.suiteql("SELECT * FROM nosuchtable", "").await;
    assert_eq!(s, 400, "{unknown}");
    assert!(
        detail(&unknown).contains("Record 'nosuchtable' was not found"),
        "{unknown}"
    );
    for (q, table) in [
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT name FROM sqlite_schema", "sqlite_"),
        ("SELECT * FROM sqlite_temp_master", "sqlite_"),
        ("SELECT * FROM temp.sqlite_master", "sqlite_"),
        ("select body from NSTBA_RECORD", "NSTBA_RECORD"),
        ("SELECT * FROM main.nstba_record", "nstba_record"),
        (
            "SELECT c.id FROM customer c JOIN nstba_record r ON r.id = c.id",
            "nstba_record",
        ),
        (
            "SELECT id FROM customer WHERE id IN (SELECT id FROM nstba_record)",
            "nstba_record",
        ),
        (
            "SELECT * FROM pragma_table_info('customer')",
            "pragma_table_info",
        ),
    ] {
        let (s, v) = c.suiteql(q, "").await;
        assert_eq!(s, 400, "{q}: {v}");
        assert!(
            detail(&v)
                .to_lowercase()
                .contains(&format!("record '{}", table.to_lowercase()))
                && detail(&v).contains("was not found"),
            "{q}: {v}"
        );
        assert!(!v.to_string().contains("CREATE"), "{q}: {v}");
    }
    for q in ["PRAGMA table_info(customer)", "ATTACH ':memory:' AS x"] {
        let (s, v) = c.suiteql(q, "").await;
        assert_eq!(s, 400, "{q}: {v}");
    }
    // The views built over the store's table still work, and so do the derived ones.
    let (s, v) = c.suiteql("SELECT COUNT(*) AS n FROM transaction", "").await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn comments_in_suiteql_are_ignored() {
    let (_ns, c) = demo().await;
    let (s, plain) = c
        .suiteql("SELECT id FROM customer WHERE id IN (1, 9) ORDER BY id", "")
        .await;
    assert_eq!(s, 200, "{plain}");
    for q in [
        "SELECT id FROM customer WHERE id IN (1, 9) ORDER BY id -- the two",
        "SELECT id FROM customer WHERE id IN (1, 9) ORDER BY id; -- the two",
        "SELECT id -- id only\nFROM customer /* two of them */ WHERE id IN (1, /* nine */ 9)\nORDER BY id\n-- end",
        "/* lead */ SELECT id FROM customer WHERE id IN (1, 9) ORDER BY id /* unterminated",
    ] {
        let (s, v) = c.suiteql(q, "").await;
        assert_eq!(s, 200, "{q}: {v}");
        assert_eq!(v["items"], plain["items"], "{q}");
        assert_eq!(v["totalResults"], plain["totalResults"], "{q}");
    }
    // Comment markers inside literals and quoted names are text.
    let (s, v) = c
        .suiteql(
            "SELECT '-- not a comment' AS \"a--b\", '/* nor */' AS c FROM customer WHERE id = 1",
            "",
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["a--b"], "-- not a comment", "{v}");
    assert_eq!(v["items"][0]["c"], "/* nor */", "{v}");
    // Only a comment: an empty query.
    let (s, v) = c.suiteql("-- nothing", "").await;
    assert_eq!(s, 400, "{v}");
    let _ = (json!(null), Duration::ZERO);
}

/// Sends `head` (and `body`) on a fresh connection and reads the answer's status line, within 5 s.
async fn raw(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut out = head.as_bytes().to_vec();
    out.extend_from_slice(body);
    s.write_all(&out).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within 5 s to {head}");
    let text = String::from_utf8_lossy(&buf).into_owned();
    text.lines().next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn an_unauthenticated_body_is_never_read() {
    let (ns, c) = demo().await;
    let addr = ns.local_addr();
    let path = "/services/rest/record/v1/customer";
    // 100 MB announced, 1 KB sent: answered at once, so the rest was never waited for.
    for (auth, ct) in [
        ("", "application/json"),
        (
            "Authorization: OAuth realm=\"NOPE\"\r\n",
            "application/json",
        ),
        (
            "Authorization: OAuth realm=\"NOPE\"\r\n",
            "application/x-www-form-urlencoded",
        ),
        ("Authorization: Bearer nosuchtoken\r\n", "application/json"),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: {ct}\r\nContent-Length: 100000000\r\n\r\n"
        );
        let status = raw(addr, &head, &[b'x'; 1024]).await;
        assert!(status.starts_with("HTTP/1.1 401"), "{auth}{ct}: {status}");
    }
    // The same for NLAuth and for a form body whose TBA header names an unknown token.
    let head = format!(
        "POST /rest/issuetoken HTTP/1.1\r\nHost: {addr}\r\nAuthorization: NLAuth nlauth_account=X, nlauth_email=a@b.c, nlauth_signature=pw\r\nContent-Length: 100000000\r\n\r\n"
    );
    assert!(raw(addr, &head, b"{").await.starts_with("HTTP/1.1 401"));
    // Authenticated but declared larger than NetSuite's 104 MiB: 413 before any byte is read.
    let url = format!("{}{path}", ns.base_url());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        c.auth("POST", &url),
        104 * 1024 * 1024 + 1
    );
    assert!(raw(addr, &head, b"{").await.starts_with("HTTP/1.1 413"));
    // The token endpoint (no gate) reads at most 64 KiB.
    let head = format!(
        "POST /services/rest/auth/oauth2/v1/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n"
    );
    assert!(raw(addr, &head, b"grant").await.starts_with("HTTP/1.1 413"));
    let counters = ns.counters();
    assert_eq!(counters.authenticated, 1, "{counters:?}");
}

#[tokio::test]
async fn a_streamed_body_is_cut_at_104_mib() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (ns, c) = demo().await;
    let addr = ns.local_addr();
    let path = "/services/rest/record/v1/customer";
    let url = format!("{}{path}", ns.base_url());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        c.auth("POST", &url)
    );
    let s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    // No length declared: the limit holds while the chunks arrive. The writer stops when the
    // server closes; 120 MiB are never all needed.
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 1024 * 1024];
        let mut sent = 0usize;
        for _ in 0..120 {
            wr.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            wr.write_all(&chunk).await?;
            wr.write_all(b"\r\n").await?;
            sent += chunk.len();
        }
        Ok::<usize, std::io::Error>(sent)
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    tokio::time::timeout(Duration::from_secs(30), async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match rd.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    let sent = writer.await.unwrap();
    assert!(sent.is_err(), "the server read all 120 MiB: {sent:?}");
}

#[tokio::test]
async fn a_huge_realm_costs_the_audit_log_a_few_hundred_bytes() {
    let (ns, _c) = demo().await;
    let url = format!("{}/services/rest/record/v1/customer/1", ns.base_url());
    let realm = "R".repeat(300 * 1024);
    let header = format!(
        "OAuth realm=\"{realm}\", oauth_consumer_key=\"{}\", oauth_token=\"{}\"",
        "C".repeat(20_000),
        "T".repeat(20_000)
    );
    let rss_before = rss_kib();
    let http = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let (http, url, header) = (http.clone(), url.clone(), header.clone());
        tasks.spawn(async move {
            for _ in 0..125 {
                let r = http
                    .get(format!("{url}?w={worker}&pad={}", "p".repeat(5000)))
                    .header("Authorization", &header)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 401);
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let counters = ns.counters();
    assert_eq!(counters.rejected, 1000);
    assert_eq!(counters.audit_entries, 1000);
    // Each entry keeps at most 256 bytes of each value (plus a marker), not 300 KB.
    assert!(counters.audit_bytes < 1000 * 2048, "{counters:?}");
    let log = ns.audit_log();
    assert_eq!(log.len(), 1000);
    for e in &log {
        let realm = e.realm.as_deref().unwrap();
        assert!(realm.len() < 300, "{}", realm.len());
        assert!(
            realm.ends_with(&format!("…({} bytes)", 300 * 1024)),
            "{realm}"
        );
        assert!(e.consumer_key.as_deref().unwrap().len() < 300);
        assert!(e.token_id.as_deref().unwrap().len() < 300);
        assert!(e.path.len() < 300 && e.detail.len() < 600, "{e}");
    }
    // 300 MB of hostile headers went through; the process keeps only a bounded part of it.
    let grown = rss_kib().saturating_sub(rss_before);
    println!("RSS grew by {grown} KiB over 1 000 requests with a 300 KB realm");
    assert!(grown < 100 * 1024, "RSS grew by {grown} KiB");
}

/// VmRSS of this process, KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_non_ascii_value_where_a_date_may_be_does_not_break_the_catalog() {
    let (_ns, c) = demo().await;
    let (s, v) = c
        .json(
            "POST",
            "/services/rest/record/v1/customer",
            Some(json!({"companyName": "Odd", "memo": "2024-01-0\u{e9}T00:00:00 and more"})),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = c
        .json(
            "GET",
            "/services/rest/record/v1/metadata-catalog/customer",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let _ = Duration::ZERO;
}

#[tokio::test]
async fn the_suiteql_count_cache_is_bounded_in_entries_and_bytes() {
    let (ns, c) = demo().await;
    // Large distinct queries: counted, never kept (over 16 KiB each).
    for i in 0..5 {
        let pad = format!("{i}{}", "x".repeat(5 * 1024 * 1024));
        let (s, v) = c
            .suiteql(
                &format!("SELECT id FROM customer WHERE companyname <> '{pad}'"),
                "?limit=1",
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert!(v["totalResults"].as_u64().unwrap() > 0);
    }
    assert_eq!(ns.counters().suiteql_count_cache, (0, 0));
    // Mid-size distinct queries (8 KiB): bounded by bytes.
    for i in 0..400 {
        let pad = format!("{i}{}", "y".repeat(8 * 1024));
        let (s, _) = c
            .suiteql(
                &format!("SELECT id FROM customer WHERE companyname <> '{pad}'"),
                "?limit=1",
            )
            .await;
        assert_eq!(s, 200);
        let (entries, bytes) = ns.counters().suiteql_count_cache;
        assert!(
            entries <= 1000 && bytes <= 2 * 1024 * 1024,
            "{entries} {bytes}"
        );
    }
    // Many small distinct queries: bounded by entries.
    for i in 0..1500 {
        let (s, _) = c
            .suiteql(
                &format!("SELECT id FROM customer WHERE id <> {i}"),
                "?limit=1",
            )
            .await;
        assert_eq!(s, 200);
    }
    let (entries, bytes) = ns.counters().suiteql_count_cache;
    assert!(entries > 0 && entries <= 1000, "{entries}");
    assert!(bytes <= 2 * 1024 * 1024, "{bytes}");
}
