//! The authentication gate: TBA verification as NetSuite does it, the NLAuth check of
//! `/rest/issuetoken`, the token registry, OAuth 2.0 bearer tokens (see [`super::oauth2`]), and the
//! Login Audit Trail of every rejection.

use super::audit::{AuditLog, RejectReason, Rejection};
use super::oauth2::{M2mRegistration, OAuth2, TokenFailure};
use crate::api::tokens::{ClientCredentials, TokenAnswer};
use crate::api::{Caller, Tokens};
use nstba_core::secrecy::{ExposeSecret, SecretString};
use nstba_core::{AccountId, Clock, Credentials, OAuthHeader, Request, TbaKey};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Allowed clock skew in seconds.
pub(crate) const MAX_SKEW: u64 = 300;

/// A registered token.
pub(crate) struct Token {
    pub realm: String,
    pub consumer_key: String,
    pub key: TbaKey,
    pub revoked: AtomicBool,
}

/// An integration record whose consumer secret the emulator knows (needed to issue tokens).
#[derive(Clone)]
pub(crate) struct Integration {
    pub account: AccountId,
    pub consumer_key: String,
    pub consumer_secret: SecretString,
}

/// A user for `/rest/issuetoken`.
#[derive(Clone)]
pub(crate) struct User {
    pub account: AccountId,
    pub email: String,
    pub password: SecretString,
    pub role: String,
}

/// What the request looked like, for verification.
pub(crate) struct Received<'a> {
    pub method: &'a str,
    /// `http://{Host}{path-and-query}`.
    pub url: &'a str,
    pub authorization: Option<&'a str>,
    /// The body, when it is form-encoded.
    pub form_body: Option<&'a str>,
}

/// Who may call, and the record of who was turned away.
pub(crate) struct Gate {
    /// Realms of every known account.
    realms: RwLock<Vec<String>>,
    /// consumer key → realm(s) of the integration (an integration belongs to one account, but tests
    /// may reuse a key across accounts).
    consumers: RwLock<HashMap<String, Vec<String>>>,
    integrations: Vec<Integration>,
    /// The demo integration: it can always issue tokens in the demo account.
    demo: Integration,
    tokens: RwLock<HashMap<String, Arc<Token>>>,
    users: Vec<User>,
    first: Credentials,
    clock: Arc<dyn Clock>,
    verify_signatures: bool,
    /// OAuth 2.0 clients, their certificates and the access tokens issued to them.
    oauth2: OAuth2,
    /// (token id, nonce) → timestamp.
    nonces: Mutex<NonceCache>,
    /// Every rejection.
    pub audit: AuditLog,
}

/// Nonces seen within the clock window, as 64-bit keyed hashes of (token, nonce): 16 bytes an entry
/// instead of two strings (a false "reused" needs a 64-bit collision under a random key).
#[derive(Default)]
struct NonceCache {
    seen: HashMap<u64, u64>,
    hasher: std::collections::hash_map::RandomState,
    last_prune: u64,
    /// Timestamps below this are refused: their nonces were forgotten to stay within
    /// [`MAX_NONCES`], so a replay of one could not be told.
    floor: u64,
}

/// The most nonces remembered (16 bytes each, plus the map's overhead: about 40 MB). Beyond it the
/// oldest tenth is forgotten and timestamps that old are refused from then on, so memory stays
/// bounded and a replay still never passes.
pub(crate) const MAX_NONCES: usize = 1_000_000;

impl NonceCache {
    /// Records the use of nonce `key` stamped `ts` at emulator time `now`, remembering at most
    /// `capacity` nonces. `Err` with the reason when the nonce was used already or its timestamp is
    /// older than the oldest one still remembered.
    fn use_nonce(
        &mut self,
        key: u64,
        ts: u64,
        now: u64,
        capacity: usize,
    ) -> Result<(), (RejectReason, String)> {
        if ts < self.floor {
            return Err((
                RejectReason::TimestampOutOfRange,
                format!(
                    "timestamp {ts} is older than the oldest nonce the emulator still remembers ({}); \
                     its nonce store is full ({capacity} nonces)",
                    self.floor
                ),
            ));
        }
        let full = self.seen.len() >= capacity;
        if full || (now >= self.last_prune + 30 && self.seen.len() > 10_000) {
            // A timestamp this old is rejected anyway, so its nonce need not be remembered.
            let horizon = now.saturating_sub(MAX_SKEW + 1);
            self.seen.retain(|_, t| *t >= horizon);
            self.last_prune = now;
        }
        if self.seen.len() >= capacity {
            // Forget the oldest tenth (at least one timestamp's worth) and refuse that old from now on.
            let mut stamps: Vec<u64> = self.seen.values().copied().collect();
            let k = stamps.len() / 10;
            let (_, oldest_kept, _) = stamps.select_nth_unstable(k);
            self.floor = self.floor.max(*oldest_kept + 1);
            let floor = self.floor;
            self.seen.retain(|_, t| *t >= floor);
            if ts < floor {
                return self.use_nonce(key, ts, now, capacity);
            }
        }
        if self.seen.insert(key, ts).is_some() {
            return Err((
                RejectReason::NonceReused,
                "nonce already used with this token".into(),
            ));
        }
        Ok(())
    }
}

