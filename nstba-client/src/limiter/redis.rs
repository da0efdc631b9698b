//! The Redis-backed limiter: a counting semaphore kept in Redis, with leases and a FIFO queue.
//!
//! Per account (`<prefix>:{<account>}:…`, the braces keep an account's keys in one cluster slot):
//! - `holders`: sorted set, member = one held slot, score = the lease's end (ms, Redis' clock). A
//!   slot whose lease ended is free again: a worker that died gives its slots back within one lease.
//!   Holders renew their leases (every third of a lease) while their requests run.
//! - `queue`: sorted set of waiters by ticket (`ticket`: a counter), so slots go to waiters of every
//!   process in the order they came: nobody starves.
//! - `waiters`: sorted set of waiters by the end of their heartbeat; a waiter that stopped polling
//!   (its process died) leaves the queue after it, so a dead waiter never blocks the queue for long.
//! - `released`: a pub/sub channel; a release wakes the waiters, who otherwise poll.
//!
//! Each step is one Lua script (atomic on the server, on the server's clock, so the workers' clocks do
//! not matter).

use super::{local, Held, LimiterError, LimiterPermit};
use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use redis::Script;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;

/// The lease of a slot when not set: a holder that dies gives its slots back within this time.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// Connect and response timeout towards Redis when not set.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

const DEFAULT_PREFIX: &str = "nstba:limiter";

/// After a failed connection attempt, callers fail (or fall back) at once for this long.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// What a Redis limiter does when Redis cannot be used (unreachable, timing out, refusing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnUnavailable {
    /// Fail the request with a typed error ([`crate::ErrorKind::LimiterUnavailable`]); nothing is
    /// sent (the default).
    #[default]
    Fail,
    /// Log a warning and limit with the in-process limiter of the account instead, until Redis
    /// answers again. The limit then holds per process only.
    Local,
}

/// The settings of a Redis-backed limiter ([`crate::LimiterScope::Redis`], `NSTBA_LIMITER`).
///
/// ```
/// use nstba_client::{OnUnavailable, RedisLimit};
/// use std::time::Duration;
/// let limit = RedisLimit::new("redis://:secret@127.0.0.1:6379/1?lease_ms=10000")?
///     .on_unavailable(OnUnavailable::Local);
/// assert_eq!(limit.lease_time(), Duration::from_secs(10));
/// assert_eq!(limit.url(), "redis://***@127.0.0.1:6379/1");
/// assert!(!format!("{limit:?}").contains("secret"));
/// # Ok::<(), nstba_client::LimiterError>(())
/// ```
#[derive(Clone)]
pub struct RedisLimit {
    client: Arc<redis::Client>,
    /// The URL without our parameters (identifies the server in the process-wide registry).
    target: String,
    /// The same, password redacted.
    shown: String,
    lease: Duration,
    timeout: Duration,
    on_unavailable: OnUnavailable,
    key_prefix: String,
}

impl fmt::Debug for RedisLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimit")
            .field("url", &self.shown)
            .field("lease", &self.lease)
            .field("timeout", &self.timeout)
            .field("on_unavailable", &self.on_unavailable)
            .field("key_prefix", &self.key_prefix)
            .finish()
    }
}

