//! Drives the sdk's [`Cached`] policy for provider documents (discovery, JWKS): periodic refresh in the
//! background, one refetch on a miss under the cooldown, single-flight fetches (concurrent cold starts share one
//! fetch), and the last good document kept while fetches fail (catalogue JWKS-01…05, REL-01…05).

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use cis2_sdk::{CacheAction, CachePolicy, Cached, UnixTime};

use crate::clock::Clock;
use crate::error::Error;

#[derive(Debug)]
pub(crate) struct Refreshing<T> {
    what: &'static str,
    state: Mutex<Cached<T>>,
    /// Held for the whole of one fetch: later callers wait and then reuse its result.
    fetch_lock: tokio::sync::Mutex<()>,
    /// Bumped when a fetch finishes (success or failure).
    generation: AtomicU64,
}

/// What a lookup found.
pub(crate) struct Lookup<T> {
    pub(crate) value: T,
    /// The document is due for refresh: the caller should start one in the background.
    pub(crate) refresh_due: bool,
}

impl<T: Clone> Refreshing<T> {
    pub(crate) fn new(what: &'static str, policy: CachePolicy) -> Self {
        Self {
            what,
            state: Mutex::new(Cached::new(policy)),
            fetch_lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        }
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut Cached<T>) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update; the cache stays usable.
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Stores a document fetched outside the cache (discovery at start-up).
    pub(crate) fn seed(&self, value: T, now: UnixTime) {
        self.with_state(|s| {
            let t = s.begin_fetch(now);
            s.complete(t, value, now);
        });
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The document per the policy, fetching (single-flight) when nothing usable is cached.
    pub(crate) async fn get<F, Fut>(&self, clock: &dyn Clock, fetch: F) -> Result<Lookup<T>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let seen = self.generation.load(Ordering::SeqCst);
        let now = clock.now();
        let (action, cached) = self.with_state(|s| (s.action(now), s.get(now).cloned()));
        match (action, cached) {
            (CacheAction::UseCached, Some(value)) => Ok(Lookup {
                value,
                refresh_due: false,
            }),
            (CacheAction::UseCachedAndRefresh, Some(value)) => Ok(Lookup {
                value,
                refresh_due: true,
            }),
            (CacheAction::Unavailable, _) => Err(Error::Unavailable { what: self.what }),
            _ => Ok(Lookup {
                value: self.fetch_shared(clock, seen, fetch).await?,
                refresh_due: false,
            }),
        }
    }

    /// After a miss (unknown `kid`): refetch once if the cooldown allows. `None`: not allowed now.
    pub(crate) async fn refetch_on_miss<F, Fut>(
        &self,
        clock: &dyn Clock,
        fetch: F,
    ) -> Result<Option<T>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let seen = self.generation.load(Ordering::SeqCst);
        if !self.with_state(|s| s.claim_refetch_on_miss(clock.now())) {
            return Ok(None);
        }
        self.fetch_shared(clock, seen, fetch).await.map(Some)
    }

    /// A background refresh: skipped when a fetch is already running or the cooldown holds.
    pub(crate) async fn refresh<F, Fut>(&self, clock: &dyn Clock, fetch: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let Ok(_guard) = self.fetch_lock.try_lock() else {
            return;
        };
        let now = clock.now();
        if !matches!(
            self.with_state(|s| s.action(now)),
            CacheAction::UseCachedAndRefresh | CacheAction::FetchNow
        ) {
            return;
        }
        let _ = self.run_fetch(clock, fetch).await;
    }

    async fn fetch_shared<F, Fut>(&self, clock: &dyn Clock, seen: u64, fetch: F) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let _guard = self.fetch_lock.lock().await;
        if self.generation.load(Ordering::SeqCst) != seen {
            // A fetch finished while we waited: share its outcome instead of fetching again.
            let now = clock.now();
            return self
                .with_state(|s| s.get(now).cloned())
                .ok_or(Error::Unavailable { what: self.what });
        }
        self.run_fetch(clock, fetch).await
    }

    async fn run_fetch<F, Fut>(&self, clock: &dyn Clock, fetch: F) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let ticket = self.with_state(|s| s.begin_fetch(clock.now()));
        let result = fetch().await;
        let now = clock.now();
        match &result {
            Ok(v) => {
                self.with_state(|s| s.complete(ticket, v.clone(), now));
            }
            Err(e) => {
                let failures = self.with_state(|s| {
                    s.fail(ticket);
                    s.consecutive_failures()
                });
                tracing::warn!(what = self.what, code = e.code(), error = %e, failures, "fetch failed; keeping the last good copy");
            }
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        result
    }
}
