//! The journey's core, shared by the login form, auto-login, WebAuthn and SSO reuse at `/authorize`: ACR
//! enforcement, the SSO session and cookie, then role selection or the code redirect.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cis2_sdk::OAuthErrorCode;

use super::pages::refusal_page;
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::authenticators::AuthMethod;
use crate::errors::{append_query, found, redirect_error};
use crate::http::session_cookie;
use crate::logout::{self, end_session};
use crate::pages::error_page;
use crate::sessions::{CodeGrant, Interaction, SsoSession, make_room};
use crate::state::{AppState, lock};
use crate::users::User;

pub(crate) fn login_path() -> String {
    crate::realm::path("/login")
}

pub(crate) fn role_path() -> String {
    crate::realm::path("/select-role")
}

pub(crate) fn expired() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Sign-in expired",
        "This sign-in request is unknown or has expired. Start again from the service.",
    )
}

/// The pending authorization request behind an interaction id.
pub(crate) fn interaction(st: &AppState, id: &str) -> Option<Interaction> {
    lock(&st.0.sessions).interactions.get(id).cloned()
}

/// After the credentials checked out (form or WebAuthn ceremony): ACR enforcement (refusal page), the SSO
/// session and cookie, then role selection or the code redirect.
pub(crate) fn sign_in(
    st: &AppState,
    headers: &HeaderMap,
    id: &str,
    i: &Interaction,
    user: &User,
    method: AuthMethod,
) -> Response {
    let now = st.0.clock.now();
    let mode = lock(&st.0.cards).mode();
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
        let mut cards = lock(&st.0.cards);
        let serial = cards.card_of(&user.uid).map(|c| c.serial.clone());
        let card = cards.create(serial, &user.uid);
        cards.insert(&card.serial);
        Some(card.serial)
    } else {
        None
    };

    // Same user in this browser: re-authentication refreshes the session (same sid). Another user: the old
    // session ends (with back-channel logout) and a new one starts.
    let old = session_cookie::get(headers);
    let mut ended = None;
    let mut evicted = Vec::new();
    let cookie = {
        let mut sessions = lock(&st.0.sessions);
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
                let cookie = random_token(&mut OsRng, 32);
                let s = SsoSession {
                    sid: random_token(&mut OsRng, 24),
                    uid: user.uid.clone(),
                    method,
                    auth_time: now,
                    expires_at,
                    card_serial,
                    clients: Default::default(),
                    cookie: cookie.clone(),
                    seq: sessions.next_seq(),
                };
                evicted = make_room(&mut sessions.sso, st.0.config.max_sso_sessions, |s| s.seq);
                sessions.sso.insert(cookie.clone(), s);
                cookie
            }
        }
    };
    if let Some(old) = ended {
        end_session(st, &old, "replaced");
    }
    for s in &evicted {
        logout::ended(st, s, "evicted");
    }
    if let Some(i) = lock(&st.0.sessions).interactions.get_mut(id) {
        i.session_cookie = Some(cookie.clone());
    }
    let mut resp = continue_after_auth(st, id);
    session_cookie::set(&mut resp, &cookie);
    resp
}

/// After authentication (fresh or SSO): role selection when asked for and needed, else the code.
pub(crate) fn continue_after_auth(st: &AppState, id: &str) -> Response {
    let Some(i) = interaction(st, id) else {
        return expired();
    };
    let now = st.0.clock.now();
    let uid = {
        let sessions = lock(&st.0.sessions);
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

pub(crate) fn issue_code(st: &AppState, id: &str, selected_roleid: Option<String>) -> Response {
    let now = st.0.clock.now();
    let mode = lock(&st.0.cards).mode();
    let mut sessions = lock(&st.0.sessions);
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
    let code = random_token(&mut OsRng, 32);
    let mut pairs = vec![("code", code.clone())];
    if let Some(state) = &i.req.state {
        pairs.push(("state", state.clone()));
    }
    let location = append_query(
        &i.req.redirect_uri,
        &pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
    );
    make_room(&mut sessions.codes, st.0.config.max_codes, |c| c.seq);
    let seq = sessions.next_seq();
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
            seq,
        },
    );
    drop(sessions);
    found(&location)
}