impl RedisLimit {
    /// Settings for the Redis server at `url`: `redis://[user:password@]host[:port][/db]`, with
    /// optional parameters `lease_ms` ([`RedisLimit::lease`]), `timeout_ms`
    /// ([`RedisLimit::timeout`]) and `fallback=fail|local` ([`RedisLimit::on_unavailable`]). Nothing
    /// is connected yet. TLS (`rediss://`) is not supported.
    pub fn new(url: &str) -> Result<RedisLimit, LimiterError> {
        let invalid = |reason: String| LimiterError::Invalid {
            value: redact(url),
            reason,
        };
        let mut parsed =
            url::Url::parse(url.trim()).map_err(|e| invalid(format!("not a URL ({e})")))?;
        if parsed.scheme() != "redis" {
            return Err(invalid(format!(
                "the scheme must be redis:// (got {}://)",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("the URL has no host".into()));
        }
        let params: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        parsed.set_query(None);
        parsed.set_fragment(None);
        let path = parsed.path().trim_matches('/');
        if !path.is_empty() && path.parse::<u32>().is_err() {
            return Err(invalid(format!(
                "the path must be a database number (got {path:?})"
            )));
        }
        let client = redis::Client::open(parsed.as_str()).map_err(|e| invalid(e.to_string()))?;
        let mut config = RedisLimit {
            client: Arc::new(client),
            target: parsed.as_str().to_owned(),
            shown: redact(parsed.as_str()).trim_end_matches('/').to_owned(),
            lease: DEFAULT_LEASE,
            timeout: DEFAULT_REDIS_TIMEOUT,
            on_unavailable: OnUnavailable::Fail,
            key_prefix: DEFAULT_PREFIX.to_owned(),
        };
        let millis = |name: &str, v: &str| {
            v.parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    invalid(format!(
                        "{name} must be a positive whole number of ms (got {v:?})"
                    ))
                })
        };
        for (name, value) in &params {
            match name.as_str() {
                "lease_ms" => config = config.lease(millis(name, value)?),
                "timeout_ms" => config = config.timeout(millis(name, value)?),
                "fallback" => {
                    config.on_unavailable = match value.as_str() {
                        "fail" => OnUnavailable::Fail,
                        "local" => OnUnavailable::Local,
                        other => {
                            return Err(invalid(format!(
                                "fallback must be `fail` or `local` (got {other:?})"
                            )))
                        }
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "unknown parameter {other:?} (known: lease_ms, timeout_ms, fallback)"
                    )))
                }
            }
        }
        Ok(config)
    }

    /// How long a slot stays taken without renewal (default [`DEFAULT_LEASE`], at least 100 ms):
    /// the longest a crashed worker's slots stay lost. Holders renew every third of it.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    /// Connect and per-command timeout towards Redis (default [`DEFAULT_REDIS_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// What to do when Redis cannot be used (default [`OnUnavailable::Fail`]).
    pub fn on_unavailable(mut self, what: OnUnavailable) -> Self {
        self.on_unavailable = what;
        self
    }

    /// The prefix of the Redis keys (default `nstba:limiter`): keys are
    /// `<prefix>:{<account>}:holders|queue|waiters|ticket|released`.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The URL, password redacted, without the limiter's own parameters.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// The lease.
    pub fn lease_time(&self) -> Duration {
        self.lease
    }

    /// The Redis key of the holders of account `key` (a sorted set: member per held slot, score =
    /// the lease's end in ms of Redis' clock), for monitoring.
    pub fn holders_key(&self, key: &str) -> String {
        Keys::new(&self.key_prefix, key).holders
    }
}

/// A URL with its user information replaced by `***`.
pub(crate) fn redact(value: &str) -> String {
    let Some(start) = value.find("://").map(|i| i + 3) else {
        return value.to_owned();
    };
    let rest = &value[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &value[..start], &rest[at..]),
        None => value.to_owned(),
    }
}

struct Keys {
    holders: String,
    queue: String,
    waiters: String,
    ticket: String,
    released: String,
}

impl Keys {
    fn new(prefix: &str, key: &str) -> Keys {
        let k = |suffix: &str| format!("{prefix}:{{{key}}}:{suffix}");
        Keys {
            holders: k("holders"),
            queue: k("queue"),
            waiters: k("waiters"),
            ticket: k("ticket"),
            released: k("released"),
        }
    }
}

/// Takes a slot or queues for one (a member that already holds its slot keeps it: running it again
/// is harmless). KEYS: holders, queue, waiters, ticket. ARGV: member, limit, lease ms, waiter
/// heartbeat ms. Returns 1 when the slot is taken, 0 while waiting.
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
for _, m in ipairs(gone) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZREM', KEYS[3], m)
end
local member = ARGV[1]
if redis.call('ZSCORE', KEYS[1], member) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), member)
  return 1
end
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], member)
local queued = rank ~= false
if not queued then rank = redis.call('ZCARD', KEYS[2]) end
if rank < free then
  if queued then
    redis.call('ZREM', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
  end
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), member)
  return 1
end
if not queued then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), member)
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), member)
return 0
",
    )
});

/// Gives a slot back (waking the waiters, when there are any), or leaves the queue. KEYS: holders,
/// queue, waiters. ARGV: member, channel. Returns 1 when a held slot was given back.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  if redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[2], '1') end
  return 1
end
return 0
",
    )
});

