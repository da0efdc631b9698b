//! OAuth 2.0 M2M against the emulator: the token endpoint's checks (each refusal with its audit
//! reason), bearer tokens on REST, SuiteQL and RESTlets with their scopes, and assertions built by
//! PyJWT + cryptography.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use nstba_core::m2m::{
    token_request_body, token_url, Algorithm, ClientAssertion, PrivateKey, PublicKey,
};
use nstba_core::AccountId;
use nstba_mock::{
    MockBuilder, MockNetSuite, RejectReason, RestletCall, DEMO_ACCOUNT, DEMO_M2M_CERTIFICATE_ID,
    DEMO_M2M_CLIENT_ID,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const NOW: u64 = 1_700_000_000;

/// A test clock that can be moved forward.
#[derive(Clone)]
struct TestClock(Arc<AtomicU64>);

impl nstba_core::Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

struct Env {
    ns: MockNetSuite,
    clock: Arc<AtomicU64>,
    http: reqwest::Client,
}

async fn start_with(configure: impl FnOnce(MockBuilder) -> MockBuilder) -> Env {
    let clock = Arc::new(AtomicU64::new(NOW));
    let builder = MockNetSuite::builder()
        .clock(TestClock(clock.clone()))
        .demo_data()
        .restlet(
            "customscript_echo",
            "customdeploy_echo",
            |call: RestletCall| Ok(json!({"method": call.method})),
        );
    let ns = configure(builder).start().await.unwrap();
    Env {
        ns,
        clock,
        http: reqwest::Client::new(),
    }
}

async fn start() -> Env {
    start_with(|b| b).await
}

impl Env {
    async fn post_form(&self, body: String) -> (u16, Value) {
        let r = self
            .http
            .post(self.ns.token_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn token_request(&self, jwt: &str) -> (u16, Value) {
        self.post_form(token_request_body(jwt)).await
    }

    /// Posts `jwt` and expects a refusal with `status`, `error` and the audit `reason`.
    async fn refused(&self, jwt: &str, status: u16, error: &str, reason: RejectReason) {
        let seen = self.ns.audit_log().len();
        let (s, body) = self.token_request(jwt).await;
        assert_eq!((s, body.clone()), (status, json!({ "error": error })));
        let log = self.ns.audit_log_since(seen);
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].reason, reason, "{}", log[0]);
        assert!(
            !log[0].to_string().contains(jwt),
            "the audit log holds the assertion"
        );
    }

    /// A token for the demo client with these scopes.
    async fn token(&self, scopes: &[&str], jti: &str) -> String {
        let assertion = self.ns.m2m_assertion().with_scopes(scopes).unwrap();
        let jwt = assertion.build(self.now(), jti).unwrap();
        let (s, body) = self.token_request(&jwt).await;
        assert_eq!(s, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    fn now(&self) -> u64 {
        self.clock.load(Ordering::SeqCst)
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.ns.base_url()))
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn suiteql(&self, token: &str) -> (u16, Value) {
        let r = self
            .http
            .post(format!(
                "{}/services/rest/query/v1/suiteql",
                self.ns.base_url()
            ))
            .header("Authorization", format!("Bearer {token}"))
            .header("Prefer", "transient")
            .json(&json!({"q": "SELECT id FROM customer ORDER BY id"}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    fn last_reason(&self) -> RejectReason {
        self.ns.audit_log().last().unwrap().reason
    }
}

const CUSTOMER: &str = "/services/rest/record/v1/customer/1";
const RESTLET: &str =
    "/app/site/hosting/restlet.nl?script=customscript_echo&deploy=customdeploy_echo";

fn assert_invalid_login(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["o:errorDetails"][0]["o:errorCode"], "INVALID_LOGIN",
        "{body}"
    );
}

fn assert_restlet_invalid_login(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "INVALID_LOGIN_ATTEMPT", "{body}");
}

fn demo_account() -> AccountId {
    AccountId::parse(DEMO_ACCOUNT).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// Signs any header and claims with an ES256 (P-256) PEM key: for assertions `ClientAssertion`
/// refuses to build (lifetime over an hour, another `alg` in the header, another `aud`).
fn sign_es256(pem: &str, header: &Value, claims: &Value) -> String {
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::DecodePrivateKey as _;
    let key = p256::SecretKey::from_pkcs8_pem(pem).unwrap();
    let signing = p256::ecdsa::SigningKey::from(key);
    let input = format!("{}.{}", b64(header), b64(claims));
    let signature: p256::ecdsa::Signature = signing.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn demo_header() -> Value {
    json!({"typ": "JWT", "alg": "ES256", "kid": DEMO_M2M_CERTIFICATE_ID})
}

fn claims(aud: &str, iat: u64, exp: u64, jti: &str) -> Value {
    json!({
        "iss": DEMO_M2M_CLIENT_ID,
        "scope": "rest_webservices,restlets",
        "aud": aud,
        "iat": iat,
        "exp": exp,
        "jti": jti,
    })
}

#[tokio::test]
async fn a_valid_assertion_gets_a_bearer_token() {
    let env = start().await;
    let assertion = env.ns.m2m_assertion();
    assert_eq!(assertion.client_id(), DEMO_M2M_CLIENT_ID);
    assert_eq!(assertion.certificate_id(), DEMO_M2M_CERTIFICATE_ID);
    assert_eq!(assertion.algorithm(), Algorithm::ES256);
    assert_eq!(assertion.scope(), "rest_webservices,restlets");
    // aud: NetSuite's own token URL of the account.
    assert_eq!(assertion.audience(), token_url(&demo_account()));
    let (s, body) = env
        .token_request(&assertion.build(NOW, "jti-valid-1").unwrap())
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    assert!(token.len() >= 32, "{token}");
    // The emulator's own token URL is accepted as aud too (documented in API.md).
    let pem = env.ns.m2m_private_key_pem();
    let own = sign_es256(
        secrecy::ExposeSecret::expose_secret(&pem),
        &demo_header(),
        &claims(&env.ns.token_url(), NOW, NOW + 300, "jti-own-url"),
    );
    let (s, body) = env.token_request(&own).await;
    assert_eq!(s, 200, "{body}");
    // Within the ±300 s clock window.
    let late = env.ns.m2m_assertion().build(NOW - 250, "jti-skew").unwrap();
    assert_eq!(env.token_request(&late).await.0, 200);
    assert!(env.ns.audit_log().is_empty(), "{:?}", env.ns.audit_log());
}

#[tokio::test]
async fn the_token_endpoint_refuses_bad_assertions_without_saying_why() {
    let env = start_with(|b| {
        let other =
            PrivateKey::from_pem(include_str!("../../nstba-core/tests/fixtures/m2m/p256.pem"))
                .unwrap();
        b.m2m_client(
            "other-client",
            "other-cert",
            other.public_key(),
            ["rest_webservices"],
        )
    })
    .await;
    let pem = env.ns.m2m_private_key_pem();
    let pem = secrecy::ExposeSecret::expose_secret(&pem);
    let aud = token_url(&demo_account());
    let good = env.ns.m2m_assertion();

    // Tampered signature: the claims of one assertion with the signature of another.
    let a = good.build(NOW, "jti-a").unwrap();
    let b = good.build(NOW, "jti-b").unwrap();
    let tampered = format!(
        "{}.{}",
        &a[..a.rfind('.').unwrap()],
        &b[b.rfind('.').unwrap() + 1..]
    );
    env.refused(
        &tampered,
        401,
        "invalid_client",
        RejectReason::InvalidAssertionSignature,
    )
    .await;

    // aud: the token URL of another account.
    let elsewhere = ClientAssertion::new(
        &AccountId::parse("7654321").unwrap(),
        DEMO_M2M_CLIENT_ID,
        DEMO_M2M_CERTIFICATE_ID,
        Algorithm::ES256,
        env.ns.m2m_private_key(),
    )
    .unwrap()
    .build(NOW, "jti-aud")
    .unwrap();
    env.refused(
        &elsewhere,
        400,
        "invalid_grant",
        RejectReason::WrongAudience,
    )
    .await;

    // Expired: exp + 300 s is before now.
    let expired = good.build(NOW - 1000, "jti-expired").unwrap();
    env.refused(
        &expired,
        400,
        "invalid_grant",
        RejectReason::AssertionExpired,
    )
    .await;
    // Issued too far in the future.
    let future = good.build(NOW + 1000, "jti-future").unwrap();
    env.refused(
        &future,
        400,
        "invalid_grant",
        RejectReason::AssertionIssuedInFuture,
    )
    .await;

    // exp - iat over an hour (3601 s), though otherwise valid.
    let long = sign_es256(
        pem,
        &demo_header(),
        &claims(&aud, NOW, NOW + 3601, "jti-long"),
    );
    env.refused(&long, 400, "invalid_grant", RejectReason::AssertionLifetime)
        .await;
    // Exactly an hour is fine.
    let hour = sign_es256(
        pem,
        &demo_header(),
        &claims(&aud, NOW, NOW + 3600, "jti-hour"),
    );
    assert_eq!(env.token_request(&hour).await.0, 200);

    // RS256 in the header: refused before the signature is even looked at.
    let rs256 = sign_es256(
        pem,
        &json!({"typ": "JWT", "alg": "RS256", "kid": DEMO_M2M_CERTIFICATE_ID}),
        &claims(&aud, NOW, NOW + 300, "jti-rs256"),
    );
    env.refused(
        &rs256,
        401,
        "invalid_client",
        RejectReason::AlgorithmNotAllowed,
    )
    .await;
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": DEMO_M2M_CERTIFICATE_ID})),
        b64(&claims(&aud, NOW, NOW + 300, "jti-none"))
    );
    env.refused(
        &none,
        401,
        "invalid_client",
        RejectReason::AlgorithmNotAllowed,
    )
    .await;

    // Unknown kid.
    let unknown_kid = ClientAssertion::new(
        &demo_account(),
        DEMO_M2M_CLIENT_ID,
        "no-such-certificate",
        Algorithm::ES256,
        env.ns.m2m_private_key(),
    )
    .unwrap()
    .build(NOW, "jti-kid")
    .unwrap();
    env.refused(
        &unknown_kid,
        401,
        "invalid_client",
        RejectReason::UnknownCertificate,
    )
    .await;

    // The kid of another client, signed with that client's key, but iss = the demo client.
    let other_key =
        PrivateKey::from_pem(include_str!("../../nstba-core/tests/fixtures/m2m/p256.pem")).unwrap();
    let borrowed = ClientAssertion::new(
        &demo_account(),
        DEMO_M2M_CLIENT_ID,
        "other-cert",
        Algorithm::ES256,
        other_key.clone(),
    )
    .unwrap()
    .build(NOW, "jti-borrowed")
    .unwrap();
    env.refused(
        &borrowed,
        401,
        "invalid_client",
        RejectReason::CertificateOfAnotherClient,
    )
    .await;
    // An iss no one registered.
    let ghost = ClientAssertion::new(
        &demo_account(),
        "ghost",
        "other-cert",
        Algorithm::ES256,
        other_key.clone(),
    )
    .unwrap()
    .build(NOW, "jti-ghost")
    .unwrap();
    env.refused(&ghost, 401, "invalid_client", RejectReason::UnknownClient)
        .await;

    // Scopes: known but not allowed for the client, and unknown.
    let not_allowed = good
        .clone()
        .with_scopes(["rest_webservices", "suite_analytics"])
        .unwrap()
        .build(NOW, "jti-scope")
        .unwrap();
    env.refused(
        &not_allowed,
        400,
        "invalid_grant",
        RejectReason::ScopeMismatched,
    )
    .await;
    let other_restlets = ClientAssertion::new(
        &demo_account(),
        "other-client",
        "other-cert",
        Algorithm::ES256,
        other_key,
    )
    .unwrap()
    .with_scopes(["restlets"])
    .unwrap()
    .build(NOW, "jti-scope-2")
    .unwrap();
    env.refused(
        &other_restlets,
        400,
        "invalid_grant",
        RejectReason::ScopeMismatched,
    )
    .await;
    let unknown_scope = good
        .clone()
        .with_scopes(["bogus"])
        .unwrap()
        .build(NOW, "jti-scope-3")
        .unwrap();
    env.refused(
        &unknown_scope,
        400,
        "invalid_grant",
        RejectReason::ScopeMismatched,
    )
    .await;

    // A replayed jti: accepted once, refused the second time.
    let once = good.build(NOW, "jti-once").unwrap();
    assert_eq!(env.token_request(&once).await.0, 200);
    env.refused(&once, 400, "invalid_grant", RejectReason::AssertionReplayed)
        .await;
    // The same jti with a new iat is still a replay (until the first one's exp has passed).
    let again = good.build(NOW + 10, "jti-once").unwrap();
    env.refused(
        &again,
        400,
        "invalid_grant",
        RejectReason::AssertionReplayed,
    )
    .await;

    // Not a JWT at all.
    env.refused(
        "abc.def",
        400,
        "invalid_request",
        RejectReason::MalformedTokenRequest,
    )
    .await;
}

#[tokio::test]
async fn a_token_request_must_be_a_client_credentials_form() {
    let env = start().await;
    let jwt = env.ns.m2m_assertion().build(NOW, "jti-form").unwrap();
    let body = token_request_body(&jwt);
    let without_grant = body.replace("grant_type=client_credentials&", "");
    let password_grant = body.replace("client_credentials", "password");
    let wrong_type = body.replace("jwt-bearer", "saml2-bearer");
    let twice = format!("{body}&grant_type=client_credentials");
    for bad in [
        without_grant,
        password_grant,
        wrong_type,
        twice,
        String::new(),
    ] {
        let seen = env.ns.audit_log().len();
        let (s, v) = env.post_form(bad.clone()).await;
        assert_eq!((s, v), (400, json!({"error": "invalid_request"})), "{bad}");
        assert_eq!(
            env.ns.audit_log_since(seen)[0].reason,
            RejectReason::MalformedTokenRequest
        );
    }
    // GET is not a token request.
    let r = env.http.get(env.ns.token_url()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "invalid_request"})
    );
    // The form itself, once right, still works (its jti was never consumed by the bad ones).
    assert_eq!(env.token_request(&jwt).await.0, 200);
}

#[tokio::test]
async fn bearer_tokens_open_rest_suiteql_and_restlets_by_scope() {
    let env = start().await;
    let both = env
        .token(&["rest_webservices", "restlets"], "jti-both")
        .await;
    let (s, v) = env.get(CUSTOMER, &both).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"], "1");
    let (s, v) = env.suiteql(&both).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["items"].as_array().is_some_and(|i| !i.is_empty()), "{v}");
    let (s, v) = env
        .get("/services/rest/record/v1/metadata-catalog", &both)
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = env.get(RESTLET, &both).await;
    assert_eq!((s, v), (200, json!({"method": "GET"})));
    assert!(env.ns.audit_log().is_empty());

    // rest_webservices only: REST yes, RESTlets no.
    let rest = env.token(&["rest_webservices"], "jti-rest").await;
    assert_eq!(env.get(CUSTOMER, &rest).await.0, 200);
    let (s, v) = env.get(RESTLET, &rest).await;
    assert_restlet_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::InsufficientScope);
    let entry = env.ns.audit_log().pop().unwrap();
    assert_eq!(entry.consumer_key.as_deref(), Some(DEMO_M2M_CLIENT_ID));
    assert!(
        !entry.to_string().contains(&rest),
        "the audit log holds the token"
    );

    // restlets only: RESTlets yes, REST and SuiteQL no.
    let restlets = env.token(&["restlets"], "jti-restlets").await;
    assert_eq!(env.get(RESTLET, &restlets).await.0, 200);
    let (s, v) = env.get(CUSTOMER, &restlets).await;
    assert_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::InsufficientScope);
    let (s, v) = env.suiteql(&restlets).await;
    assert_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::InsufficientScope);

    // A token never issued.
    let (s, v) = env.get(CUSTOMER, "not-a-token-we-issued").await;
    assert_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::UnknownAccessToken);
    let (s, v) = env.get(RESTLET, "not-a-token-we-issued").await;
    assert_restlet_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::UnknownAccessToken);

    // /rest/revoketoken is TBA only.
    let (s, v) = env.get("/rest/revoketoken", &both).await;
    assert_restlet_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::InsufficientScope);
}

