//! `Cis2Browser`: the backend-for-frontend client. Sign-in, role change and step-up are navigations to the
//! backend; sign-out and the session are `fetch`es; session ends arrive over the backend's event stream, from
//! other tabs over `BroadcastChannel`, or from the smartcard bridge, and reach `onSessionEnded` once.
//!
//! Nothing here touches `localStorage`, `sessionStorage` or IndexedDB: the session lives in the backend's
//! HttpOnly cookie and tokens never reach the browser.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;

use crate::bridge::{CardSubscription, card_target, open_card_events, unsubscriber};
use crate::broadcast::{DEFAULT_CHANNEL, TabChannel, TabMessage};
use crate::clock::{Timer, jitter, now_ms};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Backoff, EventStream, StreamSignal, backoff_delay_ms, inferred_reason};
use crate::fetch::{check_status, fetch_json, window};
use crate::idle::{
    ACTIVITY_BROADCAST_MS, ActivityListener, clock_skew_ms, local_deadline_ms, seconds_left, warning_delay_ms,
};
use crate::js::{get, get_string, opt_bool, opt_number, opt_ports, opt_str, opt_string, options_object, set};
use crate::session::{Session, SessionState, SessionTimes, parse_session};
use crate::text::cat;
use cis2_sdk::bff::{EndReason, LoginQuery, routes};

/// Default seconds of warning before the idle timeout.
const DEFAULT_IDLE_WARNING_SECS: f64 = 120.0;

#[derive(Debug, Default)]
struct SignOutOptions {
    end_session: Option<bool>,
    redirect: Option<bool>,
}

fn sign_out_options(v: Option<JsValue>) -> Result<SignOutOptions> {
    const WHAT: &str = "signOut options";
    let o = options_object(WHAT, v)?;
    Ok(SignOutOptions {
        end_session: opt_bool(&o, "endSession", WHAT)?,
        redirect: opt_bool(&o, "redirect", WHAT)?,
    })
}

/// `acr`: one string (space-separated values allowed) or an array of strings.
fn acr_values(o: &JsValue) -> Result<Vec<String>> {
    let v = get(o, "acr");
    if crate::js::absent(&v) {
        return Ok(Vec::new());
    }
    let mut values = Vec::new();
    if let Some(s) = v.as_string() {
        for part in s.split(' ') {
            values.push(part.to_owned());
        }
        return Ok(values);
    }
    let bad = || {
        Error::new(
            ErrorCode::InvalidOptions,
            "signIn options: acr must be a string or an array of strings",
        )
    };
    if !js_sys::Array::is_array(&v) {
        return Err(bad());
    }
    for a in v.unchecked_into::<js_sys::Array>().iter() {
        values.push(a.as_string().ok_or_else(bad)?);
    }
    Ok(values)
}

#[derive(Debug)]
struct Config {
    base: String,
    idle_warning_secs: f64,
    bridge_ports: Option<Vec<u16>>,
    track_activity: bool,
    events: bool,
    backoff: Backoff,
}

#[derive(Debug, Default)]
struct State {
    ended_listeners: Vec<(u32, Function)>,
    idle_listeners: Vec<(u32, Function)>,
    next_id: u32,
    running: bool,
    ended: bool,
    times: Option<SessionTimes>,
    skew_ms: f64,
    stream: Option<EventStream>,
    stream_open: bool,
    reconnect_attempt: u32,
    reconnect_timer: Option<Timer>,
    channel: Option<TabChannel>,
    activity: Option<ActivityListener>,
    idle_timer: Option<Timer>,
    warned: bool,
    last_activity_ms: f64,
    last_refresh_ms: f64,
    last_activity_broadcast_ms: f64,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    state: RefCell<State>,
}

impl Inner {
    fn url(&self, route: &str) -> String {
        cat(&[&self.config.base, route])
    }
}

/// The browser half of a cis2-server backend. See the package README for a walkthrough.
#[wasm_bindgen(js_name = Cis2Browser)]
#[derive(Debug)]
pub struct Cis2Browser {
    inner: Rc<Inner>,
}

