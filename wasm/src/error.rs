//! Errors as JS sees them: a `Cis2Error` (a subclass of `Error`, defined in `js/errors.js`) with a stable
//! string `code`, a `message` and, sometimes, `details` (the underlying `DOMException` or HTTP status).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = cis2Error)]
    fn make_cis2_error(code: &str, message: &str, details: &JsValue) -> JsValue;
}

/// The stable codes of `Cis2Error.code`. Adding one is a minor change; renaming one is breaking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// An option passed by the caller is invalid (which one is in the message).
    InvalidOptions,
    /// `returnTo` is not a same-origin relative path.
    InvalidReturnTo,
    /// The request did not complete (offline, DNS, CORS, aborted by the page).
    Network,
    /// The backend answered with a 4xx/5xx status (`details.status`, `details.error`).
    Http,
    /// The backend's JSON does not have the contract's shape.
    BadResponse,
    /// The browser lacks the API (WebAuthn, `EventSource`, `BroadcastChannel`, …) or refused it for this page.
    NotSupported,
    /// The user dismissed the WebAuthn prompt, or no authenticator matched.
    Cancelled,
    /// The WebAuthn ceremony ran past its timeout.
    TimedOut,
    /// The authenticator already holds a credential from `excludeCredentials`.
    InvalidState,
    /// The ceremony was aborted (an `AbortSignal`, or another ceremony started).
    Aborted,
    /// Any other WebAuthn failure (`details` holds the `DOMException`).
    WebAuthn,
    /// A base64url string could not be decoded.
    InvalidBase64Url,
    /// The SDK is not in a window context (no `window`).
    NoWindow,
}

impl ErrorCode {
    /// The wire string.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::InvalidReturnTo => "invalid_return_to",
            ErrorCode::Network => "network",
            ErrorCode::Http => "http",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::TimedOut => "timed_out",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::Aborted => "aborted",
            ErrorCode::WebAuthn => "webauthn",
            ErrorCode::InvalidBase64Url => "invalid_base64url",
            ErrorCode::NoWindow => "no_window",
        }
    }
}

/// An error on its way to JS. Boxed: a one-pointer error keeps every `Result` small, so each `?` in the
/// browser build moves a pointer rather than the whole error (a size decision).
#[derive(Debug)]
pub(crate) struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    code: ErrorCode,
    message: String,
    details: JsValue,
}

impl Error {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            code,
            message: message.into(),
            details: JsValue::UNDEFINED,
        }))
    }

    /// Attaches what JS should see as `err.details`.
    pub(crate) fn with_details(mut self, details: JsValue) -> Self {
        self.0.details = details;
        self
    }

    #[cfg(test)]
    pub(crate) fn code(&self) -> ErrorCode {
        self.0.code
    }
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        make_cis2_error(e.0.code.as_str(), &e.0.message, &e.0.details)
    }
}

/// A `Result` whose error becomes a `Cis2Error`.
pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Wraps a JS exception from a failed `fetch` (a `TypeError`, or an `AbortError`).
pub(crate) fn network(what: &str, cause: JsValue) -> Error {
    Error::new(
        ErrorCode::Network,
        crate::text::cat(&[what, ": the request failed"]),
    )
    .with_details(cause)
}

impl From<cis2_sdk::bff::ReturnToError> for Error {
    fn from(e: cis2_sdk::bff::ReturnToError) -> Error {
        Error::new(ErrorCode::InvalidReturnTo, e.message())
    }
}
