//! Errors of the kit, and the JSON error bodies its routes and extractors answer with.

use axum::Json;
use axum::response::{IntoResponse, Response};
use cis2_sdk::{ErrorKind, OAuthErrorCode};
use http::{HeaderValue, StatusCode, header};

/// An error building or running the kit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A builder setting is missing or unusable.
    #[error("configuration error: {0}")]
    Config(String),
    /// The sdk refused something (its [`cis2_sdk::Error::code`] says which check).
    #[error(transparent)]
    Sdk(#[from] cis2_sdk::Error),
    /// The network or HTTP layer failed (timeout, refused connection, TLS, body too large to read).
    #[error("transport error talking to {what}: {reason}")]
    Transport {
        /// What was being fetched.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// The session store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A provider document is not available (nothing cached and the refetch cooldown holds).
    #[error("{what} is unavailable (cooling down after a failed fetch)")]
    Unavailable {
        /// Which document.
        what: &'static str,
    },
}

impl Error {
    /// A stable code for logs and error descriptions: the sdk's code for sdk errors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(_) => "server.config",
            Error::Sdk(e) => e.code(),
            Error::Transport { .. } => "server.transport",
            Error::Store(_) => "server.store",
            Error::Unavailable { .. } => "server.unavailable",
        }
    }
}

const PROVIDER_DOWN: &str =
    "The sign-in service (NHS CIS2) did not answer as expected. Try again in a moment.";
const OURS_DOWN: &str = "This service cannot complete the request just now. Try again in a moment.";
const REFUSED: &str = "The request could not be accepted. Start again; if it keeps failing, give this reference to \
                       your IT support.";

/// A JSON error response: `{"error": …, "error_description": …}` with `Cache-Control: no-store`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// An OAuth-style error code (`invalid_request`, `login_required`, …).
    pub error: &'static str,
    /// Human-readable detail (never a token or secret).
    pub description: String,
    /// Extra members for the JSON body (e.g. `reason`, `acr_values`).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// A new error response.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            extra: serde_json::Map::new(),
        }
    }

    /// 400 `invalid_request`.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// Adds a member to the body.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// The one mapping from the kit's errors to an answer for whoever called (issue #10 §1, #11 §3): the status
    /// says who is at fault (the request or token: 400; the provider: 502; our own store or settings: 503), the
    /// body carries the stable code and a correlation id but never the failed check's details (expected issuer,
    /// user ids…), which go to the log under the same id. `what` names the step in the log.
    pub(crate) fn refused(what: &'static str, e: &Error) -> Self {
        let id = cis2_sdk::random_token(&mut rand::rngs::OsRng, 9);
        let code = e.code();
        let (status, error, description) = match e {
            Error::Transport { .. } | Error::Unavailable { .. } => {
                (StatusCode::BAD_GATEWAY, "temporarily_unavailable", PROVIDER_DOWN)
            }
            Error::Sdk(sdk) => match sdk.kind() {
                ErrorKind::Http(_) | ErrorKind::Provider(_) => {
                    (StatusCode::BAD_GATEWAY, "temporarily_unavailable", PROVIDER_DOWN)
                }
                ErrorKind::OAuth(o)
                    if matches!(
                        o.code,
                        OAuthErrorCode::ServerError | OAuthErrorCode::TemporarilyUnavailable
                    ) =>
                {
                    (StatusCode::BAD_GATEWAY, "temporarily_unavailable", PROVIDER_DOWN)
                }
                ErrorKind::Config(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    OURS_DOWN,
                ),
                _ => (StatusCode::BAD_REQUEST, "login_failed", REFUSED),
            },
            Error::Store(_) | Error::Config(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                OURS_DOWN,
            ),
        };
        if status == StatusCode::BAD_REQUEST {
            tracing::warn!(correlation_id = %id, code, error = %e, "{what} refused");
        } else {
            tracing::error!(correlation_id = %id, code, error = %e, "{what} failed");
        }
        let mut api = Self::new(status, error, format!("{description} (reference {id}, {code})"))
            .with("correlation_id", id);
        if let Error::Sdk(sdk) = e
            && let ErrorKind::OAuth(o) = sdk.kind()
        {
            // The provider's own RFC 6749 code is not a detail of our checks: the app may act on it.
            api = api.with("provider_error", o.code.as_str());
        }
        api
    }

    /// 503 `temporarily_unavailable` for a store or provider outage; details go to the log only.
    pub(crate) fn unavailable(e: &Error) -> Self {
        tracing::error!(code = e.code(), error = %e, "dependency unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            format!("try again later ({})", e.code()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = self.extra;
        body.insert("error".into(), self.error.into());
        body.insert("error_description".into(), self.description.into());
        let mut resp = (self.status, Json(serde_json::Value::Object(body))).into_response();
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}