#[wasm_bindgen(js_class = Cis2Browser)]
impl Cis2Browser {
    /// Creates a client for the backend routes under `baseUrl` (default `"/auth"`). Opens the cross-tab channel
    /// at once; call `start()` to follow the session live.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "Cis2BrowserOptions")] options: Option<JsValue>,
    ) -> std::result::Result<Cis2Browser, JsValue> {
        const WHAT: &str = "Cis2Browser options";
        let o = options_object(WHAT, options)?;
        let defaults = Backoff::default();
        let config = Config {
            // Trailing slashes off: `"/auth/"` → `"/auth"`, `"/"` → `""`.
            base: (opt_string(&o, "baseUrl", WHAT)?.as_deref().unwrap_or("/auth"))
                .trim()
                .trim_end_matches('/')
                .to_owned(),
            idle_warning_secs: opt_number(&o, "idleWarningSecs", WHAT)?.unwrap_or(DEFAULT_IDLE_WARNING_SECS),
            bridge_ports: opt_ports(&o, "bridgePorts", WHAT)?,
            track_activity: opt_bool(&o, "trackActivity", WHAT)?.unwrap_or(true),
            events: opt_bool(&o, "events", WHAT)?.unwrap_or(true),
            backoff: Backoff {
                base_ms: opt_number(&o, "reconnectBaseMs", WHAT)?.unwrap_or(defaults.base_ms),
                max_ms: opt_number(&o, "reconnectMaxMs", WHAT)?.unwrap_or(defaults.max_ms),
            },
        };
        let channel_name = opt_string(&o, "channelName", WHAT)?.unwrap_or_else(|| DEFAULT_CHANNEL.to_owned());
        let inner = Rc::new(Inner {
            config,
            state: RefCell::new(State::default()),
        });
        let weak = Rc::downgrade(&inner);
        // No BroadcastChannel (very old browsers): each tab is on its own.
        let channel = TabChannel::open(&channel_name, move |m| {
            if let Some(inner) = weak.upgrade() {
                on_tab_message(&inner, m);
            }
        })
        .ok();
        inner.state.borrow_mut().channel = channel;
        Ok(Cis2Browser { inner })
    }

    /// The backend route prefix in use (`"/auth"`).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config.base.clone()
    }

    /// Navigates to `{baseUrl}/login`. `returnTo` defaults to the current path; it must be a same-origin path
    /// (throws `Cis2Error` `invalid_return_to` otherwise). `selectedRole: true` asks CIS2 for role selection.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SignInOptions")] options: Option<JsValue>,
    ) -> std::result::Result<(), JsValue> {
        const WHAT: &str = "signIn options";
        let o = options_object(WHAT, options)?;
        let prompt_login = match opt_string(&o, "prompt", WHAT)?.as_deref() {
            None => false,
            Some("login") => true,
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::InvalidOptions,
                    "signIn options: prompt must be \"login\"",
                )
                .into());
            }
        };
        let mut params = LoginQuery::default();
        params.acr_values = acr_values(&o)?;
        params.prompt_login = prompt_login;
        params.max_age = opt_number(&o, "maxAge", WHAT)?.map(|m| m as u64);
        params.select_role = opt_bool(&o, "selectedRole", WHAT)?.unwrap_or(false);
        params.return_to = Some(opt_string(&o, "returnTo", WHAT)?.map_or_else(current_path, Ok)?);
        navigate(&self.inner, routes::LOGIN, &params)
    }

    /// Navigates to `{baseUrl}/change-role` (a fresh login with role selection).
    #[wasm_bindgen(js_name = changeRole)]
    pub fn change_role(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ReturnToOptions")] options: Option<JsValue>,
    ) -> std::result::Result<(), JsValue> {
        navigate(&self.inner, routes::CHANGE_ROLE, &return_only(options)?)
    }

    /// Navigates to `{baseUrl}/step-up` (a fresh login at AAL3).
    #[wasm_bindgen(js_name = stepUp)]
    pub fn step_up(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ReturnToOptions")] options: Option<JsValue>,
    ) -> std::result::Result<(), JsValue> {
        navigate(&self.inner, routes::STEP_UP, &return_only(options)?)
    }

    /// `POST {baseUrl}/logout`, then ends the session in every tab (`onSessionEnded("signed_out")`). With
    /// `endSession: true` the backend also ends the CIS2 session; when it returns an `end_session_url`, the page
    /// goes there unless `redirect: false`.
    #[wasm_bindgen(js_name = signOut, unchecked_return_type = "Promise<SignOutResult>")]
    pub fn sign_out(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SignOutOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let parsed = sign_out_options(options);
        crate::task::promise(Box::pin(async move { Ok(sign_out(&inner, parsed?).await?) }))
    }

    /// `GET {baseUrl}/session`: the live session, or `undefined` when signed out. Counts as activity for the
    /// backend's idle timeout. If a session this client knew has gone, `onSessionEnded` fires.
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session | undefined>")]
    pub fn get_session(&self) -> Promise {
        let inner = self.inner.clone();
        crate::task::promise(Box::pin(async move {
            let s = refresh(&inner, true).await?;
            ensure_stream(&inner);
            Ok(s.map_or(JsValue::UNDEFINED, |s| s.to_js()))
        }))
    }

    /// Starts following the session: reads it, opens the event stream (reconnecting with backoff) and tracks
    /// user activity for the idle warning. Resolves to the session, or `undefined` when signed out.
    #[wasm_bindgen(unchecked_return_type = "Promise<Session | undefined>")]
    pub fn start(&self) -> Promise {
        let inner = self.inner.clone();
        start_activity(&inner);
        inner.state.borrow_mut().running = true;
        crate::task::promise(Box::pin(async move {
            let s = refresh(&inner, false).await?;
            ensure_stream(&inner);
            Ok(s.map_or(JsValue::UNDEFINED, |s| s.to_js()))
        }))
    }

    /// Stops the event stream, reconnect and idle timers and activity tracking. Cross-tab news still arrives.
    pub fn stop(&self) {
        let mut s = self.inner.state.borrow_mut();
        s.running = false;
        s.stream = None;
        s.stream_open = false;
        s.reconnect_timer = None;
        s.idle_timer = None;
        s.activity = None;
    }

    /// Calls `callback(reason)` once when the session ends, whichever tab or channel heard it first. Reasons:
    /// `signed_out`, `backchannel_logout`, `smartcard_removed`, `idle_timeout`, `expired` (or a newer one the
    /// backend sends). Returns a function that unsubscribes.
    #[wasm_bindgen(js_name = onSessionEnded, unchecked_return_type = "() => void")]
    pub fn on_session_ended(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(reason: SessionEndedReason) => void")] callback: Function,
    ) -> JsValue {
        add_listener(&self.inner, callback, |s| &mut s.ended_listeners)
    }

    /// Calls `callback(secondsLeft)` when the backend's idle timeout is `idleWarningSecs` away and the user has
    /// been idle in every tab. Any activity (or `getSession()`) then keeps the session alive. Returns a function
    /// that unsubscribes.
    #[wasm_bindgen(js_name = onIdleWarning, unchecked_return_type = "() => void")]
    pub fn on_idle_warning(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(secondsLeft: number) => void")] callback: Function,
    ) -> JsValue {
        add_listener(&self.inner, callback, |s| &mut s.idle_listeners)
    }

    /// `discoverBridge` with this client's `bridgePorts` as the default port list.
    #[wasm_bindgen(js_name = discoverBridge, unchecked_return_type = "Promise<BridgeDiscovery>")]
    pub fn discover_bridge(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "BridgeDiscoveryOptions")] options: Option<JsValue>,
    ) -> Promise {
        let ports = self.inner.config.bridge_ports.clone();
        let parsed = crate::bridge::options_from(options);
        crate::task::promise(Box::pin(async move {
            let mut o = parsed?;
            if o.ports.is_none() {
                o.ports = ports;
            }
            Ok(crate::bridge::discover(o).await?)
        }))
    }

    /// Watches the bridge's card events on `port`; when the card is removed the session ends in every tab with
    /// `smartcard_removed` and (unless `signOut: false`) the backend session is signed out too. Returns a function
    /// that stops watching.
    #[wasm_bindgen(js_name = watchSmartcard, unchecked_return_type = "() => void")]
    pub fn watch_smartcard(
        &self,
        port: u16,
        #[wasm_bindgen(unchecked_optional_param_type = "WatchSmartcardOptions")] options: Option<JsValue>,
    ) -> std::result::Result<JsValue, JsValue> {
        let sign_out_too = options
            .as_ref()
            .map(|o| get(o, "signOut"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let (host, scheme) = card_target(options);
        let weak = Rc::downgrade(&self.inner);
        let sub: CardSubscription = open_card_events(port, host, scheme, move |kind, _| {
            if kind != "card_removed" {
                return;
            }
            let Some(inner) = weak.upgrade() else { return };
            emit_ended(&inner, EndReason::SmartcardRemoved.as_str(), true);
            if sign_out_too {
                crate::task::spawn(Box::pin(async move {
                    let url = inner.url(routes::LOGOUT);
                    let _ = fetch_json("POST", &url, Some("{}")).await;
                }));
            }
        })?;
        Ok(unsubscriber(sub))
    }
}

fn current_path() -> Result<String> {
    let location: JsValue = crate::fetch::location()?.into();
    let path = get_string(&location, "pathname").unwrap_or_else(|| "/".to_owned());
    let search = get_string(&location, "search").unwrap_or_default();
    let hash = get_string(&location, "hash").unwrap_or_default();
    Ok(cat(&[&path, &search, &hash]))
}

fn return_only(options: Option<JsValue>) -> Result<LoginQuery> {
    let return_to = match options.as_ref().map(|o| get(o, "returnTo")) {
        Some(v) if v.is_undefined() || v.is_null() => None,
        Some(v) => Some(
            v.as_string()
                .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "returnTo must be a string"))?,
        ),
        None => None,
    };
    let mut query = LoginQuery::default();
    query.return_to = Some(return_to.map_or_else(current_path, Ok)?);
    Ok(query)
}

