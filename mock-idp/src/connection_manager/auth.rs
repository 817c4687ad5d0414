//! `POST /api/auth` (`SecretAuth` → a bearer token) and the bearer check every other call makes; the
//! Connection Manager's errors.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::errors::{AdminError, json_error, no_store};
use crate::state::{AppState, lock};

/// Most live tokens kept; the one closest to expiry goes first.
const MAX_TOKENS: usize = 10_000;

/// Why a Connection Manager request failed: `{"error", "error_description"}` with the status.
#[derive(Debug)]
pub(crate) enum CmError {
    /// 400 `invalid_request`; the text names the field.
    BadRequest(String),
    /// 401 `unauthorized`: no, unknown or expired credentials. `true`: the `SecretAuth` scheme was expected.
    Unauthorized(String, bool),
    /// 403 `forbidden`: the token does not cover this team.
    Forbidden(String),
    /// 404 `not_found`.
    NotFound(String),
    /// 409 `conflict`: a stale `hash`.
    Conflict(String),
    /// 500 `server_error`.
    Internal(String),
}

impl From<AdminError> for CmError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::InvalidRequest(m) => Self::BadRequest(m),
            AdminError::Conflict(m) => Self::Conflict(m),
            AdminError::NotFound(m) => Self::NotFound(format!("no such {m}")),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for CmError {
    fn into_response(self) -> Response {
        let (status, code, text, challenge) = match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "invalid_request", m, None),
            Self::Unauthorized(m, secret) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                m,
                Some(if secret { "SecretAuth" } else { "Bearer" }),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m, None),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m, None),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, None),
            Self::Internal(m) => {
                tracing::error!(error = %m, "connection manager: internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "server_error", m, None)
            }
        };
        let mut resp = no_store(json_error(status, code, text));
        if let Some(c) = challenge {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(c));
        }
        resp
    }
}

/// The credentials after `scheme ` in `Authorization` (scheme matched case-insensitively).
fn credentials<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (s, rest) = v.split_once(' ')?;
    let rest = rest.trim();
    (s.eq_ignore_ascii_case(scheme) && !rest.is_empty()).then_some(rest)
}

/// `POST /api/auth`: `SecretAuth <secret>` → `{access_token, team_ids}` (plus `token_type`, `expires_in`).
pub(super) async fn auth(
    State(st): State<AppState>,
    headers: HeaderMap,
    _body: Bytes,
) -> Result<Response, CmError> {
    let secret = credentials(&headers, "SecretAuth")
        .ok_or_else(|| CmError::Unauthorized("send Authorization: SecretAuth <secret>".into(), true))?;
    let cm = &st.config().connection_manager;
    let team = cm
        .teams
        .iter()
        .find(|t| !t.secret.is_empty() && crate::ct::same(&t.secret, secret))
        .ok_or_else(|| CmError::Unauthorized("unknown secret".into(), true))?;
    let token = random_token(&mut OsRng, 32);
    let now = st.0.clock.now().as_secs();
    let expires = now.saturating_add(cm.token_lifetime_secs);
    {
        let mut tokens = lock(&st.0.cm_tokens);
        tokens.retain(|_, (_, exp)| *exp > now);
        while tokens.len() >= MAX_TOKENS {
            let Some(oldest) = tokens.iter().min_by_key(|(_, (_, e))| *e).map(|(k, _)| k.clone()) else {
                break;
            };
            tokens.remove(&oldest);
        }
        tokens.insert(token.clone(), (team.team_ids.clone(), expires));
    }
    let body = serde_json::json!({
        "access_token": token,
        "team_ids": team.team_ids,
        "token_type": "Bearer",
        "expires_in": cm.token_lifetime_secs,
    });
    Ok(no_store(axum::Json(body).into_response()))
}

/// Checks the bearer token and that it covers `team_id`: 401 without a valid one, 403 for another team.
pub(crate) fn authorize(st: &AppState, headers: &HeaderMap, team_id: &str) -> Result<(), CmError> {
    let token = credentials(headers, "Bearer").ok_or_else(|| {
        CmError::Unauthorized(
            "send Authorization: Bearer <access_token> (from POST /api/auth)".into(),
            false,
        )
    })?;
    let now = st.0.clock.now().as_secs();
    let mut tokens = lock(&st.0.cm_tokens);
    let Some((teams, exp)) = tokens.get(token).cloned() else {
        return Err(CmError::Unauthorized("unknown access token".into(), false));
    };
    if exp <= now {
        tokens.remove(token);
        return Err(CmError::Unauthorized("access token expired".into(), false));
    }
    if !teams.iter().any(|t| t == team_id) {
        return Err(CmError::Forbidden(format!(
            "this token may not manage team {team_id:?}"
        )));
    }
    Ok(())
}
