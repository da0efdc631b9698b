//! Signed GET throughput through `nstba_client::Client` vs the same GETs through plain reqwest,
//! against nstba-mock with signature verification off (every other check still runs, so the plain
//! requests carry a well-formed OAuth header with a unique nonce and a dummy signature).
//!
//! Goal: client throughput ≥ 0.95 × plain reqwest. Prints the ratio.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use criterion::{criterion_group, Criterion, Throughput};
use futures_util::StreamExt;
use nstba_client::Client;
use nstba_mock::MockNetSuite;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BATCH: u64 = 500;
const PARALLEL: usize = 4;

struct Setup {
    rt: tokio::runtime::Runtime,
    _mock: MockNetSuite,
    client: Client,
    plain: reqwest::Client,
    url: String,
    header_parts: (String, String, String),
    counter: Arc<AtomicU64>,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt.block_on(async {
        MockNetSuite::builder()
            .verify_signatures(false)
            .concurrency_limit(64)
            .seed_records(
                "customer",
                (0..10).map(|i| json!({"companyName": format!("C{i}")})),
            )
            .start()
            .await
            .unwrap()
    });
    let creds = mock.credentials();
    let client = Client::builder()
        .credentials(creds.clone())
        .base_url(mock.base_url())
        .concurrency(PARALLEL)
        .build()
        .unwrap();
    let plain = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let url = format!("{}/services/rest/record/v1/customer/1", mock.base_url());
    Setup {
        rt,
        client,
        plain,
        url,
        header_parts: (
            creds.account().realm().to_owned(),
            creds.consumer_key().to_owned(),
            creds.token_id().to_owned(),
        ),
        counter: Arc::new(AtomicU64::new(0)),
        _mock: mock,
    }
}

async fn signed_batch(s: &Setup) {
    let records = s.client.record("customer");
    let ok = futures_util::stream::iter(0..BATCH)
        .map(|_| records.get("1").send())
        .buffer_unordered(PARALLEL)
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    assert_eq!(ok as u64, BATCH);
}

async fn plain_batch(s: &Setup) {
    let (realm, ck, token) = &s.header_parts;
    let ok = futures_util::stream::iter(0..BATCH)
        .map(|_| {
            let n = s.counter.fetch_add(1, Ordering::Relaxed);
            let ts = nstba_core::unix_now();
            let header = format!(
                "OAuth realm=\"{realm}\", oauth_consumer_key=\"{ck}\", oauth_token=\"{token}\", \
                 oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"{ts}\", \
                 oauth_nonce=\"plain{n:020}\", oauth_version=\"1.0\", oauth_signature=\"unused\""
            );
            let req = s
                .plain
                .get(&s.url)
                .header(reqwest::header::AUTHORIZATION, header);
            async move {
                let resp = req.send().await?;
                let status = resp.status();
                let body = resp.bytes().await?;
                let _: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                Ok::<_, reqwest::Error>(status.is_success())
            }
        })
        .buffer_unordered(PARALLEL)
        .filter(|r| std::future::ready(matches!(r, Ok(true))))
        .count()
        .await;
    assert_eq!(ok as u64, BATCH);
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("get_throughput");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("plain_reqwest", |b| {
        b.iter(|| s.rt.block_on(plain_batch(&s)))
    });
    g.bench_function("nstba_client_signed", |b| {
        b.iter(|| s.rt.block_on(signed_batch(&s)))
    });
    g.finish();

    // The ratio: interleaved rounds (so machine noise hits both alike), median of the per-round
    // ratios and the ratio of the total times.
    let mut ratios = Vec::new();
    let (mut total_plain, mut total_signed) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..15 {
        let t = Instant::now();
        s.rt.block_on(plain_batch(&s));
        let plain = t.elapsed();
        let t = Instant::now();
        s.rt.block_on(signed_batch(&s));
        let signed = t.elapsed();
        total_plain += plain;
        total_signed += signed;
        ratios.push(plain.as_secs_f64() / signed.as_secs_f64());
    }
    // What signing alone costs per request (the client's main extra work).
    let tba = nstba_core::Tba::new(s._mock.credentials());
    let n = 100_000;
    let t = Instant::now();
    for _ in 0..n {
        let h = nstba_core::Authorizer::authorize(&tba, &nstba_core::Request::new("GET", &s.url));
        std::hint::black_box(h.unwrap());
    }
    println!(
        "signing alone: {:.2} µs per request",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    ratios.sort_by(f64::total_cmp);
    let rounds = ratios.len() as f64;
    println!(
        "signed GET throughput: nstba-client {:.0} req/s, plain reqwest {:.0} req/s; \
         ratio (total) {:.3}, ratio (median of {} rounds) {:.3} (goal >= 0.95)",
        BATCH as f64 * rounds / total_signed.as_secs_f64(),
        BATCH as f64 * rounds / total_plain.as_secs_f64(),
        total_plain.as_secs_f64() / total_signed.as_secs_f64(),
        ratios.len(),
        ratios[ratios.len() / 2]
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
