//! `POST /backchannel-logout`: CIS2 ends sessions (BCL §2.5–2.8). 200 `{}` on success; 400 with a JSON `error`
//! otherwise (405 for other methods); `Cache-Control: no-store` on every response (BCL-12, CS-25).

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis2_sdk::{LogoutRequestError, LogoutTarget, SessionFacts, limits};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::auth::Cis2Auth;
use crate::error::ApiError;
use crate::routes::wire::no_store;
use crate::store::EndReason;

pub(crate) async fn backchannel_logout(
    State(auth): State<Cis2Auth>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(&auth, &method, &headers, body).await {
        Ok(()) => ([no_store()], axum::Json(serde_json::json!({}))).into_response(),
        Err(e) => {
            let mut resp = e.into_response();
            if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
                resp.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            resp
        }
    }
}

#[tracing::instrument(name = "cis2.backchannel_logout", skip_all)]
async fn handle(auth: &Cis2Auth, method: &Method, headers: &HeaderMap, body: Body) -> Result<(), ApiError> {
    // Read at most the sdk's cap; past it, report the sdk's own error (BCL-07).
    let body = axum::body::to_bytes(body, limits::LOGOUT_BODY)
        .await
        .map_err(|_| {
            let e = LogoutRequestError::BodyTooLarge {
                limit: limits::LOGOUT_BODY,
                actual: limits::LOGOUT_BODY + 1,
            };
            ApiError::bad_request(format!("{}: {e}", cis2_sdk::Error::from(e.clone()).code()))
        })?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    // Transport rules (BCL-07) are the sdk's.
    let token = cis2_sdk::backchannel_logout_token(method.as_str(), content_type, &body).map_err(|e| {
        let code = cis2_sdk::Error::from(e.clone()).code();
        if matches!(e, LogoutRequestError::MethodNotAllowed { .. }) {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                format!("{code}: {e}"),
            );
        }
        ApiError::bad_request(format!("{code}: {e}"))
    })?;
    let client = auth.client().await.map_err(|e| ApiError::unavailable(&e))?;
    // Every token rule (CS-26…32, BCL-01…08) is the sdk's.
    let logout = auth
        .with_jwks(&client, |jwks| {
            client.validate_logout_token(&token, jwks, auth.now())
        })
        .await
        .map_err(|e| {
            // BCL §2.8: every failure is a 400, keys unavailable included (never 200, REL-14: the provider
            // retries); the body is the generic one with a correlation id, the detail goes to the log.
            let mut api = ApiError::refused("back-channel logout", &e);
            api.status = StatusCode::BAD_REQUEST;
            api.error = "invalid_request";
            api
        })?;
    let now = auth.now();
    // BCL-04 / REL-15: the jti is recorded once in the shared store until the replay window ends.
    let first = auth
        .store()
        .backend()
        .record_once(&logout.replay_key(), now, logout.replay_window_end)
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?;
    if !first {
        tracing::warn!("logout token replayed");
        return Err(ApiError::bad_request("logout token jti has already been used"));
    }
    let backend = auth.store().backend();
    let store_err = |e: crate::store::StoreError| ApiError::unavailable(&e.into());
    // Which sessions the token ends is the sdk's rule (BCL-09, BCL-10; never a sign-in newer than the token):
    // the store's indexes only narrow the search.
    let candidates = match logout.target() {
        Some(LogoutTarget::Session { sid }) => backend.sessions_for_sid(&logout.iss, sid).await,
        Some(LogoutTarget::Subject { sub }) => backend.sessions_for_sub(&logout.iss, sub).await,
        _ => Ok(Vec::new()),
    }
    .map_err(store_err)?;
    let mut keys = Vec::new();
    for key in candidates {
        if let Some(rec) = backend.get_session(&key, now).await.map_err(store_err)? {
            let facts = SessionFacts::new(&rec.iss, &rec.sub, rec.sid.as_deref(), rec.user.id_token.iat);
            if logout.ends(facts) {
                keys.push(key);
            }
        }
    }
    let ended = auth
        .end_sessions(&keys, EndReason::BackchannelLogout)
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    // BCL-11: no matching session is a logged no-op.
    tracing::info!(ended, by_sid = logout.sid.is_some(), "back-channel logout");
    Ok(())
}
