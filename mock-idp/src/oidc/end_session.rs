//! `/connect/endSession`: RP-initiated logout (OIDC RP-Initiated Logout 1.0). The session ends through
//! `crate::logout` (back-channel logout to its clients); the SSO cookie is cleared.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::errors::{append_query, found};
use crate::http::session_cookie;
use crate::logout::{end_session, end_session_by_sid};
use crate::pages::{error_page, signed_out_page};
use crate::state::AppState;

/// `GET /connect/endSession`.
pub(crate) async fn end_session_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    rp_logout(&st, &headers, &q)
}

/// `POST /connect/endSession` (form).
pub(crate) async fn end_session_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(q): axum::Form<HashMap<String, String>>,
) -> Response {
    rp_logout(&st, &headers, &q)
}

fn rp_logout(st: &AppState, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    // The hint only locates the session and its client; it was issued by us, and an expired one is fine
    // (OIDC RP-Initiated Logout §2), so nothing here is a validation decision.
    let hint = q
        .get("id_token_hint")
        .map(|h| cis2_sdk::dangerous::insecure_decode(h));
    let hint_claims = match hint {
        Some(Ok((_, c))) => Some(c),
        Some(Err(_)) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Sign-out failed",
                "id_token_hint is not a JWT.",
            );
        }
        None => None,
    };
    let hint_aud = hint_claims.as_ref().and_then(|c| match c.get("aud") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(a)) => a.first().and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    });
    let client_id = q.get("client_id").cloned().or(hint_aud.clone());
    if let (Some(c), Some(a)) = (q.get("client_id"), &hint_aud)
        && c != a
    {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-out failed",
            "client_id does not match the id_token_hint.",
        );
    }
    let redirect = match q.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let registered = client_id
                .as_deref()
                .and_then(|id| st.client(id))
                .is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u == uri));
            if !registered {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Sign-out failed",
                    "post_logout_redirect_uri is not registered for this client.",
                );
            }
            Some(uri.clone())
        }
    };
    let sid = hint_claims
        .as_ref()
        .and_then(|c| c.get("sid"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    match (sid, session_cookie::get(headers)) {
        (Some(sid), _) => {
            end_session_by_sid(st, &sid, "logout");
        }
        (None, Some(cookie)) => {
            end_session(st, &cookie, "logout");
        }
        (None, None) => {}
    }
    let mut resp = match redirect {
        Some(uri) => {
            let state = q.get("state").map(String::as_str);
            let loc = match state {
                Some(s) => append_query(&uri, &[("state", s)]),
                None => uri,
            };
            found(&loc)
        }
        None => signed_out_page(),
    };
    session_cookie::clear(&mut resp);
    resp
}
