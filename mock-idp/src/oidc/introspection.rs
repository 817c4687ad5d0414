//! RFC 7009 revocation (`/token/revoke`) and RFC 7662 introspection (`/introspect`) of the mock's access
//! tokens, at the paths ForgeRock uses ([I] cis2.md §2: ForgeRock defaults, no CIS2 source shows them).
//! Both authenticate the client exactly as the token endpoint does (`super::client_auth`). The mock issues no
//! refresh tokens (cis2.md §4: nothing shows CIS2 issuing them to RPs), so access tokens are the only kind
//! either endpoint finds; any other token is unknown.
//!
//! A client sees only its own tokens: another client's token is `{"active":false}` at introspection and
//! refused at revocation (RFC 7009 §2.1). A revoked token then fails at userinfo and introspection.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use cis2_sdk::OAuthErrorCode;
use serde_json::json;

use super::client_auth::{Form, authenticate};
use crate::errors::{bad_request, no_store};
use crate::state::{AppState, lock};

/// Token-type hints RFC 7009 §2.1 and RFC 7662 §2.1 define. Another hint is refused with
/// `unsupported_token_type`; these two only say where to look first (the mock has one place to look).
const HINTS: [&str; 2] = ["access_token", "refresh_token"];

/// The form, the authenticated client id and the `token` parameter, or the error to answer with.
async fn request(st: &AppState, headers: &HeaderMap, body: &str) -> Result<(String, String), Response> {
    let form = Form::parse(headers, body)?;
    let client = authenticate(st, headers, &form).await?.client;
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return Err(bad_request(OAuthErrorCode::InvalidRequest, "token is required"));
    };
    if let Some(hint) = form.get("token_type_hint")
        && !HINTS.contains(&hint.as_str())
    {
        return Err(bad_request(
            OAuthErrorCode::Other("unsupported_token_type".into()),
            format!("token_type_hint {hint:?} is not access_token or refresh_token"),
        ));
    }
    Ok((client.client_id, token))
}

/// `POST /token/revoke` (RFC 7009): 200 with an empty body whether or not the token was known (§2.2).
pub(crate) async fn revoke(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let (client_id, token) = match request(&st, &headers, &body).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    {
        let mut sessions = lock(&st.0.sessions);
        if let Some(grant) = sessions.access.get_mut(&token) {
            if grant.client_id != client_id {
                return bad_request(
                    OAuthErrorCode::UnauthorizedClient,
                    "the token was issued to another client",
                );
            }
            grant.revoked = true;
            tracing::info!(%client_id, "access token revoked");
        }
    }
    no_store(().into_response())
}

/// `POST /introspect` (RFC 7662): `{"active":true,…}` for a live access token issued to the calling client,
/// `{"active":false}` for anything else (unknown, expired, revoked, another client's).
pub(crate) async fn introspect(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let (client_id, token) = match request(&st, &headers, &body).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let now = st.0.clock.now();
    let grant = lock(&st.0.sessions).access.get(&token).cloned();
    let doc = match grant {
        Some(g) if g.client_id == client_id && !g.revoked && g.expires_at > now => json!({
            "active": true,
            "scope": g.scopes.join(" "),
            "client_id": g.client_id,
            "token_type": "Bearer",
            "exp": g.expires_at.as_secs(),
            "iat": g.issued_at.as_secs(),
            "sub": g.uid,
            "aud": g.client_id,
            "iss": st.issuer(),
        }),
        _ => json!({ "active": false }),
    };
    no_store(Json(doc).into_response())
}
