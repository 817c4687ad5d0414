//! `GET /callback`: the redirect URI. State bound to this browser, consumed once; the sdk checks the callback,
//! the ID token and userinfo; then a server-side session and a redirect to a clean URL.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::{Callback, Cis2User, ErrorKind, PendingLogin, limits};
use http::{HeaderMap, StatusCode, header};
use subtle::ConstantTimeEq;

use crate::auth::Cis2Auth;
use crate::auth::{cookie_value, random_id};
use crate::error::ApiError;
use crate::error::Error;
use crate::routes::login::PendingRecord;
use crate::store::{SessionRecord, hash_key};

pub(crate) async fn callback(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    finish(&auth, &headers, q.as_deref().unwrap_or(""))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// Maps a failed sign-in step to a response; details go to the log with the sdk's code.
fn login_failed(e: Error) -> ApiError {
    match &e {
        Error::Transport { .. } | Error::Unavailable { .. } => {
            tracing::warn!(code = e.code(), error = %e, "sign-in failed: provider unreachable");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "temporarily_unavailable",
                format!("{}: start the sign-in again", e.code()),
            )
        }
        Error::Store(_) => ApiError::unavailable(&e),
        Error::Sdk(sdk) => {
            tracing::warn!(code = e.code(), error = %e, "sign-in refused");
            if let ErrorKind::OAuth(oauth) = sdk.kind() {
                // An error response from the provider, or a token endpoint failure (FLOW-16, REL-06).
                return ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "login_failed",
                    format!("{}: {oauth}", e.code()),
                )
                .with("provider_error", oauth.code.as_str());
            }
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "login_failed",
                format!("{}: {sdk}", e.code()),
            )
        }
        Error::Config(_) => ApiError::unavailable(&e),
    }
}

#[tracing::instrument(name = "cis2.callback", skip_all)]
async fn finish(auth: &Cis2Auth, headers: &HeaderMap, query: &str) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    // The sdk refuses duplicated and unexpected parameters (FUZ-06, IDT-13).
    let cb = Callback::parse(query)
        .map_err(|e| ApiError::bad_request(format!("{}: {e}", cis2_sdk::Error::from(e.clone()).code())))?;
    let state = cb
        .state
        .clone()
        .ok_or_else(|| ApiError::bad_request("state is missing"))?;
    // FLOW-01: no binding cookie, no login in progress in this browser: refuse before touching anything.
    let binding = cookie_value(headers, auth.0.settings.binding_cookie())
        .ok_or_else(|| ApiError::bad_request("no sign-in is in progress in this browser"))?;
    // FLOW-02: the pending login is consumed atomically; a replayed state finds nothing.
    let json = auth
        .store()
        .backend()
        .take_pending(&hash_key(&[&state]), auth.now())
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?
        .ok_or_else(|| ApiError::bad_request("unknown, expired or already used state"))?;
    let record: PendingRecord =
        serde_json::from_str(&json).map_err(|_| ApiError::bad_request("unreadable pending login"))?;
    // FLOW-13: the state must have been issued to this browser.
    if !bool::from(hash_key(&[&binding]).as_bytes().ct_eq(record.binding.as_bytes())) {
        tracing::warn!("callback state belongs to another browser");
        return Err(ApiError::bad_request(
            "this sign-in was not started in this browser",
        ));
    }
    let pending = PendingLogin::from_server_side_json(&record.pending)
        .map_err(|e| ApiError::bad_request(format!("pending login: {e}")))?;
    let client = auth.client().await.map_err(login_failed)?;
    let now = auth.now();
    let verified = client
        .verify_callback(&pending, &cb, now)
        .map_err(|e| login_failed(e.into()))?;

    let tokens = {
        let _span = tracing::info_span!("cis2.token_exchange").entered();
        client
            .token_request(&pending, &verified, &mut rand::rngs::OsRng, now)
            .map_err(|e| login_failed(e.into()))?
    };
    let resp = auth
        .0
        .http
        .send(tokens, "token endpoint", limits::TOKEN)
        .await
        .map_err(login_failed)?;
    let tokens = client
        .parse_token_response(&resp)
        .map_err(|e| login_failed(e.into()))?;
    let id_token = auth
        .with_jwks(&client, |jwks| {
            client.validate_login(&pending, &tokens, jwks, auth.now())
        })
        .await
        .map_err(login_failed)?;
    let userinfo = match (s.userinfo, client.userinfo_request(&tokens.access_token)) {
        (true, Some(req)) => {
            let req = req.map_err(|e| login_failed(e.into()))?;
            let resp = auth
                .0
                .http
                .send(req, "userinfo", limits::USERINFO)
                .await
                .map_err(login_failed)?;
            // The sdk checks userinfo `sub` against the ID token's (OIDC Core §5.3.2, REL-08: fail).
            Some(
                auth.with_jwks(&client, |jwks| {
                    client.parse_userinfo(&resp, &id_token, jwks, auth.now())
                })
                .await
                .map_err(login_failed)?,
            )
        }
        _ => None,
    };
    let user = Cis2User::new(id_token, userinfo);

    // A new session id on every sign-in (no fixation); the browser's previous session, if any, ends.
    if let Some(old) = cookie_value(headers, s.session_cookie()) {
        let _ = auth.store().backend().remove_session(&hash_key(&[&old])).await;
    }
    let id = random_id();
    let now = auth.now();
    let rec = SessionRecord {
        key: hash_key(&[&id]),
        iss: user.id_token.iss.clone(),
        sub: user.sub().to_owned(),
        sid: user.id_token.sid.clone(),
        acr: user.id_token.acr.clone(),
        aal: user.aal(),
        auth_time: user.id_token.auth_time,
        created: now,
        last_seen: now,
        absolute_deadline: now.saturating_add(s.absolute_timeout),
        id_token: tokens.id_token.clone(),
        access_token: tokens.access_token.clone(),
        user,
    };
    auth.store()
        .backend()
        .put_session(&rec, now)
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?;
    tracing::info!(aal = ?rec.aal, has_sid = rec.sid.is_some(), "signed in");

    let session_cookie = cookie::Cookie::build((s.session_cookie(), id))
        .http_only(true)
        .secure(s.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/")
        .build();
    // The binding cookie stays until it expires: logins started in other tabs of this browser still need it.
    let mut resp = Redirect::to(&record.return_to).into_response();
    if let Ok(v) = session_cookie.to_string().parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
