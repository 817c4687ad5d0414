//! The in-process store (the default).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use cis2_sdk::UnixTime;
use tokio::sync::broadcast;

use super::backend::{
    EXPIRED_GRACE, EndReason, PendingLimits, SessionBackend, SessionEvent, SessionRecord, StoreError,
    hash_key,
};
use super::pending::PendingLogins;

#[derive(Debug, Default)]
struct State {
    pending: PendingLogins,
    sessions: HashMap<String, SessionRecord>,
    by_sid: HashMap<String, HashSet<String>>,
    by_sub: HashMap<String, HashSet<String>>,
    once: HashMap<String, UnixTime>,
    tombstones: HashMap<String, (EndReason, UnixTime)>,
    writes: u64,
}

impl State {
    /// Drops expired entries now and then, so memory stays flat (catalogue REL-18).
    fn sweep(&mut self, now: UnixTime) {
        self.writes += 1;
        if !self.writes.is_multiple_of(1024) {
            return;
        }
        self.pending.sweep(now);
        self.once.retain(|_, exp| *exp > now);
        self.tombstones.retain(|_, (_, exp)| *exp > now);
        let dead: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, r)| r.absolute_deadline.saturating_add(EXPIRED_GRACE) <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in dead {
            self.remove(&k);
        }
    }

    fn remove(&mut self, key: &str) -> Option<SessionRecord> {
        let rec = self.sessions.remove(key)?;
        let unindex = |map: &mut HashMap<String, HashSet<String>>, idx: String| {
            if let Some(set) = map.get_mut(&idx) {
                set.remove(key);
                if set.is_empty() {
                    map.remove(&idx);
                }
            }
        };
        if let Some(sid) = &rec.sid {
            unindex(&mut self.by_sid, hash_key(&[&rec.iss, sid]));
        }
        unindex(&mut self.by_sub, hash_key(&[&rec.iss, &rec.sub]));
        Some(rec)
    }
}

/// Sessions in this process's memory, events through a tokio broadcast channel.
#[derive(Debug)]
pub struct MemoryBackend {
    state: Mutex<State>,
    events: broadcast::Sender<SessionEvent>,
}

impl Default for MemoryBackend {
    fn default() -> Self {
        Self {
            state: Mutex::new(State::default()),
            events: broadcast::channel(1024).0,
        }
    }
}

impl MemoryBackend {
    /// How many pending logins (started, not completed) the store holds: bounded by [`PendingLimits`].
    pub fn pending_logins(&self) -> usize {
        self.lock().map_or(0, |s| s.pending.len())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, StoreError> {
        self.state
            .lock()
            .map_err(|_| StoreError("memory store lock poisoned".into()))
    }
}

#[async_trait::async_trait]
impl SessionBackend for MemoryBackend {
    async fn put_pending(
        &self,
        key: &str,
        browser: &str,
        value: String,
        now: UnixTime,
        expires_at: UnixTime,
        limits: PendingLimits,
    ) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        s.sweep(now);
        s.pending.put(key, browser, value, now, expires_at, limits);
        Ok(())
    }

    async fn take_pending(&self, key: &str, now: UnixTime) -> Result<Option<String>, StoreError> {
        Ok(self.lock()?.pending.take(key, now))
    }

    async fn put_session(&self, record: &SessionRecord, now: UnixTime) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        s.sweep(now);
        if let Some(sid) = &record.sid {
            s.by_sid
                .entry(hash_key(&[&record.iss, sid]))
                .or_default()
                .insert(record.key.clone());
        }
        s.by_sub
            .entry(hash_key(&[&record.iss, &record.sub]))
            .or_default()
            .insert(record.key.clone());
        s.sessions.insert(record.key.clone(), record.clone());
        Ok(())
    }

    async fn touch_session(&self, record: &SessionRecord, _now: UnixTime) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        match s.sessions.get_mut(&record.key) {
            // The whole record, as the trait says and Redis does (a CIS1 re-check refreshes the user too).
            Some(existing) => {
                *existing = record.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn get_session(&self, key: &str, now: UnixTime) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self
            .lock()?
            .sessions
            .get(key)
            .filter(|r| r.absolute_deadline.saturating_add(EXPIRED_GRACE) > now)
            .cloned())
    }

    async fn remove_session(&self, key: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self.lock()?.remove(key))
    }

    async fn put_tombstone(
        &self,
        key: &str,
        reason: EndReason,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        s.sweep(now);
        s.tombstones.insert(key.to_owned(), (reason, expires_at));
        Ok(())
    }

    async fn tombstone(&self, key: &str, now: UnixTime) -> Result<Option<EndReason>, StoreError> {
        Ok(self
            .lock()?
            .tombstones
            .get(key)
            .filter(|(_, exp)| *exp > now)
            .map(|(r, _)| *r))
    }

    async fn sessions_for_sid(&self, iss: &str, sid: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .lock()?
            .by_sid
            .get(&hash_key(&[iss, sid]))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default())
    }

    async fn sessions_for_sub(&self, iss: &str, sub: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .lock()?
            .by_sub
            .get(&hash_key(&[iss, sub]))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default())
    }

    async fn record_once(&self, key: &str, now: UnixTime, expires_at: UnixTime) -> Result<bool, StoreError> {
        let mut s = self.lock()?;
        s.sweep(now);
        match s.once.get(key) {
            Some(exp) if *exp > now => Ok(false),
            _ => {
                s.once.insert(key.to_owned(), expires_at);
                Ok(true)
            }
        }
    }

    async fn publish(&self, event: &SessionEvent) -> Result<(), StoreError> {
        // No receivers is fine: nobody is listening.
        let _ = self.events.send(event.clone());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<SessionEvent> {
        self.events.subscribe()
    }
}
