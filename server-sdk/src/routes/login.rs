//! `GET /login` and `GET /change-role`: start a sign-in.

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use cis2_sdk::{PENDING_LOGIN_MAX_AGE, Prompt};
use http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

use crate::auth::{BINDING_COOKIE, cookie_value, random_id};
use crate::routes::{no_store, unique_pairs};
use crate::store::hash_key;
use crate::{ApiError, Cis2Auth};

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

/// Accepts same-origin relative paths only: `/x…`, never `//host`, `/\host`, any backslash, control
/// characters, or a scheme. Returns the path unchanged when acceptable.
pub(crate) fn check_return_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2048
        && !path.chars().any(|c| c.is_control() || c == ' ');
    if !ok {
        return None;
    }
    // Resolve against a sentinel origin: anything that leaves it (after URL normalisation) is refused.
    let base = url::Url::parse("https://rp.invalid/").ok()?;
    let joined = base.join(path).ok()?;
    (joined.origin() == base.origin()).then_some(path)
}

pub(crate) async fn login(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(&auth, &headers, q.as_deref().unwrap_or(""), Intent::Login)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub(crate) async fn change_role(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(&auth, &headers, q.as_deref().unwrap_or(""), Intent::ChangeRole)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /step-up`: sign in again at AAL3 (`acr_values=AAL3_ANY`, `prompt=login`).
pub(crate) async fn step_up(
    State(auth): State<Cis2Auth>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    start(&auth, &headers, q.as_deref().unwrap_or(""), Intent::StepUp)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// Why a sign-in starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    Login,
    ChangeRole,
    StepUp,
}

#[tracing::instrument(name = "cis2.login", skip_all)]
async fn start(
    auth: &Cis2Auth,
    headers: &HeaderMap,
    query: &str,
    intent: Intent,
) -> Result<Response, ApiError> {
    let s = &auth.0.settings;
    let mut options = s.login_defaults.clone();
    let mut return_to = s.default_return_to.clone();
    let change_role = intent == Intent::ChangeRole;
    match intent {
        Intent::ChangeRole => options = options.select_role(true),
        Intent::StepUp => options = options.acr_values(["AAL3_ANY"]).prompt(Some(Prompt::Login)),
        Intent::Login => {}
    }
    for (k, v) in unique_pairs(query)? {
        match k.as_str() {
            "return_to" => {
                return_to = check_return_path(&v)
                    .ok_or_else(|| ApiError::bad_request("return_to must be a same-origin relative path"))?
                    .to_owned();
            }
            "acr_values" => options = options.acr_values(v.split(' ').filter(|a| !a.is_empty())),
            "prompt" => match v.as_str() {
                "login" => options = options.prompt(Some(Prompt::Login)),
                "" => options = options.prompt(None),
                _ => return Err(ApiError::bad_request("prompt must be login")),
            },
            "max_age" => {
                let secs: u64 = v
                    .parse()
                    .map_err(|_| ApiError::bad_request("max_age must be whole seconds"))?;
                options = options.max_age(Some(Duration::from_secs(secs)));
            }
            "select_role" | "selectedrole" => match v.as_str() {
                "true" | "1" => options = options.select_role(true),
                "false" | "0" => options = options.select_role(change_role),
                _ => return Err(ApiError::bad_request("select_role must be true or false")),
            },
            "login_hint" => options.login_hint = Some(v),
            _ => {}
        }
    }
    let client = auth.client().await.map_err(|e| ApiError::unavailable(&e))?;
    let now = auth.now();
    let (authorize_url, pending) = client
        .start_login(&options, &mut rand::rngs::OsRng, now)
        .map_err(|e| ApiError::bad_request(format!("{}: {e}", e.code())))?;
    // One binding id per browser: reuse it so logins in two tabs both complete.
    let binding = cookie_value(headers, BINDING_COOKIE)
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
            json,
            now,
            now.saturating_add(PENDING_LOGIN_MAX_AGE),
        )
        .await
        .map_err(|e| ApiError::unavailable(&e.into()))?;
    tracing::debug!(acr = ?options.acr_values, select_role = options.select_role, "redirecting to CIS2");
    let cookie = cookie::Cookie::build((BINDING_COOKIE, binding))
        .http_only(true)
        .secure(s.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path(s.callback_path.clone())
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

#[cfg(test)]
mod tests;