/// How the gate is set up.
pub(crate) struct GateConfig {
    /// Registered credentials; the first is the one handed out by `MockNetSuite::credentials`.
    pub first: Credentials,
    pub more: Vec<Credentials>,
    pub integrations: Vec<Integration>,
    pub demo: Integration,
    pub users: Vec<User>,
    pub clock: Arc<dyn Clock>,
    pub verify_signatures: bool,
    /// OAuth 2.0 M2M certificates.
    pub m2m: Vec<M2mRegistration>,
    /// Lifetime of OAuth 2.0 access tokens, in seconds.
    pub access_token_lifetime: u64,
}

impl Gate {
    /// The OAuth 2.0 side: token endpoint state and bearer tokens.
    pub fn oauth2(&self) -> &OAuth2 {
        &self.oauth2
    }

    pub fn new(config: GateConfig) -> Gate {
        let GateConfig {
            first,
            more,
            integrations,
            demo,
            users,
            clock,
            verify_signatures,
            m2m,
            access_token_lifetime,
        } = config;
        let auth = Gate {
            realms: RwLock::new(Vec::new()),
            consumers: RwLock::new(HashMap::new()),
            integrations,
            demo,
            tokens: RwLock::new(HashMap::new()),
            users,
            first: first.clone(),
            clock,
            verify_signatures,
            oauth2: OAuth2::new(m2m, access_token_lifetime),
            nonces: Mutex::new(NonceCache::default()),
            audit: AuditLog::default(),
        };
        let credentials = std::iter::once(&first).chain(&more);
        for c in credentials {
            auth.register(c);
        }
        for i in &auth.integrations {
            auth.add_consumer(i.account.realm(), &i.consumer_key);
        }
        for u in &auth.users {
            auth.add_realm(u.account.realm());
        }
        let m2m_realms: Vec<String> = auth.oauth2.realms().map(str::to_owned).collect();
        for realm in m2m_realms {
            auth.add_realm(&realm);
        }
        auth
    }

    fn add_realm(&self, realm: &str) {
        let mut realms = self.realms.write().unwrap_or_else(|e| e.into_inner());
        if !realms.iter().any(|r| r == realm) {
            realms.push(realm.to_owned());
        }
    }

    fn add_consumer(&self, realm: &str, consumer_key: &str) {
        self.add_realm(realm);
        let mut consumers = self.consumers.write().unwrap_or_else(|e| e.into_inner());
        let list = consumers.entry(consumer_key.to_owned()).or_default();
        if !list.iter().any(|r| r == realm) {
            list.push(realm.to_owned());
        }
    }

