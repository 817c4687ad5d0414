//! Idle tracking. The backend ends a session `idle_timeout_secs` after its last request (`idle_expires_at`);
//! the SDK watches user activity (throttled), and shortly before that deadline either refreshes the session
//! (`GET /session`, which the backend counts as activity) when the user was active in any tab, or calls the
//! idle-warning callbacks when they were not.

use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

/// Activity events listened for on `window` (capture phase, passive).
pub(crate) const ACTIVITY_EVENTS: [&str; 6] = [
    "pointerdown",
    "pointermove",
    "keydown",
    "wheel",
    "touchstart",
    "scroll",
];

/// At most one activity record per this many ms (cheap `pointermove` handling).
pub(crate) const ACTIVITY_THROTTLE_MS: f64 = 1_000.0;

/// At most one cross-tab activity message per this many ms.
pub(crate) const ACTIVITY_BROADCAST_MS: f64 = 15_000.0;

/// The server's clock minus ours, in ms, from a response's `Date` header taken at local time `local_ms`.
/// `Date` has one-second precision, so offsets under two seconds are treated as zero.
pub(crate) fn clock_skew_ms(server_date_ms: Option<f64>, local_ms: f64) -> f64 {
    match server_date_ms {
        Some(s) if s.is_finite() && (s - local_ms).abs() >= 2_000.0 => s - local_ms,
        _ => 0.0,
    }
}

/// Local time (ms) at which the server's deadline `deadline_secs` (Unix s, server clock) falls.
pub(crate) fn local_deadline_ms(deadline_secs: f64, skew_ms: f64) -> f64 {
    deadline_secs * 1_000.0 - skew_ms
}

/// How long from `now_ms` until the idle warning is due: `warning_secs` before the local deadline, never
/// negative.
pub(crate) fn warning_delay_ms(local_deadline_ms: f64, warning_secs: f64, now_ms: f64) -> f64 {
    (local_deadline_ms - warning_secs.max(0.0) * 1_000.0 - now_ms).max(0.0)
}

/// Whole seconds left until the local deadline (at least 0).
pub(crate) fn seconds_left(local_deadline_ms: f64, now_ms: f64) -> f64 {
    ((local_deadline_ms - now_ms) / 1_000.0).ceil().max(0.0)
}

/// Window activity listeners; removed on drop.
#[derive(Debug)]
pub(crate) struct ActivityListener {
    target: EventTarget,
    callback: Closure<dyn FnMut()>,
}

impl ActivityListener {
    /// Calls `on_activity` for user activity on `target`, at most once per [`ACTIVITY_THROTTLE_MS`].
    pub(crate) fn attach(
        target: EventTarget,
        mut on_activity: impl FnMut(f64) + 'static,
    ) -> ActivityListener {
        let mut last = f64::NEG_INFINITY;
        let callback = Closure::<dyn FnMut()>::new(move || {
            let now = crate::clock::now_ms();
            if now - last >= ACTIVITY_THROTTLE_MS {
                last = now;
                on_activity(now);
            }
        });
        for name in ACTIVITY_EVENTS {
            let _ = crate::js::target(&target).listen(name, callback.as_ref(), true);
        }
        ActivityListener { target, callback }
    }
}

impl Drop for ActivityListener {
    fn drop(&mut self) {
        for name in ACTIVITY_EVENTS {
            let _ = crate::js::target(&self.target).unlisten(name, self.callback.as_ref(), true);
        }
    }
}

#[cfg(test)]
mod tests;
