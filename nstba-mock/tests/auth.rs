//! Every TBA rejection reason, the NLAuth token endpoints, and interop with an independent OAuth 1.0a
//! implementation (Python requests-oauthlib).

mod common;

use common::{Client, NOW};
use nstba_core::{AccountId, Credentials, FixedClock, Request, Stamp};
use nstba_mock::{MockNetSuite, RejectReason};
use serde_json::{json, Value};

const PATH: &str = "/services/rest/record/v1/customer/1";

async fn start() -> MockNetSuite {
    MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .demo_data()
        .start()
        .await
        .unwrap()
}

/// Sends `GET {base}{PATH}` with a raw Authorization header.
async fn get_with(ns: &MockNetSuite, auth: Option<&str>) -> (u16, Value) {
    let url = format!("{}{PATH}", ns.base_url());
    let mut req = reqwest::Client::new().get(&url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn creds(account: &str, ck: &str, cs: &str, tk: &str, ts: &str) -> Credentials {
    Credentials::new(AccountId::parse(account).unwrap(), ck, cs, tk, ts).unwrap()
}

fn assert_invalid_login(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    let detail = &body["o:errorDetails"][0];
    assert_eq!(detail["o:errorCode"], "INVALID_LOGIN", "{body}");
    let text = body.to_string();
    for hint in ["signature", "nonce", "timestamp", "realm", "revoked"] {
        assert!(
            !text.contains(hint),
            "the 401 must not hint at the reason: {text}"
        );
    }
}

fn last_reason(ns: &MockNetSuite) -> RejectReason {
    ns.audit_log().last().expect("an audit entry").reason
}

#[tokio::test]
async fn accepts_a_correctly_signed_request() {
    let ns = start().await;
    let c = Client::new(&ns.base_url(), ns.credentials());
    let (s, v) = c.json("GET", PATH, None).await;
    assert_eq!(s, 200, "{v}");
    // Query parameters are signed too, including percent-encoded and repeated ones.
    let (s, v) = c
        .json(
            "GET",
            "/services/rest/record/v1/customer?q=companyName%20START_WITH%20%22Acme%22&limit=5",
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["totalResults"], 1);
    assert!(ns.audit_log().is_empty());
    assert_eq!(ns.counters().authenticated, 2);
}

#[tokio::test]
async fn every_rejection_reason_is_a_bare_401_with_the_reason_in_the_audit_log() {
    let ns = start().await;
    let c = Client::new(&ns.base_url(), ns.credentials());
    let url = format!("{}{PATH}", ns.base_url());
    let good = c.auth("GET", &url);

    // Missing and malformed header.
    let (s, v) = get_with(&ns, None).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::MissingHeader);
    let (s, v) = get_with(&ns, Some("OAuth realm=unquoted")).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::MalformedHeader);
    let (s, v) = get_with(&ns, Some("Basic dXNlcjpwYXNz")).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::MalformedHeader);

    // Bad signature: one byte of the token secret differs.
    let mut ts = c.creds.clone();
    ts = creds(
        ts.account().realm(),
        ts.consumer_key(),
        "c0ffee00d15ea5e5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718",
        ts.token_id(),
        "deadbeef8badf00d0123456789abcdef0123456789abcdef0123456789abcdeX",
    );
    let bad = Client::new(&ns.base_url(), ts);
    let (s, v) = get_with(&ns, Some(&bad.auth("GET", &url))).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::BadSignature);

    // Wrong realm: lower case, host-label spelling, unknown account.
    for realm in ["1234567_sb1", "1234567-sb1", "7654321"] {
        let h = good.replace("realm=\"1234567_SB1\"", &format!("realm=\"{realm}\""));
        let (s, v) = get_with(&ns, Some(&h)).await;
        assert_invalid_login(s, &v);
        assert_eq!(last_reason(&ns), RejectReason::WrongRealm, "{realm}");
    }
    let h = good.replace("realm=\"1234567_SB1\", ", "");
    let (s, v) = get_with(&ns, Some(&h)).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::WrongRealm);

    // Unknown consumer, unknown token.
    let other = Client::new(
        &ns.base_url(),
        creds(
            "1234567_SB1",
            "unknownconsumer",
            "cs",
            c.creds.token_id(),
            "ts",
        ),
    );
    let (s, v) = get_with(&ns, Some(&other.auth("GET", &url))).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::UnknownConsumer);
    let other = Client::new(
        &ns.base_url(),
        creds(
            "1234567_SB1",
            c.creds.consumer_key(),
            "cs",
            "unknowntoken",
            "ts",
        ),
    );
    let (s, v) = get_with(&ns, Some(&other.auth("GET", &url))).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::UnknownToken);

    // Signature methods other than HMAC-SHA256.
    for m in ["HMAC-SHA1", "PLAINTEXT", "hmac-sha256"] {
        let h = c.auth("GET", &url).replace("HMAC-SHA256", m);
        let (s, v) = get_with(&ns, Some(&h)).await;
        assert_invalid_login(s, &v);
        assert_eq!(
            last_reason(&ns),
            RejectReason::UnsupportedSignatureMethod,
            "{m}"
        );
    }
    let h = c
        .auth("GET", &url)
        .replace("oauth_version=\"1.0\"", "oauth_version=\"2.0\"");
    let (s, v) = get_with(&ns, Some(&h)).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::UnsupportedVersion);

    // Timestamp: ±300 s is fine, 301 s is not.
    for (ts, ok) in [
        (NOW + 300, true),
        (NOW - 300, true),
        (NOW + 301, false),
        (NOW - 301, false),
    ] {
        let h = c.auth_with("GET", &url, ts, &c.nonce());
        let (s, v) = get_with(&ns, Some(&h)).await;
        if ok {
            assert_eq!(s, 200, "{ts}: {v}");
        } else {
            assert_invalid_login(s, &v);
            assert_eq!(last_reason(&ns), RejectReason::TimestampOutOfRange);
        }
    }

    // Nonce shorter than 6 characters (the signer refuses to make one, so edit the header).
    let n = c.nonce();
    let h = c.auth_with("GET", &url, NOW, &n).replace(&n, "abc12");
    let (s, v) = get_with(&ns, Some(&h)).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::InvalidNonce);

    // Nonce reused: the first use passes, the replay is rejected.
    let h = c.auth_with("GET", &url, NOW, "replayed0nce");
    assert_eq!(get_with(&ns, Some(&h)).await.0, 200);
    let (s, v) = get_with(&ns, Some(&h)).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::NonceReused);

    // Revoked token.
    ns.revoke_token(c.creds.token_id());
    let (s, v) = get_with(&ns, Some(&c.auth("GET", &url))).await;
    assert_invalid_login(s, &v);
    assert_eq!(last_reason(&ns), RejectReason::RevokedToken);

    // Counters and audit agree; no secret anywhere in the log.
    let counters = ns.counters();
    assert_eq!(counters.rejected as usize, ns.audit_log().len());
    assert_eq!(counters.rejections[&RejectReason::WrongRealm], 4);
    assert_eq!(
        counters.rejections[&RejectReason::UnsupportedSignatureMethod],
        3
    );
    let log = format!(
        "{:?} {}",
        ns.audit_log(),
        ns.audit_log()
            .iter()
            .map(|e| e.to_string())
            .collect::<String>()
    );
    for secret in ["c0ffee00d15ea5e5", "deadbeef8badf00d", "oauth_signature"] {
        assert!(!log.contains(secret), "{secret} leaked into the audit log");
    }
}