    /// Registers credentials: account, consumer, token (key built once).
    pub fn register(&self, c: &Credentials) {
        let realm = c.account().realm().to_owned();
        self.add_consumer(&realm, c.consumer_key());
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                c.token_id().to_owned(),
                Arc::new(Token {
                    realm,
                    consumer_key: c.consumer_key().to_owned(),
                    key: c.key().clone(),
                    revoked: AtomicBool::new(false),
                }),
            );
    }

    pub fn first_credentials(&self) -> Credentials {
        self.first.clone()
    }

    pub fn revoke(&self, token_id: &str) {
        if let Some(t) = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token_id)
        {
            t.revoked.store(true, Ordering::SeqCst);
        }
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Verifies a TBA request, or an OAuth 2.0 `Bearer` one that needs `bearer_scope` (`None`: bearer
    /// tokens are refused); a rejection goes to the audit log.
    pub fn authenticate(
        &self,
        req: &Received<'_>,
        path_and_query: &str,
        bearer_scope: Option<&str>,
    ) -> Option<Caller> {
        let result = match req.authorization.and_then(bearer_token) {
            Some(token) => self.oauth2.bearer(token, bearer_scope, self.now()),
            None => self.verify(req, false),
        };
        result
            .map_err(|rej| self.reject(req.method, path_and_query, rej))
            .ok()
    }

    /// Everything [`Gate::authenticate`] checks that needs no body: the whole check but the TBA
    /// signature (which covers a form-encoded body) and the nonce's use. A request failing it is
    /// rejected (and audited) without its body being read; one passing it is checked in full once
    /// its body is in.
    pub fn precheck(
        &self,
        req: &Received<'_>,
        path_and_query: &str,
        bearer_scope: Option<&str>,
    ) -> bool {
        let result = match req.authorization.and_then(bearer_token) {
            Some(token) => self
                .oauth2
                .bearer(token, bearer_scope, self.now())
                .map(drop),
            None => self.verify(req, true).map(drop),
        };
        result
            .map_err(|rej| self.reject(req.method, path_and_query, rej))
            .is_ok()
    }

    /// Checks an `NLAuth` header; a rejection goes to the audit log.
    pub fn authenticate_user(
        &self,
        authorization: Option<&str>,
        method: &str,
        path_and_query: &str,
    ) -> Option<Caller> {
        match self.check_nlauth(authorization) {
            Ok(account) => Some(Caller {
                account: account.realm().to_owned(),
                token_id: None,
            }),
            Err(rej) => {
                self.reject(method, path_and_query, rej);
                None
            }
        }
    }

    fn reject(&self, method: &str, path_and_query: &str, rej: Rejection) {
        self.audit.record(self.now(), method, path_and_query, rej);
    }

    /// Verifies a TBA request as NetSuite does (`headers_only`: all but the signature and the
    /// nonce's use).
    fn verify(&self, req: &Received<'_>, headers_only: bool) -> Result<Caller, Rejection> {
        let mut rej = Rejection {
            reason: RejectReason::MissingHeader,
            detail: String::new(),
            realm: None,
            consumer_key: None,
            token_id: None,
        };
        let fail = |mut rej: Rejection, reason: RejectReason, detail: String| {
            rej.reason = reason;
            rej.detail = detail;
            Err(rej)
        };
        let Some(value) = req.authorization else {
            return fail(
                rej,
                RejectReason::MissingHeader,
                "no Authorization header".into(),
            );
        };
        let header = match OAuthHeader::parse(value) {
            Ok(h) => h,
            Err(e) => return fail(rej, RejectReason::MalformedHeader, e.to_string()),
        };
        rej.realm = header.get("realm").map(str::to_owned);
        rej.consumer_key = header.get("oauth_consumer_key").map(str::to_owned);
        rej.token_id = header.get("oauth_token").map(str::to_owned);

        let Some(realm) = header.get("realm") else {
            return fail(rej, RejectReason::WrongRealm, "no realm".into());
        };
        let known_realm = self
            .realms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|r| r == realm);
        if !known_realm {
            let hint = match AccountId::parse(realm) {
                Ok(a) if a.realm() != realm => format!(
                    "realm {realm:?} is not in realm form (expected {:?})",
                    a.realm()
                ),
                _ => format!("unknown account {realm:?}"),
            };
            return fail(rej, RejectReason::WrongRealm, hint);
        }
        let Some(ck) = header.get("oauth_consumer_key") else {
            return fail(
                rej,
                RejectReason::UnknownConsumer,
                "no oauth_consumer_key".into(),
            );
        };
        let consumer_ok = self
            .consumers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(ck)
            .is_some_and(|realms| realms.iter().any(|r| r == realm));
        if !consumer_ok {
            return fail(
                rej,
                RejectReason::UnknownConsumer,
                "consumer key not registered for this account".into(),
            );
        }
        let Some(token_id) = header.get("oauth_token") else {
            return fail(rej, RejectReason::UnknownToken, "no oauth_token".into());
        };
        let token = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token_id)
            .cloned();
        let Some(token) = token.filter(|t| t.consumer_key == ck) else {
            return fail(
                rej,
                RejectReason::UnknownToken,
                "token not registered for this consumer".into(),
            );
        };
        if token.realm != realm {
            return fail(
                rej,
                RejectReason::WrongRealm,
                "the token belongs to another account".into(),
            );
        }
        if token.revoked.load(Ordering::SeqCst) {
            return fail(
                rej,
                RejectReason::RevokedToken,
                "the token was revoked".into(),
            );
        }
        match header.get("oauth_signature_method") {
            Some("HMAC-SHA256") => {}
            other => {
                return fail(
                    rej,
                    RejectReason::UnsupportedSignatureMethod,
                    format!("signature method {other:?} (only HMAC-SHA256 is accepted)"),
                )
            }
        }
        if let Some(v) = header.get("oauth_version") {
            if v != "1.0" {
                return fail(
                    rej,
                    RejectReason::UnsupportedVersion,
                    format!("oauth_version {v:?}"),
                );
            }
        }
        let now = self.clock.now();
        let ts = match header
            .get("oauth_timestamp")
            .and_then(|t| t.parse::<u64>().ok())
        {
            Some(ts) => ts,
            None => {
                return fail(
                    rej,
                    RejectReason::TimestampOutOfRange,
                    "missing or non-numeric oauth_timestamp".into(),
                )
            }
        };
        if ts.abs_diff(now) > MAX_SKEW {
            return fail(
                rej,
                RejectReason::TimestampOutOfRange,
                format!(
                    "timestamp {ts} is {} s {} the server clock {now} (allowed ±{MAX_SKEW} s)",
                    ts.abs_diff(now),
                    if ts > now { "ahead of" } else { "behind" }
                ),
            );
        }
        let nonce = header.get("oauth_nonce").unwrap_or("");
        if nonce.len() < 6 || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return fail(
                rej,
                RejectReason::InvalidNonce,
                format!(
                    "nonce of {} characters (at least 6 alphanumeric required)",
                    nonce.chars().count()
                ),
            );
        }
        if headers_only {
            return Ok(Caller {
                account: realm.to_owned(),
                token_id: Some(token_id.to_owned()),
            });
        }
        if self.verify_signatures {
            let Some(signature) = header.get("oauth_signature") else {
                return fail(rej, RejectReason::BadSignature, "no oauth_signature".into());
            };
            let mut request = Request::new(req.method, req.url);
            if let Some(body) = req.form_body {
                request = request.form_body(body);
            }
            let base = match nstba_core::base_string(&request, &header.signed_params()) {
                Ok(b) => b,
                Err(e) => return fail(rej, RejectReason::BadSignature, e.to_string()),
            };
            if !token.key.verify(&base, signature) {
                return fail(
                    rej,
                    RejectReason::BadSignature,
                    "signature does not match the request as received".into(),
                );
            }
        }
        // Only a verified request consumes its nonce.
        {
            use std::hash::BuildHasher;
            let mut cache = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
            let key = cache.hasher.hash_one((token_id, nonce));
            if let Err((reason, detail)) = cache.use_nonce(key, ts, now, MAX_NONCES) {
                return fail(rej, reason, detail);
            }
        }
        Ok(Caller {
            account: realm.to_owned(),
            token_id: Some(token_id.to_owned()),
        })
    }

    /// Checks an `NLAuth` header against the users; returns the user's account.
    fn check_nlauth(&self, value: Option<&str>) -> Result<AccountId, Rejection> {
        let mut rej = Rejection {
            reason: RejectReason::MissingHeader,
            detail: "no Authorization header".into(),
            realm: None,
            consumer_key: None,
            token_id: None,
        };
        let Some(value) = value else {
            return Err(rej);
        };
        let Some(params) = parse_nlauth(value) else {
            rej.reason = RejectReason::MalformedHeader;
            rej.detail = "not an NLAuth header".into();
            return Err(rej);
        };
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        rej.realm = get("nlauth_account").map(str::to_owned);
        rej.reason = RejectReason::InvalidUserCredentials;
        let account = get("nlauth_account").and_then(|a| AccountId::parse(a).ok());
        let email = get("nlauth_email").unwrap_or("");
        let password = get("nlauth_signature").unwrap_or("");
        let role = get("nlauth_role").unwrap_or("");
        let Some(account) = account else {
            rej.detail = "missing or invalid nlauth_account".into();
            return Err(rej);
        };
        let user = self
            .users
            .iter()
            .find(|u| u.account == account && u.email.eq_ignore_ascii_case(email));
        let Some(user) = user else {
            rej.detail = "unknown user for this account".into();
            return Err(rej);
        };
        if !constant_eq(
            user.password.expose_secret().as_bytes(),
            password.as_bytes(),
        ) {
            rej.detail = "wrong password".into();
            return Err(rej);
        }
        if user.role != role {
            rej.detail = format!("role {role:?} is not the user's role");
            return Err(rej);
        }
        Ok(account)
    }

    /// Issues a token for `consumer_key` in the account with realm `realm`; registers it.
    fn issue_token(&self, realm: &str, consumer_key: &str) -> Result<(String, String), String> {
        let integration = self
            .integrations
            .iter()
            .chain(std::iter::once(&self.demo))
            .find(|i| i.consumer_key == consumer_key && i.account.realm() == realm)
            .cloned();
        let Some(integration) = integration else {
            return Err("unknown consumer key for this account".into());
        };
        let account = &integration.account;
        let token_id = random_hex(32);
        let token_secret = random_hex(32);
        let secret = SecretString::from(token_secret.clone());
        let key = TbaKey::new(
            account,
            consumer_key,
            &integration.consumer_secret,
            Some((&token_id, &secret)),
        );
        self.add_consumer(account.realm(), consumer_key);
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                token_id.clone(),
                Arc::new(Token {
                    realm: account.realm().to_owned(),
                    consumer_key: consumer_key.to_owned(),
                    key,
                    revoked: AtomicBool::new(false),
                }),
            );
        Ok((token_id, token_secret))
    }
}

