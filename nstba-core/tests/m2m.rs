//! OAuth 2.0 M2M client assertions: building, key rules, verifying, token body/response, and interop
//! with PyJWT both ways. Fixed time and jti throughout; keys are test-only fixtures generated with
//! `openssl genpkey` (tests/fixtures/m2m).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use nstba_core::m2m::{
    parse_token_error, parse_token_response, token_request_body, token_url, verify_assertion,
    Algorithm, AssertionError, ClientAssertion, KeyKind, PrivateKey, PublicKey, Rejection,
    TokenErrorCode, TokenResponseError, DEFAULT_SKEW,
};
use nstba_core::{AccountId, FixedClock, NonceSource};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const NOW: u64 = 1_700_000_000;
const JTI: &str = "7f3c2a9e-jti-0001";
const CLIENT_ID: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
const KID: &str = "cert-Pq7_zX";
const AUD: &str =
    "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/m2m")
        .join(name)
}

fn pem(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn account() -> AccountId {
    AccountId::parse("1234567_SB1").unwrap()
}

/// The fixture key files for each algorithm: (private, public SPKI).
fn key_files(alg: Algorithm) -> (&'static str, &'static str) {
    match alg {
        Algorithm::PS256 | Algorithm::PS512 => ("rsa3072.pem", "rsa3072.pub.pem"),
        Algorithm::PS384 => ("rsa4096.pem", "rsa4096.pub.pem"),
        Algorithm::ES256 => ("p256.pem", "p256.pub.pem"),
        Algorithm::ES384 => ("p384.pem", "p384.pub.pem"),
        Algorithm::ES512 => ("p521.pem", "p521.pub.pem"),
    }
}

fn assertion(alg: Algorithm) -> ClientAssertion {
    let key = PrivateKey::from_pem_file(fixture(key_files(alg).0)).unwrap();
    ClientAssertion::new(&account(), CLIENT_ID, KID, alg, key)
        .unwrap()
        .with_scopes(["rest_webservices", "restlets"])
        .unwrap()
}

fn keys(alg: Algorithm) -> HashMap<String, PublicKey> {
    let public = PublicKey::from_pem(&pem(key_files(alg).1)).unwrap();
    HashMap::from([(KID.to_owned(), public)])
}

fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn expected_claims() -> Value {
    json!({
        "iss": CLIENT_ID,
        "scope": "rest_webservices,restlets",
        "aud": AUD,
        "iat": NOW,
        "exp": NOW + 300,
        "jti": JTI,
    })
}

/// Replaces one byte in the middle of the signature part, keeping it valid base64url.
fn tamper_signature(jwt: &str) -> String {
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let mid = raw.len() / 2;
    raw[mid] ^= 0x01;
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(raw))
}

#[test]
fn token_url_is_built_from_the_account() {
    assert_eq!(token_url(&account()), AUD);
    assert_eq!(assertion(Algorithm::ES256).audience(), AUD);
}

#[test]
fn round_trip_for_every_algorithm() {
    for alg in Algorithm::ALL {
        let builder = assertion(alg);
        let jwt = builder.build(NOW, JTI).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{alg}");
        assert_eq!(
            decode_part(parts[0]),
            json!({"typ": "JWT", "alg": alg.as_str(), "kid": KID}),
            "{alg}"
        );
        assert_eq!(decode_part(parts[1]), expected_claims(), "{alg}");
        // JWS signatures: RSA = modulus length; ECDSA = fixed-size r || s (not DER).
        let signature_len = URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len();
        let expected_len = match alg {
            Algorithm::PS256 | Algorithm::PS512 => 384,
            Algorithm::PS384 => 512,
            Algorithm::ES256 => 64,
            Algorithm::ES384 => 96,
            Algorithm::ES512 => 132,
        };
        assert_eq!(signature_len, expected_len, "{alg}");

        let verified = verify_assertion(&jwt, &keys(alg), AUD, NOW + 10, DEFAULT_SKEW).unwrap();
        assert_eq!(verified.algorithm, alg);
        assert_eq!(verified.kid, KID);
        assert_eq!(verified.claims, builder.claims(NOW, JTI).unwrap());
        assert_eq!(
            verified.claims.scopes(),
            vec!["rest_webservices", "restlets"]
        );
        // The public key derived from the private key verifies too.
        let derived = HashMap::from([(KID.to_owned(), builder.key().public_key())]);
        verify_assertion(&jwt, &derived, AUD, NOW, DEFAULT_SKEW).unwrap();

        let err = verify_assertion(&tamper_signature(&jwt), &keys(alg), AUD, NOW, DEFAULT_SKEW)
            .unwrap_err();
        assert_eq!(
            err,
            Rejection::BadSignature {
                kid: KID.to_owned(),
                alg
            },
            "{alg}"
        );
    }
}

