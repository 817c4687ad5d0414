//! `/access_token`: client authentication (`super::client_auth`), then the `authorization_code` grant with single-use, short-lived codes (reuse
//! revokes what the first use issued), exact `redirect_uri` and PKCE.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cis2_sdk::OAuthErrorCode;
use serde_json::json;

use super::claims;
use super::client_auth::{Form, authenticate};
use super::endpoint_fault::endpoint_fault;
use super::observe::Seen;
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::ct::same;
use crate::errors::{bad_request, no_store, oauth_json};
use crate::faults::Target;
use crate::observed::ObservedEndpoint;
use crate::sessions::AccessGrant;
use crate::signing;
use crate::state::{AppState, lock};

/// The most of one field the request log keeps (bytes).
const LOGGED_FIELD_MAX: usize = 2048;

/// A field for the request log: as sent, or its first [`LOGGED_FIELD_MAX`] bytes (on a character boundary)
/// and a marker saying how much was cut.
fn logged(v: &str) -> String {
    if v.len() <= LOGGED_FIELD_MAX {
        return v.to_owned();
    }
    let mut end = LOGGED_FIELD_MAX;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    let kept = v.get(..end).unwrap_or_default();
    format!("{kept}…[truncated {} bytes]", v.len() - end)
}

/// `POST /access_token`, recorded in the observation log (the client, and the user of the code).
pub(crate) async fn token(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let mut seen = Seen::default();
    let resp = exchange(&st, &headers, &body, &mut seen).await;
    seen.record(&st, ObservedEndpoint::Token, &resp);
    resp
}

async fn exchange(st: &AppState, headers: &HeaderMap, body: &str, seen: &mut Seen) -> Response {
    let form = match Form::parse(headers, body) {
        Ok(f) => f,
        Err(resp) => return resp,
    };
    let get = |name: &str| form.get(name);
    seen.client_id = get("client_id");
    let auth = match authenticate(st, headers, &form).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let client = auth.client;
    seen.client_id = Some(client.client_id.clone());
    seen.uid = get("code").and_then(|c| lock(&st.0.sessions).codes.get(&c).map(|g| g.uid.clone()));
    {
        let mut requests = lock(&st.0.requests);
        if requests.len() >= 1000 {
            requests.remove(0);
        }
        requests.push(json!({
            "at": st.0.clock.now().as_secs(),
            "endpoint": "token",
            "client_id": logged(&client.client_id),
            "auth_method": client.token_endpoint_auth_method.as_str(),
            "assertion_jti": auth.assertion_jti.as_deref().map(logged),
            "grant_type": get("grant_type").as_deref().map(logged),
            // The verifier is a secret: the log says that one was sent, and its length.
            "code_verifier": get("code_verifier").map(|v| format!("[redacted: {} bytes]", v.len())),
        }));
    }
    if let Some(r) = endpoint_fault(
        st,
        Some(&client.client_id),
        seen.uid.as_deref(),
        Target::TokenEndpoint,
    )
    .await
    {
        return r;
    }
    match get("grant_type").as_deref() {
        None => return bad_request(OAuthErrorCode::InvalidRequest, "grant_type is required"),
        Some("authorization_code") => {}
        Some(_) => {
            return bad_request(
                OAuthErrorCode::UnsupportedGrantType,
                "only authorization_code is supported",
            );
        }
    }
    let Some(code) = get("code") else {
        return bad_request(OAuthErrorCode::InvalidRequest, "code is required");
    };
    let invalid_grant = |d: &str| bad_request(OAuthErrorCode::InvalidGrant, d);
    let now = st.0.clock.now();
    let access_token = random_token(&mut OsRng, 32);
    let grant = {
        let mut sessions = lock(&st.0.sessions);
        let Some(g) = sessions.codes.get_mut(&code) else {
            return invalid_grant("unknown or expired code");
        };
        if g.req.client_id != client.client_id {
            return invalid_grant("the code was issued to another client");
        }
        if g.used {
            let revoke = std::mem::take(&mut g.access_tokens);
            for t in &revoke {
                if let Some(a) = sessions.access.get_mut(t) {
                    a.revoked = true;
                }
            }
            tracing::warn!(client_id = %client.client_id, revoked = revoke.len(), "authorization code reused");
            return invalid_grant("the code has already been used; tokens issued with it are revoked");
        }
        if now.duration_since(g.issued_at).as_secs() >= st.0.config.code_lifetime_secs {
            return invalid_grant("the code has expired");
        }
        if get("redirect_uri").as_deref() != Some(g.req.redirect_uri.as_str()) {
            return invalid_grant("redirect_uri does not match the authorization request");
        }
        match (&g.req.code_challenge, get("code_verifier")) {
            (None, None) => {}
            (Some(_), None) => return invalid_grant("code_verifier is required"),
            (None, Some(_)) => {
                return invalid_grant(
                    "code_verifier sent but the authorization request had no code_challenge",
                );
            }
            (Some(c), Some(v)) => {
                let well_formed = (43..=128).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
                let matches = match g.req.code_challenge_method.as_deref() {
                    Some("S256") => same(&cis2_sdk::pkce_challenge(&v), c),
                    _ => same(&v, c),
                };
                if !well_formed || !matches {
                    return invalid_grant("code_verifier does not match code_challenge");
                }
            }
        }
        g.used = true;
        g.access_tokens.push(access_token.clone());
        let g = g.clone();
        sessions.access.insert(
            access_token.clone(),
            AccessGrant {
                client_id: client.client_id.clone(),
                uid: g.uid.clone(),
                scopes: g.req.scopes.clone(),
                selected_roleid: g.selected_roleid.clone(),
                issued_at: now,
                expires_at: now.saturating_add(Duration::from_secs(st.0.config.access_token_lifetime_secs)),
                revoked: false,
            },
        );
        if let Some(s) = sessions.sso.get_mut(&g.cookie).filter(|s| s.sid == g.sid) {
            s.clients.insert(client.client_id.clone());
        }
        g
    };
    let Some(user) = st.user(&grant.uid) else {
        return invalid_grant("the user no longer exists");
    };
    let claims = match claims::id_token(st, &grant, &user, &client, &access_token) {
        Ok(c) => c,
        Err(e) => return oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
    };
    let id_token = match signing::sign(
        st,
        &client.client_id,
        Some(&grant.uid),
        Target::IdToken,
        Some("JWT"),
        claims,
    ) {
        Ok(t) => t,
        Err(e) => return oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
    };
    seen.token = Some(id_token.clone());
    no_store(
        axum::Json(json!({
            "access_token": access_token,
            "scope": grant.req.scopes.join(" "),
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": st.0.config.access_token_lifetime_secs,
        }))
        .into_response(),
    )
}
