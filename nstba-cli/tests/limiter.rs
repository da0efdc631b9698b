//! Four separate `nstba suiteql` processes share one account limit through Redis (`--limiter
//! redis://…`) against an emulator that allows the account 5 concurrent requests: none over the
//! limit, no 429; one worker killed with SIGKILL while it holds slots gives them back within the
//! lease, and the others finish.

#[path = "../../nstba-client/tests/support/redis_server.rs"]
mod redis_server;

use nstba::mock::{
    MockNetSuite, DEMO_ACCOUNT, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_TOKEN_ID,
    DEMO_TOKEN_SECRET,
};
use redis_server::RedisServer;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 600;
const PAGE: usize = 10;
const WORKERS: usize = 4;
const ACCOUNT_LIMIT: usize = 5;
const LEASE: Duration = Duration::from_millis(1000);
const QUERY: &str = "SELECT id, companyname FROM customer ORDER BY id";

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nstba-limiter-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config")).unwrap();
    dir
}

fn worker(mock: &MockNetSuite, limiter: &str, out: &PathBuf, config: &PathBuf) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.args(["suiteql", QUERY, "--format", "csv"])
        .args(["--page-size", &PAGE.to_string()])
        .arg("--out")
        .arg(out)
        .args(["--limiter", limiter])
        .env("XDG_CONFIG_HOME", config)
        .env_remove("NSTBA_PROFILE")
        .env_remove("NSTBA_LIMITER")
        .env_remove("NETSUITE_CONCURRENCY")
        .env("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT)
        .env("NETSUITE_CONSUMER_KEY", DEMO_CONSUMER_KEY)
        .env("NETSUITE_CONSUMER_SECRET", DEMO_CONSUMER_SECRET)
        .env("NETSUITE_TOKEN_ID", DEMO_TOKEN_ID)
        .env("NETSUITE_TOKEN_SECRET", DEMO_TOKEN_SECRET)
        .env("NETSUITE_BASE_URL", mock.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().expect("start nstba")
}

/// The members of the holders set (one per held slot, `<pid>-<random>:<n>`).
fn holders(con: &mut redis::Connection, key: &str) -> Vec<String> {
    redis::cmd("ZRANGE")
        .arg(key)
        .arg(0)
        .arg(-1)
        .query(con)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_limit_through_redis_and_survive_a_killed_worker() {
    let redis = RedisServer::start();
    let mock = MockNetSuite::builder()
        .concurrency_limit(ACCOUNT_LIMIT)
        .latency_for("/services/rest/query", Duration::from_millis(40))
        .seed_records(
            "customer",
            (1..=ROWS).map(|i| json!({"companyName": format!("Customer {i:04}")})),
        )
        .start()
        .await
        .unwrap();
    let dir = tempdir("fleet");
    let limiter = format!("{}?lease_ms={}", redis.url(0), LEASE.as_millis());
    let outs: Vec<PathBuf> = (0..WORKERS)
        .map(|i| dir.join(format!("out-{i}.csv")))
        .collect();
    let mut workers: Vec<Child> = outs
        .iter()
        .map(|out| worker(&mock, &limiter, out, &dir.join("config")))
        .collect();

    // Kill the first worker mid-run, while it holds several slots (its pages are prefetched).
    let key = format!("nstba:limiter:{{{DEMO_ACCOUNT}}}:holders");
    let mut con = redis::Client::open(redis.url(0))
        .unwrap()
        .get_connection()
        .unwrap();
    let victim = format!("{}-", workers[0].id());
    let until = Instant::now() + Duration::from_secs(20);
    let held_by_victim = loop {
        let held = holders(&mut con, &key)
            .iter()
            .filter(|m| m.starts_with(&victim))
            .count();
        if held >= 2 && mock.counters().requests >= 20 {
            break held;
        }
        assert!(
            workers[0].try_wait().unwrap().is_none(),
            "the first worker ended before it held two slots"
        );
        assert!(
            Instant::now() < until,
            "the first worker never held two slots"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    workers[0].kill().unwrap(); // SIGKILL: no chance to give anything back
    let killed = Instant::now();
    workers[0].wait().unwrap();
    // Its leases end within one lease from now (Redis' clock)…
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut con).unwrap();
    let now_ms = (secs * 1000 + micros / 1000) as f64;
    let leases: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg(&key)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(&mut con)
        .unwrap();
    for (member, ends) in leases.iter().filter(|(m, _)| m.starts_with(&victim)) {
        assert!(
            ends - now_ms <= LEASE.as_millis() as f64,
            "{member}'s lease ends {} ms from now",
            ends - now_ms
        );
    }

    // …and the survivors take them then (their next acquire drops ended leases).
    let back = loop {
        if !holders(&mut con, &key)
            .iter()
            .any(|m| m.starts_with(&victim))
        {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < LEASE * 3,
            "the killed worker's slots never came back"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(
        back <= LEASE + Duration::from_millis(700),
        "slots back after {back:?} (lease {LEASE:?})"
    );

    // The others finish, with every row.
    for (w, out) in workers.iter_mut().zip(&outs).skip(1) {
        let w = std::mem::replace(w, Command::new("true").spawn().unwrap());
        let output = tokio::task::spawn_blocking(move || w.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let csv = std::fs::read_to_string(out).unwrap();
        assert_eq!(csv.lines().count(), ROWS + 1, "header and every row");
    }
    for w in &mut workers {
        let _ = w.wait();
    }

    let c = mock.counters();
    assert!(
        c.max_in_flight <= ACCOUNT_LIMIT,
        "{} in flight at once",
        c.max_in_flight
    );
    assert_eq!(c.throttled, 0, "no 429");
    // Demand was above the limit: 4 workers × 5 pages each in flight would have been 20.
    assert_eq!(c.max_in_flight, ACCOUNT_LIMIT);
    assert!(holders(&mut con, &key).is_empty(), "every slot given back");
    println!(
        "killed worker held {held_by_victim} slot(s); back after {back:?} (lease {LEASE:?}); \
         max in flight {}, 429s {}, requests {}",
        c.max_in_flight, c.throttled, c.requests
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_limiter_is_a_usage_error_and_an_unreachable_redis_a_clear_failure() {
    let mock = MockNetSuite::builder().demo_data().start().await.unwrap();
    let dir = tempdir("bad");
    let run = |limiter: String| {
        let out = dir.join("out.csv");
        let child = worker(&mock, &limiter, &out, &dir.join("config"));
        child.wait_with_output().unwrap()
    };
    let o = run("memcached://127.0.0.1:1".into());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("NSTBA_LIMITER") && err.contains("memcached"),
        "{err}"
    );

    let port = redis_server::free_port();
    let o = run(format!(
        "redis://:hunter2@127.0.0.1:{port}/0?timeout_ms=300"
    ));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "shared limiter at redis://***@127.0.0.1:{port}/0 is unavailable"
        )),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(mock.counters().requests, 0, "nothing sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_shared_limiter_four_processes_exceed_the_account_limit() {
    // The control: the same four workers, each with only its own in-process limiter of 5.
    let mock = MockNetSuite::builder()
        .concurrency_limit(ACCOUNT_LIMIT)
        .latency_for("/services/rest/query", Duration::from_millis(40))
        .seed_records(
            "customer",
            (1..=ROWS).map(|i| json!({"companyName": format!("Customer {i:04}")})),
        )
        .start()
        .await
        .unwrap();
    let dir = tempdir("control");
    let mut workers: Vec<Child> = (0..WORKERS)
        .map(|i| {
            let out = dir.join(format!("out-{i}.csv"));
            worker(&mock, "account", &out, &dir.join("config"))
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(20);
    while mock.counters().throttled == 0 {
        assert!(Instant::now() < until, "{:?}", mock.counters());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert!(mock.counters().max_in_flight >= ACCOUNT_LIMIT);
    let _ = std::fs::remove_dir_all(&dir);
}