#[test]
fn ecdsa_assertions_are_deterministic_and_pss_randomized() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let a = assertion(alg);
        assert_eq!(a.build(NOW, JTI).unwrap(), a.build(NOW, JTI).unwrap());
    }
    let a = assertion(Algorithm::PS256);
    let (x, y) = (a.build(NOW, JTI).unwrap(), a.build(NOW, JTI).unwrap());
    assert_eq!(x.rsplit_once('.').unwrap().0, y.rsplit_once('.').unwrap().0);
    assert_ne!(x, y, "PSS signatures use a random salt");
}

#[test]
fn lifetime_defaults_to_300_and_is_capped_at_3600() {
    let a = assertion(Algorithm::ES256);
    assert_eq!(a.lifetime(), 300);
    let a = a.with_lifetime(3600).unwrap();
    assert_eq!(a.claims(NOW, JTI).unwrap().exp, NOW + 3600);
    let jwt = a.build(NOW, JTI).unwrap();
    verify_assertion(&jwt, &keys(Algorithm::ES256), AUD, NOW, DEFAULT_SKEW).unwrap();
    for bad in [0, 3601, u64::MAX] {
        let err = assertion(Algorithm::ES256).with_lifetime(bad).unwrap_err();
        assert_eq!(err, AssertionError::InvalidLifetime { seconds: bad });
        assert!(err.to_string().contains(&bad.to_string()), "{err}");
    }
}

#[test]
fn rs256_and_other_algorithms_are_refused_by_name() {
    for name in ["RS256", "RS512", "HS256", "none", "EdDSA", "ps256", ""] {
        let err = Algorithm::parse(name).unwrap_err();
        assert_eq!(
            err,
            AssertionError::UnsupportedAlgorithm {
                alg: name.to_owned()
            }
        );
        let text = err.to_string();
        assert!(text.contains(&format!("{name:?}")), "{text}");
        assert!(text.contains("no longer accepts RS256"), "{text}");
        assert!(
            text.contains("PS256, PS384, PS512, ES256, ES384, ES512"),
            "{text}"
        );
    }
    for alg in Algorithm::ALL {
        assert_eq!(alg.as_str().parse::<Algorithm>().unwrap(), alg);
    }
}

#[test]
fn rsa_2048_is_refused_naming_the_size() {
    let err = PrivateKey::from_pem_file(fixture("rsa2048.pem")).unwrap_err();
    let AssertionError::RsaKeySize { origin, bits } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*bits, 2048);
    assert!(origin.ends_with("rsa2048.pem"), "{origin}");
    assert!(err.to_string().contains("2048 bits"), "{err}");
    assert!(err.to_string().contains("3072 or 4096"), "{err}");
}

#[test]
fn the_key_must_fit_the_algorithm() {
    let cases = [
        ("p256.pem", Algorithm::ES384, KeyKind::P256),
        ("p384.pem", Algorithm::ES256, KeyKind::P384),
        ("p256.pem", Algorithm::ES512, KeyKind::P256),
        ("p521.pem", Algorithm::ES384, KeyKind::P521),
        ("p256.pem", Algorithm::PS256, KeyKind::P256),
        ("rsa3072.pem", Algorithm::ES256, KeyKind::Rsa { bits: 3072 }),
    ];
    for (file, alg, kind) in cases {
        let key = PrivateKey::from_pem(&pem(file)).unwrap();
        assert_eq!(key.kind(), kind);
        assert!(!alg.fits(kind));
        let err = ClientAssertion::new(&account(), CLIENT_ID, KID, alg, key).unwrap_err();
        let AssertionError::KeyAlgorithmMismatch { algorithm, key, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*algorithm, *key), (alg, kind));
        assert!(
            err.to_string().starts_with(&format!("{alg} needs ")),
            "{err}"
        );
    }
    assert_eq!(
        ClientAssertion::new(
            &account(),
            CLIENT_ID,
            KID,
            Algorithm::ES384,
            PrivateKey::from_pem(&pem("p256.pem")).unwrap()
        )
        .unwrap_err()
        .to_string(),
        "ES384 needs a P-384 key, but the key is a P-256 key"
    );
}

