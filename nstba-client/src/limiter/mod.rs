//! Concurrency limiters: how many requests of an account are in flight at once.
//!
//! NetSuite enforces one concurrency limit per account, across every process that talks to it. A
//! [`Client`](crate::Client) therefore passes two gates before each request:
//! - its own: at most [`ClientBuilder::concurrency`](crate::ClientBuilder::concurrency) requests of
//!   this client and its clones (this is also what [`Client::close`](crate::Client::close) closes);
//! - the account's, chosen with [`ClientBuilder::limiter`](crate::ClientBuilder::limiter) or
//!   `NSTBA_LIMITER` ([`LimiterScope`]): by default one in-process limiter shared by every client
//!   of the same account in the process ([`LimiterScope::Account`]); across processes and machines
//!   a Redis-backed one ([`LimiterScope::Redis`], see [`RedisLimit`]); or none
//!   ([`LimiterScope::Client`], opting out).
//!
//! A [`Limiter`] can also be used on its own, for work that should count against the same limit.

mod local;
mod redis;

pub use self::redis::{OnUnavailable, RedisLimit, DEFAULT_LEASE, DEFAULT_REDIS_TIMEOUT};

use std::fmt;
use std::sync::Arc;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// Why a limiter gave no slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimiterError {
    /// The limiter, or the client using it, was closed.
    #[error("the limiter was closed")]
    Closed,
    /// The Redis server of a shared limiter could not be used, and the limiter is set to fail
    /// ([`OnUnavailable::Fail`]).
    #[error("the shared limiter at {url} is unavailable: {reason}")]
    Unavailable {
        /// The Redis URL, password redacted.
        url: String,
        /// What failed (connecting, a timeout, a refused command).
        reason: String,
    },
    /// A limiter setting that cannot be used: `NSTBA_LIMITER`, `--limiter` or a [`RedisLimit`].
    #[error("invalid limiter setting {value:?}: {reason}")]
    Invalid {
        /// The value, password redacted.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where a client's requests are counted against the account's concurrency limit (besides the
/// client's own [`concurrency`](crate::ClientBuilder::concurrency)).
///
/// ```
/// use nstba_client::LimiterScope;
/// assert!(matches!(LimiterScope::parse("account")?, LimiterScope::Account));
/// assert!(matches!(LimiterScope::parse("client")?, LimiterScope::Client));
/// let redis = LimiterScope::parse("redis://127.0.0.1:6379/2?lease_ms=5000&fallback=local")?;
/// assert!(matches!(redis, LimiterScope::Redis(_)));
/// assert!(LimiterScope::parse("memcached://x").is_err());
/// # Ok::<(), nstba_client::LimiterError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum LimiterScope {
    /// One in-process limiter per account (the default): every client of the same account (and
    /// base URL, when overridden) in this process shares it. Its size is the `concurrency` of the
    /// first client that created it.
    #[default]
    Account,
    /// No shared limiter: only the client's own `concurrency` (opting out of sharing).
    Client,
    /// A Redis-backed limiter shared by every process (on any machine) that uses the same Redis
    /// server and account (keyed by the realm); its size is the client's `concurrency`, so give
    /// every process of the fleet the same one (the account's limit). Clients of one process with
    /// the same settings share one connection.
    Redis(RedisLimit),
    /// This limiter, shared with whatever else holds it.
    Shared(Limiter),
}

impl LimiterScope {
    /// Parses the `NSTBA_LIMITER` / `--limiter` forms: `account` (or `local`: the in-process
    /// default), `client` (no shared limiter), or a Redis URL (see [`RedisLimit::new`]):
    /// `redis://[user:password@]host:port[/db][?lease_ms=N&timeout_ms=N&fallback=fail|local]`.
    pub fn parse(value: &str) -> Result<LimiterScope, LimiterError> {
        let v = value.trim();
        match v.to_ascii_lowercase().as_str() {
            "account" | "local" => Ok(LimiterScope::Account),
            "client" | "none" => Ok(LimiterScope::Client),
            _ if v.contains("://") => Ok(LimiterScope::Redis(RedisLimit::new(v)?)),
            _ => Err(LimiterError::Invalid {
                value: redis::redact(v),
                reason: "expected `account`, `client` or a redis://host:port[/db] URL".into(),
            }),
        }
    }

