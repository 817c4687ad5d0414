//! The one JWT validation path. ID tokens, logout tokens, signed userinfo and (for the mock IdP) client
//! assertions all pass through [`TokenValidator::verify`] and the same claim helpers; only the per-kind rules
//! differ.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::claims::{IdTokenClaims, UserInfo};
use crate::crypto::Crypto;
use crate::error::{TokenError, TokenKind};
use crate::issuer::{ClientId, IssuerUrl};
use crate::jose::{self, Algorithm, Header, b64url_encode};
use crate::jwks::JwkSet;
use crate::logout_claims::BACKCHANNEL_LOGOUT_EVENT;
use crate::secret::{AccessToken, Nonce};
use crate::time::UnixTime;

/// How `exp` on logout tokens is treated (catalogue BCL-02).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogoutExpPolicy {
    /// Honour `exp` when present; without it, `iat` must fall within the logout-token age (CIS2 sends no `exp`).
    #[default]
    HonourWhenPresent,
    /// `exp` is required (BCL 1.0 final).
    Required,
}

/// Settings for every token check. Defaults are strict; each is documented in `docs/src/security-defaults.md`.
#[derive(Clone, Debug)]
pub struct ValidationPolicy {
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    max_token_bytes: usize,
    id_token_max_age: Duration,
    logout_token_max_age: Duration,
    logout_exp: LogoutExpPolicy,
    trusted_audiences: Vec<String>,
    min_id_assurance_level: u8,
    crypto: Crypto,
}

impl ValidationPolicy {
    /// The default clock leeway: 30 s (catalogue IDT-01: at most 60 s).
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// RS256 only, 30 s leeway, 64 KiB tokens, ID tokens issued within 10 min, logout tokens within 5 min,
    /// `exp` on logout tokens honoured when present, no extra audiences, `id_assurance_level` ≥ 3.
    pub fn new(crypto: Crypto) -> Self {
        Self {
            algorithms: vec![Algorithm::RS256],
            leeway: Self::DEFAULT_LEEWAY,
            max_token_bytes: 64 * 1024,
            id_token_max_age: Duration::from_secs(600),
            logout_token_max_age: Duration::from_secs(300),
            logout_exp: LogoutExpPolicy::default(),
            trusted_audiences: Vec::new(),
            min_id_assurance_level: 3,
            crypto,
        }
    }

    /// The algorithms tokens may be signed with (local configuration; a header never chooses). At least one.
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        let algs: Vec<_> = algs.into_iter().collect();
        if !algs.is_empty() {
            self.algorithms = algs;
        }
        self
    }

    /// Clock leeway for `exp`, `iat`, `nbf` and `auth_time`; capped at 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(Duration::from_secs(300));
        self
    }

    /// The largest token accepted, in bytes.
    pub fn max_token_bytes(mut self, n: usize) -> Self {
        self.max_token_bytes = n;
        self
    }

    /// How old (by `iat`) an ID token may be when it arrives.
    pub fn id_token_max_age(mut self, d: Duration) -> Self {
        self.id_token_max_age = d;
        self
    }

    /// How old (by `iat`) a logout token may be when it arrives (default 300 s).
    pub fn logout_token_max_age(mut self, d: Duration) -> Self {
        self.logout_token_max_age = d;
        self
    }

    /// How `exp` on logout tokens is treated.
    pub fn logout_exp(mut self, p: LogoutExpPolicy) -> Self {
        self.logout_exp = p;
        self
    }

    /// Audiences besides our client id that a token may also name. Empty by default: any other audience is
    /// refused (OIDC Core §3.1.3.7 item 3).
    pub fn trusted_audiences(mut self, auds: impl IntoIterator<Item = String>) -> Self {
        self.trusted_audiences = auds.into_iter().collect();
        self
    }

    /// The lowest `id_assurance_level` accepted (default 3, as NHS RPs require).
    pub fn min_id_assurance_level(mut self, level: u8) -> Self {
        self.min_id_assurance_level = level;
        self
    }

    /// The configured algorithms.
    pub fn allowed_algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The configured leeway.
    pub fn clock_leeway(&self) -> Duration {
        self.leeway
    }
}