#[tokio::test]
async fn the_signature_covers_method_host_port_path_query_and_form_body() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .restlet("1", "1", |call| Ok(json!({"params": call.params.len()})))
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let base = ns.base_url();
    let port = ns.local_addr().port();
    let http = reqwest::Client::new();
    // Signed for one URL, sent to another.
    let cases = [
        (
            "GET",
            format!("{base}/services/rest/record/v1/customer?limit=5"),
            format!("{base}/services/rest/record/v1/customer?limit=6"),
        ),
        (
            "GET",
            format!("http://localhost:{port}/services/rest/record/v1/customer"),
            format!("{base}/services/rest/record/v1/customer"),
        ),
        (
            "GET",
            format!(
                "http://127.0.0.1:{}/services/rest/record/v1/customer",
                port + 1
            ),
            format!("{base}/services/rest/record/v1/customer"),
        ),
        (
            "GET",
            format!("{base}/services/rest/record/v1/customer"),
            format!("{base}/services/rest/record/v1/customer?extra=1"),
        ),
        (
            "POST",
            format!("{base}/services/rest/record/v1/customer"),
            format!("{base}/services/rest/record/v1/customer"),
        ),
        (
            "GET",
            format!("{base}/services/rest/record/v1/Customer"),
            format!("{base}/services/rest/record/v1/customer"),
        ),
    ];
    for (signed_method, signed_url, sent_url) in &cases {
        let auth = c.auth(signed_method, signed_url);
        let r = http
            .get(sent_url)
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            401,
            "{signed_method} {signed_url} → GET {sent_url}"
        );
        assert_eq!(last_reason(&ns), RejectReason::BadSignature);
    }
    // A form-encoded body is signed; changing it breaks the signature.
    let url = format!("{base}/app/site/hosting/restlet.nl?script=1&deploy=1");
    let stamp = Stamp::new(NOW, c.nonce()).unwrap();
    let signed = c
        .creds
        .key()
        .sign(
            &Request::new("POST", &url).form_body("a=1&b=two%20words"),
            &stamp,
        )
        .unwrap();
    let send = |body: &'static str, auth: String| {
        http.post(&url)
            .header("Authorization", auth)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let r = send("a=1&b=two%20words", signed.authorization().to_owned())
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let stamp = Stamp::new(NOW, c.nonce()).unwrap();
    let signed = c
        .creds
        .key()
        .sign(&Request::new("POST", &url).form_body("a=1"), &stamp)
        .unwrap();
    let r = send("a=2", signed.authorization().to_owned())
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_LOGIN_ATTEMPT");
    // A JSON body is never signed.
    let auth = c.auth("POST", &url);
    let r = http
        .post(&url)
        .header("Authorization", auth)
        .header("Content-Type", "application/json")
        .body("{\"x\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn several_accounts_and_tokens() {
    let a = creds("1111111", "ck_a", "cs_a", "tk_a", "ts_a");
    let b = creds("2222222_SB2", "ck_b", "cs_b", "tk_b", "ts_b");
    let a2 = creds("1111111", "ck_a", "cs_a", "tk_a2", "ts_a2");
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .credentials(a.clone())
        .credentials(b.clone())
        .credentials(a2.clone())
        .start()
        .await
        .unwrap();
    assert_eq!(ns.credentials().token_id(), "tk_a");
    for c in [&a, &b, &a2] {
        let client = Client::new(&ns.base_url(), c.clone());
        let (s, v) = client
            .json("GET", "/services/rest/record/v1/customer", None)
            .await;
        assert_eq!(s, 200, "{v}");
    }
    // Account A's token presented with account B's realm.
    let client = Client::new(&ns.base_url(), a.clone());
    let url = format!("{}/services/rest/record/v1/customer", ns.base_url());
    let h = client
        .auth("GET", &url)
        .replace("realm=\"1111111\"", "realm=\"2222222_SB2\"");
    let r = reqwest::Client::new()
        .get(&url)
        .header("Authorization", h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // The demo credentials are not registered when others are.
    let demo = Client::new(&ns.base_url(), MockNetSuite::demo_credentials());
    assert_eq!(
        demo.json("GET", "/services/rest/record/v1/customer", None)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn issue_and_revoke_tokens() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .user("1234567_SB1", "admin@example.com", "s3cret!", "3")
        .integration("1234567_SB1", "ck_other", "cs_other")
        .start()
        .await
        .unwrap();
    let demo = MockNetSuite::demo_credentials();
    let http = reqwest::Client::new();
    let issue = |ck: String, nlauth: String| {
        http.post(format!(
            "{}/rest/issuetoken?consumerKey={ck}",
            ns.restlet_url()
        ))
        .header("Authorization", nlauth)
        .send()
    };
    let nl = |acct: &str, email: &str, pw: &str, role: &str| {
        format!("NLAuth nlauth_account={acct}, nlauth_email={email}, nlauth_signature={pw}, nlauth_role={role}")
    };
    // Wrong password, unknown user, wrong role, wrong account, missing header.
    for h in [
        nl("1234567_SB1", "admin@example.com", "wrong", "3"),
        nl("1234567_SB1", "nobody@example.com", "s3cret!", "3"),
        nl("1234567_SB1", "admin@example.com", "s3cret!", "1000"),
        nl("7654321", "admin@example.com", "s3cret!", "3"),
    ] {
        let r = issue(demo.consumer_key().to_owned(), h).await.unwrap();
        assert_eq!(r.status().as_u16(), 401);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "INVALID_LOGIN_ATTEMPT");
        assert_eq!(last_reason(&ns), RejectReason::InvalidUserCredentials);
    }
    assert!(!format!("{:?}", ns.audit_log()).contains("s3cret"));
    // Unknown consumer.
    let r = issue(
        "nope".into(),
        nl("1234567-sb1", "ADMIN@example.com", "s3cret!", "3"),
    )
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(last_reason(&ns), RejectReason::UnknownConsumer);

    for (ck, cs) in [
        (
            demo.consumer_key(),
            "c0ffee00d15ea5e5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718",
        ),
        ("ck_other", "cs_other"),
    ] {
        let r = issue(
            ck.to_owned(),
            nl("1234567_SB1", "admin@example.com", "s3cret!", "3"),
        )
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        let (tid, tsec) = (
            v["tokenId"].as_str().unwrap(),
            v["tokenSecret"].as_str().unwrap(),
        );
        let issued = creds("1234567_SB1", ck, cs, tid, tsec);
        let c = Client::new(&ns.base_url(), issued);
        assert_eq!(
            c.json("GET", "/services/rest/record/v1/customer", None)
                .await
                .0,
            200
        );
        // Revoke the calling token; it stops working.
        let (s, _) = c.json("POST", "/rest/revoketoken", None).await;
        assert_eq!(s, 200);
        assert_eq!(
            c.json("GET", "/services/rest/record/v1/customer", None)
                .await
                .0,
            401
        );
        assert_eq!(last_reason(&ns), RejectReason::RevokedToken);
    }
    // revoketoken itself answers RESTlet-style errors.
    let (s, v) = Client::new(&ns.base_url(), creds("1234567_SB1", "x", "y", "z", "w"))
        .json("POST", "/rest/revoketoken", None)
        .await;
    assert_eq!(s, 401);
    assert_eq!(v["error"]["code"], "INVALID_LOGIN_ATTEMPT");
}

#[path = "../../nstba-core/tests/support/python.rs"]
mod python;

/// Python `requests-oauthlib`, an independent OAuth 1.0a implementation, signs requests that the
/// emulator must accept — and must reject when one byte of the secret, URL or a query parameter changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_with_requests_oauthlib() {
    python::ensure_modules(&["requests_oauthlib"], &["requests-oauthlib"]);
    // System clock: Python stamps with the real time.
    let ns = MockNetSuite::builder()
        .demo_data()
        .restlet("customscript_echo", "customdeploy_1", |call| {
            Ok(json!({"method": call.method, "body": call.body, "custom": call.param("custom")}))
        })
        .start()
        .await
        .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop.py");
    let base = ns.base_url();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .arg(&base)
            .args([
                "1234567_SB1",
                "7f3c1a9e2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8",
                "c0ffee00d15ea5e5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718",
                "4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d",
                "deadbeef8badf00d0123456789abcdef0123456789abcdef0123456789abcdef",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "interop.py failed\nstdout:\n{stdout}\nstderr:\n{stderr}\naudit: {:#?}",
        ns.audit_log()
    );
    assert!(stdout.contains("interop ok"), "{stdout}");
    // Every rejection the script provoked is a bad signature (or a changed-secret one).
    let log = ns.audit_log();
    assert!(!log.is_empty());
    assert!(
        log.iter().all(|e| e.reason == RejectReason::BadSignature),
        "{log:#?}"
    );
}

#[tokio::test]
async fn verify_signatures_off_still_checks_everything_else() {
    let ns = MockNetSuite::builder()
        .clock(FixedClock(NOW))
        .verify_signatures(false)
        .start()
        .await
        .unwrap();
    let c = Client::new(&ns.base_url(), ns.credentials());
    let url = format!("{}/services/rest/record/v1/customer", ns.base_url());
    // A wrong signature passes…
    let h = c.auth("GET", &format!("{url}?other=1"));
    let r = reqwest::Client::new()
        .get(&url)
        .header("Authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // …but a replay, a stale timestamp or a wrong realm do not.
    let r = reqwest::Client::new()
        .get(&url)
        .header("Authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(last_reason(&ns), RejectReason::NonceReused);
    let h = c.auth_with("GET", &url, NOW - 1000, &c.nonce());
    let r = reqwest::Client::new()
        .get(&url)
        .header("Authorization", &h)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(last_reason(&ns), RejectReason::TimestampOutOfRange);
}

#[tokio::test]
async fn listens_on_a_given_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ns = MockNetSuite::builder().port(port).start().await.unwrap();
    assert_eq!(ns.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(ns.restlet_url(), ns.base_url());
    // The port is taken now: a second emulator on it fails cleanly.
    let err = MockNetSuite::builder()
        .port(port)
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("I/O"), "{err}");
}
