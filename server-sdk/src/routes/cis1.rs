//! `GET|POST /cis1` (`ticket`, `return_to`): dual-run sign-in with a CIS1 Identity Agent ticket. The SSB
//! RoleAssertion is fetched and the sdk checks it and maps it to the CIS2 user model; the cut-over switch may
//! send the user to CIS2 instead; otherwise a session marked `SignInPath::Cis1` is stored and the same session
//! cookie as a CIS2 sign-in is set.
//!
//! The ticket is a bearer credential: it is never logged, and the answer carries `Referrer-Policy: no-referrer`
//! (prefer `POST`, which keeps it out of access logs). Login CSRF: refused when `Origin` names another origin or
//! `Sec-Fetch-Site` says `cross-site`/`same-site`.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::cis1::{CIS1_ISSUER, SsoTicket};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::auth::{Cis2Auth, cookie_value, random_id};
use crate::cis1::Cis1Outcome;
use crate::error::ApiError;
use crate::extract::{is_navigation, wants_json};
use crate::routes::wire::{log_sign_in, no_store, selected_org, unique_pairs};
use crate::store::{Cis1Link, SessionRecord, SignInPath, hash_key};

/// Tickets are OpenAM token ids (about 100 characters); anything this long is not one.
const MAX_TICKET_LEN: usize = 2048;

pub(crate) async fn cis1_get(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    respond(&auth, &headers, q.as_deref().unwrap_or("")).await
}

pub(crate) async fn cis1_post(State(auth): State<Cis2Auth>, headers: HeaderMap, body: String) -> Response {
    respond(&auth, &headers, &body).await
}

async fn respond(auth: &Cis2Auth, headers: &HeaderMap, params: &str) -> Response {
    let mut resp = match sign_in(auth, headers, params).await {
        Ok(resp) => resp,
        Err(api) if is_navigation(headers) && api.status != StatusCode::FORBIDDEN => {
            let start_again = format!("{}{}", auth.mount_path(), cis2_sdk::bff::routes::LOGIN);
            crate::routes::error_page::render(&api, &start_again)
        }
        Err(api) => api.into_response(),
    };
    let h = resp.headers_mut();
    let (name, value) = no_store();
    h.insert(name, value);
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

fn refused_ticket(code: &'static str) -> ApiError {
    tracing::info!(target: "cis2_server::sign_in", path = "cis1", code, "CIS1 ticket refused");
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_ticket",
        "The CIS1 ticket was not accepted: it is unknown, or its smartcard session has ended. Sign in again.",
    )
    .with("code", code)
}

#[tracing::instrument(name = "cis2.cis1_sign_in", skip_all)]
async fn sign_in(auth: &Cis2Auth, headers: &HeaderMap, params: &str) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| o != s.origin) || matches!(site, Some("cross-site" | "same-site")) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "cross-origin CIS1 sign-in refused",
        ));
    }
    let rt = auth
        .0
        .cis1
        .as_ref()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "invalid_request", "CIS1 is not enabled"))?;
    let mut ticket = None;
    let mut return_to = s.default_return_to.clone();
    for (k, v) in unique_pairs(params)? {
        match k.as_str() {
            "ticket" => ticket = Some(v),
            "return_to" => {
                return_to = cis2_sdk::bff::validate_return_to(&v)
                    .map_err(|e| ApiError::bad_request(format!("The return address is refused: {e}.")))?
                    .to_owned();
            }
            _ => {}
        }
    }
    let ticket = match ticket {
        Some(t) if !t.trim().is_empty() && t.len() <= MAX_TICKET_LEN => SsoTicket::new(t),
        Some(_) => return Err(ApiError::bad_request("ticket is empty or too long")),
        None => {
            return Err(ApiError::bad_request(
                "ticket is required (the Identity Agent's SSO ticket)",
            ));
        }
    };

    let user = match auth.check_cis1_ticket(rt, &ticket, None).await {
        Ok(Cis1Outcome::Valid(user)) => *user,
        Ok(Cis1Outcome::Refused(code)) => return Err(refused_ticket(code)),
        Err(e) => return Err(ApiError::refused("CIS1 sign-in", &e)),
    };
    let uid = user.sub().to_owned();
    let org = selected_org(&user).to_owned();

    // The cut-over switch: users it covers sign in with CIS2.
    if let Some(rule) = rt.cutover().requires_cis2(&uid, Some(&org)) {
        tracing::info!(
            target: "cis2_server::sign_in",
            path = "cis1",
            uid = %uid,
            org = %org,
            rule = rule.as_str(),
            "CIS1 ticket refused: this user signs in with CIS2 now"
        );
        let login = auth.login_url(&return_to, &[]);
        if wants_json(headers) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "cis2_required",
                "This service has moved to NHS CIS2 sign-in for you: sign in with CIS2.",
            )
            .with("login", login)
            .with("rule", rule.as_str()));
        }
        return Ok(Redirect::to(&login).into_response());
    }

    // A new session id on every sign-in (no fixation); the browser's previous session, if any, ends.
    if let Some(old) = cookie_value(headers, s.session_cookie()) {
        let _ = auth.store().backend().remove_session(&hash_key(&[&old])).await;
    }
    let id = random_id();
    let now = auth.now();
    let rec = SessionRecord {
        key: hash_key(&[&id]),
        iss: CIS1_ISSUER.to_owned(),
        sub: uid,
        sid: None,
        acr: user.id_token.acr.clone(),
        aal: user.aal(),
        auth_time: user.id_token.auth_time,
        created: now,
        last_seen: now,
        absolute_deadline: now.saturating_add(s.absolute_timeout),
        id_token: None,
        access_token: None,
        path: SignInPath::Cis1,
        cis1: Some(Cis1Link {
            ticket,
            checked_at: now,
        }),
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
    let mut resp = if wants_json(headers) {
        axum::Json(serde_json::json!({ "signed_in": true, "path": "cis1", "redirect": return_to }))
            .into_response()
    } else {
        Redirect::to(&return_to).into_response()
    };
    if let Ok(v) = session_cookie.to_string().parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