#[tokio::test]
async fn bearer_tokens_expire() {
    let env = start_with(|b| b.access_token_lifetime(Duration::from_secs(60))).await;
    let jwt = env.ns.m2m_assertion().build(NOW, "jti-exp").unwrap();
    let (s, body) = env.token_request(&jwt).await;
    assert_eq!((s, body["expires_in"].clone()), (200, json!(60)));
    let token = body["access_token"].as_str().unwrap().to_owned();
    env.clock.store(NOW + 59, Ordering::SeqCst);
    assert_eq!(env.get(CUSTOMER, &token).await.0, 200);
    env.clock.store(NOW + 60, Ordering::SeqCst);
    let (s, v) = env.get(CUSTOMER, &token).await;
    assert_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::AccessTokenExpired);
    let (s, v) = env.get(RESTLET, &token).await;
    assert_restlet_invalid_login(s, &v);
    assert_eq!(env.last_reason(), RejectReason::AccessTokenExpired);
    // A fresh assertion at the new time gets a new token.
    let fresh = env.token(&["rest_webservices"], "jti-exp-2").await;
    assert_eq!(env.get(CUSTOMER, &fresh).await.0, 200);
}

#[tokio::test]
async fn bearer_requests_count_toward_the_concurrency_limit() {
    let env = start_with(|b| {
        b.concurrency_limit(1)
            .latency_for("/services/rest/record", Duration::from_millis(300))
    })
    .await;
    let token = env.token(&["rest_webservices"], "jti-conc").await;
    let (a, b) = tokio::join!(env.get(CUSTOMER, &token), env.get(CUSTOMER, &token));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 429]);
    assert_eq!(env.ns.counters().throttled, 1);
}