/// Extends the leases of slots still held. KEYS: holders. ARGV: lease ms, members…. Returns how
/// many were no longer held (their lease had ended).
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lost = 0
for i = 2, #ARGV do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s and tonumber(s) > now then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
  else
    if s then redis.call('ZREM', KEYS[1], ARGV[i]) end
    lost = lost + 1
  end
end
return lost
",
    )
});

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The process' Redis limiter for these settings, account and size: clients configured alike
/// share one (one connection, one renewal task) instead of each opening their own.
pub(crate) fn shared(config: &RedisLimit, key: &str, limit: usize) -> Arc<RedisSemaphore> {
    static REGISTRY: LazyLock<Mutex<HashMap<String, Weak<RedisSemaphore>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let id = format!(
        "{}|{}|{key}|{limit}|{:?}|{:?}|{:?}",
        config.target, config.key_prefix, config.lease, config.timeout, config.on_unavailable
    );
    let mut registry = lock(&REGISTRY);
    if let Some(existing) = registry.get(&id).and_then(Weak::upgrade) {
        return existing;
    }
    registry.retain(|_, w| w.strong_count() > 0);
    let created = RedisSemaphore::new(config.clone(), key, limit);
    registry.insert(id, Arc::downgrade(&created));
    created
}

/// A Redis limiter bound to one account and size.
pub(crate) struct RedisSemaphore {
    config: RedisLimit,
    limit: usize,
    keys: Keys,
    /// `<pid>-<random>`: tells this process' slots apart in Redis.
    member_prefix: String,
    seq: AtomicU64,
    conn: Mutex<Option<MultiplexedConnection>>,
    /// Held while connecting: one attempt at a time.
    connecting: tokio::sync::Mutex<()>,
    /// After a failed attempt: until when to fail at once, and why.
    down: Mutex<Option<(Instant, String)>>,
    /// Members held by this process, renewed by the background task.
    held: Mutex<HashSet<String>>,
    /// Woken by the `released` channel.
    wake: Notify,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The in-process limiter of the account, for [`OnUnavailable::Local`].
    fallback: Option<Arc<Semaphore>>,
    degraded: AtomicBool,
    poll: Duration,
    heartbeat: Duration,
}

impl Drop for RedisSemaphore {
    fn drop(&mut self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }
}

impl RedisSemaphore {
    pub(crate) fn new(config: RedisLimit, key: &str, limit: usize) -> Arc<RedisSemaphore> {
        let poll = (config.lease / 10).clamp(Duration::from_millis(10), Duration::from_millis(200));
        let heartbeat = (poll * 10).max(Duration::from_secs(1)).min(config.lease);
        let fallback = (config.on_unavailable == OnUnavailable::Local)
            .then(|| local::for_account(key, limit).0);
        Arc::new(RedisSemaphore {
            keys: Keys::new(&config.key_prefix, key),
            member_prefix: format!("{}-{:016x}", std::process::id(), rand::random::<u64>()),
            seq: AtomicU64::new(0),
            conn: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
            down: Mutex::new(None),
            held: Mutex::new(HashSet::new()),
            wake: Notify::new(),
            tasks: Mutex::new(Vec::new()),
            fallback,
            degraded: AtomicBool::new(false),
            poll,
            heartbeat,
            config,
            limit,
        })
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    pub(crate) fn config(&self) -> &RedisLimit {
        &self.config
    }

    /// Starts (or restarts, when the runtime they ran on ended) the lease renewal and the wake-up
    /// listener.
    fn ensure_background(self: &Arc<Self>) {
        let mut tasks = lock(&self.tasks);
        if !tasks.is_empty() && tasks.iter().all(|t| !t.is_finished()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        for t in tasks.drain(..) {
            t.abort();
        }
        let weak = Arc::downgrade(self);
        tasks.push(runtime.spawn(renew_leases(weak.clone(), self.config.lease / 3)));
        tasks.push(runtime.spawn(listen_for_releases(
            weak,
            (*self.config.client).clone(),
            self.keys.released.clone(),
            self.config.timeout,
        )));
    }

    /// The shared connection, and whether it was made just now.
    async fn connection(&self) -> Result<(MultiplexedConnection, bool), String> {
        if let Some(c) = lock(&self.conn).clone() {
            return Ok((c, false));
        }
        let _one = self.connecting.lock().await;
        if let Some(c) = lock(&self.conn).clone() {
            return Ok((c, false));
        }
        if let Some((until, why)) = lock(&self.down).clone() {
            if Instant::now() < until {
                return Err(why);
            }
        }
        let timeout = self.config.timeout;
        let settings = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout));
        let attempt = tokio::time::timeout(
            timeout,
            self.config
                .client
                .get_multiplexed_async_connection_with_config(&settings),
        )
        .await;
        let why = match attempt {
            Ok(Ok(c)) => {
                *lock(&self.conn) = Some(c.clone());
                *lock(&self.down) = None;
                return Ok((c, true));
            }
            Ok(Err(e)) => format!("cannot connect: {e}"),
            Err(_) => format!("cannot connect: no answer within {timeout:?}"),
        };
        *lock(&self.down) = Some((Instant::now() + RECONNECT_AFTER, why.clone()));
        Err(why)
    }

