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

const BATCH: u64 = 2000;
const PARALLEL: usize = 5;

/// The client's authorizer, timed: what signing costs inside the running benchmark.
struct TimedTba {
    tba: nstba_core::Tba,
    nanos: AtomicU64,
    calls: AtomicU64,
}

impl nstba_core::Authorizer for TimedTba {
    fn authorize(&self, request: &nstba_core::Request<'_>) -> nstba_core::Result<String> {
        let t = Instant::now();
        let header = self.tba.authorize(request);
        self.nanos
            .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
        header
    }
}

struct Setup {
    rt: tokio::runtime::Runtime,
    _mock: MockNetSuite,
    client: Client,
    plain: reqwest::Client,
    url: String,
    header_parts: (String, String, String),
    counter: Arc<AtomicU64>,
    timed: Arc<TimedTba>,
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
    let timed = Arc::new(TimedTba {
        tba: nstba_core::Tba::new(creds.clone()),
        nanos: AtomicU64::new(0),
        calls: AtomicU64::new(0),
    });
    let client = Client::builder()
        .authorizer(timed.clone())
        .account(creds.account().clone())
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
        timed,
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
    // Profiling mode: `NSTBA_BENCH_ONLY=signed|plain` runs one side for a few seconds and stops.
    if let Ok(only) = std::env::var("NSTBA_BENCH_ONLY") {
        let t = Instant::now();
        let mut batches = 0u64;
        while t.elapsed() < Duration::from_secs(6) {
            if only == "signed" {
                s.rt.block_on(signed_batch(&s));
            } else {
                s.rt.block_on(plain_batch(&s));
            }
            batches += 1;
        }
        println!(
            "{only}: {} requests, {:.0} req/s",
            batches * BATCH,
            (batches * BATCH) as f64 / t.elapsed().as_secs_f64()
        );
        return;
    }
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

    // The ratio, robust to a busy shared machine: rounds of plain / signed / plain, each signed batch
    // compared with the mean of the plain batches around it; the two plain batches compared with each
    // other give the noise floor (an A/A control).
    let time = |signed: bool| {
        let t = Instant::now();
        if signed {
            s.rt.block_on(signed_batch(&s));
        } else {
            s.rt.block_on(plain_batch(&s));
        }
        t.elapsed().as_secs_f64()
    };
    let mut ratios = Vec::new();
    let mut controls = Vec::new();
    let (mut total_plain, mut total_signed) = (0.0, 0.0);
    for _ in 0..10 {
        let before = time(false);
        let signed = time(true);
        let after = time(false);
        let plain = (before + after) / 2.0;
        total_plain += plain;
        total_signed += signed;
        ratios.push(plain / signed);
        controls.push(before / after);
    }
    let calls = s.timed.calls.load(Ordering::Relaxed).max(1);
    println!(
        "signing inside the run: {:.2} µs per request over {calls} requests",
        s.timed.nanos.load(Ordering::Relaxed) as f64 / 1e3 / calls as f64
    );
    ratios.sort_by(f64::total_cmp);
    controls.sort_by(f64::total_cmp);
    let rounds = ratios.len() as f64;
    println!(
        "signed GET throughput: nstba-client {:.0} req/s, plain reqwest {:.0} req/s; \
         ratio (total) {:.3}, ratio (median of {} rounds) {:.3} (goal >= 0.95); \
         plain-vs-plain control: median {:.3}, range {:.3}..{:.3}",
        BATCH as f64 * rounds / total_signed,
        BATCH as f64 * rounds / total_plain,
        total_plain / total_signed,
        ratios.len(),
        ratios[ratios.len() / 2],
        controls[controls.len() / 2],
        controls[0],
        controls[controls.len() - 1],
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
