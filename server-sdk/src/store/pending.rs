//! Pending logins in memory, bounded per browser and in total: every unauthenticated `GET /login` stores one, so
//! without bounds a flood of requests grows memory for ten minutes (issue #10). When a bound is reached the oldest
//! entry goes first; its login can no longer complete, which is the right loser.

use std::collections::{BTreeMap, HashMap, VecDeque};

use cis2_sdk::UnixTime;

use super::backend::PendingLimits;

#[derive(Debug)]
struct Entry {
    value: String,
    expires_at: UnixTime,
    browser: String,
    seq: u64,
}

/// The bounded map. Entries are kept in insertion order, which is also expiry order (one lifetime for all).
#[derive(Debug, Default)]
pub(super) struct PendingLogins {
    entries: HashMap<String, Entry>,
    order: BTreeMap<u64, String>,
    by_browser: HashMap<String, VecDeque<u64>>,
    next_seq: u64,
}

impl PendingLogins {
    /// Stores `value` under `key` for `browser` until `expires_at`, evicting the oldest entries beyond `limits`.
    pub(super) fn put(
        &mut self,
        key: &str,
        browser: &str,
        value: String,
        now: UnixTime,
        expires_at: UnixTime,
        limits: PendingLimits,
    ) {
        self.remove(key);
        self.drop_expired(now);
        let per_browser = limits.per_browser.max(1);
        while self
            .by_browser
            .get(browser)
            .is_some_and(|q| q.len() >= per_browser)
        {
            let Some(oldest) = self.by_browser.get(browser).and_then(|q| q.front().copied()) else {
                break;
            };
            self.evict(oldest);
        }
        while self.entries.len() >= limits.total.max(1) {
            let Some(oldest) = self.order.keys().next().copied() else {
                break;
            };
            self.evict(oldest);
        }
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.order.insert(seq, key.to_owned());
        self.by_browser
            .entry(browser.to_owned())
            .or_default()
            .push_back(seq);
        self.entries.insert(
            key.to_owned(),
            Entry {
                value,
                expires_at,
                browser: browser.to_owned(),
                seq,
            },
        );
    }

    /// Removes and returns the value under `key` if it has not expired.
    pub(super) fn take(&mut self, key: &str, now: UnixTime) -> Option<String> {
        self.remove(key).filter(|e| e.expires_at > now).map(|e| e.value)
    }

    /// How many pending logins are held.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Drops every expired entry.
    pub(super) fn sweep(&mut self, now: UnixTime) {
        let dead: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.expires_at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in dead {
            self.remove(&k);
        }
    }

    /// Drops expired entries from the old end (cheap; [`Self::sweep`] catches any out of order).
    fn drop_expired(&mut self, now: UnixTime) {
        while let Some((&seq, key)) = self.order.iter().next() {
            if self.entries.get(key).is_some_and(|e| e.expires_at > now) {
                break;
            }
            self.evict(seq);
        }
    }

    fn evict(&mut self, seq: u64) {
        match self.order.get(&seq).cloned() {
            Some(key) => {
                self.remove(&key);
            }
            None => {
                // An index entry without its record: drop it so the loops above always progress.
                for q in self.by_browser.values_mut() {
                    q.retain(|s| *s != seq);
                }
                self.by_browser.retain(|_, q| !q.is_empty());
            }
        }
    }

    fn remove(&mut self, key: &str) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        self.order.remove(&entry.seq);
        if let Some(q) = self.by_browser.get_mut(&entry.browser) {
            q.retain(|s| *s != entry.seq);
            if q.is_empty() {
                self.by_browser.remove(&entry.browser);
            }
        }
        Some(entry)
    }
}

#[cfg(test)]
mod tests;
