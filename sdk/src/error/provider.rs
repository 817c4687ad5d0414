//! [`ProviderError`]: the provider's metadata, key set or token response broke a rule.

/// The provider's metadata or key set broke a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// A document is not the JSON object it should be.
    #[error("{document} is not valid: {reason}")]
    Malformed {
        /// `discovery`, `jwks`, `token response`, `userinfo`.
        document: &'static str,
        /// Why.
        reason: String,
    },
    /// The discovery `issuer` is not byte-equal to the configured issuer (Discovery §4.3).
    #[error("discovery issuer {actual:?} is not the configured issuer {expected:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// What discovery said.
        actual: String,
    },
    /// A required metadata member is missing.
    #[error("discovery is missing {member}")]
    MissingMember {
        /// The member's name.
        member: &'static str,
    },
    /// An endpoint is not acceptable (not https, or off the issuer's origin).
    #[error("discovery {member} {value:?} is not acceptable: {reason}")]
    BadEndpoint {
        /// The member's name.
        member: &'static str,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
    /// The provider does not support what we must use.
    #[error("provider does not support {what}: it offers {offered:?}")]
    Unsupported {
        /// What we need (`response_type code`, `RS256` …).
        what: String,
        /// What it lists.
        offered: Vec<String>,
    },
    /// The JWKS held no usable key after filtering.
    #[error("the JWKS has no usable signing key ({rejected} rejected)")]
    NoUsableKeys {
        /// How many keys were dropped.
        rejected: usize,
    },
    /// The token response has the wrong shape (RFC 6749 §5.1; OIDC Core §3.1.3.3).
    #[error("token response {member}: {reason}")]
    TokenResponse {
        /// The member.
        member: &'static str,
        /// Why.
        reason: String,
    },
}

impl ProviderError {
    /// The stable code that `Error::code` reports for this error.
    pub(super) fn code(&self) -> &'static str {
        match self {
            ProviderError::Malformed { .. } => "provider.malformed",
            ProviderError::IssuerMismatch { .. } => "provider.issuer_mismatch",
            ProviderError::MissingMember { .. } => "provider.missing_member",
            ProviderError::BadEndpoint { .. } => "provider.bad_endpoint",
            ProviderError::Unsupported { .. } => "provider.unsupported",
            ProviderError::NoUsableKeys { .. } => "provider.no_usable_keys",
            ProviderError::TokenResponse { .. } => "provider.token_response",
        }
    }
}
