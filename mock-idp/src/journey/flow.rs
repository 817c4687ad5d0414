//! The journey's core, shared by the login form, auto-login, WebAuthn and SSO reuse at `/authorize`: ACR
//! enforcement, the SSO session and cookie, then role selection or the code redirect.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cis2_sdk::OAuthErrorCode;

use super::pages::refusal_page;
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use cis2_sdk::UnixTime;

use crate::authenticators::AuthMethod;
use crate::cis1_sessions::Cis1Session;
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
    if method.acr_for(&i.req.acr_values, st.acr_rules()).is_none() {
        let asked = i.req.acr_values.join(" or ");
        let message = if cis2_sdk::acr::requested_level(&i.req.acr_values).is_some_and(|l| method.aal() >= l)
        {
            // Strong enough, but the request names another way to sign in (`AAL3_FIDO2`, …).
            format!(
                "The service asked for {asked}, which {} cannot answer. Choose the way to sign in it names.",
                method.label()
            )
        } else {
            format!(
                "The service asked for {asked} but {} only reaches AAL{}. Choose a stronger authenticator.",
                method.label(),
                method.aal()
            )
        };
        return refusal_page(&login_path(), id, &message);
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
    let auth = Authenticated {
        method,
        auth_time: now,
        card_serial,
        ia_selected_roleid: None,
    };
    establish(st, headers, id, user, auth)
}

/// Identity Agent single sign-on (cis2.md §12.4): the browser's virtual Identity Agent holds a live CIS1
/// session, so the user is not asked to authenticate again. The CIS2 session is a smartcard one on the same
/// card (its removal ends both), authenticated when the PIN was entered in the IA, with the role chosen there.
pub(crate) fn ia_sign_in(st: &AppState, headers: &HeaderMap, id: &str, cis1: &Cis1Session) -> Response {
    let Some(user) = st.user(&cis1.uid) else {
        return expired();
    };
    tracing::info!(uid = %user.uid, serial = %cis1.card_serial, "Identity Agent single sign-on into CIS2");
    let auth = Authenticated {
        method: AuthMethod::Smartcard,
        auth_time: cis1.auth_time,
        card_serial: Some(cis1.card_serial.clone()),
        ia_selected_roleid: cis1.selected_roleid.clone(),
    };
    establish(st, headers, id, &user, auth)
}

/// How the user just authenticated.
struct Authenticated {
    method: AuthMethod,
    auth_time: UnixTime,
    card_serial: Option<String>,
    ia_selected_roleid: Option<String>,
}

/// The SSO session and cookie for an authenticated user, then role selection or the code redirect.
fn establish(st: &AppState, headers: &HeaderMap, id: &str, user: &User, auth: Authenticated) -> Response {
    let now = st.0.clock.now();
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
                s.method = auth.method;
                s.auth_time = auth.auth_time;
                s.expires_at = expires_at;
                s.card_serial = auth.card_serial;
                s.ia_selected_roleid = auth.ia_selected_roleid;
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
                    method: auth.method,
                    auth_time: auth.auth_time,
                    expires_at,
                    card_serial: auth.card_serial,
                    ia_selected_roleid: auth.ia_selected_roleid,
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
    let current = {
        let sessions = lock(&st.0.sessions);
        i.session_cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .map(|s| (s.uid.clone(), s.ia_selected_roleid.clone()))
    };
    let Some((user, ia_role)) = current.and_then(|(u, r)| Some((st.user(&u)?, r))) else {
        return expired();
    };
    // Chosen at PIN entry in the Identity Agent: no role page, and `selected_roleid` without `selectedrole`.
    if let Some(role) = ia_role.filter(|r| user.role(r).is_some()) {
        return issue_code(st, id, Some(role));
    }
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
    let rules = st.acr_rules();
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
    let Some(acr) = s.method.acr_for(&i.req.acr_values, rules) else {
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
