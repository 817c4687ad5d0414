//! Time as an input. The core never reads a clock: callers pass `now`.

use std::time::Duration;

/// Seconds since the Unix epoch, as JWT `NumericDate` claims count them.
///
/// The sdk never reads the clock; adapters (`cis2-server`, the mock IdP, the browser package) own a `Clock`
/// and pass `UnixTime` in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UnixTime(u64);

impl UnixTime {
    /// A time from whole seconds since the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }

    /// Whole seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating at the end of time.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_secs()))
    }

    /// `self - d`, saturating at the epoch.
    pub fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_secs()))
    }

    /// A JWT NumericDate (RFC 7519 §2): a finite, non-negative JSON number of seconds, fractions floored. Strings,
    /// `null`, negatives and numbers past `u64` are `None`.
    pub fn from_numeric_date(value: &serde_json::Value) -> Option<Self> {
        let n = value.as_number()?;
        if let Some(secs) = n.as_u64() {
            return Some(Self(secs));
        }
        let f = n.as_f64()?;
        // Up to 2^64, the first float past u64::MAX, so `as` never saturates silently; NaN and infinities fail too.
        (0.0..18_446_744_073_709_551_616.0)
            .contains(&f)
            .then(|| Self(f.floor() as u64))
    }

    /// How long after `earlier` this is (zero when `earlier` is later).
    pub fn duration_since(self, earlier: UnixTime) -> Duration {
        Duration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

/// A source of the current time. The sdk itself never reads a clock (`now` is an argument everywhere); this is
/// the one trait the adapters share, so a server, the mock IdP and a test harness can hand each other clocks:
/// the real one, a manual one for tests, or an offset one.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> UnixTime;
}

impl std::fmt::Display for UnixTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
