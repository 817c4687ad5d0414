//! `/connect/endSession`: RP-initiated logout (OIDC RP-Initiated Logout 1.0). The session ends through
//! `crate::logout` (back-channel logout to its clients); the SSO cookie is cleared.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cis2_sdk::{ClientId, IssuerUrl, JwkSet, TokenValidator, UnixTime, ValidationPolicy};
use serde_json::{Map, Value};

use super::observe::Seen;
use crate::errors::{append_query, found};
use crate::http::session_cookie;
use crate::logout::{end_session, end_session_by_sid};
use crate::observed::ObservedEndpoint;
use crate::pages::{error_page, signed_out_page};
use crate::state::{AppState, lock, read};

/// `GET /connect/endSession`.
pub(crate) async fn end_session_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    observed(&st, &headers, &q)
}

/// `POST /connect/endSession` (form).
pub(crate) async fn end_session_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(q): axum::Form<HashMap<String, String>>,
) -> Response {
    observed(&st, &headers, &q)
}

/// [`rp_logout`], recorded in the observation log (the client; the hint's `sub`, else the ended session's
/// user).
fn observed(st: &AppState, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    let mut seen = Seen::default();
    let resp = rp_logout(st, headers, q, &mut seen);
    seen.record(st, ObservedEndpoint::EndSession, &resp);
    resp
}

/// Checks an `id_token_hint` with the sdk: signed by one of our published keys, our issuer, and issued to
/// a registered client (`aud`/`azp`), which it returns with the claims. An expired hint is fine (OIDC
/// RP-Initiated Logout §2), so the sdk's time check runs at the token's own `iat`, which the signature makes
/// ours. The sdk's signed-userinfo validation is the one that checks exactly that much (signature, `alg`
/// allow-list, `typ` JWT or none, so a logout token does not pass, `iss`, `aud`, `azp`, `exp`).
fn verified_hint(
    st: &AppState,
    hint: &str,
    client_id: Option<&str>,
) -> Result<(String, Map<String, Value>), &'static str> {
    // Read unverified only to learn which client to validate for and at what time; validated below.
    let (_, unverified) =
        cis2_sdk::dangerous::insecure_decode(hint).map_err(|_| "id_token_hint is not a JWT.")?;
    let aud = match unverified.get("aud") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Array(a)) => a.first().and_then(Value::as_str),
        _ => None,
    };
    let not_ours = "id_token_hint was not issued by this provider to a registered client.";
    let client = client_id.or(aud).and_then(|id| st.client(id)).ok_or(not_ours)?;
    let now = st.0.clock.now();
    let at = unverified
        .get("iat")
        .and_then(Value::as_u64)
        .map_or(now, UnixTime::from_secs);
    let sub = unverified.get("sub").and_then(Value::as_str).unwrap_or_default();
    let jwks = read(&st.0.keys).jwks(now);
    let jwks = jwks
        .as_object()
        .and_then(|doc| JwkSet::from_document(doc).ok())
        .ok_or(not_ours)?;
    let issuer = IssuerUrl::new(st.issuer())
        .or_else(|_| cis2_sdk::dangerous::http_issuer_url(st.issuer()))
        .map_err(|_| not_ours)?;
    let cid = ClientId::new(client.client_id.clone()).map_err(|_| not_ours)?;
    let validator = TokenValidator::new(issuer, cid, ValidationPolicy::new(cis2_sdk::Crypto::default()));
    validator
        .validate_signed_userinfo(hint, &jwks, sub, at)
        .map_err(|e| {
            tracing::info!(error = %e, "endSession: id_token_hint refused");
            not_ours
        })?;
    Ok((client.client_id, unverified))
}

fn refused(reason: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, "Sign-out failed", reason)
}

fn rp_logout(st: &AppState, headers: &HeaderMap, q: &HashMap<String, String>, seen: &mut Seen) -> Response {
    seen.client_id = q.get("client_id").cloned();
    let hint = match q.get("id_token_hint") {
        None => None,
        Some(h) => match verified_hint(st, h, q.get("client_id").map(String::as_str)) {
            Ok(v) => Some(v),
            Err(reason) => return refused(reason),
        },
    };
    let hint_aud = hint.as_ref().map(|(aud, _)| aud.clone());
    let hint_claims = hint.map(|(_, c)| c);
    // A `client_id` that the hint was not issued to fails the hint's audience check above.
    let client_id = q.get("client_id").cloned().or(hint_aud);
    seen.client_id.clone_from(&client_id);
    seen.uid = hint_claims
        .as_ref()
        .and_then(|c| c.get("sub"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let redirect = match q.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let registered = client_id
                .as_deref()
                .and_then(|id| st.client(id))
                .is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u == uri));
            if !registered {
                return refused("post_logout_redirect_uri is not registered for this client.");
            }
            Some(uri.clone())
        }
    };
    let sid = hint_claims
        .as_ref()
        .and_then(|c| c.get("sid"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let cookie = session_cookie::get(headers);
    // The browser's own session, when it has one: a hint for another session does not end either.
    let browser_sid = {
        let now = st.0.clock.now();
        let sessions = lock(&st.0.sessions);
        cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .map(|s| s.sid.clone())
    };
    if let (Some(hint_sid), Some(own)) = (&sid, &browser_sid)
        && hint_sid != own
    {
        return refused("The id_token_hint belongs to another session than this browser's.");
    }
    let ended = match (sid, cookie) {
        (Some(sid), _) => end_session_by_sid(st, &sid, "logout"),
        (None, Some(cookie)) => end_session(st, &cookie, "logout"),
        (None, None) => None,
    };
    if seen.uid.is_none() {
        seen.uid = ended.map(|s| s.uid);
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
