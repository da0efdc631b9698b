//! Signed GETs per second with 100 000 stored records and concurrent writes (issue 13): 32 readers
//! GET random customers among 100 000 while 2 writers PATCH and create customers without pause and a
//! SuiteQL reader pages through them, all against the in-process emulator.
//!
//! Every GET is signed with a fresh nonce and fully verified; the record is read from SQLite and
//! rendered with its references. The headline is printed from plain timed runs (median of 3); the
//! criterion group measures the same thing.
#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nstba_core::{unix_now, Request, Stamp};
use nstba_mock::MockNetSuite;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RECORDS: u64 = 100_000;
const CONCURRENCY: u64 = 32;
const WRITERS: u64 = 2;
const BATCH: u64 = 3200;

struct Bench {
    http: reqwest::Client,
    creds: nstba_core::Credentials,
    base: String,
    nonce: AtomicU64,
    writes: AtomicU64,
    queries: AtomicU64,
}

impl Bench {
    fn auth(&self, method: &str, url: &str) -> String {
        let n = self.nonce.fetch_add(1, Ordering::Relaxed);
        let stamp = Stamp::new(unix_now(), format!("load{n:016}")).expect("valid nonce");
        self.creds
            .key()
            .authorization(&Request::new(method, url), &stamp)
            .expect("signable")
    }

    async fn get(&self, id: u64) {
        let url = format!("{}/services/rest/record/v1/customer/{id}", self.base);
        let r = self
            .http
            .get(&url)
            .header("Authorization", self.auth("GET", &url))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 200, "GET {id}");
        let _ = r.bytes().await.expect("body");
    }

    async fn write(&self, i: u64) {
        let (method, url, body) = if i.is_multiple_of(2) {
            let id = 1 + (i * 7919) % RECORDS;
            (
                "PATCH",
                format!("{}/services/rest/record/v1/customer/{id}", self.base),
                serde_json::json!({"phone": format!("555-{i}")}),
            )
        } else {
            (
                "POST",
                format!("{}/services/rest/record/v1/customer", self.base),
                serde_json::json!({"companyName": format!("Written {i}")}),
            )
        };
        let r = self
            .http
            .request(method.parse().expect("method"), &url)
            .header("Authorization", self.auth(method, &url))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 204, "{method} {url}");
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    async fn query(&self, i: u64) {
        let from = 1 + (i * 104_729) % RECORDS;
        let url = format!("{}/services/rest/query/v1/suiteql?limit=100", self.base);
        let q = format!(
            "SELECT id, companyname FROM customer WHERE id BETWEEN {from} AND {} ORDER BY id",
            from + 100
        );
        let r = self
            .http
            .post(&url)
            .header("Authorization", self.auth("POST", &url))
            .header("Prefer", "transient")
            .body(serde_json::json!({ "q": q }).to_string())
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 200);
        let _ = r.bytes().await.expect("body");
        self.queries.fetch_add(1, Ordering::Relaxed);
    }
}

/// `total` signed GETs of ids spread over every record, `CONCURRENCY` in flight.
async fn batch(b: &Arc<Bench>, total: u64, round: u64) {
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let b = b.clone();
        let share = total / CONCURRENCY + u64::from(w < total % CONCURRENCY);
        tasks.push(tokio::spawn(async move {
            for k in 0..share {
                let id = 1 + (round * 1_000_003 + w * 31_337 + k * 7_919) % RECORDS;
                b.get(id).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
}

fn loaded_throughput(c: &mut Criterion) {
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
                .seed_records(
                    "customer",
                    (0..RECORDS).map(|i| {
                        serde_json::json!({
                            "companyName": format!("Customer {i:06}"),
                            "email": format!("c{i}@example.com"),
                            "subsidiary": {"id": "1"},
                        })
                    }),
                )
                .start(),
        )
        .expect("emulator");
    let b = Arc::new(Bench {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host((CONCURRENCY + WRITERS + 1) as usize * 2)
            .build()
            .expect("client"),
        creds: ns.credentials(),
        base: ns.base_url(),
        nonce: AtomicU64::new(0),
        writes: AtomicU64::new(0),
        queries: AtomicU64::new(0),
    });
    // Writers and a SuiteQL reader run for the whole bench.
    let stop = Arc::new(AtomicBool::new(false));
    let mut background = Vec::new();
    for w in 0..WRITERS {
        let (b, stop) = (b.clone(), stop.clone());
        background.push(rt.spawn(async move {
            let mut i = w;
            while !stop.load(Ordering::Relaxed) {
                b.write(i).await;
                i += WRITERS;
            }
        }));
    }
    {
        let (b, stop) = (b.clone(), stop.clone());
        background.push(rt.spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                b.query(i).await;
                i += 1;
            }
        }));
    }
    rt.block_on(batch(&b, BATCH, 0));
    let n = 10_000;
    let mut runs: Vec<(f64, f64, f64)> = (1..=3)
        .map(|round| {
            let (w0, q0) = (
                b.writes.load(Ordering::Relaxed),
                b.queries.load(Ordering::Relaxed),
            );
            let start = Instant::now();
            rt.block_on(batch(&b, n, round));
            let secs = start.elapsed().as_secs_f64();
            (
                n as f64 / secs,
                (b.writes.load(Ordering::Relaxed) - w0) as f64 / secs,
                (b.queries.load(Ordering::Relaxed) - q0) as f64 / secs,
            )
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (gets, writes, queries) = runs[1];
    println!(
        "\nnstba-mock under load: {gets:.0} signed GETs/s at concurrency {CONCURRENCY} over {RECORDS} records, \
         with {writes:.0} writes/s ({WRITERS} writers) and {queries:.0} SuiteQL pages/s alongside \
         (median of 3 runs of {n}; runs {:.0}..{:.0}; one process, 2 worker threads)\n",
        runs[0].0, runs[2].0
    );

    let mut group = c.benchmark_group("mock-loaded");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let mut round = 10;
    group.bench_function(
        "signed GET of 100k records x3200 @32, writes alongside",
        |bencher| {
            bencher.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        round += 1;
                        batch(&b, BATCH, round).await;
                    }
                    start.elapsed()
                })
            })
        },
    );
    group.finish();
    stop.store(true, Ordering::Relaxed);
    for t in background {
        rt.block_on(t).expect("background task");
    }
    let counters = ns.counters();
    assert_eq!(counters.rejected, 0, "{:?}", ns.audit_log().first());
    println!(
        "SuiteQL kept current with {} rows copied one by one, {} full copies",
        counters.suiteql_rows_synced, counters.suiteql_full_copies
    );
    drop(ns);
}

criterion_group!(benches, loaded_throughput);
criterion_main!(benches);