    /// The account limiter for a client with this scope (`None` for [`LimiterScope::Client`]):
    /// in process keyed by `process_key` (the realm, with the base URL when overridden), in Redis
    /// by `fleet_key` (the realm).
    pub(crate) fn resolve(
        &self,
        process_key: &str,
        fleet_key: &str,
        limit: usize,
    ) -> Option<Limiter> {
        match self {
            LimiterScope::Account => Some(Limiter::for_account(process_key, limit)),
            LimiterScope::Client => None,
            LimiterScope::Redis(config) => Some(Limiter {
                backend: Arc::new(Backend::Redis(redis::shared(config, fleet_key, limit))),
            }),
            LimiterScope::Shared(limiter) => Some(limiter.clone()),
        }
    }
}

/// A concurrency limiter: in-process ([`Limiter::local`], [`Limiter::for_account`]) or shared
/// across processes through Redis ([`Limiter::redis`]). Cloning shares it; two limiters are equal
/// when they share their slots.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), nstba_client::LimiterError> {
/// use nstba_client::Limiter;
/// let limiter = Limiter::local(2);
/// let a = limiter.acquire().await?;
/// let _b = limiter.acquire().await?;
/// assert_eq!(limiter.available(), Some(0));
/// a.release().await;
/// assert_eq!(limiter.available(), Some(1));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Limiter {
    backend: Arc<Backend>,
}

enum Backend {
    Local {
        semaphore: Arc<Semaphore>,
        limit: usize,
    },
    Redis(Arc<redis::RedisSemaphore>),
}