#[test]
fn every_pem_form_is_read_and_others_refused_without_content() {
    // PKCS#1 RSA and SEC1 EC private keys.
    let rsa = PrivateKey::from_pem(&pem("rsa3072.pkcs1.pem")).unwrap();
    assert_eq!(rsa.kind(), KeyKind::Rsa { bits: 3072 });
    let ec = PrivateKey::from_pem(&pem("p384.sec1.pem")).unwrap();
    assert_eq!(ec.kind(), KeyKind::P384);
    // The PKCS#1 form is the same key as the PKCS#8 form: it verifies assertions of the other.
    let jwt = assertion(Algorithm::PS256).build(NOW, JTI).unwrap();
    let from_pkcs1 = HashMap::from([(KID.to_owned(), rsa.public_key())]);
    verify_assertion(&jwt, &from_pkcs1, AUD, NOW, DEFAULT_SKEW).unwrap();
    // `openssl ecparam -genkey` puts an EC PARAMETERS block first.
    let with_params = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
        pem("p384.sec1.pem")
    );
    assert_eq!(
        PrivateKey::from_pem(&with_params).unwrap().kind(),
        KeyKind::P384
    );

    // Certificates and SPKI public keys.
    for (file, kind) in [
        ("p256.crt.pem", KeyKind::P256),
        ("rsa3072.crt.pem", KeyKind::Rsa { bits: 3072 }),
        ("p521.pub.pem", KeyKind::P521),
        ("rsa4096.pub.pem", KeyKind::Rsa { bits: 4096 }),
    ] {
        assert_eq!(
            PublicKey::from_pem(&pem(file)).unwrap().kind(),
            kind,
            "{file}"
        );
    }
    let certified = HashMap::from([(
        KID.to_owned(),
        PublicKey::from_pem(&pem("rsa3072.crt.pem")).unwrap(),
    )]);
    verify_assertion(&jwt, &certified, AUD, NOW, DEFAULT_SKEW).unwrap();

    // Refusals: every message names the origin and the problem, never the key's text.
    let private_pem = pem("p256.pem");
    let body_line = private_pem.lines().nth(1).unwrap().to_owned();
    let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let truncated = private_pem.replace(&body_line, &body_line[..body_line.len() / 2]);
    for (input, needle) in [
        (pem("p256.pub.pem"), "is a PEM \"PUBLIC KEY\" block"),
        (encrypted.to_owned(), "is encrypted"),
        ("hello".to_owned(), "is not PEM text"),
        (truncated, "is not valid PEM"),
        (
            private_pem.replace("-----END PRIVATE KEY-----", ""),
            "no matching END line",
        ),
    ] {
        let err = PrivateKey::from_pem(&input).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("the private key "), "{text}");
        assert!(text.contains(needle), "{text}");
        assert!(!text.contains(&body_line[..20]), "{text}");
        assert!(!format!("{err:?}").contains(&body_line[..20]), "{err:?}");
    }
    let err = PublicKey::from_pem(&private_pem).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the public key is a PEM \"PRIVATE KEY\" block"),
        "{err}"
    );

    let missing = fixture("does-not-exist.pem");
    let err = PrivateKey::from_pem_file(&missing).unwrap_err();
    assert!(
        matches!(err, AssertionError::UnreadableKey { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(&format!(
            "cannot read the private key at {}",
            missing.display()
        )),
        "{err}"
    );
}

#[test]
fn keys_and_assertions_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<PrivateKey>();
    shareable::<PublicKey>();
    shareable::<ClientAssertion>();
}

