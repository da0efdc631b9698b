//! OAuth 2.0 M2M end to end against the emulator: its token endpoint verifies our assertion, its REST
//! endpoints check the bearer token and its scope.

use futures_util::future::join_all;
use nstba_client::{Client, ClientBuilder};
use nstba_mock::MockNetSuite;
use serde_json::Value;

/// A client builder with the emulator's M2M assertion, pointed at the emulator.
fn m2m_builder(ns: &MockNetSuite) -> ClientBuilder {
    Client::builder()
        .m2m(ns.m2m_assertion())
        .base_url(ns.base_url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_with_a_cold_cache_fetch_one_token() {
    let ns = MockNetSuite::builder()
        .demo_data()
        .concurrency_limit(20)
        .start()
        .await
        .unwrap();
    let client = m2m_builder(&ns).concurrency(20).build().unwrap();
    let calls = (0..200).map(|i| {
        let c = client.clone();
        async move { c.record("customer").get(i % 3 + 1).send().await }
    });
    let results: Vec<Result<Value, _>> = join_all(calls).await;
    for r in &results {
        let v = r.as_ref().expect("every call answered");
        assert!(v["companyName"].is_string(), "{v}");
    }
    let c = ns.counters();
    assert_eq!(c.access_tokens_issued, 1, "{c:?}");
    assert_eq!(c.rejected, 0, "{c:?}");
}

#[tokio::test]
async fn suiteql_and_a_refused_certificate_over_m2m() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let client = m2m_builder(&ns).build().unwrap();
    let rows: Vec<Value> = futures_util::TryStreamExt::try_collect(
        client
            .suiteql::<Value>("SELECT id, companyname FROM customer ORDER BY id")
            .stream(),
    )
    .await
    .unwrap();
    assert!(!rows.is_empty());

    // Another emulator does not know this certificate: a typed refusal with the checklist.
    let other = MockNetSuite::builder().start().await.unwrap();
    let refused = m2m_builder(&ns).base_url(other.base_url()).build().unwrap();
    let err = refused
        .record("customer")
        .get("1")
        .send()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
}

/// `fetch_access_token` asks the token endpoint once per call, without touching the client's
/// cached token; a TBA client has no token endpoint; a refusal is typed.
#[tokio::test]
async fn fetch_access_token_asks_the_token_endpoint() {
    use nstba_client::ErrorKind;
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let client = m2m_builder(&ns).build().unwrap();
    let before = ns.counters().access_tokens_issued;
    let first = client.fetch_access_token().await.unwrap();
    let second = client.fetch_access_token().await.unwrap();
    assert!(first.expires_in() > 0);
    assert_eq!(ns.counters().access_tokens_issued - before, 2);
    assert_ne!(
        secrecy::ExposeSecret::expose_secret(first.secret()),
        secrecy::ExposeSecret::expose_secret(second.secret())
    );
    // The client's cache was not filled by it: its own first call fetches its own token.
    client.record("customer").get("1").send().await.unwrap();
    assert_eq!(ns.counters().access_tokens_issued - before, 3);

    let tba = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .build()
        .unwrap();
    let err = tba.fetch_access_token().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Config { .. }), "{err}");

    let other = MockNetSuite::builder().start().await.unwrap();
    let refused = m2m_builder(&ns).base_url(other.base_url()).build().unwrap();
    let err = refused.fetch_access_token().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::TokenRefused { .. }),
        "{err}"
    );
}

/// Sizing an M2M client from `governanceLimits` takes one token: the client built after the probe
/// keeps the token the probe fetched.
#[tokio::test]
async fn sizing_an_m2m_client_by_governance_fetches_one_token() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let (client, limits) = m2m_builder(&ns)
        .concurrency(2)
        .build_sized_by_governance()
        .await
        .unwrap();
    assert_eq!(client.concurrency(), limits.concurrency());
    let customer: Value = client.record("customer").get("1").send().await.unwrap();
    assert!(customer["companyName"].is_string(), "{customer}");
    let c = ns.counters();
    assert_eq!(c.access_tokens_issued, 1, "{c:?}");
    assert_eq!(c.rejected, 0, "{c:?}");

    // A second build from a clone of the builder is another client with its own token.
    let builder = m2m_builder(&ns);
    let (a, b) = (builder.clone().build().unwrap(), builder.build().unwrap());
    let _: Value = a.record("customer").get("1").send().await.unwrap();
    let _: Value = b.record("customer").get("1").send().await.unwrap();
    assert_eq!(ns.counters().access_tokens_issued, 3);
}
