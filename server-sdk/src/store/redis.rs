//! The Redis store: sessions, indexes, pending logins and the replay set shared by every RP instance; session-ended
//! events over Redis pub/sub.
//!
//! Layout (all under the prefix, default `cis2:`): `s:{key}` session JSON with `EX` = time to its absolute deadline
//! plus [`EXPIRED_GRACE`];
//! `sid:{h}` / `sub:{h}` sets of session keys; `p:{h}` pending login (`GETDEL` consumes it atomically), indexed
//! by start time in the sorted sets `pb:{browser}` and `pall` so [`PendingLimits`] can drop the oldest;
//! `once:{h}` replay markers (`SET NX EX`); `ended:{key}` why a session ended (for [`EXPIRED_GRACE`]); channel `{prefix}events`.

use cis2_sdk::UnixTime;
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

use super::backend::{
    EXPIRED_GRACE, EndReason, PendingLimits, SessionBackend, SessionEvent, SessionRecord, StoreError,
    hash_key, ttl_secs,
};

/// Stores a pending login and applies [`PendingLimits`] in one atomic step.
/// KEYS: the pending key, the browser's index, the store-wide index, a sequence counter. ARGV: value, TTL (s),
/// now (s), per-browser limit, total limit. Index members are pending keys scored by start time in microsecond
/// slots (the counter orders starts within one second); members older than the TTL (their login expired) are
/// dropped first, then the oldest beyond each limit, with their pending logins.
const PUT_PENDING: &str = r"
local key, browser, all = KEYS[1], KEYS[2], KEYS[3]
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
local per_browser, total = tonumber(ARGV[4]), tonumber(ARGV[5])
-- %.0f: Lua would pass a number as '%.14g' and lose the low digits.
local score = string.format('%.0f', now * 1000000 + redis.call('INCR', KEYS[4]) % 1000000)
local expired = '(' .. string.format('%.0f', (now - ttl) * 1000000)
redis.call('SET', key, ARGV[1], 'EX', ttl)
redis.call('ZREMRANGEBYSCORE', browser, '-inf', expired)
redis.call('ZREMRANGEBYSCORE', all, '-inf', expired)
redis.call('ZADD', browser, score, key)
redis.call('ZADD', all, score, key)
redis.call('EXPIRE', browser, ttl)
local function trim(index, limit)
  local extra = redis.call('ZCARD', index) - limit
  if extra > 0 then
    for _, old in ipairs(redis.call('ZRANGE', index, 0, extra - 1)) do
      redis.call('DEL', old)
      redis.call('ZREM', all, old)
      redis.call('ZREM', browser, old)
    end
  end
end
trim(browser, per_browser)
trim(all, total)
return 1
";

/// Consumes a pending login and drops it from the store-wide index (the browser's index expires by itself).
const TAKE_PENDING: &str = r"
local v = redis.call('GETDEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return v
";

fn err(e: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {e}"))
}

/// Aborts the subscriber task when the backend is dropped.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A [`SessionBackend`] on Redis (the `redis` crate with tokio and a reconnecting connection manager).
#[derive(Debug)]
pub struct RedisBackend {
    conn: ConnectionManager,
    prefix: String,
    channel: String,
    events: broadcast::Sender<SessionEvent>,
    _subscriber: AbortOnDrop,
}

impl RedisBackend {
    /// Connects, and subscribes to the event channel before returning (so no event published after this
    /// returns is missed). The subscriber reconnects by itself when Redis goes away.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(err)?;
        // Bounded waits: a store outage must surface as an error quickly (REL-14), not hang a request.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_max_delay(std::time::Duration::from_millis(500))
            .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
            .set_response_timeout(Some(std::time::Duration::from_secs(2)));
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(err)?;
        let channel = format!("{prefix}events");
        let (events, _) = broadcast::channel(1024);
        let mut pubsub = client.get_async_pubsub().await.map_err(err)?;
        pubsub.subscribe(&channel).await.map_err(err)?;
        let task = tokio::spawn(subscriber(client, channel.clone(), pubsub, events.clone()));
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            channel,
            events,
            _subscriber: AbortOnDrop(task),
        })
    }

    fn k(&self, kind: &str, id: &str) -> String {
        format!("{}{kind}:{id}", self.prefix)
    }
}

