//! The backend's event stream (`GET {baseUrl}/events`, server-sent events) and why sessions end.
//!
//! Wire format (bff-protocol.md): `event: session_ended` / `data: {"reason": "<reason>"}`, and `event: ping`
//! keep-alives (ignored, as is any other event name, e.g. a `ready` event). The browser's own `EventSource`
//! retry is not trusted: after any `error` the SDK closes the stream, asks `/session` whether the session still
//! exists, and reconnects with exponential backoff and jitter ([`backoff_delay_ms`]).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use cis2_sdk::bff::{EndReason, keys, routes};

use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

/// Why a session ended, as the package reports it: the wire string of a [`EndReason`], or a newer reason the
/// backend sent, passed through unchanged (never empty).
pub(crate) type Reason = String;

/// The reason for a session that vanished without an event reaching this tab (the stream was down): the
/// timeout its last known deadlines show as passed ([`EndReason::from_deadlines`]), else `signed_out` (which is
/// what the backend reports for a session that is simply gone). Times are Unix seconds.
pub(crate) fn inferred_reason(
    now_secs: f64,
    expires_at: Option<f64>,
    idle_expires_at: Option<f64>,
) -> &'static str {
    EndReason::from_deadlines(now_secs, expires_at, idle_expires_at)
        .unwrap_or(EndReason::SignedOut)
        .as_str()
}

/// A reason string as received; `None` for an empty one.
pub(crate) fn parse_reason(s: &str) -> Option<Reason> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Retry timing for the event stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Backoff {
    /// The first delay's ceiling, in ms.
    pub(crate) base_ms: f64,
    /// The largest ceiling, in ms.
    pub(crate) max_ms: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base_ms: 1_000.0,
            max_ms: 30_000.0,
        }
    }
}

/// The delay before reconnect attempt `attempt` (0-based): "equal jitter" over an exponential ceiling,
/// `ceiling = min(max, base * 2^attempt)`, delay in `[ceiling / 2, ceiling)`. `jitter` is in `[0, 1)`.
pub(crate) fn backoff_delay_ms(b: Backoff, attempt: u32, jitter: f64) -> f64 {
    let exp = 2f64.powi(attempt.min(30) as i32);
    let ceiling = (b.base_ms.max(0.0) * exp).min(b.max_ms.max(0.0));
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.5
    };
    ceiling / 2.0 + jitter * ceiling / 2.0
}

/// Reads the reason from a `session_ended` event's data (`{"reason": "…"}`); a bare reason string is accepted.
pub(crate) fn reason_from_data(data: &str) -> Option<Reason> {
    match js_sys::JSON::parse(data) {
        Ok(v) if v.is_object() => crate::js::get_string(&v, keys::REASON).and_then(|r| parse_reason(&r)),
        Ok(v) => v.as_string().and_then(|r| parse_reason(&r)),
        Err(_) => parse_reason(data.trim()),
    }
}

/// What the stream tells its owner.
#[derive(Debug)]
pub(crate) enum StreamSignal {
    /// The stream is open (reset the backoff).
    Open,
    /// The backend said the session ended.
    Ended(Reason),
    /// The stream failed or closed; the owner decides whether to reconnect.
    Failed,
}

/// An open `EventSource` and its listeners; closing happens on drop.
#[derive(Debug)]
pub(crate) struct EventStream {
    source: EventSource,
    _on_open: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut()>,
    _on_ended: Closure<dyn FnMut(MessageEvent)>,
}

impl EventStream {
    /// Opens `url` and reports to `sink` (held weakly, so the stream never keeps its owner alive).
    pub(crate) fn open<T: 'static>(
        url: &str,
        owner: Weak<T>,
        sink: fn(Rc<T>, StreamSignal),
    ) -> Result<EventStream, JsValue> {
        let source = EventSource::new(url)?;
        let weak = owner.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(o) = weak.upgrade() {
                sink(o, StreamSignal::Open);
            }
        });
        let weak = owner.clone();
        let fired = RefCell::new(false);
        let on_error = Closure::<dyn FnMut()>::new(move || {
            if let Some(o) = weak.upgrade()
                && !fired.replace(true)
            {
                sink(o, StreamSignal::Failed);
            }
        });
        let on_ended = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let reason = crate::js::get_string(&e, "data")
                .and_then(|d| reason_from_data(&d))
                .unwrap_or_else(|| EndReason::SignedOut.as_str().to_owned());
            if let Some(o) = owner.upgrade() {
                sink(o, StreamSignal::Ended(reason));
            }
        });
        // Handler properties through `Reflect.set`, which the package imports anyway (a typed setter is an
        // import of its own).
        crate::js::set(&source, "onopen", on_open.as_ref());
        crate::js::set(&source, "onerror", on_error.as_ref());
        crate::js::target(&source).listen(routes::SESSION_ENDED_EVENT, on_ended.as_ref(), false)?;
        Ok(EventStream {
            source,
            _on_open: on_open,
            _on_error: on_error,
            _on_ended: on_ended,
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        crate::js::set(&self.source, "onopen", &JsValue::NULL);
        crate::js::set(&self.source, "onerror", &JsValue::NULL);
        let source = crate::js::target(&self.source);
        let _ = source.unlisten(routes::SESSION_ENDED_EVENT, self._on_ended.as_ref(), false);
        source.close();
    }
}

#[cfg(test)]
mod tests;
