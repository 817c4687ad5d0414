//! `GET {baseUrl}/session` (bff-protocol.md): `{"authenticated": false}` or
//! `{"authenticated": true, "user": {…}, "session": {…}}`, read from the browser's own JSON parse.

use std::rc::Rc;

use cis2_sdk::bff::keys;
use wasm_bindgen::prelude::*;

use crate::claims::{SessionUser, UserWire, read_user};
use crate::error::{Error, ErrorCode, Result};
use crate::js::{get, get_f64, get_string, opt_num, set};

/// The `session` object: unix-second deadlines and the timeouts behind them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct SessionTimes {
    #[cfg_attr(test, serde(default))]
    pub(crate) created_at: Option<f64>,
    #[cfg_attr(test, serde(default))]
    pub(crate) expires_at: Option<f64>,
    #[cfg_attr(test, serde(default))]
    pub(crate) idle_expires_at: Option<f64>,
    #[cfg_attr(test, serde(default))]
    pub(crate) idle_timeout_secs: Option<f64>,
    #[cfg_attr(test, serde(default))]
    pub(crate) absolute_timeout_secs: Option<f64>,
}

/// The whole response.
#[derive(Debug)]
#[cfg_attr(test, derive(serde::Deserialize))]
pub(crate) struct SessionWire {
    pub(crate) authenticated: bool,
    #[cfg_attr(test, serde(default))]
    pub(crate) user: Option<UserWire>,
    #[cfg_attr(test, serde(default))]
    pub(crate) session: Option<SessionTimes>,
    /// Not in the contract yet; when an unauthenticated answer says why the session ended, the SDK uses it.
    #[cfg_attr(test, serde(default))]
    pub(crate) reason: Option<String>,
}

fn bad(what: &str) -> Error {
    Error::new(ErrorCode::BadResponse, crate::text::cat(&["/session: ", what]))
}

/// Reads the object `Response.json()` made.
fn read_wire(body: &JsValue) -> Result<SessionWire> {
    let authenticated = get(body, keys::AUTHENTICATED)
        .as_bool()
        .ok_or_else(|| bad("no boolean \"authenticated\""))?;
    let user = get(body, keys::USER);
    let user = if crate::js::absent(&user) {
        None
    } else {
        Some(read_user(&user).ok_or_else(|| bad("user without a string \"sub\""))?)
    };
    let t = get(body, keys::SESSION);
    let session = (!crate::js::absent(&t)).then(|| SessionTimes {
        created_at: get_f64(&t, keys::CREATED_AT),
        expires_at: get_f64(&t, keys::EXPIRES_AT),
        idle_expires_at: get_f64(&t, keys::IDLE_EXPIRES_AT),
        idle_timeout_secs: get_f64(&t, keys::IDLE_TIMEOUT_SECS),
        absolute_timeout_secs: get_f64(&t, keys::ABSOLUTE_TIMEOUT_SECS),
    });
    Ok(SessionWire {
        authenticated,
        user,
        session,
        reason: get_string(body, keys::REASON),
    })
}

/// What `/session` said.
#[derive(Debug)]
pub(crate) enum SessionState {
    /// Signed in.
    Active(Session),
    /// Not signed in (`reason`: why the session ended, when the backend said).
    Anonymous { reason: Option<String> },
}

/// Parses the JSON value `/session` returned.
pub(crate) fn parse_session(body: JsValue) -> Result<SessionState> {
    from_wire(read_wire(&body)?)
}

pub(crate) fn from_wire(wire: SessionWire) -> Result<SessionState> {
    if !wire.authenticated {
        return Ok(SessionState::Anonymous { reason: wire.reason });
    }
    let user = wire.user.ok_or_else(|| bad("authenticated without a user"))?;
    Ok(SessionState::Active(Session {
        user: Rc::new(user),
        times: wire.session.unwrap_or_default(),
    }))
}

/// A live session: who is signed in and until when. Deadlines are Unix seconds on the server's clock.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    user: Rc<UserWire>,
    pub(crate) times: SessionTimes,
}

impl Session {
    /// The signed-in user's CIS2 UID.
    pub(crate) fn sub(&self) -> &str {
        &self.user.sub
    }

    /// The JS `Session` object: `{user: SessionUser, createdAt, expiresAt, idleExpiresAt, idleTimeoutSecs,
    /// absoluteTimeoutSecs}` (numbers or `null`).
    pub(crate) fn to_js(&self) -> JsValue {
        let o = js_sys::Object::new();
        set(&o, "user", &JsValue::from(SessionUser::new(self.user.clone())));
        let t = &self.times;
        set(&o, "createdAt", &opt_num(t.created_at));
        set(&o, "expiresAt", &opt_num(t.expires_at));
        set(&o, "idleExpiresAt", &opt_num(t.idle_expires_at));
        set(&o, "idleTimeoutSecs", &opt_num(t.idle_timeout_secs));
        set(&o, "absoluteTimeoutSecs", &opt_num(t.absolute_timeout_secs));
        o.into()
    }
}

/// Parses `/session` JSON (a string or an already-parsed object) into a `Session`, or `undefined` when it says
/// `authenticated: false`. `getSession()` does this itself; this is for apps that fetch `/session` their own way
/// (e.g. server-side rendering hands the JSON to the page).
#[wasm_bindgen(js_name = parseSession, unchecked_return_type = "Session | undefined")]
pub fn parse_session_js(
    #[wasm_bindgen(unchecked_param_type = "string | object")] json: JsValue,
) -> std::result::Result<JsValue, JsValue> {
    let value = match json.as_string() {
        Some(s) => js_sys::JSON::parse(&s)
            .map_err(|e| Error::new(ErrorCode::BadResponse, "session JSON does not parse").with_details(e))?,
        None => json,
    };
    match parse_session(value)? {
        SessionState::Active(s) => Ok(s.to_js()),
        SessionState::Anonymous { .. } => Ok(JsValue::UNDEFINED),
    }
}

#[cfg(test)]
mod tests;
