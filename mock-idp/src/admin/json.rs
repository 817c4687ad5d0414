//! Bodies in and out of the admin API: JSON parsing (an empty body reads as `{}`) and JSON answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::errors::AdminError;

/// What an admin handler answers: a response, or a typed error (`{"error","error_description"}`).
pub(super) type Res = Result<Response, AdminError>;

/// Parses a JSON body; a body of only whitespace counts as `{}`. 400 `invalid_request` when it does not fit.
pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| AdminError::InvalidRequest(e.to_string()))
}

/// 200 with a JSON body.
pub(super) fn ok(v: impl Serialize) -> Res {
    Ok(axum::Json(v).into_response())
}

/// 201 with a JSON body.
pub(super) fn created(v: impl Serialize) -> Res {
    Ok((StatusCode::CREATED, axum::Json(v)).into_response())
}

/// 204.
pub(super) fn no_content() -> Res {
    Ok(StatusCode::NO_CONTENT.into_response())
}
