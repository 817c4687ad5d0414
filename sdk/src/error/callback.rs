//! [`CallbackError`]: the authorization callback broke a rule.

use crate::time::UnixTime;

/// The authorization callback broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// A parameter appears more than once.
    #[error("parameter {name:?} appears more than once")]
    DuplicateParameter {
        /// The parameter.
        name: String,
    },
    /// A parameter this code-flow client never accepts (`id_token`, `access_token`, …) or does not know.
    #[error("unexpected parameter {name:?}")]
    UnexpectedParameter {
        /// The parameter.
        name: String,
    },
    /// A required parameter is missing.
    #[error("parameter {name} is missing")]
    MissingParameter {
        /// The parameter.
        name: &'static str,
    },
    /// The query is not valid `application/x-www-form-urlencoded`.
    #[error("callback query is malformed: {reason}")]
    Malformed {
        /// Why.
        reason: String,
    },
    /// `state` is not the one this browser's pending login holds (CSRF, RFC 9700 §4.7).
    #[error("state does not match the pending login")]
    StateMismatch,
    /// The `iss` parameter is not our issuer (RFC 9207), or is missing where the provider promised it.
    #[error("iss parameter {actual:?} is not {expected:?}")]
    IssuerMismatch {
        /// The expected issuer.
        expected: String,
        /// What came back.
        actual: Option<String>,
    },
    /// The `client_id` parameter is not ours.
    #[error("client_id parameter {actual:?} is not {expected:?}")]
    ClientIdMismatch {
        /// Our client id.
        expected: String,
        /// What came back.
        actual: String,
    },
    /// The pending login is older than allowed.
    #[error("the login started at {started}, more than {max_age_secs} s before {now}")]
    PendingLoginExpired {
        /// When the login began.
        started: UnixTime,
        /// The time of the check.
        now: UnixTime,
        /// The allowed age.
        max_age_secs: u64,
    },
}

impl CallbackError {
    /// The stable code that `Error::code` reports for this error.
    pub(super) fn code(&self) -> &'static str {
        match self {
            CallbackError::DuplicateParameter { .. } => "callback.duplicate_parameter",
            CallbackError::UnexpectedParameter { .. } => "callback.unexpected_parameter",
            CallbackError::MissingParameter { .. } => "callback.missing_parameter",
            CallbackError::Malformed { .. } => "callback.malformed",
            CallbackError::StateMismatch => "callback.state_mismatch",
            CallbackError::IssuerMismatch { .. } => "callback.issuer_mismatch",
            CallbackError::ClientIdMismatch { .. } => "callback.client_id_mismatch",
            CallbackError::PendingLoginExpired { .. } => "callback.pending_login_expired",
        }
    }
}
