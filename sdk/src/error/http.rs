//! Requests and responses unusable before their body is read: [`HttpError`] for responses from the
//! provider, [`LogoutRequestError`] for back-channel logout POSTs to us.

/// An HTTP response was unusable before its body was parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The status was not the expected one (and the body was no OAuth error).
    #[error("{what} answered HTTP {status}")]
    UnexpectedStatus {
        /// Which call.
        what: &'static str,
        /// The status.
        status: u16,
        /// The body, kept for diagnosis (truncated to 1 KiB).
        body: Vec<u8>,
    },
    /// The body is over the size cap for this document.
    #[error("{what} body is {actual} bytes, over the {limit}-byte cap")]
    BodyTooLarge {
        /// Which call.
        what: &'static str,
        /// The cap.
        limit: usize,
        /// The size.
        actual: usize,
    },
    /// The content type is not the one expected.
    #[error("{what} content type {actual:?} is not {expected}")]
    UnexpectedContentType {
        /// Which call.
        what: &'static str,
        /// What we accept.
        expected: &'static str,
        /// What came back.
        actual: Option<String>,
    },
}

impl HttpError {
    /// The stable code that `Error::code` reports for this error.
    pub(super) fn code(&self) -> &'static str {
        match self {
            HttpError::UnexpectedStatus { .. } => "http.unexpected_status",
            HttpError::BodyTooLarge { .. } => "http.body_too_large",
            HttpError::UnexpectedContentType { .. } => "http.unexpected_content_type",
        }
    }
}

/// A back-channel logout POST is unusable before its token is even read (BCL §2.5, catalogue BCL-07).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutRequestError {
    /// Not a POST (answer 405).
    #[error("method {method} is not allowed; use POST")]
    MethodNotAllowed {
        /// The method used.
        method: String,
    },
    /// Not `application/x-www-form-urlencoded`.
    #[error("content type {actual:?} is not application/x-www-form-urlencoded")]
    UnsupportedContentType {
        /// What came.
        actual: Option<String>,
    },
    /// Over the body cap.
    #[error("body of {actual} bytes is over the {limit}-byte cap")]
    BodyTooLarge {
        /// The cap.
        limit: usize,
        /// The size.
        actual: usize,
    },
    /// No `logout_token` field.
    #[error("logout_token is missing")]
    MissingLogoutToken,
    /// More than one `logout_token` field.
    #[error("logout_token appears more than once")]
    DuplicateLogoutToken,
    /// The body is not valid form encoding.
    #[error("body is not valid form encoding")]
    Malformed,
}

impl LogoutRequestError {
    /// The stable code that `Error::code` reports for this error.
    pub(super) fn code(&self) -> &'static str {
        match self {
            LogoutRequestError::MethodNotAllowed { .. } => "logout_request.method_not_allowed",
            LogoutRequestError::UnsupportedContentType { .. } => "logout_request.unsupported_content_type",
            LogoutRequestError::BodyTooLarge { .. } => "logout_request.body_too_large",
            LogoutRequestError::MissingLogoutToken => "logout_request.missing_logout_token",
            LogoutRequestError::DuplicateLogoutToken => "logout_request.duplicate_logout_token",
            LogoutRequestError::Malformed => "logout_request.malformed",
        }
    }
}
