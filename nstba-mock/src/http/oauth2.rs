//! OAuth 2.0 client credentials (machine-to-machine): the token endpoint's checks and the bearer
//! tokens it issues.
//!
//! The token endpoint verifies the client assertion as NetSuite does (see `API.md`, "OAuth 2.0"):
//! the certificate (`kid`) is registered and belongs to the client named by `iss`, the algorithm is
//! one of PS256/384/512 and ES256/384/512, the signature verifies, `aud` is the token URL, the lifetime
//! is at most 3600 s, the clock is within ±300 s, every scope is known and allowed for the client, and
//! the `jti` was not used before. The answer to a failure carries only the OAuth error code; the reason
//! goes to the audit log.

use super::audit::{RejectReason, Rejection};
use crate::api::Caller;
use nstba_core::m2m::{
    token_url, verify_assertion, PublicKey, Rejection as AssertionRejection, VerifiedAssertion,
    CLIENT_ASSERTION_TYPE, DEFAULT_SKEW,
};
use nstba_core::AccountId;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// The path of the token endpoint (the same on NetSuite's host and on the emulator).
pub const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// The scopes NetSuite knows.
pub const KNOWN_SCOPES: [&str; 3] = ["rest_webservices", "restlets", "suite_analytics"];

/// The scope REST record calls, SuiteQL and the metadata catalog need.
pub(crate) const SCOPE_REST: &str = "rest_webservices";
/// The scope RESTlet calls need.
pub(crate) const SCOPE_RESTLETS: &str = "restlets";

/// One registered certificate of an M2M client.
#[derive(Clone)]
pub(crate) struct M2mRegistration {
    pub account: AccountId,
    pub client_id: String,
    pub certificate_id: String,
    pub key: PublicKey,
    pub scopes: Vec<String>,
}

/// What a registered client may do.
struct Client {
    account: AccountId,
    scopes: BTreeSet<String>,
}

/// An access token issued by the token endpoint.
struct Bearer {
    realm: String,
    client_id: String,
    scopes: BTreeSet<String>,
    expires_at: u64,
}

/// A token request that failed: the HTTP status, the OAuth error code, and the audit entry.
pub(crate) struct TokenFailure {
    pub status: u16,
    pub error: &'static str,
    pub rejection: Box<Rejection>,
}

/// An issued access token.
pub(crate) struct Issued {
    pub access_token: String,
    pub expires_in: u64,
}

/// Seen `jti`s, remembered until their assertion's `exp` (plus the skew) has passed.
#[derive(Default)]
struct JtiCache {
    seen: HashMap<(String, String), u64>,
    last_prune: u64,
}

/// The M2M side of the gate.
pub(crate) struct OAuth2 {
    /// certificate id → public key.
    keys: HashMap<String, PublicKey>,
    /// certificate id → client id.
    owners: HashMap<String, String>,
    /// client id → account and allowed scopes.
    clients: HashMap<String, Client>,
    /// Access token lifetime, in seconds.
    lifetime: u64,
    jtis: Mutex<JtiCache>,
    tokens: Mutex<TokenStore>,
}

#[derive(Default)]
struct TokenStore {
    tokens: HashMap<String, Bearer>,
    last_prune: u64,
    /// Access tokens issued since start (or the last counter reset).
    issued: u64,
}

fn rejection(
    reason: RejectReason,
    detail: String,
    account: Option<&str>,
    client: Option<&str>,
) -> Rejection {
    Rejection {
        reason,
        detail,
        realm: account.map(str::to_owned),
        consumer_key: client.map(str::to_owned),
        token_id: None,
    }
}

