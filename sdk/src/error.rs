//! Typed errors that say which check failed and who is at fault, with expected and actual values.

mod callback;
mod config;
mod http;
mod oauth;
mod provider;
mod token;

pub use self::callback::CallbackError;
pub use self::config::ConfigError;
pub use self::http::{HttpError, LogoutRequestError};
pub use self::oauth::{OAuthError, OAuthErrorCode};
pub use self::provider::ProviderError;
pub use self::token::{TokenError, TokenKind};

/// The sdk's error: a boxed [`ErrorKind`] so that `Result<T, Error>` stays one pointer wide.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorKind>);

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consumes the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// A stable, machine-readable code (`token.issuer_mismatch`, `callback.state_mismatch`, …) for logs, JSON
    /// error bodies and the browser package's `Cis2Error.code`.
    pub fn code(&self) -> &'static str {
        match self.kind() {
            ErrorKind::Config(e) => e.code(),
            ErrorKind::Provider(e) => e.code(),
            ErrorKind::Token(e) => e.code(),
            ErrorKind::Callback(e) => e.code(),
            ErrorKind::OAuth(_) => "oauth.error_response",
            ErrorKind::Http(e) => e.code(),
            ErrorKind::LogoutRequest(e) => e.code(),
        }
    }

    /// The token check that failed, if this is a token error.
    pub fn token_error(&self) -> Option<&TokenError> {
        match self.kind() {
            ErrorKind::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl<T: Into<ErrorKind>> From<T> for Error {
    fn from(kind: T) -> Self {
        Self(Box::new(kind.into()))
    }
}

/// The categories of failure, after rustls: whose fault it is decides how an adapter reacts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Our caller configured something wrongly.
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// The provider broke the spec (discovery, JWKS or token endpoint shape).
    #[error("provider error: {0}")]
    Provider(#[from] ProviderError),
    /// A token (ID token, logout token, signed userinfo) failed a check.
    #[error("token rejected: {0}")]
    Token(#[from] TokenError),
    /// The authorization callback failed a check.
    #[error("callback rejected: {0}")]
    Callback(#[from] CallbackError),
    /// The provider answered with an RFC 6749 error response.
    #[error("{0}")]
    OAuth(#[from] OAuthError),
    /// An HTTP response was unusable before its body was even read (status, type, size).
    #[error("HTTP response rejected: {0}")]
    Http(#[from] HttpError),
    /// A back-channel logout request is not shaped as BCL §2.5 requires.
    #[error("back-channel logout request rejected: {0}")]
    LogoutRequest(#[from] LogoutRequestError),
}
