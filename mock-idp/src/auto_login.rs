//! Auto-login: unattended sign-in for browser tests. While armed, `GET {realm}/login` signs in as the armed
//! user with the armed method instead of showing the form, through the same path as a successful form post
//! (ACR enforcement, SSO cookie, virtual card, session replacement); an armed role replaces the role page.
//! Admin API: `PUT|GET|DELETE /admin/api/auto-login` (in `crate::admin`); the [`AppState`] methods live in
//! `crate::state`, the sign-in itself in `crate::journey`.
//!
//! [`AppState`]: crate::AppState

use serde::{Deserialize, Serialize};

use crate::authenticators::AuthMethod;
use crate::errors::AdminError;
use crate::users::User;

/// What to arm (`PUT /admin/api/auto-login`, [`AppState::set_auto_login`](crate::AppState::set_auto_login)).
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

/// Checks a request against the user it names (`None`: no such user) and gives the armed value.
pub(crate) fn arm(req: AutoLoginRequest, user: Option<User>) -> Result<AutoLogin, AdminError> {
    let bad = AdminError::InvalidRequest;
    let who = req.uid.as_str();
    let user = user.ok_or_else(|| bad(format!("no user {who:?}")))?;
    if req.method.is_webauthn() {
        return Err(bad(format!(
            "{} needs a real WebAuthn ceremony; use smartcard, ios, totp, nhsmail or password",
            req.method.as_str()
        )));
    }
    if !user.has(req.method) {
        return Err(bad(format!(
            "{} has no {} authenticator",
            user.uid,
            req.method.as_str()
        )));
    }
    if let Some(role) = req.role.as_deref()
        && user.role(role).is_none()
    {
        return Err(bad(format!("{} has no role {role:?}", user.uid)));
    }
    Ok(AutoLogin {
        uid: user.uid,
        method: req.method,
        role: req.role,
        remaining: (req.times > 0).then_some(req.times),
    })
}

/// Uses the armed auto-login in `slot` once (disarming it after its last use); `None` when disarmed.
pub(crate) fn take(slot: &mut Option<AutoLogin>) -> Option<AutoLogin> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AppState;

    fn state() -> AppState {
        let pem = include_str!("../tests/data/idp-a.pem");
        let key = cis2_sdk::SigningKey::from_pkcs8_pem(pem, cis2_sdk::Algorithm::RS256).unwrap();
        crate::server::MockIdp::builder()
            .signing_key(key)
            .build()
            .unwrap()
    }

    #[test]
    fn take_counts_down_and_disarms() {
        let st = state();
        let req = AutoLoginRequest::new("gina.practitioner", AuthMethod::Password).times(2);
        let armed = st.set_auto_login(req).unwrap();
        assert_eq!(armed.uid, "656005750108");
        assert_eq!(st.take_auto_login().unwrap().remaining, Some(2));
        assert_eq!(st.auto_login().unwrap().remaining, Some(1));
        assert!(st.take_auto_login().is_some());
        assert!(st.take_auto_login().is_none());
        assert!(st.auto_login().is_none());

        st.set_auto_login(AutoLoginRequest::new("656005750108", AuthMethod::Totp).times(0))
            .unwrap();
        for _ in 0..3 {
            assert!(st.take_auto_login().is_some());
        }
        assert_eq!(st.auto_login().unwrap().remaining, None);
        st.clear_auto_login();
        assert!(st.take_auto_login().is_none());
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
