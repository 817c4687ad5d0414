//! [`TokenError`]: a token failed a check, and [`TokenKind`], which token it was.

use crate::time::UnixTime;

/// Which token a check ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// An OpenID Connect ID token.
    IdToken,
    /// A back-channel logout token.
    LogoutToken,
    /// A signed userinfo response.
    UserInfo,
    /// A private_key_jwt client assertion (checked by the mock IdP).
    ClientAssertion,
}

/// A token failed a check. Each variant names the check and carries expected and actual values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a well-formed compact JWS (segments, base64url, JSON).
    #[error("malformed token: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The token is bigger than the configured limit.
    #[error("token is {actual} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The limit.
        limit: usize,
        /// The token's size.
        actual: usize,
    },
    /// The header `alg` is not one this validator was configured for (the token never chooses).
    #[error("algorithm {actual:?} is not allowed (allowed: {allowed:?})")]
    AlgorithmNotAllowed {
        /// The configured algorithms.
        allowed: Vec<String>,
        /// The header's `alg`.
        actual: String,
    },
    /// A header member we refuse (`crit`, `b64`, `jku`, `jwk`, `x5u`, `x5c`, `cty: JWT`, `enc`, `zip`).
    #[error("header member {member:?} is not accepted")]
    UnsupportedHeader {
        /// The member.
        member: String,
    },
    /// The `typ` header does not fit this kind of token (keeps ID and logout tokens apart).
    #[error("typ {actual:?} is not accepted for {kind:?}")]
    WrongType {
        /// The token kind.
        kind: TokenKind,
        /// The header's `typ`.
        actual: Option<String>,
    },
    /// No key in the JWKS fits the token's `kid`, `alg` and key type.
    #[error("no key in the JWKS matches kid {kid:?} for {alg}")]
    NoMatchingKey {
        /// The header's `kid`.
        kid: Option<String>,
        /// The header's `alg`.
        alg: String,
    },
    /// More than one key fits and the token names none (or names a duplicated `kid`).
    #[error("{candidates} keys match kid {kid:?}: key selection is ambiguous")]
    AmbiguousKey {
        /// The header's `kid`.
        kid: Option<String>,
        /// How many keys fit.
        candidates: usize,
    },
    /// The key the token names was in the JWKS but is refused (e.g. an RSA modulus under 2048 bits).
    #[error("key {kid:?} is refused: {reason}")]
    KeyRejected {
        /// The key's `kid`.
        kid: Option<String>,
        /// Why it is refused.
        reason: String,
    },
    /// The signature does not verify with the selected key.
    #[error("signature does not verify")]
    InvalidSignature,
    /// A required claim is missing.
    #[error("claim {claim} is missing")]
    MissingClaim {
        /// The claim.
        claim: &'static str,
    },
    /// A claim has the wrong JSON type (e.g. `exp` as a string). Never read as absent.
    #[error("claim {claim} must be {expected}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `iss` is not byte-equal to the expected issuer.
    #[error("iss {actual:?} is not {expected:?}")]
    IssuerMismatch {
        /// The expected issuer.
        expected: String,
        /// The token's `iss`.
        actual: String,
    },
    /// `aud` does not contain our client id.
    #[error("aud {actual:?} does not contain {expected:?}")]
    AudienceMismatch {
        /// Our client id.
        expected: String,
        /// The token's audiences.
        actual: Vec<String>,
    },
    /// A client assertion's `aud` is not exactly the token endpoint (or another audience the token endpoint
    /// accepts, such as the issuer): a single value, alone, byte for byte (RFC 7523 §3 item 3).
    #[error(
        "aud must be exactly the token endpoint {:?}{}; got {actual:?}",
        .accepted.first().map(String::as_str).unwrap_or_default(),
        accepted_others(.accepted)
    )]
    ClientAssertionAudience {
        /// The accepted values, the token endpoint first.
        accepted: Vec<String>,
        /// The assertion's audiences.
        actual: Vec<String>,
    },
    /// `aud` names an audience we do not trust next to ours (OIDC Core §3.1.3.7 item 3).
    #[error("aud contains untrusted audience {untrusted:?}")]
    UntrustedAudience {
        /// The extra audience.
        untrusted: String,
    },
    /// `azp` is present and is not our client id.
    #[error("azp {actual:?} is not {expected:?}")]
    AuthorizedPartyMismatch {
        /// Our client id.
        expected: String,
        /// The token's `azp`.
        actual: String,
    },
    /// `exp` has passed (beyond the leeway).
    #[error("expired at {exp} (now {now}, leeway {leeway_secs} s)")]
    Expired {
        /// The token's `exp`.
        exp: UnixTime,
        /// The time of the check.
        now: UnixTime,
        /// The leeway allowed.
        leeway_secs: u64,
    },
    /// `iat` is in the future (beyond the leeway).
    #[error("issued in the future at {iat} (now {now}, leeway {leeway_secs} s)")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
        /// The time of the check.
        now: UnixTime,
        /// The leeway allowed.
        leeway_secs: u64,
    },
    /// `iat` is older than this kind of token may be.
    #[error("issued at {iat}, more than {max_age_secs} s before {now}")]
    IssuedTooLongAgo {
        /// The token's `iat`.
        iat: UnixTime,
        /// The time of the check.
        now: UnixTime,
        /// The oldest allowed, in seconds.
        max_age_secs: u64,
    },
    /// `nbf` is in the future (beyond the leeway).
    #[error("not valid before {nbf} (now {now}, leeway {leeway_secs} s)")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: UnixTime,
        /// The time of the check.
        now: UnixTime,
        /// The leeway allowed.
        leeway_secs: u64,
    },
    /// `nonce` is missing or is not the one this login sent.
    #[error("nonce does not match the one sent (present: {present})")]
    NonceMismatch {
        /// Whether the token had a `nonce` at all.
        present: bool,
    },
    /// A `nonce` appears where none may (logout tokens, BCL §2.4).
    #[error("nonce is not allowed in a {kind:?}")]
    UnexpectedNonce {
        /// The token kind.
        kind: TokenKind,
    },
    /// `auth_time` is missing though `max_age` or `prompt=login` was sent.
    #[error("auth_time is required after max_age or prompt=login")]
    AuthTimeMissing,
    /// The authentication is older than `max_age`, or predates a `prompt=login` request.
    #[error("auth_time {auth_time} is too old (must be at or after {not_before})")]
    AuthTimeTooOld {
        /// The token's `auth_time`.
        auth_time: UnixTime,
        /// The earliest acceptable time.
        not_before: UnixTime,
    },
    /// `acr` does not meet what the login asked for.
    #[error("acr {actual:?} does not satisfy {requested:?}")]
    AcrNotSatisfied {
        /// The ACR values requested.
        requested: Vec<String>,
        /// The token's `acr`.
        actual: Option<String>,
    },
    /// An assurance-level claim is below the required level.
    #[error("{claim} is {actual}, below the required {required}")]
    AssuranceTooLow {
        /// The claim.
        claim: &'static str,
        /// The minimum.
        required: u8,
        /// The token's level.
        actual: u8,
    },
    /// `at_hash` does not match the access token.
    #[error("at_hash does not match the access token")]
    AccessTokenHashMismatch,
    /// A claim that marks another kind of token (`events` in an ID token) is present.
    #[error("claim {claim} is not allowed in a {kind:?}")]
    ForbiddenClaim {
        /// The claim.
        claim: &'static str,
        /// The token kind.
        kind: TokenKind,
    },
    /// The logout token's `events` lacks the back-channel-logout member, or it is not an object.
    #[error("events: {reason}")]
    InvalidLogoutEvent {
        /// Why.
        reason: &'static str,
    },
    /// A logout token has neither `sub` nor `sid` (BCL §2.4).
    #[error("logout token has neither sub nor sid")]
    MissingLogoutSubject,
    /// `sub` differs from the one it must equal (userinfo vs ID token, OIDC Core §5.3.2).
    #[error("sub {actual:?} is not {expected:?}")]
    SubjectMismatch {
        /// The ID token's `sub`.
        expected: String,
        /// The other `sub`.
        actual: String,
    },
}

