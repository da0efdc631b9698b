//! Per-request limiter overhead: one slot taken and given back (`acquire` + `release`, what every
//! request pays), with the in-process account limiter and with the Redis-backed one (a real
//! `redis-server` on loopback, started here), in the same run. Prints the time per request of each
//! and the ratio Redis / in-process.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use criterion::{criterion_group, Criterion, Throughput};
use nstba_client::{Limiter, RedisLimit};
use std::time::{Duration, Instant};

const BATCH: u64 = 1000;

async fn batch(limiter: &Limiter) {
    for _ in 0..BATCH {
        limiter.acquire().await.expect("a slot").release().await;
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = redis_server::RedisServer::start();
    let local = Limiter::for_account("BENCH_ACCOUNT", 5);
    let config = RedisLimit::new(&server.url(0)).unwrap();
    let redis = Limiter::redis(&config, "BENCH_ACCOUNT", 5);
    // Connected (and the scripts loaded) before measuring.
    rt.block_on(async { redis.acquire().await.unwrap().release().await });

    let mut g = c.benchmark_group("limiter_acquire_release");
    g.throughput(Throughput::Elements(BATCH));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("in_process", |b| b.iter(|| rt.block_on(batch(&local))));
    g.bench_function("redis", |b| b.iter(|| rt.block_on(batch(&redis))));
    g.finish();

    // Interleaved rounds in the same run: local / redis / local.
    let time = |limiter: &Limiter| {
        let t = Instant::now();
        rt.block_on(batch(limiter));
        t.elapsed().as_secs_f64()
    };
    let (mut total_local, mut total_redis) = (0.0, 0.0);
    let rounds = 5;
    for _ in 0..rounds {
        let before = time(&local);
        let r = time(&redis);
        let after = time(&local);
        total_local += (before + after) / 2.0;
        total_redis += r;
    }
    let per = |total: f64| total * 1e6 / (BATCH as f64 * rounds as f64);
    println!(
        "limiter acquire+release per request: in-process {:.3} µs, Redis {:.1} µs; ratio \
         Redis / in-process {:.0}",
        per(total_local),
        per(total_redis),
        total_redis / total_local,
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
