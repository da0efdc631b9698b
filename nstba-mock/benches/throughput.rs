//! Signed GETs per second at concurrency 32 against the in-process emulator (goal ≥ 10 000/s on 2 cores).
//!
//! Every request is signed with a fresh nonce and fully verified (realm, keys, clock, nonce, HMAC);
//! the record is read from SQLite and rendered with its references.
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nstba_core::{unix_now, Request, Stamp};
use nstba_mock::MockNetSuite;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 32;
const BATCH: usize = 3200;

struct Bench {
    http: reqwest::Client,
    creds: nstba_core::Credentials,
    url: String,
    nonce: AtomicU64,
}

impl Bench {
    async fn get(&self) {
        let n = self.nonce.fetch_add(1, Ordering::Relaxed);
        let stamp = Stamp::new(unix_now(), format!("bench{n:016}")).expect("valid nonce");
        let auth = self
            .creds
            .key()
            .authorization(&Request::new("GET", &self.url), &stamp)
            .expect("signable");
        let r = self
            .http
            .get(&self.url)
            .header("Authorization", auth)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 200);
        let _ = r.bytes().await.expect("body");
    }
}

/// `total` signed GETs with `CONCURRENCY` in flight.
async fn batch(b: &Arc<Bench>, total: usize) {
    let mut tasks = Vec::with_capacity(CONCURRENCY);
    for w in 0..CONCURRENCY {
        let b = b.clone();
        let share = total / CONCURRENCY + usize::from(w < total % CONCURRENCY);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                b.get().await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
}

fn throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ns = rt
        .block_on(
            MockNetSuite::builder()
                .concurrency_limit(1000)
                .demo_data()
                .start(),
        )
        .expect("emulator");
    let b = Arc::new(Bench {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY * 2)
            .build()
            .expect("client"),
        creds: ns.credentials(),
        url: format!("{}/services/rest/record/v1/customer/1", ns.base_url()),
        nonce: AtomicU64::new(0),
    });
    // Warm up the connections, then three plain timed runs; the median is the headline figure.
    rt.block_on(batch(&b, BATCH));
    let n = 10_000;
    let mut rates: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            rt.block_on(batch(&b, n));
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    println!(
        "\nnstba-mock throughput: {:.0} signed GETs/s at concurrency {CONCURRENCY} (median of 3 runs of {n}; \
         runs {:.0}..{:.0}; client and emulator in one process, 2 worker threads; goal >= 10000/s)\n",
        rates[1], rates[0], rates[2]
    );

    let mut group = c.benchmark_group("mock");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("signed GET customer/1 x3200 @32", |bencher| {
        bencher.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    batch(&b, BATCH).await;
                }
                start.elapsed()
            })
        })
    });
    group.finish();
    let counters = ns.counters();
    assert_eq!(counters.rejected, 0, "{:?}", ns.audit_log().first());
    drop(ns);
}

/// 100 SuiteQL pages of 1000 rows over 100 000 seeded records, one after another (server cost of a
/// full export; the client's paging bench adds its own latency on top).
fn suiteql_export(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let rows = 100_000usize;
    let ns = rt
        .block_on(
            MockNetSuite::builder()
                .seed_records(
                    "customer",
                    (0..rows).map(|i| serde_json::json!({"companyName": format!("Customer {i:06}"), "isInactive": i % 7 == 0})),
                )
                .start(),
        )
        .expect("emulator");
    let http = reqwest::Client::new();
    let creds = ns.credentials();
    let base = ns.base_url();
    let nonce = AtomicU64::new(0);
    let export = || async {
        let mut got = 0;
        for page in 0..rows / 1000 {
            let url = format!(
                "{base}/services/rest/query/v1/suiteql?limit=1000&offset={}",
                page * 1000
            );
            let n = nonce.fetch_add(1, Ordering::Relaxed);
            let stamp = Stamp::new(unix_now(), format!("page{n:016}")).expect("nonce");
            let auth = creds
                .key()
                .authorization(&Request::new("POST", &url), &stamp)
                .expect("signable");
            let r = http
                .post(&url)
                .header("Authorization", auth)
                .header("Prefer", "transient")
                .body(r#"{"q":"SELECT id, companyname, isinactive FROM customer ORDER BY id"}"#)
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status().as_u16(), 200);
            let v: serde_json::Value = r.json().await.expect("json");
            got += v["count"].as_u64().unwrap_or(0);
        }
        assert_eq!(got as usize, rows);
    };
    let start = Instant::now();
    rt.block_on(export());
    println!(
        "\nnstba-mock SuiteQL: 100 pages x 1000 rows over {rows} records in {:.0} ms (sequential)\n",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let mut group = c.benchmark_group("mock");
    group.throughput(Throughput::Elements(rows as u64));
    group.sample_size(10);
    group.bench_function("SuiteQL export 100k rows, 100 pages", |b| {
        b.iter(|| rt.block_on(export()))
    });
    group.finish();
}

criterion_group!(benches, throughput, suiteql_export);
criterion_main!(benches);