impl OAuth2 {
    /// Access tokens issued since start or the last [`OAuth2::reset_issued`].
    pub fn issued(&self) -> u64 {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).issued
    }

    /// Zeroes the issued-token count.
    pub fn reset_issued(&self) {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner()).issued = 0;
    }

    /// Registers the certificates; a client registered twice gets the union of the scopes.
    pub fn new(registrations: Vec<M2mRegistration>, lifetime: u64) -> OAuth2 {
        let mut keys = HashMap::new();
        let mut owners = HashMap::new();
        let mut clients: HashMap<String, Client> = HashMap::new();
        for r in registrations {
            keys.insert(r.certificate_id.clone(), r.key);
            owners.insert(r.certificate_id, r.client_id.clone());
            let client = clients.entry(r.client_id).or_insert_with(|| Client {
                account: r.account.clone(),
                scopes: BTreeSet::new(),
            });
            client.scopes.extend(r.scopes);
        }
        OAuth2 {
            keys,
            owners,
            clients,
            lifetime: lifetime.max(1),
            jtis: Mutex::new(JtiCache::default()),
            tokens: Mutex::new(TokenStore::default()),
        }
    }

    /// The realms of the accounts M2M clients belong to.
    pub fn realms(&self) -> impl Iterator<Item = &str> {
        self.clients.values().map(|c| c.account.realm())
    }

    /// Handles a token request: the form `body`, the emulator's own token URL (`http://{Host}` +
    /// [`TOKEN_PATH`], also accepted as `aud`), the emulator clock `now`.
    pub fn token(&self, body: &[u8], own_url: &str, now: u64) -> Result<Issued, TokenFailure> {
        let fail =
            |status, error, reason, detail: String, account: Option<&str>, client: Option<&str>| {
                TokenFailure {
                    status,
                    error,
                    rejection: Box::new(rejection(reason, detail, account, client)),
                }
            };
        let bad_request = |detail: String| {
            fail(
                400,
                "invalid_request",
                RejectReason::MalformedTokenRequest,
                detail,
                None,
                None,
            )
        };
        let mut grant_type = None;
        let mut assertion_type = None;
        let mut assertion = None;
        for (k, v) in url::form_urlencoded::parse(body) {
            let slot = match k.as_ref() {
                "grant_type" => &mut grant_type,
                "client_assertion_type" => &mut assertion_type,
                "client_assertion" => &mut assertion,
                _ => continue,
            };
            if slot.is_some() {
                return Err(bad_request(format!("the parameter {k} is repeated")));
            }
            *slot = Some(v.into_owned());
        }
        match grant_type.as_deref() {
            Some("client_credentials") => {}
            Some(other) => {
                return Err(bad_request(format!(
                    "grant_type {other:?} (only client_credentials is emulated)"
                )))
            }
            None => return Err(bad_request("no grant_type".into())),
        }
        match assertion_type.as_deref() {
            Some(CLIENT_ASSERTION_TYPE) => {}
            Some(other) => {
                return Err(bad_request(format!(
                    "client_assertion_type {other:?} (expected {CLIENT_ASSERTION_TYPE})"
                )))
            }
            None => return Err(bad_request("no client_assertion_type".into())),
        }
        let Some(jwt) = assertion.filter(|a| !a.is_empty()) else {
            return Err(bad_request("no client_assertion".into()));
        };

        let verified = self.verify(&jwt, own_url, now).map_err(|(rej, account)| {
            let (status, error, reason) = classify(&rej);
            fail(
                status,
                error,
                reason,
                rej.to_string(),
                account.as_deref(),
                None,
            )
        })?;
        let claims = &verified.claims;
        let client_id = claims.iss.as_str();
        let Some(client) = self.clients.get(client_id) else {
            return Err(fail(
                401,
                "invalid_client",
                RejectReason::UnknownClient,
                format!("client id (iss) {client_id:?} is not registered"),
                None,
                Some(client_id),
            ));
        };
        let realm = client.account.realm();
        if self.owners.get(&verified.kid).map(String::as_str) != Some(client_id) {
            return Err(fail(
                401,
                "invalid_client",
                RejectReason::CertificateOfAnotherClient,
                format!(
                    "certificate id (kid) {:?} belongs to another client than {client_id:?}",
                    verified.kid
                ),
                Some(realm),
                Some(client_id),
            ));
        }
        let real_url = token_url(&client.account);
        if claims.aud != real_url && claims.aud != own_url {
            return Err(fail(
                400,
                "invalid_grant",
                RejectReason::WrongAudience,
                format!(
                    "aud {:?} is not the token URL of the client's account ({real_url:?} or {own_url:?})",
                    claims.aud
                ),
                Some(realm),
                Some(client_id),
            ));
        }
        let mut scopes = BTreeSet::new();
        for scope in claims.scopes() {
            let scope = scope.trim();
            if scope.is_empty() {
                continue;
            }
            if !KNOWN_SCOPES.contains(&scope) {
                return Err(fail(
                    400,
                    "invalid_grant",
                    RejectReason::ScopeMismatched,
                    format!("unknown scope {scope:?} (known: rest_webservices, restlets, suite_analytics)"),
                    Some(realm),
                    Some(client_id),
                ));
            }
            if !client.scopes.contains(scope) {
                return Err(fail(
                    400,
                    "invalid_grant",
                    RejectReason::ScopeMismatched,
                    format!("scope {scope:?} is not allowed for this client"),
                    Some(realm),
                    Some(client_id),
                ));
            }
            scopes.insert(scope.to_owned());
        }
        if scopes.is_empty() {
            return Err(fail(
                400,
                "invalid_grant",
                RejectReason::ScopeMismatched,
                "the assertion names no scope".into(),
                Some(realm),
                Some(client_id),
            ));
        }
        if let Some(jti) = &claims.jti {
            let mut cache = self.jtis.lock().unwrap_or_else(|e| e.into_inner());
            if now >= cache.last_prune + 30 {
                // An assertion whose exp (plus skew) has passed is rejected as expired anyway.
                cache
                    .seen
                    .retain(|_, exp| exp.saturating_add(DEFAULT_SKEW) >= now);
                cache.last_prune = now;
            }
            let key = (client_id.to_owned(), jti.clone());
            if cache.seen.contains_key(&key) {
                return Err(fail(
                    400,
                    "invalid_grant",
                    RejectReason::AssertionReplayed,
                    format!("jti {jti:?} was already used by this client"),
                    Some(realm),
                    Some(client_id),
                ));
            }
            cache.seen.insert(key, claims.exp);
        }

        let access_token = super::gate::random_hex(32);
        let mut store = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if now >= store.last_prune + 60 {
            // Expired tokens are kept an hour so that their use is audited as expired, not unknown.
            store
                .tokens
                .retain(|_, t| t.expires_at.saturating_add(3600) >= now);
            store.last_prune = now;
        }
        store.issued += 1;
        store.tokens.insert(
            access_token.clone(),
            Bearer {
                realm: realm.to_owned(),
                client_id: client_id.to_owned(),
                scopes,
                expires_at: now.saturating_add(self.lifetime),
            },
        );
        Ok(Issued {
            access_token,
            expires_in: self.lifetime,
        })
    }

    /// Verifies the assertion's signature and times; `aud` may be the emulator's own token URL or
    /// NetSuite's token URL of any account with M2M clients (the client's own account is checked
    /// afterwards). On failure, also the realm the audience named, when known.
    fn verify(
        &self,
        jwt: &str,
        own_url: &str,
        now: u64,
    ) -> Result<VerifiedAssertion, (AssertionRejection, Option<String>)> {
        match verify_assertion(jwt, &self.keys, own_url, now, DEFAULT_SKEW) {
            Err(AssertionRejection::WrongAudience { found, expected }) => {
                let account = self.clients.values().map(|c| &c.account).find(|a| {
                    let url = token_url(a);
                    found.split(", ").any(|f| f == url)
                });
                match account {
                    Some(a) => verify_assertion(jwt, &self.keys, &token_url(a), now, DEFAULT_SKEW)
                        .map_err(|r| (r, Some(a.realm().to_owned()))),
                    None => Err((AssertionRejection::WrongAudience { found, expected }, None)),
                }
            }
            other => other.map_err(|r| (r, None)),
        }
    }

    /// Checks a bearer token for a call that needs `scope` (`None`: bearer tokens are not accepted).
    pub fn bearer(&self, token: &str, scope: Option<&str>, now: u64) -> Result<Caller, Rejection> {
        let store = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let Some(t) = store.tokens.get(token) else {
            return Err(rejection(
                RejectReason::UnknownAccessToken,
                "the bearer token was not issued by this account's token endpoint".into(),
                None,
                None,
            ));
        };
        let (realm, client) = (Some(t.realm.as_str()), Some(t.client_id.as_str()));
        if now >= t.expires_at {
            return Err(rejection(
                RejectReason::AccessTokenExpired,
                format!("the bearer token expired at {} (now {now})", t.expires_at),
                realm,
                client,
            ));
        }
        let Some(scope) = scope else {
            return Err(rejection(
                RejectReason::InsufficientScope,
                "this endpoint does not accept OAuth 2.0 bearer tokens".into(),
                realm,
                client,
            ));
        };
        if !t.scopes.contains(scope) {
            return Err(rejection(
                RejectReason::InsufficientScope,
                format!(
                    "the bearer token's scopes ({}) do not include {scope}",
                    t.scopes.iter().cloned().collect::<Vec<_>>().join(",")
                ),
                realm,
                client,
            ));
        }
        Ok(Caller {
            account: t.realm.clone(),
            token_id: None,
        })
    }
}

/// NetSuite's answer and the audit reason for an assertion that did not verify.
fn classify(rej: &AssertionRejection) -> (u16, &'static str, RejectReason) {
    use AssertionRejection as R;
    match rej {
        R::AlgorithmNotAllowed { .. } => (401, "invalid_client", RejectReason::AlgorithmNotAllowed),
        R::MissingKid | R::UnknownKid { .. } | R::KeyAlgorithmMismatch { .. } => {
            (401, "invalid_client", RejectReason::UnknownCertificate)
        }
        R::BadSignature { .. } => (
            401,
            "invalid_client",
            RejectReason::InvalidAssertionSignature,
        ),
        R::WrongAudience { .. } => (400, "invalid_grant", RejectReason::WrongAudience),
        R::Expired { .. } => (400, "invalid_grant", RejectReason::AssertionExpired),
        R::IssuedInFuture { .. } => (400, "invalid_grant", RejectReason::AssertionIssuedInFuture),
        R::BadLifetime { .. } => (400, "invalid_grant", RejectReason::AssertionLifetime),
        _ => (400, "invalid_request", RejectReason::MalformedTokenRequest),
    }
}
