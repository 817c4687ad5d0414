//! Following the live session: the `onSessionEnded` / `onIdleWarning` listeners and the one place a session
//! end is announced, `/session` refreshes, the event stream and its reconnects, the idle warning, user
//! activity and news from other tabs.

use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::broadcast::TabMessage;
use crate::client::state::{Inner, State};
use crate::clock::{Timer, jitter, now_ms};
use crate::error::Result;
use crate::events::{EventStream, StreamSignal, backoff_delay_ms, inferred_reason};
use crate::fetch::{check_status, fetch_json, window};
use crate::idle::{
    ACTIVITY_BROADCAST_MS, ActivityListener, clock_skew_ms, local_deadline_ms, seconds_left, warning_delay_ms,
};
use crate::session::{Session, SessionState, parse_session};
use cis2_sdk::bff::routes;

/// Adds `callback` to the list `list` picks; returns a JS function that removes it again.
pub(super) fn add_listener(
    inner: &Rc<Inner>,
    callback: Function,
    list: fn(&mut State) -> &mut Vec<(u32, Function)>,
) -> JsValue {
    let id = {
        let mut s = inner.state.borrow_mut();
        s.next_id = s.next_id.wrapping_add(1);
        let id = s.next_id;
        list(&mut s).push((id, callback));
        id
    };
    let weak: Weak<Inner> = Rc::downgrade(inner);
    Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            list(&mut inner.state.borrow_mut()).retain(|(i, _)| *i != id);
        }
    })
    .into_js_value()
}

/// The listeners' functions (copied, to call them outside the state's borrow).
fn callbacks(list: &[(u32, Function)]) -> Vec<Function> {
    let mut out = Vec::with_capacity(list.len());
    for (_, f) in list {
        out.push(f.clone());
    }
    out
}

/// Ends the session once: stops the stream and timers, tells other tabs (unless the news came from one), then
/// calls the listeners (outside any borrow, so they may call back into the client).
pub(super) fn emit_ended(inner: &Rc<Inner>, reason: &str, tell_tabs: bool) {
    let listeners: Vec<Function> = {
        let mut s = inner.state.borrow_mut();
        if s.ended {
            return;
        }
        s.ended = true;
        s.times = None;
        s.sub = None;
        s.warned = false;
        s.stream = None;
        s.stream_open = false;
        s.reconnect_timer = None;
        s.idle_timer = None;
        if tell_tabs && let Some(c) = &s.channel {
            c.post(&TabMessage::SessionEnded(reason.to_owned()));
        }
        callbacks(&s.ended_listeners)
    };
    let reason = JsValue::from_str(reason);
    for f in listeners {
        let _ = f.call1(&JsValue::NULL, &reason);
    }
}

/// Reads `/session` and updates what the client knows.
pub(super) async fn refresh(inner: &Rc<Inner>, tell_tabs: bool) -> Result<Option<Session>> {
    let url = inner.url(routes::SESSION);
    let before = now_ms();
    let response = check_status(&url, fetch_json("GET", &url, None).await?)?;
    let skew = clock_skew_ms(response.server_date_ms, before);
    match parse_session(response.body)? {
        SessionState::Active(session) => {
            {
                let mut s = inner.state.borrow_mut();
                s.times = Some(session.times);
                s.sub = Some(session.sub().to_owned());
                s.skew_ms = skew;
                s.ended = false;
                s.warned = false;
                s.last_refresh_ms = now_ms();
                if tell_tabs && let Some(c) = &s.channel {
                    c.post(&TabMessage::Refreshed {
                        idle_expires_at: session.times.idle_expires_at,
                        expires_at: session.times.expires_at,
                    });
                }
            }
            schedule_idle(inner);
            Ok(Some(session))
        }
        SessionState::Anonymous { reason } => {
            let known = inner.state.borrow().times;
            if let Some(t) = known {
                let reason = reason.as_deref().unwrap_or_else(|| {
                    inferred_reason((now_ms() + skew) / 1_000.0, t.expires_at, t.idle_expires_at)
                });
                emit_ended(inner, reason, true);
            }
            Ok(None)
        }
    }
}

/// Opens the event stream when the client is running, knows a live session and is not waiting to reconnect.
pub(super) fn ensure_stream(inner: &Rc<Inner>) {
    let mut s = inner.state.borrow_mut();
    if !s.running
        || !inner.config.events
        || s.ended
        || s.times.is_none()
        || s.stream.is_some()
        || s.reconnect_timer.is_some()
    {
        return;
    }
    let url = inner.url(routes::EVENTS);
    match EventStream::open(&url, Rc::downgrade(inner), on_stream) {
        Ok(stream) => s.stream = Some(stream),
        Err(e) => web_sys::console::warn_2(&JsValue::from_str("cis2-browser: no event stream"), &e),
    }
}

/// Handles the event stream opening, announcing a session end, or failing (then checks and reconnects).
fn on_stream(inner: Rc<Inner>, signal: StreamSignal) {
    match signal {
        StreamSignal::Open => {
            let mut s = inner.state.borrow_mut();
            s.reconnect_attempt = 0;
            s.stream_open = true;
        }
        StreamSignal::Ended(reason) => emit_ended(&inner, &reason, true),
        StreamSignal::Failed => {
            {
                let mut s = inner.state.borrow_mut();
                s.stream = None;
                s.stream_open = false;
                if !s.running || s.ended {
                    return;
                }
            }
            // Did the session end while the stream was down? Ask, then reconnect if it is still there.
            crate::task::spawn(Box::pin(async move {
                match refresh(&inner, false).await {
                    Ok(None) => {}
                    Ok(Some(_)) | Err(_) => schedule_reconnect(&inner),
                }
            }));
        }
    }
}

