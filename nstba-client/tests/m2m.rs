//! OAuth 2.0 machine-to-machine through `nstba_client::Client`, against a minimal local server
//! (`support/token_server.rs`): single-flight token fetch, refresh before expiry, 401 → refresh and
//! resend once, `expires_in` as a string, typed token errors without secrets, and the environment
//! variable selection.
//!
//! TO RE-POINT: every test here that starts a `TokenServer` stands in for the emulator's token
//! endpoint (nstba-mock, being built in parallel); once `MockNetSuite` serves
//! `/services/rest/auth/oauth2/v1/token` and checks Bearer tokens, these should run against it.

mod support;

use nstba_client::{Client, ErrorKind, M2m, TOKEN_REFUSED_CHECKLIST};
use nstba_core::m2m::{Algorithm, ClientAssertion, PrivateKey, TokenErrorCode};
use nstba_core::{AccountId, Clock};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use support::token_server::{TokenMode, TokenServer};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../nstba-core/tests/fixtures/m2m"
);

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn pem(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn assertion() -> ClientAssertion {
    let key = PrivateKey::from_pem(&pem("p256.pem")).unwrap();
    ClientAssertion::new(
        &AccountId::parse("1234567_SB1").unwrap(),
        "client-id-1",
        "cert-id-1",
        Algorithm::ES256,
        key,
    )
    .unwrap()
    .with_scopes(["rest_webservices", "restlets"])
    .unwrap()
}

/// A clock the test moves.
struct TestClock(AtomicU64);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

async fn server() -> TokenServer {
    let server = TokenServer::start().await;
    let a = assertion();
    server.verify_with("cert-id-1", a.key().public_key(), a.audience());
    server
}

fn client(server: &TokenServer, m2m: M2m, concurrency: usize) -> Client {
    Client::builder()
        .m2m(m2m)
        .base_url(&server.base_url)
        .concurrency(concurrency)
        .build()
        .unwrap()
}

async fn get(client: &Client, id: &str) -> nstba_client::Result<serde_json::Value> {
    client.record("customer").get(id).send().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_cache_200_concurrent_calls_fetch_one_token() {
    let server = server().await;
    let client = client(&server, M2m::new(assertion()), 50);
    let calls = (0..200).map(|i| {
        let client = client.clone();
        tokio::spawn(async move { get(&client, &(i % 7 + 1).to_string()).await })
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.rest_requests(), 200);
    assert!(server
        .seen()
        .iter()
        .all(|h| h == "Bearer secret-access-token-1"));
    assert!(server.state.bad_assertions.lock().unwrap().is_empty());
}

#[tokio::test]
async fn token_is_refreshed_shortly_before_expiry() {
    let server = server().await;
    let clock = Arc::new(TestClock(AtomicU64::new(1_700_000_000)));
    let m2m = M2m::new(assertion()).with_shared_clock(clock.clone());
    let client = client(&server, m2m, 5);
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 1);
    // expires_in 3600, replaced 60 s before.
    clock.0.store(1_700_000_000 + 3539, Ordering::SeqCst);
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 1);
    clock.0.store(1_700_000_000 + 3540, Ordering::SeqCst);
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 2);
    assert_eq!(
        server.seen(),
        [
            "Bearer secret-access-token-1",
            "Bearer secret-access-token-1",
            "Bearer secret-access-token-2"
        ]
    );
    // A fresh jti per assertion.
    let jtis = server.state.jtis.lock().unwrap().clone();
    assert_eq!(jtis.len(), 2);
    assert_ne!(jtis[0], jtis[1]);
}

#[tokio::test]
async fn expires_in_as_a_string_is_understood() {
    let server = server().await;
    server.set_mode(TokenMode::Grant(serde_json::json!("120")));
    let clock = Arc::new(TestClock(AtomicU64::new(1_000_000)));
    let m2m = M2m::new(assertion()).with_shared_clock(clock.clone());
    let client = client(&server, m2m, 5);
    get(&client, "1").await.unwrap();
    // 120 s: replaced 60 s before expiry (half its lifetime at most).
    clock.0.store(1_000_000 + 59, Ordering::SeqCst);
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 1);
    clock.0.store(1_000_000 + 60, Ordering::SeqCst);
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 2);
}

