//! Connection hygiene under abuse (issue 13): held connections are closed after the header-read
//! timeout, idle kept-alive ones too, and the connection cap never blocks a new request while an
//! idle connection can be closed for it.

mod common;

use common::{Client, NOW};
use nstba_core::FixedClock;
use nstba_mock::MockNetSuite;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Polls `f` every 50 ms until it holds or `within` passes.
async fn eventually(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// Reads until the peer closes (true) or `within` passes (false).
async fn closed_within(s: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .header_read_timeout(Duration::from_millis(300))
        .demo_data()
        .start()
        .await
        .unwrap();
    let addr = ns.local_addr();
    // Half a request line, then nothing.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /services/rest/record/v1/cus")
        .await
        .unwrap();
    // Nothing at all.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    // A complete request, then the kept-alive connection sits idle.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(format!("GET /nothing HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    for s in [&mut slow, &mut silent, &mut idle] {
        assert!(closed_within(s, Duration::from_secs(3)).await);
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        eventually(Duration::from_secs(2), || ns.counters().open_connections
            == 0)
        .await
    );
    // The server still answers.
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c
        .json("GET", "/services/rest/record/v1/customer/1", None)
        .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn eleven_hundred_held_connections_do_not_block_a_new_request() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .header_read_timeout(Duration::from_secs(2))
        .demo_data()
        .start()
        .await
        .unwrap();
    let addr = ns.local_addr();
    let mut held = Vec::new();
    for i in 0..1100 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            // Half of them start a request and stall.
            let _ = s
                .write_all(b"POST /services/rest/query/v1/suiteql HTTP/1.1\r\n")
                .await;
        }
        held.push(s);
    }
    // At most the cap (1 024 by default) stay open: the idlest are closed for the newest.
    assert!(
        eventually(Duration::from_secs(1), || {
            let c = ns.counters();
            c.open_connections <= 1024 && c.connections_shed >= 76
        })
        .await,
        "{:?}",
        ns.counters()
    );
    let c = Client::new(&ns.base_url(), ns.credentials());
    let started = Instant::now();
    let (s, v) = c
        .json("GET", "/services/rest/record/v1/customer/1", None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // After the header-read timeout every held connection is gone.
    assert!(
        eventually(Duration::from_secs(4), || ns.counters().open_connections
            <= 1)
        .await,
        "{:?}",
        ns.counters()
    );
    drop(held);
}

#[tokio::test]
async fn beyond_the_cap_with_every_connection_busy_a_new_one_is_closed_at_once() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .max_connections(3)
        .concurrency_limit(10)
        .latency(Duration::from_millis(800))
        .demo_data()
        .start()
        .await
        .unwrap();
    let c = std::sync::Arc::new(Client::new(&ns.base_url(), ns.credentials()));
    let mut busy = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let c = c.clone();
        busy.spawn(async move {
            // HTTP/1.1: three requests at once take three connections.
            c.json("GET", "/services/rest/record/v1/customer/1", None)
                .await
        });
    }
    assert!(eventually(Duration::from_secs(1), || ns.counters().in_flight == 3).await);
    let started = Instant::now();
    let mut extra = tokio::net::TcpStream::connect(ns.local_addr())
        .await
        .unwrap();
    assert!(closed_within(&mut extra, Duration::from_millis(500)).await);
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(ns.counters().connections_shed >= 1);
    // The busy requests finish normally.
    while let Some(r) = busy.join_next().await {
        assert_eq!(r.unwrap().0, 200);
    }
}
