//! The sign-in journey: the login page (test user + authenticator), credential checks, ACR enforcement,
//! SSO session creation, role selection and the code redirect.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use cis2_sdk::{CIS2_REALM_PATH, OAuthErrorCode};

use crate::AppState;
use crate::authenticators::{AuthMethod, verify_totp};
use crate::errors::{append_query, found, redirect_error};
use crate::pages::{LoginView, error_page, login_page, refusal_page, role_page};
use crate::sessions::{CodeGrant, Interaction, SESSION_COOKIE, SsoSession, random_token};

fn login_path() -> String {
    format!("{CIS2_REALM_PATH}/login")
}

fn role_path() -> String {
    format!("{CIS2_REALM_PATH}/select-role")
}

fn expired() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Sign-in expired",
        "This sign-in request is unknown or has expired. Start again from the service.",
    )
}

/// The user a login name designates: a uid, or a (non-empty) username.
pub(crate) fn user_by_login(st: &AppState, who: &str) -> Option<crate::users::User> {
    st.users()
        .into_iter()
        .find(|u| u.uid == who || (!u.username.is_empty() && u.username == who))
}

fn interaction(st: &AppState, id: &str) -> Option<Interaction> {
    crate::lock(&st.0.sessions).interactions.get(id).cloned()
}

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
    match crate::auto_login::take(&st) {
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
    armed: &crate::auto_login::AutoLogin,
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
    if let Some(pending) = crate::lock(&st.0.sessions).interactions.get_mut(id) {
        pending.preset_role.clone_from(&armed.role);
    }
    tracing::debug!(uid = %user.uid, method = armed.method.as_str(), "auto-login");
    sign_in(st, headers, id, i, &user, armed.method)
}