#[test]
fn crlf_pem_and_a_named_origin() {
    let crlf = pem("p256.pem").replace('\n', "\r\n");
    assert_eq!(PrivateKey::from_pem(&crlf).unwrap().kind(), KeyKind::P256);
    let err = PrivateKey::from_pem_with_origin("nope", "the private key in NS_M2M_PRIVATE_KEY")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the private key in NS_M2M_PRIVATE_KEY is not PEM text (no \"-----BEGIN\" line)"
    );
}

#[test]
fn debug_never_shows_key_material() {
    for file in ["rsa3072.pem", "p256.pem", "p521.pem"] {
        let text = pem(file);
        let body_line = text.lines().nth(1).unwrap();
        let key = PrivateKey::from_pem_file(fixture(file)).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.starts_with("PrivateKey { kind: "), "{debug}");
        assert!(debug.contains(file), "{debug}");
        assert!(!debug.contains(&body_line[..16]), "{debug}");
        let a = ClientAssertion::new(&account(), CLIENT_ID, KID, Algorithm::ALL[0], key);
        if let Ok(a) = a {
            let debug = format!("{a:?}");
            assert!(debug.contains(CLIENT_ID) && !debug.contains(&body_line[..16]));
        }
    }
}

#[test]
fn identifiers_and_scopes_are_checked() {
    let key = || PrivateKey::from_pem(&pem("p256.pem")).unwrap();
    for (iss, kid, name) in [
        ("", KID, "iss"),
        (CLIENT_ID, " ", "kid"),
        ("a\nb", KID, "iss"),
    ] {
        let err = ClientAssertion::new(&account(), iss, kid, Algorithm::ES256, key()).unwrap_err();
        assert!(
            matches!(&err, AssertionError::InvalidClaim { name: n, .. } if *n == name),
            "{err:?}"
        );
    }
    let a = ClientAssertion::new(&account(), CLIENT_ID, KID, Algorithm::ES256, key()).unwrap();
    assert_eq!(a.scope(), "rest_webservices");
    for bad in [
        vec!["rest_webservices,restlets"],
        vec![""],
        vec![],
        vec!["a b"],
    ] {
        let err = a.clone().with_scopes(bad.clone()).unwrap_err();
        assert!(
            matches!(&err, AssertionError::InvalidClaim { name: "scope", .. }),
            "{bad:?}: {err:?}"
        );
    }
    let a = a
        .with_scopes(["rest_webservices", "restlets", "suite_analytics"])
        .unwrap();
    assert_eq!(a.scope(), "rest_webservices,restlets,suite_analytics");
    assert!(matches!(
        a.build(NOW, "").unwrap_err(),
        AssertionError::InvalidClaim { name: "jti", .. }
    ));
}

struct Counter;
impl NonceSource for Counter {
    fn nonce(&self) -> String {
        "fixed-jti-42".to_owned()
    }
}

#[test]
fn build_with_injected_clock_and_nonce_and_build_now() {
    let a = assertion(Algorithm::ES256);
    let jwt = a.build_with(&FixedClock(NOW), &Counter).unwrap();
    assert_eq!(jwt, a.build(NOW, "fixed-jti-42").unwrap());
    // build_now: the system clock and a random 24-character jti, different each time.
    let (x, y) = (a.build_now().unwrap(), a.build_now().unwrap());
    let claims = |jwt: &str| decode_part(jwt.split('.').nth(1).unwrap());
    let (cx, cy) = (claims(&x), claims(&y));
    assert_ne!(cx["jti"], cy["jti"]);
    assert_eq!(cx["jti"].as_str().unwrap().len(), 24);
    let iat = cx["iat"].as_u64().unwrap();
    assert!(iat > NOW, "system time {iat}");
    verify_assertion(&x, &keys(Algorithm::ES256), AUD, iat, 0).unwrap();
}