impl Tokens for Gate {
    fn issue(
        &self,
        realm: &str,
        consumer_key: &str,
        method: &str,
        path_and_query: &str,
    ) -> Option<(String, String)> {
        self.issue_token(realm, consumer_key)
            .map_err(|detail| {
                self.reject(
                    method,
                    path_and_query,
                    Rejection {
                        reason: RejectReason::UnknownConsumer,
                        detail,
                        realm: Some(realm.to_owned()),
                        consumer_key: Some(consumer_key.to_owned()),
                        token_id: None,
                    },
                );
            })
            .ok()
    }

    fn revoke(&self, token_id: &str) {
        Gate::revoke(self, token_id);
    }

    fn client_credentials(&self, request: ClientCredentials<'_>) -> TokenAnswer {
        match self
            .oauth2
            .token(request.body, request.own_token_url, self.now())
        {
            Ok(issued) => TokenAnswer::Issued {
                access_token: issued.access_token,
                expires_in: issued.expires_in,
            },
            Err(TokenFailure {
                status,
                error,
                rejection,
            }) => {
                self.reject(request.method, request.path_and_query, *rejection);
                TokenAnswer::Refused { status, error }
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("Bearer").then(|| token.trim())
}

pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::Rng;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `NLAuth nlauth_account=123, nlauth_email=a@b.c, nlauth_signature=pw, nlauth_role=3` (values may be
/// quoted).
fn parse_nlauth(value: &str) -> Option<Vec<(String, String)>> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("NLAuth") {
        return None;
    }
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        out.push((k.trim().to_owned(), v.to_owned()));
    }
    Some(out)
}

#[cfg(test)]
mod nonce_tests {
    use super::*;

    #[test]
    fn the_nonce_store_stays_bounded_and_never_lets_a_replay_pass() {
        let mut cache = NonceCache::default();
        let now = 10_000;
        // 250 nonces over 25 seconds into a store of 100.
        for i in 0..250u64 {
            let ts = now - 250 + i / 10 * 10 + i % 10;
            assert!(cache.use_nonce(i, ts, now, 100).is_ok(), "{i}");
            assert!(cache.seen.len() <= 100);
        }
        // Every nonce still remembered is refused again; every forgotten one is refused for its age.
        for i in 0..250u64 {
            let ts = now - 250 + i / 10 * 10 + i % 10;
            let (reason, _) = cache.use_nonce(i, ts, now, 100).unwrap_err();
            if ts < cache.floor {
                assert_eq!(reason, RejectReason::TimestampOutOfRange, "{i}");
            } else {
                assert_eq!(reason, RejectReason::NonceReused, "{i}");
            }
        }
        assert!(cache.floor > now - 250, "old timestamps are refused now");
        // A fresh nonce with a current timestamp still passes.
        assert!(cache.use_nonce(9_999, now, now, 100).is_ok());
        // Nonces past the ±300 s window are pruned before anything is forgotten early.
        let mut cache = NonceCache::default();
        for i in 0..100u64 {
            cache.use_nonce(i, 1_000 + i, 1_100, 100).unwrap();
        }
        cache.use_nonce(500, 2_000, 2_000, 100).unwrap();
        assert_eq!(cache.seen.len(), 1);
        assert_eq!(cache.floor, 0);
    }
}
