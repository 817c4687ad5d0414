//! `POST /logout` (and `GET /logout` for same-origin navigations): end the local session, optionally CIS2's too.
//!
//! CSRF: a cross-site page can make a browser send a POST or a GET with its cookies. The POST is refused when
//! `Origin` names another origin or `Sec-Fetch-Site` says `cross-site`/`same-site`; the GET acts only when the
//! browser says it is a same-origin or user-typed navigation (`Sec-Fetch-Site: same-origin|none`), so an
//! `<img src=…/logout>` elsewhere signs nobody out.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, StatusCode, header};

use crate::auth::Cis2Auth;
use crate::auth::SessionLookup;
use crate::error::ApiError;
use crate::extract::wants_json;
use crate::routes::wire::{no_store, unique_pairs};
use crate::store::EndReason;

fn fetch_site(headers: &HeaderMap) -> Option<&str> {
    headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
}

pub(crate) async fn logout_post(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| o != auth.0.settings.origin)
        || matches!(fetch_site(&headers), Some("cross-site" | "same-site"))
    {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "cross-origin logout refused",
        )
        .into_response();
    }
    logout(&auth, &headers, q.as_deref().unwrap_or(""))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn logout_get(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if !matches!(fetch_site(&headers), Some("same-origin" | "none")) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "GET /logout needs a same-origin navigation; use POST",
        )
        .into_response();
    }
    logout(&auth, &headers, q.as_deref().unwrap_or(""))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

#[tracing::instrument(name = "cis2.logout", skip_all)]
async fn logout(auth: &Cis2Auth, headers: &HeaderMap, query: &str) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    let mut return_to = s.default_return_to.clone();
    let mut end_session = s.end_session_on_logout;
    for (k, v) in unique_pairs(query)? {
        match k.as_str() {
            "return_to" => {
                return_to = cis2_sdk::bff::validate_return_to(&v)
                    .map_err(|e| ApiError::bad_request(format!("The return address is refused: {e}.")))?
                    .to_owned();
            }
            "end_session" => end_session = v == "true" || v == "1",
            _ => {}
        }
    }
    let lookup = auth
        .lookup_session(headers, false)
        .await
        .map_err(|e| ApiError::unavailable(&e))?;
    let mut destination = return_to;
    if let SessionLookup::Active(rec) = lookup {
        auth.end_sessions(std::slice::from_ref(&rec.key), EndReason::SignedOut)
            .await
            .map_err(|e| ApiError::unavailable(&e))?;
        tracing::info!("signed out locally");
        // A CIS1 session has no ID token and no CIS2 session to end.
        if let (true, Some(id_token)) = (end_session, &rec.id_token) {
            let client = auth.client().await.map_err(|e| ApiError::unavailable(&e))?;
            if let Some(url) =
                client.end_session_url(id_token.secret(), s.post_logout_redirect_uri.as_deref(), None)
            {
                destination = url.to_string();
            }
        }
    }
    let clear = cookie::Cookie::build((s.session_cookie(), ""))
        .http_only(true)
        .secure(s.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build();
    let set_cookie = (
        header::SET_COOKIE,
        clear
            .to_string()
            .parse()
            .map_err(|_| ApiError::bad_request("cookie"))?,
    );
    if wants_json(headers) {
        let body = serde_json::json!({ "signed_out": true, "redirect": destination });
        return Ok(([no_store(), set_cookie], axum::Json(body)).into_response());
    }
    Ok(([no_store(), set_cookie], Redirect::to(&destination)).into_response())
}