#[tokio::test]
async fn unauthorized_refreshes_once_and_resends_once() {
    let server = server().await;
    let client = client(&server, M2m::new(assertion()), 5);
    get(&client, "1").await.unwrap();
    server.revoke_all();
    let got = get(&client, "2").await.unwrap();
    assert_eq!(got["id"], "2");
    assert_eq!(server.token_requests(), 2);
    assert_eq!(
        server.seen(),
        [
            "Bearer secret-access-token-1",
            "Bearer secret-access-token-1",
            "Bearer secret-access-token-2"
        ]
    );
}

#[tokio::test]
async fn a_refused_new_token_is_not_retried_forever() {
    let server = server().await;
    server
        .state
        .accept_new_tokens
        .store(false, Ordering::SeqCst);
    let client = client(&server, M2m::new(assertion()), 5);
    let err = get(&client, "1").await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.is_invalid_login(), "{err}");
    // One refresh, one resend: two tokens, two REST requests.
    assert_eq!(server.token_requests(), 2);
    assert_eq!(server.rest_requests(), 2);
    // The next call does the same, once again (no state stuck on "refreshed").
    get(&client, "1").await.unwrap_err();
    assert_eq!(server.token_requests(), 4);
    assert_eq!(server.rest_requests(), 4);
}

#[tokio::test]
async fn invalid_client_is_a_typed_error_with_checklist_and_no_secret() {
    let server = server().await;
    server.set_mode(TokenMode::Refuse(
        401,
        r#"{"error":"invalid_client","error_description":"unknown client"}"#.into(),
    ));
    let client = client(&server, M2m::new(assertion()), 5);
    let err = get(&client, "1").await.unwrap_err();
    match err.kind() {
        ErrorKind::TokenRefused {
            code,
            description,
            status,
        } => {
            assert_eq!(*code, TokenErrorCode::InvalidClient);
            assert_eq!(description.as_deref(), Some("unknown client"));
            assert_eq!(*status, 401);
        }
        other => panic!("not TokenRefused: {other:?}"),
    }
    assert_eq!(err.checklist(), Some(TOKEN_REFUSED_CHECKLIST));
    assert!(!err.is_transient() && !err.is_safe_to_resend());
    // Permanent: not retried, and the REST call was never sent.
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.rest_requests(), 0);
    let text = format!("{err} {err:?} {client:?}");
    assert!(text.contains("invalid_client"), "{text}");
    for item in [
        "certificate id",
        "algorithm and key size",
        "scopes",
        "role/entity",
        "clock skew",
        "certificate expiry",
    ] {
        assert!(text.contains(item), "{item} missing: {text}");
    }
    assert_no_key_material(&text);
}