#[test]
fn verifier_rejections() {
    let jwt = assertion(Algorithm::ES256).build(NOW, JTI).unwrap();
    let keys = keys(Algorithm::ES256);
    let verify = |jwt: &str, aud: &str, now: u64| verify_assertion(jwt, &keys, aud, now, 300);

    verify(&jwt, AUD, NOW).unwrap();
    // Wrong audience (another account's token URL).
    let other = token_url(&AccountId::parse("7654321").unwrap());
    assert_eq!(
        verify(&jwt, &other, NOW).unwrap_err(),
        Rejection::WrongAudience {
            expected: other.clone(),
            found: AUD.to_owned()
        }
    );
    // Expiry with 300 s of skew: exp = NOW + 300, so still fine at NOW + 600, not at NOW + 601.
    verify(&jwt, AUD, NOW + 600).unwrap();
    assert_eq!(
        verify(&jwt, AUD, NOW + 601).unwrap_err(),
        Rejection::Expired {
            exp: NOW + 300,
            now: NOW + 601,
            skew: 300
        }
    );
    // Issued in the future beyond the skew.
    verify(&jwt, AUD, NOW - 300).unwrap();
    assert_eq!(
        verify(&jwt, AUD, NOW - 301).unwrap_err(),
        Rejection::IssuedInFuture {
            iat: NOW,
            now: NOW - 301,
            skew: 300
        }
    );
    // Unknown kid.
    let other_kid = ClientAssertion::new(
        &account(),
        CLIENT_ID,
        "other-cert",
        Algorithm::ES256,
        PrivateKey::from_pem(&pem("p256.pem")).unwrap(),
    )
    .unwrap()
    .build(NOW, JTI)
    .unwrap();
    assert_eq!(
        verify(&other_kid, AUD, NOW).unwrap_err(),
        Rejection::UnknownKid {
            kid: "other-cert".to_owned()
        }
    );
    // The key under the kid does not fit the algorithm.
    let es384 = ClientAssertion::new(
        &account(),
        CLIENT_ID,
        KID,
        Algorithm::ES384,
        PrivateKey::from_pem(&pem("p384.pem")).unwrap(),
    )
    .unwrap()
    .build(NOW, JTI)
    .unwrap();
    assert_eq!(
        verify(&es384, AUD, NOW).unwrap_err(),
        Rejection::KeyAlgorithmMismatch {
            kid: KID.to_owned(),
            alg: Algorithm::ES384,
            key: KeyKind::P256
        }
    );
    // Claims changed after signing.
    let (head, rest) = jwt.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let mut claims = expected_claims();
    claims["scope"] = json!("rest_webservices,restlets,suite_analytics");
    let forged = format!(
        "{head}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    assert!(matches!(
        verify(&forged, AUD, NOW).unwrap_err(),
        Rejection::BadSignature { .. }
    ));
    // alg replaced by none / RS256 / HS256 in the header.
    for alg in ["none", "RS256", "HS256"] {
        let header = URL_SAFE_NO_PAD.encode(json!({"typ":"JWT","alg":alg,"kid":KID}).to_string());
        let swapped = format!("{header}.{rest}");
        assert_eq!(
            verify(&swapped, AUD, NOW).unwrap_err(),
            Rejection::AlgorithmNotAllowed {
                alg: alg.to_owned()
            }
        );
    }
    // No kid.
    let header = URL_SAFE_NO_PAD.encode(json!({"typ":"JWT","alg":"ES256"}).to_string());
    assert_eq!(
        verify(&format!("{header}.{rest}"), AUD, NOW).unwrap_err(),
        Rejection::MissingKid
    );
    // Malformed inputs.
    for bad in [
        "",
        "a.b",
        "a.b.c.d",
        "!!!.b.c",
        &format!("{}.e30.AA", URL_SAFE_NO_PAD.encode("[]")),
        &format!("{head}.{rest}x"),
    ] {
        let err = verify(bad, AUD, NOW).unwrap_err();
        assert!(matches!(err, Rejection::Malformed { .. }), "{bad}: {err:?}");
    }
}

