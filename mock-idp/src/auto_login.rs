//! Auto-login: unattended sign-in for browser tests. While armed, `GET {realm}/login` signs in as the armed
//! user with the armed method instead of showing the form, through the same path as a successful form post
//! (ACR enforcement, SSO cookie, virtual card, session replacement); an armed role replaces the role page.
//! Admin API: `PUT|GET|DELETE /admin/api/auto-login`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::authenticators::AuthMethod;
use crate::errors::admin_error;
use crate::{AppState, lock};

/// What to arm (`PUT /admin/api/auto-login`, [`AppState::set_auto_login`]).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AutoLoginRequest {
    /// The user's uid or username.
    pub uid: String,
    /// `smartcard`, `totp` or `password` (the WebAuthn methods need a real ceremony).
    pub method: AuthMethod,
    /// The `person_roleid` to select when the client asks for `selectedrole` and the user has several.
    #[serde(default)]
    pub role: Option<String>,
    /// How many sign-ins (default 1); 0 means until cleared.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl AutoLoginRequest {
    /// One sign-in as `uid` with `method`, no role.
    pub fn new(uid: impl Into<String>, method: AuthMethod) -> Self {
        Self {
            uid: uid.into(),
            method,
            role: None,
            times: 1,
        }
    }

    /// Selects this role (`person_roleid`) instead of showing the role page.
    pub fn role(mut self, person_roleid: impl Into<String>) -> Self {
        self.role = Some(person_roleid.into());
        self
    }

    /// For `times` sign-ins (0: until cleared).
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }
}

/// The armed auto-login.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AutoLogin {
    /// The user's uid (a username given when arming is resolved).
    pub uid: String,
    /// The authenticator.
    pub method: AuthMethod,
    /// The role to select, if any.
    pub role: Option<String>,
    /// Sign-ins left; `None` until cleared.
    pub remaining: Option<u32>,
}

impl AppState {
    /// Arms auto-login (replacing any previous setting). Fails for an unknown user, a WebAuthn method, an
    /// authenticator the user does not have, or a role the user does not hold.
    pub fn set_auto_login(&self, req: AutoLoginRequest) -> Result<AutoLogin, String> {
        let armed = check(self, req)?;
        *lock(&self.0.auto_login) = Some(armed.clone());
        Ok(armed)
    }

    /// The armed auto-login, if any.
    pub fn auto_login(&self) -> Option<AutoLogin> {
        lock(&self.0.auto_login).clone()
    }

    /// Disarms auto-login.
    pub fn clear_auto_login(&self) {
        *lock(&self.0.auto_login) = None;
    }
}

fn check(st: &AppState, req: AutoLoginRequest) -> Result<AutoLogin, String> {
    let who = req.uid.as_str();
    let user = crate::login::user_by_login(st, who).ok_or_else(|| format!("no user {who:?}"))?;
    if req.method.is_webauthn() {
        return Err(format!(
            "{} needs a real WebAuthn ceremony; use smartcard, totp or password",
            req.method.as_str()
        ));
    }
    if !user.has(req.method) {
        return Err(format!(
            "{} has no {} authenticator",
            user.uid,
            req.method.as_str()
        ));
    }
    if let Some(role) = req.role.as_deref()
        && user.role(role).is_none()
    {
        return Err(format!("{} has no role {role:?}", user.uid));
    }
    Ok(AutoLogin {
        uid: user.uid,
        method: req.method,
        role: req.role,
        remaining: (req.times > 0).then_some(req.times),
    })
}

/// Uses the armed auto-login once (disarming it after its last use); `None` when disarmed.
pub(crate) fn take(st: &AppState) -> Option<AutoLogin> {
    let mut slot = lock(&st.0.auto_login);
    let armed = slot.clone()?;
    match armed.remaining {
        Some(n) if n <= 1 => *slot = None,
        Some(n) => {
            if let Some(a) = slot.as_mut() {
                a.remaining = Some(n - 1);
            }
        }
        None => {}
    }
    Some(armed)
}

/// `/admin/api/auto-login` (merged into the admin API).
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new().route("/auto-login", get(admin_get).put(admin_put).delete(admin_delete))
}

fn bad(description: impl Into<String>) -> Response {
    admin_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

async fn admin_get(State(st): State<AppState>) -> Response {
    axum::Json(st.auto_login()).into_response()
}

async fn admin_put(State(st): State<AppState>, body: Bytes) -> Response {
    let req: AutoLoginRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad(e.to_string()),
    };
    match st.set_auto_login(req) {
        Ok(armed) => axum::Json(armed).into_response(),
        Err(e) => bad(e),
    }
}

async fn admin_delete(State(st): State<AppState>) -> Response {
    st.clear_auto_login();
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        let pem = include_str!("../tests/data/idp-a.pem");
        let key = cis2_sdk::SigningKey::from_pkcs8_pem(pem, cis2_sdk::Algorithm::RS256).unwrap();
        crate::MockIdp::builder().signing_key(key).build().unwrap()
    }

    #[test]
    fn take_counts_down_and_disarms() {
        let st = state();
        let req = AutoLoginRequest::new("gina.practitioner", AuthMethod::Password).times(2);
        let armed = st.set_auto_login(req).unwrap();
        assert_eq!(armed.uid, "656005750108");
        assert_eq!(take(&st).unwrap().remaining, Some(2));
        assert_eq!(st.auto_login().unwrap().remaining, Some(1));
        assert!(take(&st).is_some());
        assert!(take(&st).is_none());
        assert!(st.auto_login().is_none());

        st.set_auto_login(AutoLoginRequest::new("656005750108", AuthMethod::Totp).times(0))
            .unwrap();
        for _ in 0..3 {
            assert!(take(&st).is_some());
        }
        assert_eq!(st.auto_login().unwrap().remaining, None);
        st.clear_auto_login();
        assert!(take(&st).is_none());
    }

    #[test]
    fn arming_checks_user_method_and_role() {
        let st = state();
        for req in [
            AutoLoginRequest::new("nobody", AuthMethod::Password),
            AutoLoginRequest::new("656005750108", AuthMethod::Fido2),
            AutoLoginRequest::new("656005750108", AuthMethod::Passkey),
            AutoLoginRequest::new("656005750110", AuthMethod::Smartcard),
            AutoLoginRequest::new("555000000001", AuthMethod::Smartcard).role("999"),
        ] {
            assert!(st.set_auto_login(req.clone()).is_err(), "{req:?}");
        }
        let ok = AutoLoginRequest::new("555000000001", AuthMethod::Smartcard).role("555000000102");
        assert_eq!(
            st.set_auto_login(ok).unwrap().role.as_deref(),
            Some("555000000102")
        );
    }
}
