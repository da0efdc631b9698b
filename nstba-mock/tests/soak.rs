//! Soak (issue 13): 30 s of mixed load on loopback: signed GETs, creates, patches and SuiteQL from
//! 8 workers, with 5 % hostile requests among them (a 300 KB realm, a huge body unauthenticated, bad
//! signatures, garbage paths, connections held open mid-header). Bounds (also in API.md):
//! - RSS of the whole test process (emulator and clients) stays under [`RSS_BOUND_MIB`];
//! - p99 latency of the normal requests stays under [`P99_BOUND`] (a debug build on a shared
//!   2-core machine);
//! - 0 panics (a panic hook counts them), and every normal request succeeds.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// How long the load runs.
const RUN: Duration = Duration::from_secs(30);
/// The most resident memory the process may use, MiB.
const RSS_BOUND_MIB: u64 = 256;
/// The p99 latency bound of normal requests.
const P99_BOUND: Duration = Duration::from_millis(1000);
/// Records stored before the load starts.
const SEEDED: usize = 20_000;

static PANICS: AtomicU64 = AtomicU64::new(0);

fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    hostile: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_seconds_of_mixed_and_hostile_load() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .concurrency_limit(100)
        .header_read_timeout(Duration::from_secs(2))
        .demo_data()
        .seed_records(
            "customer",
            (0..SEEDED).map(|i| json!({"companyName": format!("Soak {i}"), "email": format!("s{i}@example.com")})),
        )
        .start()
        .await
        .unwrap();
    let c = Arc::new(Client::new(&ns.base_url(), ns.credentials()));
    let addr = ns.local_addr();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let max_rss = Arc::new(AtomicU64::new(rss_mib()));
    let started = Instant::now();

    let sampler = {
        let max_rss = max_rss.clone();
        tokio::spawn(async move {
            while started.elapsed() < RUN {
                max_rss.fetch_max(rss_mib(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };

    let mut workers = tokio::task::JoinSet::new();
    for w in 0..8u64 {
        let (c, tally) = (c.clone(), tally.clone());
        workers.spawn(async move {
            let mut held = Vec::new();
            let mut i = 0u64;
            let huge_realm = "R".repeat(300 * 1024);
            while started.elapsed() < RUN {
                i += 1;
                let n = (i * 7919 + w * 104_729) % 1_000_000;
                if i.is_multiple_of(20) {
                    hostile(&c, addr, n, &huge_realm, &mut held).await;
                    tally.lock().unwrap().hostile += 1;
                    continue;
                }
                let t = Instant::now();
                let (status, what) = match n % 20 {
                    0..=13 => {
                        let id = 1 + n as usize % SEEDED;
                        let (s, _) = c
                            .json("GET", &format!("/services/rest/record/v1/customer/{id}"), None)
                            .await;
                        (s, "get")
                    }
                    14..=15 => {
                        let (s, _) = c
                            .json(
                                "POST",
                                "/services/rest/record/v1/customer",
                                Some(json!({"companyName": format!("New {w}-{i}")})),
                            )
                            .await;
                        (s, "create")
                    }
                    16 => {
                        let id = 1 + n as usize % SEEDED;
                        let (s, _) = c
                            .json(
                                "PATCH",
                                &format!("/services/rest/record/v1/customer/{id}"),
                                Some(json!({"phone": format!("555-{n}")})),
                            )
                            .await;
                        (s, "patch")
                    }
                    _ => {
                        let id = 1 + n as usize % SEEDED;
                        let (s, _) = c
                            .suiteql(
                                &format!("SELECT id, companyname FROM customer WHERE id BETWEEN {id} AND {} ORDER BY id", id + 20),
                                "?limit=10",
                            )
                            .await;
                        (s, "suiteql")
                    }
                };
                let took = t.elapsed();
                let mut tally = tally.lock().unwrap();
                tally.latencies.push(took);
                if !matches!(status, 200 | 204) {
                    tally.failures.push(format!("{what}: {status}"));
                }
            }
            drop(held);
        });
    }
    while let Some(r) = workers.join_next().await {
        r.unwrap();
    }
    sampler.await.unwrap();

    let (mut lat, failures, hostile) = {
        let t = tally.lock().unwrap();
        (t.latencies.clone(), t.failures.clone(), t.hostile)
    };
    lat.sort();
    let p99 = lat[(lat.len() * 99 / 100).min(lat.len() - 1)];
    let p50 = lat[lat.len() / 2];
    let max_rss = max_rss.load(Ordering::SeqCst);
    let counters = ns.counters();
    println!(
        "soak: {} normal requests ({:.0}/s), {} hostile; p50 {p50:?}, p99 {p99:?}; max RSS {max_rss} MiB; audit {} entries / {} bytes; shed {} connections",
        lat.len(),
        lat.len() as f64 / RUN.as_secs_f64(),
        hostile,
        counters.audit_entries,
        counters.audit_bytes,
        counters.connections_shed,
    );
    assert!(
        failures.is_empty(),
        "{:?}",
        &failures[..failures.len().min(10)]
    );
    assert!(
        hostile * 100 >= (lat.len() as u64 + hostile) * 4,
        "not 5 % hostile"
    );
    assert!(lat.len() > 500, "too little load: {}", lat.len());
    assert!(p99 < P99_BOUND, "p99 {p99:?} over {P99_BOUND:?}");
    assert!(
        max_rss < RSS_BOUND_MIB,
        "RSS {max_rss} MiB over {RSS_BOUND_MIB} MiB"
    );
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "panics happened");
    // Still serving after the load.
    let (s, _) = c
        .json("GET", "/services/rest/record/v1/customer/1", None)
        .await;
    assert_eq!(s, 200);
}

/// One hostile request, by turn.
async fn hostile(
    c: &Client,
    addr: std::net::SocketAddr,
    n: u64,
    huge_realm: &str,
    held: &mut Vec<tokio::net::TcpStream>,
) {
    let url = format!("{}/services/rest/record/v1/customer/1", c.base);
    match n % 5 {
        0 => {
            // A 300 KB realm.
            let _ = c
                .http
                .get(&url)
                .header("Authorization", format!("OAuth realm=\"{huge_realm}\""))
                .send()
                .await;
        }
        1 => {
            // A 50 MB body announced, unauthenticated: answered without it.
            if let Ok(mut s) = tokio::net::TcpStream::connect(addr).await {
                let head = format!(
                    "POST /services/rest/record/v1/customer HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n"
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&[b'x'; 64 * 1024]).await;
            }
        }
        2 => {
            // A bad signature.
            let auth = c
                .auth("GET", &url)
                .replace("oauth_signature=\"", "oauth_signature=\"AAAA");
            let _ = c.http.get(&url).header("Authorization", auth).send().await;
        }
        3 => {
            // A garbage path.
            let _ = c
                .http
                .get(format!(
                    "{}/%ZZ/../{}/\u{e9}?{}",
                    c.base,
                    "x".repeat(2000),
                    n
                ))
                .send()
                .await;
        }
        _ => {
            // A connection held open mid-header (closed by the server's header-read timeout).
            if let Ok(mut s) = tokio::net::TcpStream::connect(addr).await {
                let _ = s.write_all(b"GET /services/rest/record/v1/cust").await;
                held.push(s);
                if held.len() > 50 {
                    held.remove(0);
                }
            }
        }
    }
}