    /// Runs a script (each is idempotent). A broken connection is dropped; when it was an older
    /// one (Redis restarted, or the runtime that drove it ended), the script runs once more on a
    /// new one.
    async fn invoke<T: redis::FromRedisValue>(
        &self,
        script: &Script,
        keys: &[&str],
        args: &[&str],
    ) -> Result<T, String> {
        let mut call = script.prepare_invoke();
        for k in keys {
            call.key(*k);
        }
        for a in args {
            call.arg(*a);
        }
        loop {
            let (mut conn, fresh) = self.connection().await?;
            let outcome =
                tokio::time::timeout(self.config.timeout, call.invoke_async(&mut conn)).await;
            let why = match outcome {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) if e.is_io_error() || e.is_connection_dropped() => e.to_string(),
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => format!("no answer within {:?}", self.config.timeout),
            };
            *lock(&self.conn) = None;
            if fresh {
                return Err(why);
            }
        }
    }

    async fn try_acquire(&self, member: &str) -> Result<bool, String> {
        let k = &self.keys;
        let granted: i64 = self
            .invoke(
                &ACQUIRE,
                &[&k.holders, &k.queue, &k.waiters, &k.ticket],
                &[
                    member,
                    &self.limit.to_string(),
                    &self.config.lease.as_millis().to_string(),
                    &self.heartbeat.as_millis().to_string(),
                ],
            )
            .await?;
        Ok(granted == 1)
    }

    async fn release_member(&self, member: &str) -> Result<bool, String> {
        let k = &self.keys;
        let released: i64 = self
            .invoke(
                &RELEASE,
                &[&k.holders, &k.queue, &k.waiters],
                &[member, &k.released],
            )
            .await?;
        Ok(released == 1)
    }

    async fn renew(&self, members: &[String]) -> Result<i64, String> {
        let lease = self.config.lease.as_millis().to_string();
        let mut args = vec![lease.as_str()];
        args.extend(members.iter().map(String::as_str));
        self.invoke(&RENEW, &[&self.keys.holders], &args).await
    }

    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<LimiterPermit, LimiterError> {
        self.ensure_background();
        let member = format!(
            "{}:{}",
            self.member_prefix,
            self.seq.fetch_add(1, Ordering::Relaxed)
        );
        // Leaves the queue (or gives back a slot granted while the reply was lost) when this
        // future is dropped before it returns.
        let mut pending = Pending {
            limiter: self.clone(),
            member: Some(member.clone()),
        };
        loop {
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match self.try_acquire(&member).await {
                Ok(true) => {
                    pending.member = None;
                    self.available_again();
                    lock(&self.held).insert(member.clone());
                    return Ok(LimiterPermit(Held::Redis(RedisPermit {
                        limiter: self.clone(),
                        member,
                        released: false,
                    })));
                }
                Ok(false) => self.available_again(),
                Err(reason) => return self.unavailable(reason).await,
            }
            tokio::select! {
                _ = &mut woken => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    fn available_again(&self) {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!(
                redis = %self.config.shown,
                "the Redis limiter answers again: limiting across processes again"
            );
        }
    }

    async fn unavailable(&self, reason: String) -> Result<LimiterPermit, LimiterError> {
        let Some(fallback) = &self.fallback else {
            return Err(LimiterError::Unavailable {
                url: self.config.shown.clone(),
                reason,
            });
        };
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                redis = %self.config.shown,
                %reason,
                "the Redis limiter is unavailable: falling back to this process' limiter of the \
                 account (the limit no longer holds across processes until Redis answers)"
            );
        }
        fallback
            .clone()
            .acquire_owned()
            .await
            .map(|p| LimiterPermit(Held::Local(p)))
            .map_err(|_| LimiterError::Closed)
    }
}