fn assert_no_key_material(text: &str) {
    for line in pem("p256.pem").lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line.trim()), "key material in: {text}");
        assert!(
            !text.contains(&line.trim()[..16]),
            "key material in: {text}"
        );
    }
    assert!(
        !text.contains("secret-access-token"),
        "access token in: {text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_callers_share_one_refusal() {
    let server = server().await;
    server.set_mode(TokenMode::Refuse(
        400,
        r#"{"error":"invalid_grant"}"#.into(),
    ));
    server.state.hold.store(true, Ordering::SeqCst);
    let client = client(&server, M2m::new(assertion()), 5);
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { get(&client, "1").await })
        })
        .collect();
    // One runtime thread: every spawned caller has run up to the single-flight gate before the
    // server task sees the token request.
    server.state.token_request_arrived.notified().await;
    server.state.release.notify_one();
    for c in calls {
        let err = c.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::TokenRefused {
                    code: TokenErrorCode::InvalidGrant,
                    status: 400,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(server.token_requests(), 1);
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried_then_reported() {
    let server = server().await;
    server.set_mode(TokenMode::Refuse(503, "<html>down</html>".into()));
    let client = Client::builder()
        .m2m(M2m::new(assertion()))
        .base_url(&server.base_url)
        .retry(
            nstba_client::RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(std::time::Duration::from_millis(1))
                .max_backoff(std::time::Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let err = get(&client, "1").await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Authorization(_)), "{err:?}");
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert!(!format!("{err} {err:?}").contains("down"), "{err:?}");
    // Transient, and the call itself was never sent: retried per policy.
    assert_eq!(server.token_requests(), 3);
    assert_eq!(server.rest_requests(), 0);
}

#[tokio::test]
async fn tba_still_works_with_the_same_send_path() {
    let server = server().await;
    server.state.allow_tba.store(true, Ordering::SeqCst);
    let creds = nstba_core::Credentials::new(
        AccountId::parse("1234567_SB1").unwrap(),
        "ck",
        "cs",
        "tk",
        "ts",
    )
    .unwrap();
    let client = Client::builder()
        .credentials(creds)
        .base_url(&server.base_url)
        .build()
        .unwrap();
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 0);
    assert!(server.seen()[0].starts_with("OAuth realm=\"1234567_SB1\""));
    // TBA never resends on 401.
    server.state.allow_tba.store(false, Ordering::SeqCst);
    assert_eq!(get(&client, "1").await.unwrap_err().status(), Some(401));
    assert_eq!(server.rest_requests(), 2);
}

// ---- environment variable selection ----

fn lookup(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn tba_vars() -> Vec<(&'static str, String)> {
    vec![
        ("NETSUITE_ACCOUNT_ID", "1234567_SB1".into()),
        ("NETSUITE_CONSUMER_KEY", "ck".into()),
        ("NETSUITE_CONSUMER_SECRET", "cs-secret".into()),
        ("NETSUITE_TOKEN_ID", "tk".into()),
        ("NETSUITE_TOKEN_SECRET", "ts-secret".into()),
    ]
}

fn m2m_vars(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("NETSUITE_ACCOUNT_ID", "1234567_SB1".into()),
        ("NETSUITE_CLIENT_ID", "client-id-1".into()),
        ("NETSUITE_CERTIFICATE_ID", "cert-id-1".into()),
        ("NETSUITE_PRIVATE_KEY_PATH", fixture(key)),
    ]
}

#[tokio::test]
async fn from_lookup_picks_tba_when_all_tba_variables_are_set() {
    let server = server().await;
    server.state.allow_tba.store(true, Ordering::SeqCst);
    let mut vars = tba_vars();
    vars.extend(m2m_vars("p256.pem").into_iter().skip(1));
    vars.push(("NETSUITE_BASE_URL", server.base_url.clone()));
    let client = Client::from_lookup(lookup(&vars)).unwrap();
    get(&client, "1").await.unwrap();
    assert!(server.seen()[0].starts_with("OAuth "));
    assert_eq!(server.token_requests(), 0);
}

#[tokio::test]
async fn from_lookup_picks_m2m_and_sends_the_token_request_to_the_base_url() {
    let server = server().await;
    let mut vars = m2m_vars("p256.pem");
    vars.push(("NETSUITE_BASE_URL", server.base_url.clone()));
    let client = Client::from_lookup(lookup(&vars)).unwrap();
    assert_eq!(client.account().unwrap().realm(), "1234567_SB1");
    get(&client, "1").await.unwrap();
    assert_eq!(server.token_requests(), 1);
    assert_eq!(server.seen(), ["Bearer secret-access-token-1"]);
    assert!(server.state.bad_assertions.lock().unwrap().is_empty());
}

#[test]
fn from_lookup_m2m_defaults_and_errors() {
    // Without a base URL override: the account's URLs.
    let c = Client::from_lookup(lookup(&m2m_vars("rsa3072.pem"))).unwrap();
    assert_eq!(
        c.base_url(),
        "https://1234567-sb1.suitetalk.api.netsuite.com"
    );
    let s = format!("{c:?}");
    assert_no_key_material(&s);

    // Algorithm defaults follow the key; an explicit one must fit it.
    for key in ["p384.pem", "p521.pem", "rsa4096.pem"] {
        Client::from_lookup(lookup(&m2m_vars(key))).unwrap();
    }
    let mut vars = m2m_vars("p256.pem");
    vars.push(("NETSUITE_ALGORITHM", "PS256".into()));
    let e = Client::from_lookup(lookup(&vars)).unwrap_err();
    assert!(e.to_string().contains("NETSUITE_ALGORITHM"), "{e}");
    let mut vars = m2m_vars("rsa3072.pem");
    vars.push(("NETSUITE_ALGORITHM", "RS256".into()));
    let e = Client::from_lookup(lookup(&vars)).unwrap_err();
    assert!(e.to_string().contains("RS256"), "{e}");

    // Scopes.
    let mut vars = m2m_vars("p256.pem");
    vars.push((
        "NETSUITE_SCOPES",
        "rest_webservices, suite_analytics".into(),
    ));
    Client::from_lookup(lookup(&vars)).unwrap();
    let mut vars = m2m_vars("p256.pem");
    vars.push(("NETSUITE_SCOPES", "rest-webservices".into()));
    let e = Client::from_lookup(lookup(&vars)).unwrap_err();
    assert!(e.to_string().contains("NETSUITE_SCOPES"), "{e}");

    // A partial M2M set names what is missing.
    let vars = m2m_vars("p256.pem");
    let e = Client::from_lookup(lookup(&vars[..2])).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("NETSUITE_CERTIFICATE_ID, NETSUITE_PRIVATE_KEY_PATH"),
        "{s}"
    );
    assert!(!s.contains("NETSUITE_TOKEN_SECRET"), "{s}");

    // Partial TBA + complete M2M: M2M.
    let mut vars = m2m_vars("p256.pem");
    vars.push(("NETSUITE_CONSUMER_KEY", "ck".into()));
    Client::from_lookup(lookup(&vars)).unwrap();

    // The account id is validated first, and is named.
    let mut vars = m2m_vars("p256.pem");
    vars[0].1 = "evil.example.com/x".into();
    let e = Client::from_lookup(lookup(&vars)).unwrap_err();
    assert!(e.to_string().contains("NETSUITE_ACCOUNT_ID"), "{e}");

    // An unreadable or unusable key names the variable, never key material.
    let mut vars = m2m_vars("p256.pem");
    vars[3].1 = fixture("does-not-exist.pem");
    let e = Client::from_lookup(lookup(&vars)).unwrap_err();
    assert!(e.to_string().contains("NETSUITE_PRIVATE_KEY_PATH"), "{e}");
    let e = Client::from_lookup(lookup(&m2m_vars("rsa2048.pem"))).unwrap_err();
    assert!(e.to_string().contains("NETSUITE_PRIVATE_KEY_PATH"), "{e}");
    assert!(e.to_string().contains("2048"), "{e}");

    // Nothing set: the TBA variables are named, and M2M is mentioned.
    let e = Client::from_lookup(lookup(&[("NETSUITE_ACCOUNT_ID", "123".into())])).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("NETSUITE_TOKEN_SECRET") && s.contains("NETSUITE_CLIENT_ID"),
        "{s}"
    );
}

#[test]
fn m2m_debug_shows_no_secrets() {
    let m2m = M2m::new(assertion());
    let s = format!("{m2m:?} {:?}", Client::builder().m2m(m2m.clone()));
    assert!(s.contains("client-id-1") && s.contains("cert-id-1"), "{s}");
    assert_no_key_material(&s);
}