#[test]
fn token_request_body_and_responses() {
    let jwt = assertion(Algorithm::ES256).build(NOW, JTI).unwrap();
    assert_eq!(
        token_request_body(&jwt),
        format!("grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={jwt}")
    );

    let token = parse_token_response(
        br#"{"access_token":"eyJ.secret.tok","expires_in":3600,"token_type":"bearer"}"#,
    )
    .unwrap();
    assert_eq!(token.expires_in(), 3600);
    assert_eq!(token.expires_at(NOW), NOW + 3600);
    assert_eq!(token.token_type(), "bearer");
    assert_eq!(token.authorization(), "Bearer eyJ.secret.tok");
    assert!(!format!("{token:?}").contains("secret.tok"));
    let token =
        parse_token_response(br#"{"access_token":"t","expires_in":"1800","token_type":"Bearer"}"#)
            .unwrap();
    assert_eq!(token.expires_in(), 1800);

    for (body, code, description) in [
        (
            r#"{"error":"invalid_grant"}"#,
            TokenErrorCode::InvalidGrant,
            None,
        ),
        (
            r#"{"error":"invalid_client","error_description":"bad sig"}"#,
            TokenErrorCode::InvalidClient,
            Some("bad sig"),
        ),
        (
            r#"{"error":"invalid_request"}"#,
            TokenErrorCode::InvalidRequest,
            None,
        ),
        (
            r#"{"error":"weird_thing"}"#,
            TokenErrorCode::Other("weird_thing".to_owned()),
            None,
        ),
    ] {
        let Err(TokenResponseError::Refused(err)) = parse_token_response(body.as_bytes()) else {
            panic!("{body}")
        };
        assert_eq!(err.code, code);
        assert_eq!(err.description.as_deref(), description);
        assert_eq!(parse_token_error(body.as_bytes()), Some(err.clone()));
        assert!(err.to_string().contains(code.as_str()), "{err}");
    }
    assert_eq!(
        parse_token_error(br#"{"error":"invalid_grant","error_description":"x"}"#)
            .unwrap()
            .to_string(),
        "token request refused: invalid_grant (x)"
    );
    assert_eq!(parse_token_error(b"<html>"), None);
    assert_eq!(parse_token_error(br#"{"access_token":"t"}"#), None);

    for body in [
        &b"<html>oops</html>"[..],
        br#"{"access_token":"s3cr3t","token_type":"bearer"}"#,
        br#"{"access_token":"s3cr3t","expires_in":"soon","token_type":"bearer"}"#,
        br#"{"access_token":"s3cr3t","expires_in":-1,"token_type":"bearer"}"#,
        br#"{"access_token":"s3cr3t","expires_in":3600,"token_type":"mac"}"#,
        br#"{"access_token":"s3cr3t","expires_in":3600}"#,
        br#"{"access_token":"","expires_in":3600,"token_type":"bearer"}"#,
        br#"{"expires_in":3600,"token_type":"bearer"}"#,
        br#"{"access_token":"s3cr3t","expires_in":3600,"token_type":7}"#,
        br#"{"access_token":["s3cr3t"],"expires_in":3600,"token_type":"bearer"}"#,
    ] {
        let err = parse_token_response(body).unwrap_err();
        assert!(
            matches!(err, TokenResponseError::Malformed { .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }
}

// ---- interop with PyJWT + cryptography ----

/// Runs tests/m2m_interop.py with `job` on stdin. Fails (never skips) when Python or its modules are
/// missing.
fn run_python(job: &Value) -> Value {
    python::ensure_modules(&["jwt", "cryptography"], &["PyJWT", "cryptography"]);
    const HINT: &str = "this test needs python3 with PyJWT and cryptography: python3 -m pip install PyJWT cryptography";
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/m2m_interop.py");
    let mut child = Command::new("python3")
        .arg(&script)
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() != Some(3),
        "{stderr}\n{HINT} (pip install PyJWT cryptography)"
    );
    assert!(
        out.status.success(),
        "m2m_interop.py failed ({}):\n{stderr}",
        out.status
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn m2m_interop_with_pyjwt() {
    // (a) Our assertions, verified by PyJWT: header and every claim compared exactly.
    let mut verify_items = Vec::new();
    for alg in Algorithm::ALL {
        let jwt = assertion(alg).build(NOW, JTI).unwrap();
        verify_items.push(json!({
            "name": alg.as_str(),
            "alg": alg.as_str(),
            "public_key": fixture(key_files(alg).1),
            "jwt": jwt,
            "kid": KID,
            "claims": expected_claims(),
        }));
    }

    // (b) PyJWT's assertions, judged by our verifier.
    let claims = |aud: &str, iat: u64, exp: u64| json!({"iss": CLIENT_ID, "scope": "rest_webservices,restlets", "aud": aud, "iat": iat, "exp": exp, "jti": JTI});
    let sign_item = |name: &str, alg: &str, key: &str, kid: &str, claims: Value| json!({"name": name, "alg": alg, "private_key": fixture(key), "kid": kid, "claims": claims});
    let mut sign_items = Vec::new();
    for alg in Algorithm::ALL {
        let name = alg.as_str();
        sign_items.push(sign_item(
            name,
            name,
            key_files(alg).0,
            KID,
            claims(AUD, NOW, NOW + 300),
        ));
    }
    let other_aud = token_url(&AccountId::parse("7654321").unwrap());
    sign_items.extend([
        sign_item(
            "wrong_aud",
            "ES256",
            "p256.pem",
            KID,
            claims(&other_aud, NOW, NOW + 300),
        ),
        sign_item(
            "expired",
            "PS256",
            "rsa3072.pem",
            KID,
            claims(AUD, NOW - 4000, NOW - 3700),
        ),
        sign_item(
            "future",
            "ES256",
            "p256.pem",
            KID,
            claims(AUD, NOW + 1000, NOW + 1300),
        ),
        sign_item(
            "too_long",
            "ES256",
            "p256.pem",
            KID,
            claims(AUD, NOW, NOW + 3601),
        ),
        sign_item(
            "rs256",
            "RS256",
            "rsa3072.pem",
            KID,
            claims(AUD, NOW, NOW + 300),
        ),
        sign_item(
            "unknown_kid",
            "ES256",
            "p256.pem",
            "nobody",
            claims(AUD, NOW, NOW + 300),
        ),
        sign_item(
            "other_key",
            "ES384",
            "p384.pem",
            KID,
            claims(AUD, NOW, NOW + 300),
        ),
    ]);

    let answer = run_python(&json!({"verify": verify_items, "sign": sign_items}));
    let verified: Vec<&str> = answer["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        verified,
        Algorithm::ALL.map(Algorithm::as_str).to_vec(),
        "PyJWT verified our assertions"
    );

    let signed = |name: &str| answer["signed"][name].as_str().unwrap().to_owned();
    let verify_with = |jwt: &str, alg: Algorithm| verify_assertion(jwt, &keys(alg), AUD, NOW, 300);
    for alg in Algorithm::ALL {
        let jwt = signed(alg.as_str());
        let verified = verify_with(&jwt, alg).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.algorithm, alg);
        assert_eq!(verified.kid, KID);
        assert_eq!(
            serde_json::to_value(&verified.claims).unwrap(),
            expected_claims(),
            "{alg}"
        );
        let err = verify_with(&tamper_signature(&jwt), alg).unwrap_err();
        assert_eq!(
            err,
            Rejection::BadSignature {
                kid: KID.into(),
                alg
            }
        );
    }
    assert_eq!(
        verify_with(&signed("wrong_aud"), Algorithm::ES256).unwrap_err(),
        Rejection::WrongAudience {
            expected: AUD.into(),
            found: other_aud
        }
    );
    assert_eq!(
        verify_with(&signed("expired"), Algorithm::PS256).unwrap_err(),
        Rejection::Expired {
            exp: NOW - 3700,
            now: NOW,
            skew: 300
        }
    );
    assert_eq!(
        verify_with(&signed("future"), Algorithm::ES256).unwrap_err(),
        Rejection::IssuedInFuture {
            iat: NOW + 1000,
            now: NOW,
            skew: 300
        }
    );
    assert_eq!(
        verify_with(&signed("too_long"), Algorithm::ES256).unwrap_err(),
        Rejection::BadLifetime {
            iat: NOW,
            exp: NOW + 3601
        }
    );
    assert_eq!(
        verify_with(&signed("rs256"), Algorithm::PS256).unwrap_err(),
        Rejection::AlgorithmNotAllowed {
            alg: "RS256".into()
        }
    );
    assert_eq!(
        verify_with(&signed("unknown_kid"), Algorithm::ES256).unwrap_err(),
        Rejection::UnknownKid {
            kid: "nobody".into()
        }
    );
    // Signed with a P-384 key under our P-256 kid: the header says ES384, the key cannot verify it.
    assert_eq!(
        verify_with(&signed("other_key"), Algorithm::ES256).unwrap_err(),
        Rejection::KeyAlgorithmMismatch {
            kid: KID.into(),
            alg: Algorithm::ES384,
            key: KeyKind::P256
        }
    );
}

#[path = "support/python.rs"]
mod python;