/// What one login asked for, which the ID token must show it got.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IdTokenExpectations<'a> {
    /// The nonce sent in the authorization request (required: OIDC Core §3.1.3.7 item 11).
    pub nonce: &'a Nonce,
    /// `max_age` sent, if any.
    pub max_age: Option<Duration>,
    /// When a `prompt=login` request was made; the authentication must be no older.
    pub prompt_login_at: Option<UnixTime>,
    /// `acr_values` sent; the token's `acr` / level must meet them. Empty: AAL3 is required (CIS2's default).
    pub acr_values: &'a [String],
    /// The access token from the same response, to check `at_hash` when present.
    pub access_token: Option<&'a AccessToken>,
}

impl<'a> IdTokenExpectations<'a> {
    /// Expectations for a login that sent `nonce` and nothing else of note.
    pub fn new(nonce: &'a Nonce) -> Self {
        Self {
            nonce,
            max_age: None,
            prompt_login_at: None,
            acr_values: &[],
            access_token: None,
        }
    }

    /// Sets `max_age`.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Sets the time a `prompt=login` request was made.
    pub fn prompt_login_at(mut self, at: UnixTime) -> Self {
        self.prompt_login_at = Some(at);
        self
    }

    /// Sets the requested ACR values.
    pub fn acr_values(mut self, acr: &'a [String]) -> Self {
        self.acr_values = acr;
        self
    }

    /// Sets the access token for the `at_hash` check.
    pub fn access_token(mut self, at: &'a AccessToken) -> Self {
        self.access_token = Some(at);
        self
    }
}

/// A validated back-channel logout token (BCL §2.4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct LogoutToken {
    /// Issuer.
    pub iss: String,
    /// Subject, when sent.
    pub sub: Option<String>,
    /// Session id, when sent.
    pub sid: Option<String>,
    /// Token id, for the caller's replay store.
    pub jti: String,
    /// Issued at.
    pub iat: UnixTime,
    /// Expiry, when sent. A replay store keeps `jti` at least until `replay_window_end`.
    pub exp: Option<UnixTime>,
    /// The time until which this `jti` must be remembered to refuse replays.
    pub replay_window_end: UnixTime,
}

/// A validated private_key_jwt client assertion (RFC 7523 §3), for the token endpoint of the mock IdP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientAssertion {
    /// `jti`, which the caller records to refuse reuse.
    pub jti: String,
    /// `exp`.
    pub exp: UnixTime,
}

/// Validates tokens from one issuer for one client, under one [`ValidationPolicy`].
#[derive(Clone, Debug)]
pub struct TokenValidator {
    issuer: IssuerUrl,
    client_id: ClientId,
    policy: ValidationPolicy,
}

/// Reads typed claims from a payload; a claim of the wrong type is an error, never "absent".
struct Claims<'a>(&'a Map<String, Value>);

impl<'a> Claims<'a> {
    fn string(&self, name: &'static str) -> Result<Option<&'a str>, TokenError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: name,
                expected: "a string",
            }),
        }
    }

    fn required_string(&self, name: &'static str) -> Result<&'a str, TokenError> {
        match self.string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: name,
                expected: "a non-empty string",
            }),
            None => Err(TokenError::MissingClaim { claim: name }),
        }
    }

    /// A NumericDate as a non-negative integer. Strings, floats, negatives and `null` are refused.
    fn time(&self, name: &'static str) -> Result<Option<UnixTime>, TokenError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_u64() => Ok(n.as_u64().map(UnixTime::from_secs)),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: name,
                expected: "a non-negative integer NumericDate",
            }),
        }
    }

    fn required_time(&self, name: &'static str) -> Result<UnixTime, TokenError> {
        self.time(name)?.ok_or(TokenError::MissingClaim { claim: name })
    }

    /// `aud` as a string or a non-empty array of strings.
    fn audiences(&self) -> Result<Vec<&'a str>, TokenError> {
        const EXPECTED: &str = "a string or a non-empty array of strings";
        match self.0.get("aud") {
            None => Err(TokenError::MissingClaim { claim: "aud" }),
            Some(Value::String(s)) => Ok(vec![s.as_str()]),
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|v| {
                    v.as_str().ok_or(TokenError::InvalidClaim {
                        claim: "aud",
                        expected: EXPECTED,
                    })
                })
                .collect(),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: "aud",
                expected: EXPECTED,
            }),
        }
    }
}

