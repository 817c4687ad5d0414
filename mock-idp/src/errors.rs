//! Error responses: RFC 6749 JSON errors for clients, error redirects for authorize, HTML pages for people,
//! and `{"error","error_description"}` for the admin API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cis2_sdk::OAuthErrorCode;

use crate::pages::error_page;

/// `Cache-Control: no-store` + `Pragma: no-cache` on a response (RFC 6749 §5.1).
pub(crate) fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// An RFC 6749 §5.2 JSON error.
pub(crate) fn oauth_json(
    status: StatusCode,
    code: OAuthErrorCode,
    description: impl Into<String>,
) -> Response {
    let body = serde_json::json!({ "error_description": description.into(), "error": code.as_str() });
    no_store((status, axum::Json(body)).into_response())
}

/// 400 with an OAuth error.
pub(crate) fn bad_request(code: OAuthErrorCode, description: impl Into<String>) -> Response {
    oauth_json(StatusCode::BAD_REQUEST, code, description)
}

/// 401 `invalid_client`; with `WWW-Authenticate: Basic` when the client tried HTTP Basic (RFC 6749 §5.2).
pub(crate) fn invalid_client(description: impl Into<String>, basic: bool) -> Response {
    let mut resp = oauth_json(
        StatusCode::UNAUTHORIZED,
        OAuthErrorCode::InvalidClient,
        description,
    );
    let realm = crate::realm::current();
    if basic
        && let Ok(v) =
            HeaderValue::from_str(&format!("Basic realm=\"{}\"", realm.name.trim_start_matches('/')))
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Appends form-encoded pairs to a URI without reparsing it (a `:443` in a redirect URI stays).
pub(crate) fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let q = ser.finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{q}")
}

/// 302 to `location`.
pub(crate) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => no_store((StatusCode::FOUND, [(header::LOCATION, v)]).into_response()),
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "Bad redirect",
            "The redirect URI is not a valid header value.",
        ),
    }
}

/// An authorization error sent back to a registered redirect URI (RFC 6749 §4.1.2.1).
pub(crate) fn redirect_error(
    redirect_uri: &str,
    code: OAuthErrorCode,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut pairs = vec![("error", code.as_str()), ("error_description", description)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    found(&append_query(redirect_uri, &pairs))
}

/// A JSON error `{"error", "error_description"}` (the admin API, the WebAuthn ceremony endpoints).
pub(crate) fn json_error(status: StatusCode, error: &str, description: impl Into<String>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": error, "error_description": description.into() })),
    )
        .into_response()
}

/// 500 for internal failures (logged), `server_error`.
pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    AdminError::Internal(e.to_string()).into_response()
}

/// Why an admin operation failed (the admin API and the [`AppState`](crate::AppState) methods it mirrors).
/// Over HTTP it is `{"error": code, "error_description": message}` with [`AdminError::status`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// 400 `invalid_request`: the body does not parse, or the value it carries is not acceptable.
    #[error("{0}")]
    InvalidRequest(String),
    /// 404 `not_found`: no such thing (`user`, `client`, `session`, `admin route`, …).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// 409 `conflict`: the thing exists already.
    #[error("{0}")]
    Conflict(String),
    /// 500 `server_error`: the mock failed (storage, key handling).
    #[error("{0}")]
    Internal(String),
}

impl AdminError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "server_error",
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if let Self::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        json_error(self.status(), self.code(), self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admin_errors_keep_their_status_and_body() {
        for (e, status, body) in [
            (
                AdminError::InvalidRequest("bad".into()),
                400,
                r#"{"error":"invalid_request","error_description":"bad"}"#,
            ),
            (
                AdminError::NotFound("user"),
                404,
                r#"{"error":"not_found","error_description":"no such user"}"#,
            ),
            (
                AdminError::Conflict("exists".into()),
                409,
                r#"{"error":"conflict","error_description":"exists"}"#,
            ),
            (
                AdminError::Internal("disk".into()),
                500,
                r#"{"error":"server_error","error_description":"disk"}"#,
            ),
        ] {
            let resp = e.into_response();
            assert_eq!(resp.status().as_u16(), status);
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16).await.unwrap();
            let got: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let want: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(got, want);
        }
    }
}