/// `POST /login`.
pub(crate) async fn login_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let field = |n: &str| f.get(n).map(String::as_str).unwrap_or("");
    let id = field("interaction");
    let Some(i) = interaction(&st, id) else {
        return expired();
    };
    if field("action") == "cancel" {
        crate::lock(&st.0.sessions).interactions.remove(id);
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
    let Some(user) = user_by_login(&st, who) else {
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
        AuthMethod::Smartcard => field("passcode") == user.passcode,
        AuthMethod::Totp => {
            field("password") == user.password && verify_totp(&user.totp_secret, field("totp"), now)
        }
        AuthMethod::Password => field("password") == user.password,
        AuthMethod::Fido2 | AuthMethod::Passkey => false,
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

/// After the credentials checked out (form or WebAuthn ceremony): ACR enforcement (refusal page), the SSO
/// session and cookie, then role selection or the code redirect.
pub(crate) fn sign_in(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    i: &Interaction,
    user: &crate::users::User,
    method: AuthMethod,
) -> Response {
    let now = st.0.clock.now();
    let mode = crate::lock(&st.0.cards).mode();
    if method.acr_for(&i.req.acr_values, mode).is_none() {
        return refusal_page(
            &login_path(),
            id,
            &format!(
                "The service asked for {} but {} only reaches AAL{}. Choose a stronger authenticator.",
                i.req.acr_values.join(" or "),
                method.label(),
                method.aal()
            ),
        );
    }
    let card_serial = if method == AuthMethod::Smartcard {
        let mut cards = crate::lock(&st.0.cards);
        let serial = cards.card_of(&user.uid).map(|c| c.serial.clone());
        let card = cards.create(serial, &user.uid);
        cards.insert(&card.serial);
        Some(card.serial)
    } else {
        None
    };

    // Same user in this browser: re-authentication refreshes the session (same sid). Another user: the old
    // session ends (with back-channel logout) and a new one starts.
    let old = crate::authorize::session_cookie(headers);
    let mut ended = None;
    let cookie = {
        let mut sessions = crate::lock(&st.0.sessions);
        let expires_at =
            now.saturating_add(std::time::Duration::from_secs(st.0.config.session_lifetime_secs));
        match old
            .as_deref()
            .and_then(|c| sessions.sso.get_mut(c))
            .filter(|s| s.expires_at > now)
        {
            Some(s) if s.uid == user.uid => {
                s.method = method;
                s.auth_time = now;
                s.expires_at = expires_at;
                s.card_serial = card_serial;
                s.cookie.clone()
            }
            other => {
                if other.is_some() {
                    ended = old.clone();
                }
                let cookie = random_token(32);
                let s = SsoSession {
                    sid: random_token(24),
                    uid: user.uid.clone(),
                    method,
                    auth_time: now,
                    expires_at,
                    card_serial,
                    clients: Default::default(),
                    cookie: cookie.clone(),
                };
                sessions.sso.insert(cookie.clone(), s);
                cookie
            }
        }
    };
    if let Some(old) = ended {
        crate::logout::end_session(st, &old, "replaced");
    }
    if let Some(i) = crate::lock(&st.0.sessions).interactions.get_mut(id) {
        i.session_cookie = Some(cookie.clone());
    }
    let mut resp = continue_after_auth(st, id);
    let set = format!("{SESSION_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&set) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// After authentication (fresh or SSO): role selection when asked for and needed, else the code.
pub(crate) fn continue_after_auth(st: &AppState, id: &str) -> Response {
    let Some(i) = interaction(st, id) else {
        return expired();
    };
    let now = st.0.clock.now();
    let uid = {
        let sessions = crate::lock(&st.0.sessions);
        i.session_cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .map(|s| s.uid.clone())
    };
    let Some(user) = uid.and_then(|u| st.user(&u)) else {
        return expired();
    };
    if i.req.has_scope("selectedrole") && user.roles.len() > 1 {
        if let Some(role) = i.preset_role.filter(|r| user.role(r).is_some()) {
            return issue_code(st, id, Some(role));
        }
        return found(&format!("{}?interaction={id}", role_path()));
    }
    let selected = if i.req.has_scope("selectedrole") {
        user.roles.first().map(|r| r.person_roleid.clone())
    } else {
        None
    };
    issue_code(st, id, selected)
}

fn issue_code(st: &AppState, id: &str, selected_roleid: Option<String>) -> Response {
    let now = st.0.clock.now();
    let mode = crate::lock(&st.0.cards).mode();
    let mut sessions = crate::lock(&st.0.sessions);
    let Some(i) = sessions.interactions.remove(id) else {
        drop(sessions);
        return expired();
    };
    let Some(s) = i
        .session_cookie
        .as_deref()
        .and_then(|c| sessions.by_cookie(c, now))
        .cloned()
    else {
        drop(sessions);
        return expired();
    };
    let Some(acr) = s.method.acr_for(&i.req.acr_values, mode) else {
        drop(sessions);
        return redirect_error(
            &i.req.redirect_uri,
            OAuthErrorCode::AccessDenied,
            "acr_values not satisfied",
            i.req.state.as_deref(),
        );
    };
    let code = random_token(32);
    let mut pairs = vec![("code", code.clone())];
    if let Some(state) = &i.req.state {
        pairs.push(("state", state.clone()));
    }
    let location = append_query(
        &i.req.redirect_uri,
        &pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
    );
    sessions.codes.insert(
        code,
        CodeGrant {
            req: i.req,
            uid: s.uid.clone(),
            sid: s.sid.clone(),
            cookie: s.cookie.clone(),
            method: s.method,
            acr,
            auth_time: s.auth_time,
            selected_roleid,
            issued_at: now,
            used: false,
            access_tokens: Vec::new(),
        },
    );
    drop(sessions);
    found(&location)
}

/// `GET /select-role?interaction=…`.
pub(crate) async fn role_get(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = q.get("interaction").map(String::as_str).unwrap_or("");
    match role_context(&st, id) {
        Some(user) => role_page(&role_path(), id, &user),
        None => expired(),
    }
}

fn role_context(st: &AppState, id: &str) -> Option<crate::users::User> {
    let i = interaction(st, id)?;
    let now = st.0.clock.now();
    let uid = {
        let sessions = crate::lock(&st.0.sessions);
        i.session_cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .map(|s| s.uid.clone())?
    };
    st.user(&uid)
}

/// `POST /select-role` with `interaction` and `role`.
pub(crate) async fn role_post(
    State(st): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let id = f.get("interaction").map(String::as_str).unwrap_or("");
    let Some(user) = role_context(&st, id) else {
        return expired();
    };
    let role = f.get("role").map(String::as_str).unwrap_or("");
    if user.role(role).is_none() {
        let mut resp = role_page(&role_path(), id, &user);
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        return resp;
    }
    issue_code(&st, id, Some(role.to_owned()))
}
