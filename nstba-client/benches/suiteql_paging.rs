//! 100 000 SuiteQL rows: concurrent paging (prefetch = concurrency 5, the default) vs sequential
//! paging (prefetch 1), with a per-page latency on nstba-mock.
//!
//! Goal: concurrent ≥ 3× faster. Prints the ratio.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{criterion_group, Criterion, Throughput};
use futures_util::StreamExt;
use nstba_client::Client;
use nstba_mock::MockNetSuite;
use serde_json::json;
use std::time::{Duration, Instant};

const ROWS: u64 = 100_000;
/// Per-page latency added by the emulator (real SuiteQL pages take hundreds of ms to seconds).
const PAGE_LATENCY: Duration = Duration::from_millis(50);

async fn export(client: &Client, prefetch: usize) -> u64 {
    let mut rows = client
        .suiteql::<serde_json::Value>("SELECT id, companyname FROM customer ORDER BY id")
        .page_size(1000)
        .prefetch(prefetch)
        .stream();
    let mut n = 0;
    while let Some(row) = rows.next().await {
        row.expect("row");
        n += 1;
    }
    assert_eq!(n, ROWS);
    n
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(async {
        MockNetSuite::builder()
            .concurrency_limit(5)
            .latency_for("/services/rest/query", PAGE_LATENCY)
            .seed_records(
                "customer",
                (0..ROWS).map(|i| json!({"companyName": format!("Customer {i:06}")})),
            )
            .start()
            .await
            .unwrap()
    });
    let client = Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .concurrency(5)
        .build()
        .unwrap();

    let mut g = c.benchmark_group("suiteql_100k_rows");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("concurrent_prefetch_5", |b| {
        b.iter(|| rt.block_on(export(&client, 5)))
    });
    g.bench_function("sequential", |b| b.iter(|| rt.block_on(export(&client, 1))));
    g.finish();

    let mut best_seq = Duration::MAX;
    let mut best_conc = Duration::MAX;
    for _ in 0..2 {
        let t = Instant::now();
        rt.block_on(export(&client, 1));
        best_seq = best_seq.min(t.elapsed());
        let t = Instant::now();
        rt.block_on(export(&client, 5));
        best_conc = best_conc.min(t.elapsed());
    }
    println!(
        "SuiteQL 100k rows, {PAGE_LATENCY:?}/page: concurrent {:.2}s, sequential {:.2}s, speed-up {:.2}x (goal >= 3x)",
        best_conc.as_secs_f64(),
        best_seq.as_secs_f64(),
        best_seq.as_secs_f64() / best_conc.as_secs_f64()
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
