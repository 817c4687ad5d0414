//! [`ConfigError`]: our caller configured something wrongly.

/// A setting our caller gave is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL setting is not an absolute https URL (http only on loopback), or has a fragment or credentials.
    #[error("{what} {value:?} is not usable: {reason}")]
    InvalidUrl {
        /// Which setting.
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The client id is empty or has characters outside printable ASCII.
    #[error("client_id {value:?} is not usable")]
    InvalidClientId {
        /// The value given.
        value: String,
    },
    /// No algorithm is allowed, or an algorithm cannot be used with the configured key.
    #[error("algorithm setting is not usable: {reason}")]
    Algorithm {
        /// Why.
        reason: String,
    },
    /// A key given to the sdk cannot be used.
    #[error("key is not usable: {reason}")]
    InvalidKey {
        /// Why.
        reason: String,
    },
    /// A requested option is invalid (e.g. an empty scope list, an unknown ACR value).
    #[error("{setting} is not usable: {reason}")]
    InvalidOption {
        /// Which setting.
        setting: &'static str,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// The stable code that `Error::code` reports for this error.
    pub(super) fn code(&self) -> &'static str {
        match self {
            ConfigError::InvalidUrl { .. } => "config.invalid_url",
            ConfigError::InvalidClientId { .. } => "config.invalid_client_id",
            ConfigError::Algorithm { .. } => "config.algorithm",
            ConfigError::InvalidKey { .. } => "config.invalid_key",
            ConfigError::InvalidOption { .. } => "config.invalid_option",
        }
    }
}