async fn subscriber(
    client: redis::Client,
    channel: String,
    first: redis::aio::PubSub,
    events: broadcast::Sender<SessionEvent>,
) {
    let mut pubsub = Some(first);
    loop {
        if let Some(ps) = pubsub.take() {
            let mut stream = ps.into_on_message();
            while let Some(msg) = stream.next().await {
                let Ok(payload) = msg.get_payload::<String>() else {
                    continue;
                };
                match serde_json::from_str::<SessionEvent>(&payload) {
                    Ok(ev) => {
                        let _ = events.send(ev);
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed session event"),
                }
            }
            tracing::warn!("redis event subscription closed; reconnecting");
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        match client.get_async_pubsub().await {
            Ok(mut ps) => match ps.subscribe(&channel).await {
                Ok(()) => pubsub = Some(ps),
                Err(e) => tracing::warn!(error = %e, "redis subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, "redis pub/sub connect failed"),
        }
    }
}

#[async_trait::async_trait]
impl SessionBackend for RedisBackend {
    async fn put_pending(
        &self,
        key: &str,
        browser: &str,
        value: String,
        now: UnixTime,
        expires_at: UnixTime,
        limits: PendingLimits,
    ) -> Result<(), StoreError> {
        redis::Script::new(PUT_PENDING)
            .key(self.k("p", key))
            .key(self.k("pb", browser))
            .key(self.k("pall", ""))
            .key(self.k("pseq", ""))
            .arg(value)
            .arg(ttl_secs(now, expires_at))
            .arg(now.as_secs())
            .arg(limits.per_browser.max(1))
            .arg(limits.total.max(1))
            .invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(err)
    }

    async fn take_pending(&self, key: &str, _now: UnixTime) -> Result<Option<String>, StoreError> {
        redis::Script::new(TAKE_PENDING)
            .key(self.k("p", key))
            .key(self.k("pall", ""))
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(err)
    }

    async fn put_session(&self, record: &SessionRecord, now: UnixTime) -> Result<(), StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError(e.to_string()))?;
        let ttl = ttl_secs(now, record.absolute_deadline.saturating_add(EXPIRED_GRACE));
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.k("s", &record.key))
            .arg(json)
            .arg("EX")
            .arg(ttl)
            .ignore();
        let mut index = |set: String| {
            pipe.cmd("SADD").arg(&set).arg(&record.key).ignore();
            pipe.cmd("EXPIRE").arg(&set).arg(ttl).arg("GT").ignore();
            pipe.cmd("EXPIRE").arg(&set).arg(ttl).arg("NX").ignore();
        };
        if let Some(sid) = &record.sid {
            index(self.k("sid", &hash_key(&[&record.iss, sid])));
        }
        index(self.k("sub", &hash_key(&[&record.iss, &record.sub])));
        pipe.query_async::<()>(&mut self.conn.clone()).await.map_err(err)
    }

    async fn touch_session(&self, record: &SessionRecord, now: UnixTime) -> Result<bool, StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError(e.to_string()))?;
        let ttl = ttl_secs(now, record.absolute_deadline.saturating_add(EXPIRED_GRACE));
        let set: Option<String> = redis::cmd("SET")
            .arg(self.k("s", &record.key))
            .arg(json)
            .arg("XX")
            .arg("EX")
            .arg(ttl)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)?;
        Ok(set.is_some())
    }

    async fn get_session(&self, key: &str, now: UnixTime) -> Result<Option<SessionRecord>, StoreError> {
        let json: Option<String> = redis::cmd("GET")
            .arg(self.k("s", key))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)?;
        let Some(json) = json else { return Ok(None) };
        let rec: SessionRecord =
            serde_json::from_str(&json).map_err(|e| StoreError(format!("session record: {e}")))?;
        Ok(Some(rec).filter(|r| r.absolute_deadline.saturating_add(EXPIRED_GRACE) > now))
    }

    async fn remove_session(&self, key: &str) -> Result<Option<SessionRecord>, StoreError> {
        let json: Option<String> = redis::cmd("GETDEL")
            .arg(self.k("s", key))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)?;
        let Some(json) = json else { return Ok(None) };
        let rec: SessionRecord =
            serde_json::from_str(&json).map_err(|e| StoreError(format!("session record: {e}")))?;
        let mut pipe = redis::pipe();
        if let Some(sid) = &rec.sid {
            pipe.cmd("SREM")
                .arg(self.k("sid", &hash_key(&[&rec.iss, sid])))
                .arg(key)
                .ignore();
        }
        pipe.cmd("SREM")
            .arg(self.k("sub", &hash_key(&[&rec.iss, &rec.sub])))
            .arg(key)
            .ignore();
        pipe.query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(err)?;
        Ok(Some(rec))
    }

    async fn put_tombstone(
        &self,
        key: &str,
        reason: EndReason,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError> {
        redis::cmd("SET")
            .arg(self.k("ended", key))
            .arg(reason.as_str())
            .arg("EX")
            .arg(ttl_secs(now, expires_at))
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(err)
    }

    async fn tombstone(&self, key: &str, _now: UnixTime) -> Result<Option<EndReason>, StoreError> {
        let v: Option<String> = redis::cmd("GET")
            .arg(self.k("ended", key))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)?;
        Ok(v.as_deref().and_then(EndReason::parse))
    }

    async fn sessions_for_sid(&self, iss: &str, sid: &str) -> Result<Vec<String>, StoreError> {
        redis::cmd("SMEMBERS")
            .arg(self.k("sid", &hash_key(&[iss, sid])))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)
    }

    async fn sessions_for_sub(&self, iss: &str, sub: &str) -> Result<Vec<String>, StoreError> {
        redis::cmd("SMEMBERS")
            .arg(self.k("sub", &hash_key(&[iss, sub])))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)
    }

    async fn record_once(&self, key: &str, now: UnixTime, expires_at: UnixTime) -> Result<bool, StoreError> {
        let set: Option<String> = redis::cmd("SET")
            .arg(self.k("once", key))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(ttl_secs(now, expires_at))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(err)?;
        Ok(set.is_some())
    }

    async fn publish(&self, event: &SessionEvent) -> Result<(), StoreError> {
        let json = serde_json::to_string(event).map_err(|e| StoreError(e.to_string()))?;
        redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(json)
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(err)
    }

    fn subscribe(&self) -> broadcast::Receiver<SessionEvent> {
        self.events.subscribe()
    }
}
