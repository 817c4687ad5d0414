//! `GET /callback`: the redirect URI. State bound to this browser, consumed once; the sdk checks the callback,
//! the ID token and userinfo; then a server-side session and a redirect to a clean URL.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::{Callback, Cis2User, PendingLogin, limits};
use http::{HeaderMap, header};
use subtle::ConstantTimeEq;

use crate::auth::Cis2Auth;
use crate::auth::{cookie_value, random_id};
use crate::error::ApiError;
use crate::error::Error;
use crate::routes::login::PendingRecord;
use crate::routes::wire::log_sign_in;
use crate::store::{SessionRecord, SignInPath, hash_key};

pub(crate) async fn callback(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    match finish(&auth, &headers, q.as_deref().unwrap_or("")).await {
        Ok(resp) => resp,
        // A person in a browser gets a page that says what to do next; API clients get the JSON.
        Err(api) if crate::extract::is_navigation(&headers) => {
            let start_again = format!("{}{}", auth.mount_path(), cis2_sdk::bff::routes::LOGIN);
            crate::routes::error_page::render(&api, &start_again)
        }
        Err(api) => api.into_response(),
    }
}

fn login_failed(e: Error) -> ApiError {
    ApiError::refused("sign-in", &e)
}

/// A callback whose state does not lead to a sign-in this browser started: 400 with the reason (it names no
/// user and no check), logged like every refusal.
fn state_refused(why: &'static str) -> ApiError {
    tracing::warn!(reason = why, "sign-in refused");
    ApiError::bad_request(why)
}

#[tracing::instrument(name = "cis2.callback", skip_all)]
async fn finish(auth: &Cis2Auth, headers: &HeaderMap, query: &str) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    // The sdk refuses duplicated and unexpected parameters (FUZ-06, IDT-13).
    let cb = Callback::parse(query).map_err(|e| login_failed(cis2_sdk::Error::from(e).into()))?;
    let state = cb
        .state
        .clone()
        .ok_or_else(|| state_refused("state is missing"))?;
    // FLOW-01: no binding cookie, no login in progress in this browser: refuse before touching anything.
    let binding = cookie_value(headers, auth.0.settings.binding_cookie())
        .ok_or_else(|| state_refused("no sign-in is in progress in this browser"))?;
    // FLOW-02: the pending login is consumed atomically; a replayed state finds nothing.
    let json = auth
        .store()
        .backend()
        .take_pending(&hash_key(&[&state]), auth.now())
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?
        .ok_or_else(|| state_refused("unknown, expired or already used state"))?;
    let record: PendingRecord =
        serde_json::from_str(&json).map_err(|_| state_refused("unreadable pending login"))?;
    // FLOW-13: the state must have been issued to this browser.
    if !bool::from(hash_key(&[&binding]).as_bytes().ct_eq(record.binding.as_bytes())) {
        return Err(state_refused("this sign-in was not started in this browser"));
    }
    let pending = PendingLogin::from_server_side_json(&record.pending)
        .map_err(|e| login_failed(cis2_sdk::Error::from(e).into()))?;
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
        id_token: Some(tokens.id_token.clone()),
        access_token: Some(tokens.access_token.clone()),
        path: SignInPath::Cis2,
        #[cfg(feature = "cis1")]
        cis1: None,
        user,
    };
    auth.store()
        .backend()
        .put_session(&rec, now)
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?;
    log_sign_in(&rec);

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