impl TokenValidator {
    /// A validator for tokens that `issuer` issues to `client_id`.
    pub fn new(issuer: IssuerUrl, client_id: ClientId, policy: ValidationPolicy) -> Self {
        Self {
            issuer,
            client_id,
            policy,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &ValidationPolicy {
        &self.policy
    }

    /// The issuer.
    pub fn issuer(&self) -> &IssuerUrl {
        &self.issuer
    }

    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// Structure, header, `alg` pinning, `typ`, key selection and signature: the part every kind shares.
    fn verify(
        &self,
        token: &str,
        jwks: &JwkSet,
        kind: TokenKind,
        algorithms: &[Algorithm],
    ) -> Result<(Header, Algorithm, Map<String, Value>), TokenError> {
        let jws = jose::parse_compact(token, self.policy.max_token_bytes)?;
        let alg = Algorithm::from_name(&jws.header.alg)
            .filter(|a| algorithms.contains(a))
            .ok_or_else(|| TokenError::AlgorithmNotAllowed {
                allowed: algorithms.iter().map(|a| a.as_str().to_owned()).collect(),
                actual: jws.header.alg.clone(),
            })?;
        check_typ(kind, jws.header.typ.as_deref())?;
        let key = jwks.select(alg, jws.header.kid.as_deref())?;
        self.policy.crypto.verify(
            alg,
            &key.prepared,
            key.material(),
            jws.signing_input,
            &jws.signature,
        )?;
        Ok((jws.header, alg, jws.payload))
    }

    fn check_issuer(&self, c: &Claims<'_>, expected: &str) -> Result<(), TokenError> {
        let iss = c.required_string("iss")?;
        if iss != expected {
            return Err(TokenError::IssuerMismatch {
                expected: expected.to_owned(),
                actual: iss.to_owned(),
            });
        }
        Ok(())
    }

    /// `aud` contains our client id and nothing untrusted; `azp`, when present, is our client id.
    fn check_audience(&self, c: &Claims<'_>) -> Result<(), TokenError> {
        let auds = c.audiences()?;
        let me = self.client_id.as_str();
        if !auds.contains(&me) {
            return Err(TokenError::AudienceMismatch {
                expected: me.to_owned(),
                actual: auds.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
        if let Some(other) = auds
            .iter()
            .find(|a| **a != me && !self.policy.trusted_audiences.iter().any(|t| t == *a))
        {
            return Err(TokenError::UntrustedAudience {
                untrusted: (*other).to_owned(),
            });
        }
        if let Some(azp) = c.string("azp")?
            && azp != me
        {
            return Err(TokenError::AuthorizedPartyMismatch {
                expected: me.to_owned(),
                actual: azp.to_owned(),
            });
        }
        Ok(())
    }

    /// `exp` (when given), `nbf` and `iat` against `now` with the leeway; `iat` no older than `max_age`.
    fn check_times(
        &self,
        c: &Claims<'_>,
        exp: Option<UnixTime>,
        max_age: Duration,
        now: UnixTime,
    ) -> Result<UnixTime, TokenError> {
        let leeway = self.policy.leeway;
        let leeway_secs = leeway.as_secs();
        if let Some(exp) = exp
            && now >= exp.saturating_add(leeway)
        {
            return Err(TokenError::Expired {
                exp,
                now,
                leeway_secs,
            });
        }
        if let Some(nbf) = c.time("nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(TokenError::NotYetValid {
                nbf,
                now,
                leeway_secs,
            });
        }
        let iat = c.required_time("iat")?;
        if iat > now.saturating_add(leeway) {
            return Err(TokenError::IssuedInFuture {
                iat,
                now,
                leeway_secs,
            });
        }
        let oldest = max_age + leeway;
        if now.duration_since(iat) > oldest {
            return Err(TokenError::IssuedTooLongAgo {
                iat,
                now,
                max_age_secs: oldest.as_secs(),
            });
        }
        Ok(iat)
    }

    /// Validates an ID token from the token endpoint (OIDC Core §3.1.3.7, plus CIS2's assurance rules).
    pub fn validate_id_token(
        &self,
        token: &str,
        jwks: &JwkSet,
        expect: &IdTokenExpectations<'_>,
        now: UnixTime,
    ) -> Result<IdTokenClaims, TokenError> {
        let (_, alg, payload) = self.verify(token, jwks, TokenKind::IdToken, &self.policy.algorithms)?;
        let c = Claims(&payload);
        if payload.contains_key("events") {
            return Err(TokenError::ForbiddenClaim {
                claim: "events",
                kind: TokenKind::IdToken,
            });
        }
        self.check_issuer(&c, self.issuer.as_str())?;
        c.required_string("sub")?;
        self.check_audience(&c)?;
        let exp = c.required_time("exp")?;
        self.check_times(&c, Some(exp), self.policy.id_token_max_age, now)?;

        match c.string("nonce")? {
            Some(n) if expect.nonce.ct_eq(n) => {}
            other => {
                return Err(TokenError::NonceMismatch {
                    present: other.is_some(),
                });
            }
        }

        let auth_time = c.time("auth_time")?;
        if let Some(at) = auth_time
            && at > now.saturating_add(self.policy.leeway)
        {
            return Err(TokenError::InvalidClaim {
                claim: "auth_time",
                expected: "a time not in the future",
            });
        }
        let mut not_before = None;
        if let Some(max_age) = expect.max_age {
            not_before = Some(now.saturating_sub(max_age + self.policy.leeway));
        }
        if let Some(at) = expect.prompt_login_at {
            let t = at.saturating_sub(self.policy.leeway);
            not_before = Some(not_before.map_or(t, |n: UnixTime| n.max(t)));
        }
        if let Some(not_before) = not_before {
            let at = auth_time.ok_or(TokenError::AuthTimeMissing)?;
            if at < not_before {
                return Err(TokenError::AuthTimeTooOld {
                    auth_time: at,
                    not_before,
                });
            }
        }

        self.check_assurance(&c, expect.acr_values)?;

        if let (Some(at_hash), Some(access)) = (c.string("at_hash")?, expect.access_token) {
            let digest = crate::crypto::digest(alg, access.secret().as_bytes());
            let half = digest.get(..alg.hash_len() / 2).unwrap_or_default();
            if b64url_encode(half) != at_hash {
                return Err(TokenError::AccessTokenHashMismatch);
            }
        }

        IdTokenClaims::from_checked_map(payload)
    }

    /// `acr` meets the request, `authentication_assurance_level` (when sent) agrees, and
    /// `id_assurance_level` reaches the configured minimum.
    fn check_assurance(&self, c: &Claims<'_>, acr_values: &[String]) -> Result<(), TokenError> {
        // No acr_values sent: CIS2 then behaves as AAL3_ANY (cis2.md §9.2), so that is what we require.
        let default_acr = ["AAL3_ANY"];
        let requested: Vec<&str> = if acr_values.is_empty() {
            default_acr.to_vec()
        } else {
            acr_values.iter().map(String::as_str).collect()
        };
        let required = requested
            .iter()
            .map(|a| crate::acr::acr_level(a))
            .min()
            .flatten()
            .unwrap_or(3);
        let acr = c.string("acr")?;
        let acr_ok = acr.is_some_and(|a| {
            requested.contains(&a) || crate::acr::acr_level(a).is_some_and(|l| l >= required)
        });
        if !acr_ok {
            return Err(TokenError::AcrNotSatisfied {
                requested: requested.iter().map(|s| (*s).to_owned()).collect(),
                actual: acr.map(str::to_owned),
            });
        }
        let level = |name: &'static str| -> Result<Option<u8>, TokenError> {
            match c.0.get(name) {
                None => Ok(None),
                Some(v) => crate::claims::assurance_level(v)
                    .map(Some)
                    .ok_or(TokenError::InvalidClaim {
                        claim: name,
                        expected: "an assurance level 1-3 (string or integer)",
                    }),
            }
        };
        if let Some(aal) = level("authentication_assurance_level")?
            && aal < required
        {
            return Err(TokenError::AssuranceTooLow {
                claim: "authentication_assurance_level",
                required,
                actual: aal,
            });
        }
        let min_ial = self.policy.min_id_assurance_level;
        match level("id_assurance_level")? {
            Some(ial) if ial >= min_ial => Ok(()),
            Some(ial) => Err(TokenError::AssuranceTooLow {
                claim: "id_assurance_level",
                required: min_ial,
                actual: ial,
            }),
            None if min_ial == 0 => Ok(()),
            None => Err(TokenError::MissingClaim {
                claim: "id_assurance_level",
            }),
        }
    }

    /// Validates a back-channel logout token (BCL §2.6): signature, `typ`, `iss`, `aud`, `iat` window, `exp`
    /// per policy, the `events` member, `sid` and/or `sub`, no `nonce`, a `jti` for the replay store.
    pub fn validate_logout_token(
        &self,
        token: &str,
        jwks: &JwkSet,
        now: UnixTime,
    ) -> Result<LogoutToken, TokenError> {
        let (_, _, payload) = self.verify(token, jwks, TokenKind::LogoutToken, &self.policy.algorithms)?;
        let c = Claims(&payload);
        if payload.contains_key("nonce") {
            return Err(TokenError::UnexpectedNonce {
                kind: TokenKind::LogoutToken,
            });
        }
        match payload.get("events") {
            None => return Err(TokenError::MissingClaim { claim: "events" }),
            Some(Value::Object(events)) => match events.get(BACKCHANNEL_LOGOUT_EVENT) {
                Some(Value::Object(_)) => {}
                Some(_) => {
                    return Err(TokenError::InvalidLogoutEvent {
                        reason: "the back-channel-logout member is not an object",
                    });
                }
                None => {
                    return Err(TokenError::InvalidLogoutEvent {
                        reason: "no back-channel-logout member",
                    });
                }
            },
            Some(_) => {
                return Err(TokenError::InvalidLogoutEvent {
                    reason: "events is not an object",
                });
            }
        }
        self.check_issuer(&c, self.issuer.as_str())?;
        self.check_audience(&c)?;
        let exp = c.time("exp")?;
        if exp.is_none() && self.policy.logout_exp == LogoutExpPolicy::Required {
            return Err(TokenError::MissingClaim { claim: "exp" });
        }
        let iat = self.check_times(&c, exp, self.policy.logout_token_max_age, now)?;
        let sub = c.string("sub")?.map(str::to_owned);
        let sid = c.string("sid")?.map(str::to_owned);
        if sub.as_deref().is_none_or(str::is_empty) && sid.as_deref().is_none_or(str::is_empty) {
            return Err(TokenError::MissingLogoutSubject);
        }
        let jti = c.required_string("jti")?.to_owned();
        let window = iat.saturating_add(self.policy.logout_token_max_age + self.policy.leeway * 2);
        let replay_window_end = exp.map_or(window, |e| e.saturating_add(self.policy.leeway).max(window));
        Ok(LogoutToken {
            iss: self.issuer.as_str().to_owned(),
            sub,
            sid,
            jti,
            iat,
            exp,
            replay_window_end,
        })
    }

    /// Validates a signed userinfo response (CS-20): signature and `iss` as for ID tokens; `aud` checked only
    /// when present (CIS2 said in 2021 that it sends none yet); `sub` must equal the ID token's.
    pub fn validate_signed_userinfo(
        &self,
        token: &str,
        jwks: &JwkSet,
        expected_sub: &str,
        now: UnixTime,
    ) -> Result<UserInfo, TokenError> {
        let (_, _, payload) = self.verify(token, jwks, TokenKind::UserInfo, &self.policy.algorithms)?;
        let c = Claims(&payload);
        self.check_issuer(&c, self.issuer.as_str())?;
        if payload.contains_key("aud") {
            self.check_audience(&c)?;
        }
        if let Some(exp) = c.time("exp")?
            && now >= exp.saturating_add(self.policy.leeway)
        {
            return Err(TokenError::Expired {
                exp,
                now,
                leeway_secs: self.policy.leeway.as_secs(),
            });
        }
        userinfo_from_map(payload, expected_sub)
    }

    /// Validates a private_key_jwt client assertion (RFC 7523 §3) as the token endpoint `token_endpoint` of
    /// this issuer: `iss` = `sub` = this validator's client id, `aud` exactly the token endpoint (a string, or an
    /// array holding only it), `jti`, `exp` in the future and at most `max_lifetime` ahead, `iat` not in the
    /// future. The caller refuses reused `jti`s.
    pub fn validate_client_assertion(
        &self,
        token: &str,
        client_jwks: &JwkSet,
        algorithms: &[Algorithm],
        token_endpoint: &str,
        max_lifetime: Duration,
        now: UnixTime,
    ) -> Result<ClientAssertion, TokenError> {
        let (_, _, payload) = self.verify(token, client_jwks, TokenKind::ClientAssertion, algorithms)?;
        let c = Claims(&payload);
        let me = self.client_id.as_str();
        self.check_issuer(&c, me)?;
        let sub = c.required_string("sub")?;
        if sub != me {
            return Err(TokenError::SubjectMismatch {
                expected: me.to_owned(),
                actual: sub.to_owned(),
            });
        }
        let auds = c.audiences()?;
        if auds != [token_endpoint] {
            return Err(TokenError::AudienceMismatch {
                expected: token_endpoint.to_owned(),
                actual: auds.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
        let exp = c.required_time("exp")?;
        let leeway = self.policy.leeway;
        if now >= exp.saturating_add(leeway) {
            return Err(TokenError::Expired {
                exp,
                now,
                leeway_secs: leeway.as_secs(),
            });
        }
        if exp.duration_since(now) > max_lifetime + leeway {
            return Err(TokenError::InvalidClaim {
                claim: "exp",
                expected: "at most the allowed lifetime ahead",
            });
        }
        if let Some(iat) = c.time("iat")?
            && iat > now.saturating_add(leeway)
        {
            return Err(TokenError::IssuedInFuture {
                iat,
                now,
                leeway_secs: leeway.as_secs(),
            });
        }
        if let Some(nbf) = c.time("nbf")?
            && nbf > now.saturating_add(leeway)
        {
            return Err(TokenError::NotYetValid {
                nbf,
                now,
                leeway_secs: leeway.as_secs(),
            });
        }
        let jti = c.required_string("jti")?.to_owned();
        Ok(ClientAssertion { jti, exp })
    }
}

/// Turns a userinfo object into [`UserInfo`], checking `sub` against the ID token's (OIDC Core §5.3.2).
pub(crate) fn userinfo_from_map(
    payload: Map<String, Value>,
    expected_sub: &str,
) -> Result<UserInfo, TokenError> {
    let sub = Claims(&payload).required_string("sub")?;
    if sub != expected_sub {
        return Err(TokenError::SubjectMismatch {
            expected: expected_sub.to_owned(),
            actual: sub.to_owned(),
        });
    }
    serde_json::from_value(Value::Object(payload)).map_err(|e| TokenError::Malformed {
        reason: format!("userinfo: {e}"),
    })
}

/// `typ` rules (RFC 8725 §3.11; BCL §2.4): ID tokens and userinfo take `JWT` or nothing; logout tokens also
/// take `logout+jwt`; client assertions take `JWT` or nothing. Anything else marks another kind of token.
fn check_typ(kind: TokenKind, typ: Option<&str>) -> Result<(), TokenError> {
    let Some(t) = typ else { return Ok(()) };
    let t = jose::typ_media_type(t);
    let ok = match kind {
        TokenKind::LogoutToken => t == "jwt" || t == "logout+jwt",
        _ => t == "jwt",
    };
    if ok {
        Ok(())
    } else {
        Err(TokenError::WrongType {
            kind,
            actual: Some(typ.unwrap_or_default().to_owned()),
        })
    }
}