#[tokio::test]
async fn builder_rejects_unknown_scopes_and_the_key_stays_secret() {
    let key =
        PrivateKey::from_pem(include_str!("../../nstba-core/tests/fixtures/m2m/p256.pem")).unwrap();
    let err = MockNetSuite::builder()
        .m2m_client("c", "k", key.public_key(), ["everything"])
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("everything"), "{err}");

    // A key given to the builder is the one used; the PEM is never in Debug output.
    let pem = include_str!("../../nstba-core/tests/fixtures/m2m/p384.pem");
    let ns = MockNetSuite::builder()
        .m2m_private_key_pem(pem)
        .start()
        .await
        .unwrap();
    assert_eq!(ns.m2m_assertion().algorithm(), Algorithm::ES384);
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&ns.m2m_private_key_pem()),
        pem
    );
    for debug in [
        format!("{ns:?}"),
        format!("{:?}", ns.m2m_assertion()),
        format!("{:?}", ns.m2m_private_key_pem()),
        format!("{:?}", ns.m2m_private_key()),
    ] {
        assert!(
            !debug.contains("PRIVATE KEY") && !debug.contains("MI"),
            "{debug}"
        );
    }
    // write_private_key: owner-only.
    let path = std::env::temp_dir().join(format!("nstba-m2m-key-{}.pem", std::process::id()));
    ns.write_private_key(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        PrivateKey::from_pem_file(&path).unwrap().kind(),
        ns.m2m_private_key().kind()
    );
    std::fs::remove_file(&path).unwrap();
    // The generated demo key is a P-256 key, different per emulator.
    let a = MockNetSuite::builder().start().await.unwrap();
    let b = MockNetSuite::builder().start().await.unwrap();
    assert_eq!(a.m2m_assertion().algorithm(), Algorithm::ES256);
    assert_ne!(
        secrecy::ExposeSecret::expose_secret(&a.m2m_private_key_pem()),
        secrecy::ExposeSecret::expose_secret(&b.m2m_private_key_pem())
    );
}

