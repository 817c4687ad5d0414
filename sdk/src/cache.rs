//! The refresh policy for cached provider documents (JWKS, discovery), as a state machine the adapters drive.
//!
//! The sdk decides *when* to fetch; the server and browser adapters do the fetching and report back. Rules
//! (catalogue JWKS-01…05, REL-01…05): refresh after `max_age`; on an unknown `kid`, one refetch at most per
//! `refetch_cooldown`; after a failed fetch keep serving the last good document until `stale_limit` has passed
//! since it was fetched, then fail closed; a response to an older fetch never replaces a newer one.

use std::time::Duration;

use crate::time::UnixTime;

/// Timings for one cached document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachePolicy {
    /// Refresh once the document is this old (JWKS: 5 min, as Nimbus and oauth4webapi).
    pub max_age: Duration,
    /// The least time between unscheduled refetches (unknown `kid`) and between retries after a failure.
    pub refetch_cooldown: Duration,
    /// How long past its fetch a document may still be served while refreshes fail (Nimbus: 10 × TTL).
    pub stale_limit: Duration,
}

impl CachePolicy {
    /// JWKS: max age 5 min, cooldown 30 s, served stale up to 1 h.
    pub const JWKS: CachePolicy = CachePolicy {
        max_age: Duration::from_secs(300),
        refetch_cooldown: Duration::from_secs(30),
        stale_limit: Duration::from_secs(3600),
    };
    /// Discovery: max age 1 h (cis2.md §1), cooldown 30 s, served stale up to 24 h.
    pub const DISCOVERY: CachePolicy = CachePolicy {
        max_age: Duration::from_secs(3600),
        refetch_cooldown: Duration::from_secs(30),
        stale_limit: Duration::from_secs(86_400),
    };
}

/// What the adapter should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheAction {
    /// Use the cached document.
    UseCached,
    /// Use the cached document and refresh in the background.
    UseCachedAndRefresh,
    /// Fetch and wait: there is nothing usable.
    FetchNow,
    /// Nothing usable, and the cooldown forbids a fetch: fail fast.
    Unavailable,
}

/// Ticket for one fetch, handed back with its result so stale results can be ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchTicket(u64);

/// Cached document plus the bookkeeping the policy needs.
#[derive(Clone, Debug)]
pub struct Cached<T> {
    policy: CachePolicy,
    value: Option<(T, UnixTime, u64)>,
    last_attempt: Option<UnixTime>,
    /// The last refetch a miss triggered: misses are limited by their own cooldown, so a document fetched
    /// a moment ago (at start-up) does not block the one refetch a rotated key needs (catalogue CS-06).
    last_miss_refetch: Option<UnixTime>,
    next_ticket: u64,
    consecutive_failures: u32,
}

impl<T> Cached<T> {
    /// An empty cache.
    pub fn new(policy: CachePolicy) -> Self {
        Self {
            policy,
            value: None,
            last_attempt: None,
            last_miss_refetch: None,
            next_ticket: 0,
            consecutive_failures: 0,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &CachePolicy {
        &self.policy
    }

    fn cooling_down(&self, now: UnixTime) -> bool {
        self.last_attempt
            .is_some_and(|t| now.duration_since(t) < self.policy.refetch_cooldown)
    }

    /// The cached document while it may be served (within `stale_limit` of its fetch).
    pub fn get(&self, now: UnixTime) -> Option<&T> {
        self.value
            .as_ref()
            .filter(|(_, at, _)| now.duration_since(*at) <= self.policy.stale_limit)
            .map(|(v, _, _)| v)
    }

    /// What to do for an ordinary lookup.
    pub fn action(&self, now: UnixTime) -> CacheAction {
        match &self.value {
            Some((_, at, _)) if now.duration_since(*at) < self.policy.max_age => CacheAction::UseCached,
            Some(_) if self.get(now).is_some() => {
                if self.cooling_down(now) {
                    CacheAction::UseCached
                } else {
                    CacheAction::UseCachedAndRefresh
                }
            }
            _ if self.cooling_down(now) && self.consecutive_failures > 0 => CacheAction::Unavailable,
            _ => CacheAction::FetchNow,
        }
    }

    /// Whether an unknown `kid` (or similar miss) may trigger a refetch now: at most one per cooldown, and
    /// none while a failed fetch is cooling down. An ordinary fetch does not count against it.
    pub fn may_refetch_on_miss(&self, now: UnixTime) -> bool {
        let miss_cooling = self
            .last_miss_refetch
            .is_some_and(|t| now.duration_since(t) < self.policy.refetch_cooldown);
        let failed_recently = self.consecutive_failures > 0 && self.cooling_down(now);
        !miss_cooling && !failed_recently
    }

    /// [`Cached::may_refetch_on_miss`], and when it may, records the refetch so the next miss within the
    /// cooldown may not.
    pub fn claim_refetch_on_miss(&mut self, now: UnixTime) -> bool {
        let ok = self.may_refetch_on_miss(now);
        if ok {
            self.last_miss_refetch = Some(now);
        }
        ok
    }

    /// Records that a fetch starts now; hand the ticket back with its result.
    pub fn begin_fetch(&mut self, now: UnixTime) -> FetchTicket {
        self.last_attempt = Some(now);
        self.next_ticket = self.next_ticket.wrapping_add(1);
        FetchTicket(self.next_ticket)
    }

    /// Stores a fetched document unless a fetch that started later has already stored one.
    pub fn complete(&mut self, ticket: FetchTicket, value: T, now: UnixTime) -> bool {
        if self.value.as_ref().is_some_and(|(_, _, t)| *t > ticket.0) {
            return false;
        }
        self.value = Some((value, now, ticket.0));
        self.consecutive_failures = 0;
        true
    }

    /// Replaces the cached document with one obtained outside a fetch (e.g. the same metadata for a rebuilt
    /// client), without touching the refetch cooldown. A later fetch still wins over it.
    pub fn replace(&mut self, value: T, now: UnixTime) {
        self.value = Some((value, now, self.next_ticket));
        self.consecutive_failures = 0;
    }

    /// Records a failed fetch; the last good document stays (within `stale_limit`).
    pub fn fail(&mut self, _ticket: FetchTicket) {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
    }

    /// How many fetches in a row have failed.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }
}

#[cfg(test)]
mod tests;
