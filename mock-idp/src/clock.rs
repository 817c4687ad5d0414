//! The mock's one clock: real time plus an offset the admin API can move (tests use it to expire codes,
//! tokens and sessions deterministically).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use cis2_sdk::UnixTime;

/// Real time plus an adjustable offset in seconds. Cheap to clone; clones share the offset. It is a
/// [`cis2_sdk::Clock`], so a relying party under test can run on one of its own.
#[derive(Clone, Debug, Default)]
pub struct OffsetClock {
    offset: Arc<AtomicI64>,
}

impl OffsetClock {
    /// A clock at real time (offset 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Real time in milliseconds, without the offset. The only place the mock reads the system clock.
    #[allow(clippy::disallowed_methods)]
    fn real_millis() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Now, offset applied.
    pub fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.now_ms() / 1000)
    }

    /// Now in milliseconds since the UNIX epoch, offset applied.
    pub fn now_ms(&self) -> u64 {
        let ms = Self::real_millis().saturating_add(self.offset().saturating_mul(1000));
        u64::try_from(ms).unwrap_or(0)
    }

    /// The current offset in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Sets the offset in seconds.
    pub fn set_offset(&self, secs: i64) {
        self.offset.store(secs, Ordering::SeqCst);
    }

    /// Moves the clock forward (or back, when negative) by `secs`.
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
}

impl cis2_sdk::Clock for OffsetClock {
    fn now(&self) -> UnixTime {
        OffsetClock::now(self)
    }
}
