//! Per-request overhead of OAuth 2.0 M2M (cached bearer token) vs TBA (HMAC-SHA256 signature per
//! request) through the same `nstba_client::Client` send path, against the same emulator (which
//! verifies both: the TBA signature, or the bearer token and its scope), in the same run. Prints the
//! ratio M2M time / TBA time per batch (below 1: M2M is cheaper) and how many tokens were issued.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{criterion_group, Criterion, Throughput};
use futures_util::StreamExt;
use nstba_client::Client;
use nstba_mock::MockNetSuite;
use std::time::{Duration, Instant};

const BATCH: u64 = 2000;
const PARALLEL: usize = 5;

struct Setup {
    rt: tokio::runtime::Runtime,
    server: MockNetSuite,
    tba: Client,
    m2m: Client,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(
            MockNetSuite::builder()
                .demo_data()
                .concurrency_limit(PARALLEL)
                .start(),
        )
        .unwrap();
    let build = |b: nstba_client::ClientBuilder| {
        b.base_url(server.base_url())
            .concurrency(PARALLEL)
            .build()
            .unwrap()
    };
    let tba = build(Client::builder().credentials(server.credentials()));
    let m2m = build(Client::builder().m2m(server.m2m_assertion()));
    Setup {
        rt,
        server,
        tba,
        m2m,
    }
}

async fn batch(client: &Client) {
    let records = client.record("customer");
    let ok = futures_util::stream::iter(0..BATCH)
        .map(|_| records.get("1").send())
        .buffer_unordered(PARALLEL)
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    assert_eq!(ok as u64, BATCH);
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("auth_overhead");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("tba", |b| b.iter(|| s.rt.block_on(batch(&s.tba))));
    g.bench_function("m2m", |b| b.iter(|| s.rt.block_on(batch(&s.m2m))));
    g.finish();

    // Interleaved rounds in the same run: tba / m2m / tba, each m2m batch against the mean of the
    // tba batches around it.
    let time = |client: &Client| {
        let t = Instant::now();
        s.rt.block_on(batch(client));
        t.elapsed().as_secs_f64()
    };
    let (mut total_tba, mut total_m2m) = (0.0, 0.0);
    let mut ratios = Vec::new();
    for _ in 0..8 {
        let before = time(&s.tba);
        let m2m = time(&s.m2m);
        let after = time(&s.tba);
        total_tba += (before + after) / 2.0;
        total_m2m += m2m;
        ratios.push(m2m / ((before + after) / 2.0));
    }
    ratios.sort_by(f64::total_cmp);
    let rounds = ratios.len() as f64;
    println!(
        "per request: TBA {:.1} µs, M2M {:.1} µs; ratio M2M/TBA (total) {:.3}, median of {} rounds \
         {:.3}; token requests during the whole run: {}",
        total_tba * 1e6 / (BATCH as f64 * rounds),
        total_m2m * 1e6 / (BATCH as f64 * rounds),
        total_m2m / total_tba,
        ratios.len(),
        ratios[ratios.len() / 2],
        s.server.counters().access_tokens_issued,
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
