//! The counters the virtual users share, and the summary.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Failures that are errors even during a fault: a session that fails open.
const NEVER_TOLERATED: [&str; 2] = ["me_wrong_user", "open_after_logout"];

/// Shared counters.
#[derive(Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    sign_ins: AtomicU64,
    logouts_verified: AtomicU64,
    reasons_seen: AtomicU64,
    rounds: AtomicU64,
    /// A fault is being injected: failures that fail closed are counted apart, not as errors.
    pub(crate) fault_window: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    sign_in_ms: Vec<u64>,
    errors: BTreeMap<&'static str, u64>,
    tolerated: BTreeMap<&'static str, u64>,
    examples: Vec<String>,
}

impl Stats {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn sign_in(&self, took: Duration) {
        self.sign_ins.fetch_add(1, Ordering::Relaxed);
        let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        self.lock().sign_in_ms.push(ms);
    }
    pub(crate) fn logout_verified(&self) {
        self.logouts_verified.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn reason_seen(&self) {
        self.reasons_seen.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn round_done(&self) {
        self.rounds.fetch_add(1, Ordering::Relaxed);
    }
    /// A failed round. During a fault window a failure that fails closed is tolerated; another user's data
    /// (`me_wrong_user`) never is.
    pub(crate) fn failure(&self, kind: &'static str, detail: String) {
        let in_fault = self.fault_window.load(Ordering::Relaxed);
        let mut g = self.lock();
        if in_fault && !NEVER_TOLERATED.contains(&kind) {
            *g.tolerated.entry(kind).or_default() += 1;
            return;
        }
        *g.errors.entry(kind).or_default() += 1;
        if g.examples.len() < 20 {
            g.examples.push(format!("{kind}: {detail}"));
        }
    }
    pub(crate) fn error_count(&self) -> u64 {
        self.lock().errors.values().sum()
    }
    pub(crate) fn sign_ins(&self) -> u64 {
        self.sign_ins.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The counters as JSON.
    pub(crate) fn summary(&self) -> serde_json::Value {
        let g = self.lock();
        let mut ms = g.sign_in_ms.clone();
        ms.sort_unstable();
        serde_json::json!({
            "rounds": self.rounds.load(Ordering::Relaxed),
            "sign_ins": self.sign_ins.load(Ordering::Relaxed),
            "requests": self.requests.load(Ordering::Relaxed),
            "backchannel_logouts_verified_on_both": self.logouts_verified.load(Ordering::Relaxed),
            "backchannel_logout_reason_seen": self.reasons_seen.load(Ordering::Relaxed),
            "errors": g.errors,
            "error_examples": g.examples,
            "fault_tolerated_failures": g.tolerated,
            "sign_in_ms": {
                "p50": percentile(&ms, 50),
                "p99": percentile(&ms, 99),
                "max": ms.last().copied(),
            },
        })
    }
}

/// The `p`th percentile (nearest rank) of sorted values.
pub(crate) fn percentile(sorted: &[u64], p: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 99), Some(99));
        assert_eq!(percentile(&[7], 99), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn fault_window_tolerates_closed_failures_but_never_another_users_data() {
        let s = Stats::default();
        s.fault_window.store(true, Ordering::Relaxed);
        s.failure("me_not_ok", "503".into());
        s.failure("me_wrong_user", "someone else".into());
        assert_eq!(s.error_count(), 1);
        s.fault_window.store(false, Ordering::Relaxed);
        s.failure("me_not_ok", "503".into());
        assert_eq!(s.error_count(), 2);
        assert_eq!(s.summary()["fault_tolerated_failures"]["me_not_ok"], 1);
    }
}