fn navigate(inner: &Inner, route: &str, query: &LoginQuery) -> std::result::Result<(), JsValue> {
    let url = query.url(&inner.config.base, route).map_err(Error::from)?;
    crate::fetch::location()?
        .assign(&url)
        .map_err(|e| Error::new(ErrorCode::Network, "navigation failed").with_details(e))?;
    Ok(())
}

fn add_listener(
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
fn emit_ended(inner: &Rc<Inner>, reason: &str, tell_tabs: bool) {
    let listeners: Vec<Function> = {
        let mut s = inner.state.borrow_mut();
        if s.ended {
            return;
        }
        s.ended = true;
        s.times = None;
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
async fn refresh(inner: &Rc<Inner>, tell_tabs: bool) -> Result<Option<Session>> {
    let url = inner.url(routes::SESSION);
    let before = now_ms();
    let response = check_status(&url, fetch_json("GET", &url, None).await?)?;
    let skew = clock_skew_ms(response.server_date_ms, before);
    match parse_session(response.body)? {
        SessionState::Active(session) => {
            {
                let mut s = inner.state.borrow_mut();
                s.times = Some(session.times);
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
fn ensure_stream(inner: &Rc<Inner>) {
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

fn start_activity(inner: &Rc<Inner>) {
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

fn on_tab_message(inner: &Rc<Inner>, m: TabMessage) {
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

async fn sign_out(inner: &Rc<Inner>, o: SignOutOptions) -> Result<JsValue> {
    let end_session = o.end_session.unwrap_or(false);
    // The contract's JSON body, plus the same flag as a query parameter for backends that read the query
    // (server-sdk's logout route does, as of this writing); a backend reading either sees the same request.
    let url = if end_session {
        cat(&[&inner.url(routes::LOGOUT), "?end_session=true"])
    } else {
        inner.url(routes::LOGOUT)
    };
    let body = if end_session {
        r#"{"end_session":true}"#
    } else {
        "{}"
    };
    let response = check_status(&url, fetch_json("POST", &url, Some(body)).await?)?;
    let end_session_url = get_string(&response.body, "end_session_url");
    let signed_out = get(&response.body, "signed_out").as_bool().unwrap_or(true);
    emit_ended(inner, EndReason::SignedOut.as_str(), true);
    let result = Object::new();
    set(&result, "signedOut", &JsValue::from_bool(signed_out));
    set(&result, "endSessionUrl", &opt_str(end_session_url.as_deref()));
    if let Some(target) = end_session_url.filter(|_| o.redirect.unwrap_or(true)) {
        crate::fetch::location()?
            .assign(&target)
            .map_err(|e| Error::new(ErrorCode::Network, "navigation failed").with_details(e))?;
    }
    Ok(result.into())
}
