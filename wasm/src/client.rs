//! `Cis2Browser`: the backend-for-frontend client. Sign-in, role change and step-up are navigations to the
//! backend; sign-out and the session are `fetch`es; session ends arrive over the backend's event stream, from
//! other tabs over `BroadcastChannel`, or from the smartcard bridge, and reach `onSessionEnded` once.
//!
//! Nothing here touches `localStorage`, `sessionStorage` or IndexedDB: the session lives in the backend's
//! HttpOnly cookie and tokens never reach the browser.
//!
//! This file holds the JS API and sign-out; `live` follows the session (listeners, refreshes, the event stream,
//! the idle warning), `options` reads what JS passes in, and `state` is what they share.

mod live;
mod options;
mod state;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;

use self::live::{add_listener, emit_ended, ensure_stream, on_tab_message, refresh, start_activity};
use self::options::{SignOutOptions, acr_values, current_path, navigate, return_only, sign_out_options};
use self::state::{Config, Inner, State};
use crate::bridge::{CardSubscription, card_target, open_card_events, unsubscriber};
use crate::broadcast::{DEFAULT_CHANNEL, TabChannel};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Backoff;
use crate::fetch::{check_status, fetch_json};
use crate::js::{get, get_string, opt_bool, opt_number, opt_ports, opt_str, opt_string, options_object, set};
use crate::text::cat;
use cis2_sdk::bff::{EndReason, LoginQuery, routes};

/// Default seconds of warning before the idle timeout.
const DEFAULT_IDLE_WARNING_SECS: f64 = 120.0;

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
        let sub: CardSubscription = open_card_events(port, host, scheme, move |kind, event| {
            if kind != "card_removed" {
                return;
            }
            let Some(inner) = weak.upgrade() else { return };
            // Another user's card (a second reader, a shared workstation) ends nothing. A removal that names no
            // user may be this user's card: it ends the session (fail closed).
            let uid = get_string(&event, "uid");
            if card_belongs_to_someone_else(uid.as_deref(), inner.state.borrow().sub.as_deref()) {
                return;
            }
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

/// Whether a removed card (its `uid`, when the bridge names one) belongs to a user other than the one signed in.
fn card_belongs_to_someone_else(card_uid: Option<&str>, session_sub: Option<&str>) -> bool {
    matches!((card_uid, session_sub), (Some(card), Some(sub)) if card != sub)
}

/// `POST {baseUrl}/logout`, then the session end everywhere and, if asked, the CIS2 end-session page.
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