/// ` (or the issuer …)` for the audience error, when more than the token endpoint is accepted.
fn accepted_others(accepted: &[String]) -> String {
    match accepted.get(1..) {
        Some(rest) if !rest.is_empty() => format!(" (or {rest:?})"),
        _ => String::new(),
    }
}

impl TokenError {
    /// A stable code for this check.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed { .. } => "token.malformed",
            TokenError::TooLarge { .. } => "token.too_large",
            TokenError::AlgorithmNotAllowed { .. } => "token.algorithm_not_allowed",
            TokenError::UnsupportedHeader { .. } => "token.unsupported_header",
            TokenError::WrongType { .. } => "token.wrong_type",
            TokenError::NoMatchingKey { .. } => "token.no_matching_key",
            TokenError::AmbiguousKey { .. } => "token.ambiguous_key",
            TokenError::KeyRejected { .. } => "token.key_rejected",
            TokenError::InvalidSignature => "token.invalid_signature",
            TokenError::MissingClaim { .. } => "token.missing_claim",
            TokenError::InvalidClaim { .. } => "token.invalid_claim",
            TokenError::IssuerMismatch { .. } => "token.issuer_mismatch",
            TokenError::AudienceMismatch { .. } => "token.audience_mismatch",
            TokenError::ClientAssertionAudience { .. } => "token.client_assertion_audience",
            TokenError::UntrustedAudience { .. } => "token.untrusted_audience",
            TokenError::AuthorizedPartyMismatch { .. } => "token.azp_mismatch",
            TokenError::Expired { .. } => "token.expired",
            TokenError::IssuedInFuture { .. } => "token.issued_in_future",
            TokenError::IssuedTooLongAgo { .. } => "token.issued_too_long_ago",
            TokenError::NotYetValid { .. } => "token.not_yet_valid",
            TokenError::NonceMismatch { .. } => "token.nonce_mismatch",
            TokenError::UnexpectedNonce { .. } => "token.unexpected_nonce",
            TokenError::AuthTimeMissing => "token.auth_time_missing",
            TokenError::AuthTimeTooOld { .. } => "token.auth_time_too_old",
            TokenError::AcrNotSatisfied { .. } => "token.acr_not_satisfied",
            TokenError::AssuranceTooLow { .. } => "token.assurance_too_low",
            TokenError::AccessTokenHashMismatch => "token.at_hash_mismatch",
            TokenError::ForbiddenClaim { .. } => "token.forbidden_claim",
            TokenError::InvalidLogoutEvent { .. } => "token.invalid_logout_event",
            TokenError::MissingLogoutSubject => "token.missing_logout_subject",
            TokenError::SubjectMismatch { .. } => "token.subject_mismatch",
        }
    }
}
