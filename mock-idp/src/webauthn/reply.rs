//! The ceremony endpoints' JSON answers: errors are `{"error","error_description"}` with a 4xx status, and
//! nothing is cached.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
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

/// The largest ceremony request body read (16 KiB). A registration response with an attestation certificate
/// chain is a few KiB; anything larger is refused with `413 request_too_large` before it is buffered.
pub(crate) const CEREMONY_BODY_LIMIT: usize = 16 * 1024;

/// A ceremony request's body. Unlike axum's `Bytes`, a body over the limit (set by `DefaultBodyLimit` on the
/// ceremony routes) or one that cannot be read is refused with the JSON error shape, not plain text.
pub(crate) struct CeremonyBody(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for CeremonyBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        Bytes::from_request(req, state)
            .await
            .map(CeremonyBody)
            .map_err(|e| {
                let status = e.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "request_too_large"
                } else {
                    "invalid_request"
                };
                error(
                    status,
                    code,
                    format!(
                        "the request body could not be read ({}); ceremony bodies are JSON of at most {} KiB",
                        e.body_text(),
                        CEREMONY_BODY_LIMIT / 1024
                    ),
                )
            })
    }
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
