//! The ceremony endpoints' JSON answers: errors are `{"error","error_description"}` with a 4xx status, and
//! nothing is cached.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use webauthn_rs::prelude::WebauthnError;

use crate::errors::json_error;

/// The JSON errors of the ceremony endpoints: `{"error","error_description"}` with a 4xx status.
pub(crate) fn error(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    no_store(json_error(status, code, description))
}

/// `Cache-Control: no-store`.
pub(crate) fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// 500 `server_error` (logged), not cached.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    no_store(crate::errors::internal(e))
}

/// A JSON body, or 400 `invalid_request`.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))
}

/// 400 `verification_failed` with what `webauthn-rs` refused.
pub(crate) fn verification_failed(e: &WebauthnError) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "verification_failed",
        format!("WebAuthn verification failed: {e:?}"),
    )
}

/// The options for the browser with the ceremony id added (`"ceremony"`), not cached.
pub(crate) fn with_ceremony(id: &str, options: impl Serialize) -> Response {
    let mut v = serde_json::to_value(options).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("ceremony".to_owned(), Value::String(id.to_owned()));
    }
    no_store(Json(v).into_response())
}

/// Early-exit errors and successes are both responses.
pub(crate) fn flatten(r: Result<Response, Response>) -> Response {
    r.unwrap_or_else(|e| e)
}