impl PartialEq for Limiter {
    fn eq(&self, other: &Limiter) -> bool {
        match (&*self.backend, &*other.backend) {
            (Backend::Local { semaphore: a, .. }, Backend::Local { semaphore: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            (Backend::Redis(a), Backend::Redis(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for Limiter {}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.backend {
            Backend::Local { limit, .. } => f
                .debug_struct("Limiter")
                .field("kind", &"local")
                .field("limit", limit)
                .finish(),
            Backend::Redis(r) => f
                .debug_struct("Limiter")
                .field("kind", &"redis")
                .field("limit", &r.limit())
                .field("redis", r.config())
                .finish(),
        }
    }
}

impl Limiter {
    /// A new in-process limiter of `limit` slots (at least 1), shared by its clones only.
    pub fn local(limit: usize) -> Limiter {
        let limit = limit.max(1);
        Limiter {
            backend: Arc::new(Backend::Local {
                semaphore: Arc::new(Semaphore::new(limit)),
                limit,
            }),
        }
    }

    /// The process-wide in-process limiter of the account `key` (its realm, e.g. `1234567_SB1`):
    /// every caller with the same key gets the same slots while any of them holds it. Created with
    /// `limit` slots; a live one keeps its size ([`Limiter::limit`] tells).
    pub fn for_account(key: &str, limit: usize) -> Limiter {
        let (semaphore, limit) = local::for_account(key, limit.max(1));
        Limiter {
            backend: Arc::new(Backend::Local { semaphore, limit }),
        }
    }

    /// A limiter of `limit` slots kept in Redis under the account `key`, shared by every process
    /// using the same server, key prefix and key. Connects on first use. Each call makes a new one
    /// (its own connection), as a separate process would.
    pub fn redis(config: &RedisLimit, key: &str, limit: usize) -> Limiter {
        Limiter {
            backend: Arc::new(Backend::Redis(redis::RedisSemaphore::new(
                config.clone(),
                key,
                limit.max(1),
            ))),
        }
    }

    /// The number of slots.
    pub fn limit(&self) -> usize {
        match &*self.backend {
            Backend::Local { limit, .. } => *limit,
            Backend::Redis(r) => r.limit(),
        }
    }

    /// Free slots of an in-process limiter (`None` for a Redis one: other processes share it).
    pub fn available(&self) -> Option<usize> {
        match &*self.backend {
            Backend::Local { semaphore, .. } => Some(semaphore.available_permits()),
            Backend::Redis(_) => None,
        }
    }

    /// Waits for a slot. In-process limiters are fair (first come, first served); the Redis one
    /// serves waiters of every process in the order they queued. Fails with
    /// [`LimiterError::Unavailable`] when Redis cannot be used and the limiter is set to fail.
    pub async fn acquire(&self) -> Result<LimiterPermit, LimiterError> {
        match &*self.backend {
            Backend::Local { semaphore, .. } => semaphore
                .clone()
                .acquire_owned()
                .await
                .map(|p| LimiterPermit(Held::Local(p)))
                .map_err(|_| LimiterError::Closed),
            Backend::Redis(r) => r.acquire().await,
        }
    }
}

/// A slot of a [`Limiter`], given back when dropped (for a Redis limiter, by a background task;
/// [`LimiterPermit::release`] gives it back before returning).
#[must_use = "the slot is given back when the permit is dropped"]
pub struct LimiterPermit(Held);

enum Held {
    Local(#[allow(dead_code)] OwnedSemaphorePermit),
    Redis(redis::RedisPermit),
}

impl fmt::Debug for LimiterPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match &self.0 {
            Held::Local(_) => "LimiterPermit(local)",
            Held::Redis(_) => "LimiterPermit(redis)",
        })
    }
}

impl LimiterPermit {
    /// Gives the slot back now (for a Redis limiter: once Redis confirmed it, or failed to).
    pub async fn release(self) {
        match self.0 {
            Held::Local(p) => drop(p),
            Held::Redis(p) => p.release().await,
        }
    }
}

/// A client's two gates: its own semaphore (its `concurrency`; closed by `Client::close`) and the
/// account's limiter, when it has one.
pub(crate) struct ClientLimiter {
    own: Arc<Semaphore>,
    concurrency: usize,
    account: Option<Limiter>,
    closed: watch::Sender<bool>,
}

/// The slots one request holds; given back when dropped.
pub(crate) struct ClientPermit {
    own: OwnedSemaphorePermit,
    account: Option<LimiterPermit>,
}

impl ClientPermit {
    /// Gives both slots back now (the account's first).
    pub(crate) async fn release(self) {
        if let Some(account) = self.account {
            account.release().await;
        }
        drop(self.own);
    }
}

impl ClientLimiter {
    pub(crate) fn new(concurrency: usize, account: Option<Limiter>) -> ClientLimiter {
        ClientLimiter {
            own: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            account,
            closed: watch::Sender::new(false),
        }
    }

    /// Waits for a slot of the client, then one of the account. Closing the client fails waiters
    /// at either gate with [`LimiterError::Closed`].
    pub(crate) async fn acquire(&self) -> Result<ClientPermit, LimiterError> {
        let own = self
            .own
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| LimiterError::Closed)?;
        let account = match &self.account {
            None => None,
            Some(limiter) => {
                let mut closed = self.closed.subscribe();
                tokio::select! {
                    biased;
                    _ = closed.wait_for(|c| *c) => return Err(LimiterError::Closed),
                    permit = limiter.acquire() => Some(permit?),
                }
            }
        };
        Ok(ClientPermit { own, account })
    }

    /// Requests of this client holding a slot.
    pub(crate) fn in_flight(&self) -> usize {
        self.concurrency
            .saturating_sub(self.own.available_permits())
    }

    pub(crate) fn close(&self) {
        self.own.close();
        self.closed.send_replace(true);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.own.is_closed()
    }

    /// The account limiter, when the client has one.
    pub(crate) fn account(&self) -> Option<&Limiter> {
        self.account.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn close_fails_waiters_at_the_account_gate() {
        let account = Limiter::local(1);
        let held = account.acquire().await.unwrap();
        let client = Arc::new(ClientLimiter::new(5, Some(account.clone())));
        let waiting = tokio::spawn({
            let client = client.clone();
            async move { client.acquire().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(client.in_flight(), 1);
        client.close();
        assert_eq!(waiting.await.unwrap(), Err(LimiterError::Closed));
        assert!(client.is_closed());
        // The account limiter itself is not closed: other clients go on using it.
        drop(held);
        assert!(account.acquire().await.is_ok());
    }

    #[test]
    fn parse_rejects_other_forms_and_redacts() {
        let e = LimiterScope::parse("redis://:hunter2@127.0.0.1:1/x").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = LimiterScope::parse("everything").unwrap_err();
        assert!(e.to_string().contains("\"everything\""), "{e}");
    }
}
