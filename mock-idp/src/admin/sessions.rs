//! SSO sessions, back-channel logout deliveries and minted logout tokens, the token-request log, the
//! observation log and auto-login.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::json;

use super::json::{Res, created, no_content, ok, parse};
use super::redact;
use crate::auto_login::AutoLoginRequest;
use crate::errors::AdminError;
use crate::logout::{MintLogoutToken, end_session, end_session_by_sid};
use crate::state::{AppState, lock};

pub(super) async fn list_sessions(State(st): State<AppState>) -> Res {
    ok(st.sessions())
}

pub(super) async fn end_one_session(State(st): State<AppState>, Path(sid): Path<String>) -> Res {
    ok(end_session_by_sid(&st, &sid, "admin").ok_or(AdminError::NotFound("session"))?)
}

pub(super) async fn end_all_sessions(State(st): State<AppState>) -> Res {
    let cookies: Vec<String> = lock(&st.0.sessions).sso.keys().cloned().collect();
    let ended: Vec<String> = cookies
        .iter()
        .filter_map(|c| end_session(&st, c, "admin"))
        .map(|s| s.sid)
        .collect();
    ok(json!({ "ended": ended }))
}

pub(super) async fn list_deliveries(State(st): State<AppState>) -> Res {
    ok(st
        .deliveries()
        .into_iter()
        .map(redact::delivery)
        .collect::<Vec<_>>())
}

pub(super) async fn clear_deliveries(State(st): State<AppState>) -> Res {
    lock(&st.0.deliveries).clear();
    no_content()
}

/// `POST /logout-tokens`: `201 {"logout_token"}`.
pub(super) async fn mint_logout_token(State(st): State<AppState>, body: Bytes) -> Res {
    let req: MintLogoutToken = parse(&body)?;
    created(json!({ "logout_token": st.mint_logout_token(req)? }))
}

/// `GET /observed?since=N` (default 0: everything kept).
pub(super) async fn list_observed(State(st): State<AppState>, RawQuery(q): RawQuery) -> Res {
    let mut since = 0;
    for (k, v) in url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes()) {
        if k == "since" {
            since = v
                .parse()
                .map_err(|_| AdminError::InvalidRequest("since must be a non-negative integer".into()))?;
        }
    }
    ok(st.observed_since(since))
}

pub(super) async fn clear_observed(State(st): State<AppState>) -> Res {
    st.clear_observed();
    no_content()
}

pub(super) async fn list_requests(State(st): State<AppState>) -> Res {
    ok(lock(&st.0.requests).clone())
}

pub(super) async fn clear_requests(State(st): State<AppState>) -> Res {
    lock(&st.0.requests).clear();
    no_content()
}

/// `GET /stats`: how many of each kind of in-memory state the mock holds (the caps are in the config).
pub(super) async fn stats(State(st): State<AppState>) -> Res {
    let mut counts = {
        let s = lock(&st.0.sessions);
        json!({
            "sso_sessions": s.sso.len(),
            "interactions": s.interactions.len(),
            "codes": s.codes.len(),
            "access_tokens": s.access.len(),
            "webauthn_ceremonies": s.webauthn.len(),
        })
    };
    counts["requests"] = lock(&st.0.requests).len().into();
    ok(counts)
}

pub(super) async fn get_auto_login(State(st): State<AppState>) -> Res {
    ok(st.auto_login())
}

/// `PUT /auto-login`. Unlike the other bodies, an empty one is refused (every request names a user).
pub(super) async fn put_auto_login(State(st): State<AppState>, body: Bytes) -> Res {
    let req: AutoLoginRequest =
        serde_json::from_slice(&body).map_err(|e| AdminError::InvalidRequest(e.to_string()))?;
    ok(st.set_auto_login(req)?)
}

pub(super) async fn delete_auto_login(State(st): State<AppState>) -> Res {
    st.clear_auto_login();
    no_content()
}
