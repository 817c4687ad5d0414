//! The login page (`{realm}/login`): the form (test user + authenticator), credential checks, and
//! unattended sign-in while auto-login is armed. What follows a successful sign-in is in [`super::flow`].

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cis2_sdk::OAuthErrorCode;

use super::flow::{expired, interaction, login_path, sign_in};
use super::pages::{LoginView, login_page, no_method_message, refusal_page, usable_methods};
use crate::authenticators::{AuthMethod, verify_totp};
use crate::auto_login::AutoLogin;
use crate::ct::same;
use crate::errors::redirect_error;
use crate::sessions::Interaction;
use crate::state::{AppState, lock};

fn render_login(
    st: &AppState,
    id: &str,
    i: &Interaction,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let client_name = st
        .client(&i.req.client_id)
        .map(|c| c.client_name)
        .unwrap_or_default();
    let path = login_path();
    let view = LoginView {
        interaction: id,
        login_path: &path,
        client_name: &client_name,
        acr_values: &i.req.acr_values,
        rules: st.acr_rules(),
        login_hint: i.req.login_hint.as_deref(),
        error,
    };
    login_page(status, &view, &st.users())
}

/// `GET /login?interaction=…`: the form, or an unattended sign-in while auto-login is armed.
pub(crate) async fn login_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = q.get("interaction").map(String::as_str).unwrap_or("");
    let Some(i) = interaction(&st, id) else {
        return expired();
    };
    match st.take_auto_login() {
        Some(armed) => auto_sign_in(&st, &headers, id, &i, &armed),
        None => render_login(&st, id, &i, StatusCode::OK, None),
    }
}

/// Signs in as the armed user and method through [`sign_in`], as a successful form post would.
fn auto_sign_in(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    i: &Interaction,
    armed: &AutoLogin,
) -> Response {
    let user = st.user(&armed.uid).filter(|u| u.has(armed.method));
    let Some(user) = user else {
        let msg = format!(
            "Auto-login as {} with {} failed: the user or the authenticator is gone.",
            armed.uid,
            armed.method.as_str()
        );
        return render_login(st, id, i, StatusCode::OK, Some(&msg));
    };
    if let Some(pending) = lock(&st.0.sessions).interactions.get_mut(id) {
        pending.preset_role.clone_from(&armed.role);
    }
    tracing::debug!(uid = %user.uid, method = armed.method.as_str(), "auto-login");
    sign_in(st, headers, id, i, &user, armed.method)
}

/// Records `step` as the user's last TOTP step unless that step, or a later one, was accepted before (then
/// the code is a replay and false comes back).
fn totp_step_unused(st: &AppState, uid: &str, step: u64) -> bool {
    let mut sessions = lock(&st.0.sessions);
    let last = sessions.totp_steps.entry(uid.to_owned()).or_insert(0);
    if *last != 0 && step <= *last {
        return false;
    }
    *last = step;
    true
}

/// `POST /login`.
pub(crate) async fn login_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let field = |n: &str| f.get(n).map(String::as_str).unwrap_or("");
    let either = |own: &str, shared: &str| {
        let v = field(own);
        if v.is_empty() { field(shared) } else { v }
    };
    let id = field("interaction");
    let Some(i) = interaction(&st, id) else {
        return expired();
    };
    if field("action") == "cancel" {
        lock(&st.0.sessions).interactions.remove(id);
        return redirect_error(
            &i.req.redirect_uri,
            OAuthErrorCode::AccessDenied,
            "the user cancelled",
            i.req.state.as_deref(),
        );
    }
    let who = if field("uid").is_empty() {
        field("username")
    } else {
        field("uid")
    };
    let Some(user) = st.user_by_login(who) else {
        return render_login(&st, id, &i, StatusCode::UNAUTHORIZED, Some("Choose a test user."));
    };
    let Some(method) = AuthMethod::parse(field("method")) else {
        return render_login(
            &st,
            id,
            &i,
            StatusCode::BAD_REQUEST,
            Some("Choose a way to sign in."),
        );
    };
    if !method.available() {
        return refusal_page(
            &login_path(),
            id,
            "This authenticator is not available in this mock yet.",
        );
    }
    if usable_methods(&user, &i.req.acr_values, st.acr_rules()).is_empty() {
        return refusal_page(&login_path(), id, &no_method_message(&user, &i.req.acr_values));
    }
    if !user.has(method) {
        return refusal_page(
            &login_path(),
            id,
            &format!("{} has no {} authenticator.", user.name(), method.as_str()),
        );
    }
    if method.is_webauthn() {
        // The page's script runs the ceremony (`{realm}/webauthn/login/*`) instead of posting the form.
        return render_login(
            &st,
            id,
            &i,
            StatusCode::BAD_REQUEST,
            Some("Signing in with a security key, Windows Hello or a passkey needs JavaScript."),
        );
    }
    let now = st.0.clock.now();
    let ok = match method {
        AuthMethod::Smartcard => same(field("passcode"), &user.passcode),
        AuthMethod::Totp => {
            // `totp_password` is the TOTP method's own field; `password` is accepted too (older scripts).
            let password_ok = same(either("totp_password", "password"), &user.password);
            let step = verify_totp(&user.totp_secret, field("totp"), now);
            password_ok && step.is_some_and(|s| totp_step_unused(&st, &user.uid, s))
        }
        AuthMethod::Password => same(field("password"), &user.password),
        // The virtual NHSmail account's password is the user's password \[I\].
        AuthMethod::Nhsmail => same(either("nhsmail_password", "password"), &user.password),
        // The virtual iPad approves when asked: the box stands for the biometric check on the device.
        AuthMethod::Ios => field("ios_approval") == "approved",
        AuthMethod::Fido2 | AuthMethod::Passkey | AuthMethod::PasskeyAal3 => false,
    };
    if !ok {
        return render_login(
            &st,
            id,
            &i,
            StatusCode::UNAUTHORIZED,
            Some("The details you entered are not correct."),
        );
    }
    sign_in(&st, &headers, id, &i, &user, method)
}
