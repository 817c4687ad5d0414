//! The RP's clock: real time plus an offset the tests set through `PUT /harness/rp-clock`, so a session's idle
//! and absolute timeouts can pass in a moment. Only the RP's time moves: moving the mock's too (its admin clock)
//! would also end its own SSO sessions and post back-channel logouts, which would race the reason under test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use cis2_server::{Clock, SystemClock, UnixTime};

/// System time plus `offset` seconds; clones share the offset.
#[derive(Clone, Debug, Default)]
pub(crate) struct OffsetClock(Arc<AtomicU64>);

impl OffsetClock {
    pub(crate) fn set_offset(&self, secs: u64) {
        self.0.store(secs, Ordering::SeqCst);
    }

    pub(crate) fn offset(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> UnixTime {
        UnixTime::from_secs(SystemClock.now().as_secs().saturating_add(self.offset()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_moves_every_clone() {
        let clock = OffsetClock::default();
        let shared = clock.clone();
        let before = shared.now().as_secs();
        clock.set_offset(3600);
        let after = shared.now().as_secs();
        assert!((3600..3602).contains(&(after - before)), "{before} -> {after}");
        clock.set_offset(0);
        assert!(shared.now().as_secs() < before + 2);
    }
}
