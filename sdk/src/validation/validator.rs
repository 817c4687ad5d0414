//! [`TokenValidator`] and the checks every kind of token shares: structure, `alg`, `typ`, key and signature,
//! `iss`, `aud` / `azp` and the time claims.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{TokenError, TokenKind};
use crate::issuer::{ClientId, IssuerUrl};
use crate::jose::{self, Algorithm, Header};
use crate::jwks::JwkSet;
use crate::time::UnixTime;
use crate::validation::policy::ValidationPolicy;
use crate::validation::reader::Claims;

/// Validates tokens from one issuer for one client, under one [`ValidationPolicy`].
#[derive(Clone, Debug)]
pub struct TokenValidator {
    pub(super) issuer: IssuerUrl,
    pub(super) client_id: ClientId,
    pub(super) policy: ValidationPolicy,
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
    pub(super) fn verify(
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

    /// `iss` is present and byte-equal to `expected`.
    pub(super) fn check_issuer(&self, c: &Claims<'_>, expected: &str) -> Result<(), TokenError> {
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
    pub(super) fn check_audience(&self, c: &Claims<'_>) -> Result<(), TokenError> {
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
    pub(super) fn check_times(
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
        let oldest = max_age.saturating_add(leeway);
        if now.duration_since(iat) > oldest {
            return Err(TokenError::IssuedTooLongAgo {
                iat,
                now,
                max_age_secs: oldest.as_secs(),
            });
        }
        Ok(iat)
    }
}

/// `typ` rules (RFC 8725 §3.11; BCL §2.4): ID tokens and userinfo take `JWT` or nothing; logout tokens also
/// take `logout+jwt`; client assertions take `JWT` or nothing. Anything else marks another kind of token.
pub(super) fn check_typ(kind: TokenKind, typ: Option<&str>) -> Result<(), TokenError> {
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