/// Reopens the event stream after the next backoff delay.
fn schedule_reconnect(inner: &Rc<Inner>) {
    let mut s = inner.state.borrow_mut();
    if !s.running || s.ended || s.stream.is_some() {
        return;
    }
    let attempt = s.reconnect_attempt;
    s.reconnect_attempt = attempt.saturating_add(1);
    let delay = backoff_delay_ms(inner.config.backoff, attempt, jitter());
    let weak = Rc::downgrade(inner);
    s.reconnect_timer = Some(Timer::once(delay, move || {
        if let Some(inner) = weak.upgrade() {
            let timer = inner.state.borrow_mut().reconnect_timer.take();
            ensure_stream(&inner);
            drop(timer);
        }
    }));
}

/// Sets the idle-warning timer from the session's idle deadline, corrected for clock skew.
fn schedule_idle(inner: &Rc<Inner>) {
    let mut s = inner.state.borrow_mut();
    s.idle_timer = None;
    if !s.running || s.ended {
        return;
    }
    let Some(idle_at) = s.times.and_then(|t| t.idle_expires_at) else {
        return;
    };
    let deadline = local_deadline_ms(idle_at, s.skew_ms);
    let delay = warning_delay_ms(deadline, inner.config.idle_warning_secs, now_ms());
    let weak = Rc::downgrade(inner);
    s.idle_timer = Some(Timer::once(delay, move || {
        if let Some(inner) = weak.upgrade() {
            on_idle_due(&inner, deadline);
        }
    }));
}

/// The idle-warning time: refreshes if the user was active since the last refresh, else warns the
/// listeners and sets a check for after the deadline.
fn on_idle_due(inner: &Rc<Inner>, deadline: f64) {
    let (active, listeners) = {
        let mut s = inner.state.borrow_mut();
        let timer = s.idle_timer.take();
        if !s.running || s.ended {
            drop(s);
            drop(timer);
            return;
        }
        let active = s.last_activity_ms > s.last_refresh_ms;
        if !active {
            s.warned = true;
            // Backstop for a missing event stream: after the deadline, ask whether the session is over.
            let weak = Rc::downgrade(inner);
            s.idle_timer = Some(Timer::once((deadline - now_ms()).max(0.0) + 2_000.0, move || {
                if let Some(inner) = weak.upgrade() {
                    let check = {
                        let s = inner.state.borrow();
                        s.warned && !s.stream_open
                    };
                    if check {
                        crate::task::spawn(Box::pin(async move {
                            let _ = refresh(&inner, false).await;
                        }));
                    }
                }
            }));
        }
        let listeners = callbacks(&s.idle_listeners);
        drop(s);
        drop(timer);
        (active, listeners)
    };
    if active {
        let inner = inner.clone();
        crate::task::spawn(Box::pin(async move {
            let _ = refresh(&inner, true).await;
        }));
    } else {
        let left = JsValue::from_f64(seconds_left(deadline, now_ms()));
        for f in listeners {
            let _ = f.call1(&JsValue::NULL, &left);
        }
    }
}

/// Starts tracking user activity in this tab, when `trackActivity` is on.
pub(super) fn start_activity(inner: &Rc<Inner>) {
    if !inner.config.track_activity || inner.state.borrow().activity.is_some() {
        return;
    }
    let Ok(w) = window() else { return };
    let weak = Rc::downgrade(inner);
    let listener = ActivityListener::attach(w.into(), move |at| {
        if let Some(inner) = weak.upgrade() {
            on_activity(&inner, at, true);
        }
    });
    inner.state.borrow_mut().activity = Some(listener);
}

/// Records activity (`local`: in this tab, then also told to the others, at most every
/// `ACTIVITY_BROADCAST_MS`); activity after a warning refreshes the session.
fn on_activity(inner: &Rc<Inner>, at: f64, local: bool) {
    let refresh_now = {
        let mut s = inner.state.borrow_mut();
        if at > s.last_activity_ms {
            s.last_activity_ms = at;
        }
        let was_warned = std::mem::replace(&mut s.warned, false);
        if local && at - s.last_activity_broadcast_ms >= ACTIVITY_BROADCAST_MS {
            s.last_activity_broadcast_ms = at;
            if let Some(c) = &s.channel {
                c.post(&TabMessage::Activity { at_ms: at });
            }
        }
        local && was_warned && !s.ended
    };
    if refresh_now {
        let inner = inner.clone();
        crate::task::spawn(Box::pin(async move {
            let _ = refresh(&inner, true).await;
        }));
    }
}

/// Handles news from another tab: a session end, activity or a refresh.
pub(super) fn on_tab_message(inner: &Rc<Inner>, m: TabMessage) {
    match m {
        TabMessage::SessionEnded(reason) => emit_ended(inner, &reason, false),
        TabMessage::Activity { at_ms } => on_activity(inner, at_ms, false),
        TabMessage::Refreshed {
            idle_expires_at,
            expires_at,
        } => {
            {
                let mut s = inner.state.borrow_mut();
                let Some(t) = s.times.as_mut() else { return };
                t.idle_expires_at = idle_expires_at.or(t.idle_expires_at);
                t.expires_at = expires_at.or(t.expires_at);
                s.warned = false;
                s.last_refresh_ms = now_ms();
            }
            schedule_idle(inner);
        }
    }
}
