//! `GET /login` and `GET /change-role`: start a sign-in.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::PENDING_LOGIN_MAX_AGE;
use cis2_sdk::bff::{LoginQuery, LoginQueryError, LoginRoute};
use http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

use crate::auth::Cis2Auth;
use crate::auth::{cookie_value, random_id};
use crate::error::ApiError;
use crate::routes::wire::no_store;
use crate::store::hash_key;

/// What is kept server-side between `/login` and `/callback`, keyed by a hash of `state`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PendingRecord {
    /// The sdk's pending login ([`cis2_sdk::PendingLogin::to_server_side_json`]).
    pub(crate) pending: String,
    /// SHA-256 of the browser's binding cookie (FLOW-01, FLOW-13).
    pub(crate) binding: String,
    /// Where to land afterwards (checked: same-origin relative path).
    pub(crate) return_to: String,
}

pub(crate) async fn login(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(&auth, &headers, q.as_deref().unwrap_or(""), LoginRoute::Login)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn change_role(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(
        &auth,
        &headers,
        q.as_deref().unwrap_or(""),
        LoginRoute::ChangeRole,
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /step-up`: sign in again at AAL3 (`acr_values=AAL3_ANY`, `prompt=login`).
pub(crate) async fn step_up(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(&auth, &headers, q.as_deref().unwrap_or(""), LoginRoute::StepUp)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

#[tracing::instrument(name = "cis2.login", skip_all)]
async fn start(
    auth: &Cis2Auth,
    headers: &HeaderMap,
    query: &str,
    route: LoginRoute,
) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    // The configured options are the floor: the page's query may only make the sign-in stricter.
    let query = LoginQuery::parse(query).map_err(|e| refused(&e))?;
    let options = query
        .apply_to(&route.floor(&s.login_defaults))
        .map_err(|e| refused(&e))?;
    let return_to = query.return_to.unwrap_or_else(|| s.default_return_to.clone());
    let client = auth.client().await.map_err(|e| ApiError::unavailable(&e))?;
    let now = auth.now();
    let (authorize_url, pending) = client
        .start_login(&options, &mut rand::rngs::OsRng, now)
        .map_err(|e| ApiError::bad_request(format!("{}: {e}", e.code())))?;
    // One binding id per browser: reuse it so logins in two tabs both complete.
    let binding = cookie_value(headers, s.binding_cookie())
        .filter(|b| b.len() == 43)
        .unwrap_or_else(random_id);
    let record = PendingRecord {
        pending: pending.to_server_side_json(),
        binding: hash_key(&[&binding]),
        return_to,
    };
    let json = serde_json::to_string(&record).map_err(|e| ApiError::bad_request(e.to_string()))?;
    auth.store()
        .backend()
        .put_pending(
            &hash_key(&[pending.state().secret()]),
            &record.binding,
            json,
            now,
            now.saturating_add(PENDING_LOGIN_MAX_AGE),
            s.pending_limits,
        )
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?;
    tracing::debug!(acr = ?options.acr_values, select_role = options.select_role, "redirecting to CIS2");
    let cookie = cookie::Cookie::build((s.binding_cookie(), binding))
        .http_only(true)
        .secure(s.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path(s.binding_cookie_path.clone())
        .max_age(cookie::time::Duration::seconds(
            PENDING_LOGIN_MAX_AGE.as_secs() as i64
        ))
        .build();
    Ok((
        [
            no_store(),
            (
                header::SET_COOKIE,
                cookie
                    .to_string()
                    .parse()
                    .map_err(|_| ApiError::bad_request("cookie"))?,
            ),
        ],
        Redirect::to(authorize_url.as_str()),
    )
        .into_response())
}

/// A refused sign-in query: 400 with the sentence that says what to change.
fn refused(e: &LoginQueryError) -> ApiError {
    tracing::info!(error = %e, "sign-in request refused");
    ApiError::bad_request(e.to_string())
}
