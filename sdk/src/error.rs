//! Typed errors that say which check failed and who is at fault, with expected and actual values.

use crate::time::UnixTime;

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
    fn code(&self) -> &'static str {
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
    fn code(&self) -> &'static str {
        match self {
            ConfigError::InvalidUrl { .. } => "config.invalid_url",
            ConfigError::InvalidClientId { .. } => "config.invalid_client_id",
            ConfigError::Algorithm { .. } => "config.algorithm",
            ConfigError::InvalidKey { .. } => "config.invalid_key",
            ConfigError::InvalidOption { .. } => "config.invalid_option",
        }
    }
}

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
    fn code(&self) -> &'static str {
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
    fn code(&self) -> &'static str {
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

/// An RFC 6749 §5.2 / §4.1.2.1 error response from the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("provider returned {code}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct OAuthError {
    /// The `error` code.
    pub code: OAuthErrorCode,
    /// `error_description`, if any.
    pub description: Option<String>,
    /// The HTTP status, for token-endpoint errors.
    pub status: Option<u16>,
}

/// RFC 6749 and OIDC Core error codes, with [`OAuthErrorCode::Other`] for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `access_denied`
    AccessDenied,
    /// `unsupported_response_type`
    UnsupportedResponseType,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// `login_required`
    LoginRequired,
    /// `interaction_required`
    InteractionRequired,
    /// `invalid_token` (RFC 6750)
    InvalidToken,
    /// Any other code.
    Other(String),
}

impl OAuthErrorCode {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::AccessDenied => "access_denied",
            OAuthErrorCode::UnsupportedResponseType => "unsupported_response_type",
            OAuthErrorCode::ServerError => "server_error",
            OAuthErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            OAuthErrorCode::LoginRequired => "login_required",
            OAuthErrorCode::InteractionRequired => "interaction_required",
            OAuthErrorCode::InvalidToken => "invalid_token",
            OAuthErrorCode::Other(s) => s,
        }
    }

    /// Parses a wire string.
    pub fn parse(s: &str) -> Self {
        match s {
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            "access_denied" => OAuthErrorCode::AccessDenied,
            "unsupported_response_type" => OAuthErrorCode::UnsupportedResponseType,
            "server_error" => OAuthErrorCode::ServerError,
            "temporarily_unavailable" => OAuthErrorCode::TemporarilyUnavailable,
            "login_required" => OAuthErrorCode::LoginRequired,
            "interaction_required" => OAuthErrorCode::InteractionRequired,
            "invalid_token" => OAuthErrorCode::InvalidToken,
            other => OAuthErrorCode::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for OAuthErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

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
    fn code(&self) -> &'static str {
        match self {
            HttpError::UnexpectedStatus { .. } => "http.unexpected_status",
            HttpError::BodyTooLarge { .. } => "http.body_too_large",
            HttpError::UnexpectedContentType { .. } => "http.unexpected_content_type",
        }
    }
}