/// PyJWT + cryptography: keys generated in Python, assertions signed in Python (ES256 and PS256
/// accepted, RS256 refused).
const PYJWT: &str = r#"
import json, sys, jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
job = json.load(sys.stdin)
ec_key = ec.generate_private_key(ec.SECP256R1())
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
def pub(k):
    return k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
def claims(jti):
    return {"iss": job["iss"], "scope": "rest_webservices", "aud": job["aud"], "iat": job["iat"], "exp": job["iat"] + 300, "jti": jti}
out = {
    "ec_pub": pub(ec_key),
    "rsa_pub": pub(rsa_key),
    "es256": jwt.encode(claims("py-es256"), ec_key, algorithm="ES256", headers={"kid": "py-ec", "typ": "JWT"}),
    "ps256": jwt.encode(claims("py-ps256"), rsa_key, algorithm="PS256", headers={"kid": "py-rsa", "typ": "JWT"}),
    "rs256": jwt.encode(claims("py-rs256"), rsa_key, algorithm="RS256", headers={"kid": "py-rsa", "typ": "JWT"}),
}
print(json.dumps(out))
"#;

fn run_pyjwt(job: &Value) -> Value {
    python::ensure_modules(&["jwt", "cryptography"], &["PyJWT", "cryptography"]);
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    const HINT: &str = "this test needs python3 with PyJWT and cryptography: python3 -m pip install PyJWT cryptography";
    let mut child = Command::new("python3")
        .args(["-c", PYJWT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); {HINT}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{HINT}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn pyjwt_assertions_are_accepted_and_its_rs256_is_refused() {
    let py = run_pyjwt(&json!({
        "iss": "py-client",
        "aud": token_url(&demo_account()),
        "iat": NOW,
    }));
    let ec = PublicKey::from_pem(py["ec_pub"].as_str().unwrap()).unwrap();
    let rsa = PublicKey::from_pem(py["rsa_pub"].as_str().unwrap()).unwrap();
    let env = start_with(|b| {
        b.m2m_client("py-client", "py-ec", ec, ["rest_webservices"])
            .m2m_client("py-client", "py-rsa", rsa, ["rest_webservices"])
    })
    .await;
    for alg in ["es256", "ps256"] {
        let (s, body) = env.token_request(py[alg].as_str().unwrap()).await;
        assert_eq!(s, 200, "{alg}: {body}");
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(env.get(CUSTOMER, token).await.0, 200, "{alg}");
    }
    env.refused(
        py["rs256"].as_str().unwrap(),
        401,
        "invalid_client",
        RejectReason::AlgorithmNotAllowed,
    )
    .await;
}

#[path = "../../nstba-core/tests/support/python.rs"]
mod python;
