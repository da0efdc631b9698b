//! The account's concurrency limit across clients (in process) and across processes (Redis): against
//! the emulator's per-account limit, and against a real `redis-server` started here.

#[path = "support/redis_server.rs"]
mod redis_server;

use futures_util::StreamExt;
use nstba_client::{
    Client, ErrorKind, Limiter, LimiterError, LimiterScope, OnUnavailable, RedisLimit, RetryPolicy,
};
use nstba_mock::MockNetSuite;
use redis_server::{free_port, RedisServer};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCOUNT_LIMIT: usize = 5;

async fn emulator() -> MockNetSuite {
    MockNetSuite::builder()
        .concurrency_limit(ACCOUNT_LIMIT)
        .latency_for("/services/rest/record", Duration::from_millis(15))
        .seed_records(
            "customer",
            (1..=20).map(|i| json!({"companyName": format!("C{i}")})),
        )
        .start()
        .await
        .unwrap()
}

fn client(mock: &MockNetSuite, scope: LimiterScope, attempts: u32) -> Client {
    Client::builder()
        .credentials(mock.credentials())
        .base_url(mock.base_url())
        .concurrency(ACCOUNT_LIMIT)
        .limiter(scope)
        .retry(
            RetryPolicy::default()
                .max_attempts(attempts)
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// 40 concurrent GETs from each client, all at once.
async fn load(clients: &[Client]) -> Vec<Result<Value, nstba_client::Error>> {
    let calls = clients.iter().flat_map(|c| {
        (0..40u64).map(move |i| {
            let c = c.clone();
            async move { c.record("customer").get(i % 20 + 1).send().await }
        })
    });
    futures_util::stream::iter(calls)
        .buffer_unordered(200)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_of_one_account_share_its_limit_by_default() {
    let mock = emulator().await;
    // No retries: a single 429 fails the test.
    let clients = [
        client(&mock, LimiterScope::default(), 1),
        client(&mock, LimiterScope::default(), 1),
    ];
    let shared = clients[0].account_limiter().expect("an account limiter");
    assert_eq!(shared.limit(), ACCOUNT_LIMIT);
    assert_eq!(clients[1].account_limiter(), Some(shared));
    // Another server (another emulator here) is another account.
    let elsewhere = emulator().await;
    let other = client(&elsewhere, LimiterScope::default(), 1);
    assert_ne!(other.account_limiter(), Some(shared));
    for r in load(&clients).await {
        r.expect("no request refused");
    }
    let c = mock.counters();
    assert_eq!(c.requests, 80);
    assert!(c.max_in_flight <= ACCOUNT_LIMIT, "{}", c.max_in_flight);
    assert_eq!(c.throttled, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opting_out_lets_two_clients_exceed_the_account_limit() {
    let mock = emulator().await;
    let clients = [
        client(&mock, LimiterScope::Client, 50),
        client(&mock, LimiterScope::Client, 50),
    ];
    assert!(clients[0].account_limiter().is_none());
    for r in load(&clients).await {
        r.expect("retried until done");
    }
    // What the shared limiter prevents: each client alone keeps 5, together they do not.
    assert!(mock.counters().throttled > 0, "{:?}", mock.counters());
}

fn redis_scope(server: &RedisServer) -> RedisLimit {
    RedisLimit::new(&server.url(0))
        .unwrap()
        .lease(Duration::from_secs(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_limited_through_redis_stay_within_the_account_limit() {
    let redis = RedisServer::start();
    let mock = emulator().await;
    let clients = [
        client(&mock, LimiterScope::Redis(redis_scope(&redis)), 1),
        client(&mock, LimiterScope::Redis(redis_scope(&redis)), 1),
    ];
    // One process, same settings: one Redis limiter (one connection).
    assert_eq!(clients[0].account_limiter(), clients[1].account_limiter());
    for r in load(&clients).await {
        r.expect("no request refused");
    }
    let c = mock.counters();
    assert_eq!(c.requests, 80);
    assert!(c.max_in_flight <= ACCOUNT_LIMIT, "{}", c.max_in_flight);
    assert_eq!(c.throttled, 0);
    // Every slot was given back.
    let mut con = redis_connection(&redis);
    let held: usize = redis::cmd("ZCARD")
        .arg(redis_scope(&redis).holders_key(&mock.credentials().account().to_string()))
        .query(&mut con)
        .unwrap();
    assert_eq!(held, 0);
}

fn redis_connection(server: &RedisServer) -> redis::Connection {
    redis::Client::open(server.url(0))
        .unwrap()
        .get_connection()
        .unwrap()
}

/// Limiters that share nothing but Redis, as separate processes do.
fn processes(server: &RedisServer, n: usize, limit: usize, lease: Duration) -> Vec<Limiter> {
    let config = RedisLimit::new(&server.url(0)).unwrap().lease(lease);
    (0..n)
        .map(|_| Limiter::redis(&config, "ACCT", limit))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_limiter_bounds_holders_across_instances() {
    let server = RedisServer::start();
    let limiters = processes(&server, 3, 4, Duration::from_secs(2));
    let now = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let limiter = limiters[i % 3].clone();
            let (now, max) = (now.clone(), max.clone());
            tokio::spawn(async move {
                let permit = limiter.acquire().await.unwrap();
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(3)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                permit.release().await;
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let max = max.load(Ordering::SeqCst);
    assert!((2..=4).contains(&max), "max holders at once: {max}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_holders_slots_come_back_within_the_lease() {
    let server = RedisServer::start();
    let lease = Duration::from_millis(500);
    let [crashed, survivor] = <[Limiter; 2]>::try_from(processes(&server, 2, 2, lease)).unwrap();
    // The "crashed" process: takes both slots, then its runtime (and so its lease renewal) ends
    // without giving them back.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            std::mem::forget(crashed.acquire().await.unwrap());
            std::mem::forget(crashed.acquire().await.unwrap());
        });
        rt.shutdown_background();
    })
    .join()
    .unwrap();
    let started = Instant::now();
    let a = survivor.acquire().await.unwrap();
    let b = survivor.acquire().await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "the slots were held: {waited:?}"
    );
    assert!(
        waited <= lease + Duration::from_millis(400),
        "back within the lease: {waited:?}"
    );
    a.release().await;
    b.release().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holders_renew_their_lease_while_they_run() {
    let server = RedisServer::start();
    let [long, other] =
        <[Limiter; 2]>::try_from(processes(&server, 2, 1, Duration::from_millis(400))).unwrap();
    let held = long.acquire().await.unwrap();
    // Three leases long: still held, because the holder renews it.
    let waited = tokio::time::timeout(Duration::from_millis(1200), other.acquire()).await;
    assert!(waited.is_err(), "the slot was taken while held");
    let started = Instant::now();
    let (_, got) = tokio::join!(held.release(), other.acquire());
    got.unwrap().release().await;
    // Woken by the release, not by a lease running out.
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_of_every_process_are_served_in_arrival_order() {
    let server = RedisServer::start();
    let limiters = processes(&server, 3, 1, Duration::from_secs(2));
    let mut con = redis_connection(&server);
    let holder = limiters[0].acquire().await.unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..6usize {
        let limiter = limiters[i % 3].clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            let permit = limiter.acquire().await.unwrap();
            order.lock().unwrap().push(i);
            tokio::time::sleep(Duration::from_millis(2)).await;
            permit.release().await;
        }));
        // Queued before the next one comes.
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            let queued: usize = redis::cmd("ZCARD")
                .arg("nstba:limiter:{ACCT}:queue")
                .query(&mut con)
                .unwrap();
            if queued == i + 1 {
                break;
            }
            assert!(Instant::now() < until, "waiter {i} never queued");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    holder.release().await;
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4, 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_redis_fails_clearly_or_falls_back_as_configured() {
    let mock = emulator().await;
    let url = format!("redis://127.0.0.1:{}/0", free_port());
    let fail = RedisLimit::new(&url)
        .unwrap()
        .timeout(Duration::from_millis(300));
    let e = client(&mock, LimiterScope::Redis(fail.clone()), 3)
        .record("customer")
        .get(1)
        .send()
        .await
        .map(|v: Value| v)
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::LimiterUnavailable { url: u, .. } if *u == url),
        "{e:?}"
    );
    assert!(e.to_string().contains(&url), "{e}");
    assert!(!e.is_safe_to_resend() && !e.may_have_been_applied());
    assert_eq!(mock.counters().requests, 0, "nothing was sent");
    let direct = Limiter::redis(&fail, "ACCT", 1)
        .acquire()
        .await
        .unwrap_err();
    assert!(
        matches!(direct, LimiterError::Unavailable { .. }),
        "{direct}"
    );

    // Falling back: the requests go through, limited in process.
    let fallback = fail.on_unavailable(OnUnavailable::Local);
    let clients = [
        client(&mock, LimiterScope::Redis(fallback.clone()), 1),
        client(&mock, LimiterScope::Redis(fallback), 1),
    ];
    for r in load(&clients).await {
        r.expect("limited by the local fallback");
    }
    let c = mock.counters();
    assert!(c.max_in_flight <= ACCOUNT_LIMIT, "{}", c.max_in_flight);
    assert_eq!(c.throttled, 0);
}

#[test]
fn nstba_limiter_variable_chooses_the_limiter() {
    let lookup = |limiter: &'static str| {
        move |name: &str| {
            [
                ("NETSUITE_ACCOUNT_ID", "123456"),
                ("NETSUITE_CONSUMER_KEY", "ck"),
                ("NETSUITE_CONSUMER_SECRET", "cs"),
                ("NETSUITE_TOKEN_ID", "tk"),
                ("NETSUITE_TOKEN_SECRET", "ts"),
                ("NSTBA_LIMITER", limiter),
            ]
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
        }
    };
    let c = Client::from_lookup(lookup("redis://:pw@127.0.0.1:1/3?lease_ms=1500")).unwrap();
    let shown = format!("{:?}", c.account_limiter().unwrap());
    assert!(shown.contains("redis://***@127.0.0.1:1/3"), "{shown}");
    assert!(shown.contains("1.5s") && !shown.contains("pw"), "{shown}");
    let c = Client::from_lookup(lookup("client")).unwrap();
    assert!(c.account_limiter().is_none());
    let c = Client::from_lookup(lookup(" ")).unwrap();
    assert!(format!("{:?}", c.account_limiter().unwrap()).contains("local"));
    let e = Client::from_lookup(lookup("redis://h:1/x")).unwrap_err();
    assert!(e.to_string().contains("NSTBA_LIMITER"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_have_their_own_slots() {
    let server = RedisServer::start();
    let config = RedisLimit::new(&server.url(0)).unwrap();
    let a = Limiter::redis(&config, "ACCOUNT_A", 1);
    let b = Limiter::redis(&config, "ACCOUNT_B", 1);
    let held = a.acquire().await.unwrap();
    let other = tokio::time::timeout(Duration::from_millis(500), b.acquire())
        .await
        .expect("another account's slot is free")
        .unwrap();
    other.release().await;
    held.release().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_waiter_leaves_the_queue_after_its_heartbeat() {
    let server = RedisServer::start();
    let lease = Duration::from_millis(600);
    let [holder, dead, live] = <[Limiter; 3]>::try_from(processes(&server, 3, 1, lease)).unwrap();
    let queue_len = |con: &mut redis::Connection| -> usize {
        redis::cmd("ZCARD")
            .arg("nstba:limiter:{ACCT}:queue")
            .query(con)
            .unwrap()
    };
    let held = holder.acquire().await.unwrap();
    // A waiter whose process dies while queued: never polls again, never leaves by itself.
    let url = server.url(0);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut waiting = Box::pin(dead.acquire());
        let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
        rt.block_on(async {
            tokio::select! {
                _ = &mut waiting => panic!("the slot is held"),
                _ = async {
                    while queue_len(&mut con) < 1 {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                } => {}
            }
        });
        std::mem::forget(waiting);
        rt.shutdown_background();
    })
    .join()
    .unwrap();
    let mut con = redis_connection(&server);
    let behind = tokio::spawn(async move {
        let permit = live.acquire().await.unwrap();
        let got = Instant::now();
        permit.release().await;
        got
    });
    while queue_len(&mut con) < 2 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let released = Instant::now();
    held.release().await;
    let waited = behind.await.unwrap() - released;
    // Served in order (the dead waiter came first), then past it once its heartbeat ended.
    assert!(
        waited >= Duration::from_millis(200) && waited <= lease + Duration::from_millis(300),
        "the live waiter behind a dead one waited {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_redis_is_used_again_without_a_failed_request() {
    let mut server = RedisServer::start();
    let [limiter] =
        <[Limiter; 1]>::try_from(processes(&server, 1, 2, Duration::from_secs(2))).unwrap();
    limiter.acquire().await.unwrap().release().await;
    server.restart();
    // The old connection is broken: the limiter connects again within the same call.
    limiter.acquire().await.unwrap().release().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_fallback_lasts_while_redis_is_down_only() {
    let mut server = RedisServer::start();
    let config = RedisLimit::new(&server.url(0))
        .unwrap()
        .timeout(Duration::from_millis(300))
        .on_unavailable(OnUnavailable::Local);
    let limiter = Limiter::redis(&config, "ACCT_FALLBACK", 2);
    let kind = |p: &nstba_client::LimiterPermit| format!("{p:?}");
    let p = limiter.acquire().await.unwrap();
    assert_eq!(kind(&p), "LimiterPermit(redis)");
    p.release().await;
    server.stop();
    let a = limiter.acquire().await.unwrap();
    let b = limiter.acquire().await.unwrap();
    assert_eq!(kind(&a), "LimiterPermit(local)");
    // The in-process fallback keeps the size: a third waits.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), limiter.acquire())
            .await
            .is_err()
    );
    a.release().await;
    b.release().await;
    server.resume();
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let p = limiter.acquire().await.unwrap();
        let back = kind(&p) == "LimiterPermit(redis)";
        p.release().await;
        if back {
            break;
        }
        assert!(Instant::now() < until, "never back on Redis");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