/// A waiter that has not got its slot yet; dropping it cleans up in Redis.
struct Pending {
    limiter: Arc<RedisSemaphore>,
    member: Option<String>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(member) = self.member.take() {
            spawn_release(self.limiter.clone(), member);
        }
    }
}

fn spawn_release(limiter: Arc<RedisSemaphore>, member: String) {
    // Without a runtime the lease (or heartbeat) ends it instead.
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            if let Err(e) = limiter.release_member(&member).await {
                tracing::debug!(error = %e, "could not give a Redis limiter slot back; its lease will end it");
            }
        });
    }
}

/// A held slot of a [`RedisSemaphore`].
pub(crate) struct RedisPermit {
    limiter: Arc<RedisSemaphore>,
    member: String,
    released: bool,
}

impl RedisPermit {
    pub(crate) async fn release(mut self) {
        self.released = true;
        lock(&self.limiter.held).remove(&self.member);
        if let Err(e) = self.limiter.release_member(&self.member).await {
            tracing::debug!(error = %e, "could not give a Redis limiter slot back; its lease will end it");
        }
    }
}

impl Drop for RedisPermit {
    fn drop(&mut self) {
        if !self.released {
            lock(&self.limiter.held).remove(&self.member);
            spawn_release(self.limiter.clone(), std::mem::take(&mut self.member));
        }
    }
}

/// Every third of a lease: extends the leases of the slots this process holds.
async fn renew_leases(limiter: Weak<RedisSemaphore>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(this) = limiter.upgrade() else {
            return;
        };
        let members: Vec<String> = lock(&this.held).iter().cloned().collect();
        if members.is_empty() {
            continue;
        }
        match this.renew(&members).await {
            Ok(0) => {}
            Ok(lost) => tracing::warn!(
                lost,
                redis = %this.config.shown,
                "Redis limiter leases ended before they were renewed (this process was stalled \
                 or Redis unreachable): requests may briefly exceed the limit"
            ),
            Err(e) => tracing::warn!(
                error = %e,
                redis = %this.config.shown,
                "cannot renew Redis limiter leases"
            ),
        }
    }
}

/// Wakes waiters when any process gives a slot back (they poll as well, so a lost connection
/// only slows them down).
async fn listen_for_releases(
    limiter: Weak<RedisSemaphore>,
    client: redis::Client,
    channel: String,
    timeout: Duration,
) {
    loop {
        if let Ok(Ok(mut pubsub)) = tokio::time::timeout(timeout, client.get_async_pubsub()).await {
            if pubsub.subscribe(&channel).await.is_ok() {
                let mut messages = pubsub.into_on_message();
                while messages.next().await.is_some() {
                    match limiter.upgrade() {
                        Some(this) => this.wake.notify_waiters(),
                        None => return,
                    }
                }
            }
        }
        if limiter.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_redact() {
        let l = RedisLimit::new("redis://user:pw@h:7000/3?timeout_ms=50&fallback=local").unwrap();
        assert_eq!(l.url(), "redis://***@h:7000/3");
        assert_eq!(l.timeout, Duration::from_millis(50));
        assert_eq!(l.on_unavailable, OnUnavailable::Local);
        assert_eq!(l.lease_time(), DEFAULT_LEASE);
        assert_eq!(l.holders_key("123_SB1"), "nstba:limiter:{123_SB1}:holders");
        for (bad, says) in [
            ("rediss://h:1", "scheme"),
            ("redis://h:1/x", "database"),
            ("redis://h:1?lease_ms=0", "lease_ms"),
            ("redis://h:1?fallback=maybe", "fallback"),
            ("redis://h:1?color=red", "color"),
            ("redis://:pw@h:1?lease_ms=x", "lease_ms"),
        ] {
            let e = RedisLimit::new(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(!e.contains("pw@"), "{bad}: {e}");
        }
        assert_eq!(redact("redis://a:b@c@h/1?x=@"), "redis://***@h/1?x=@");
        assert_eq!(redact("redis://h/1"), "redis://h/1");
    }
}
