//! private_key_jwt client assertions, for the mock IdP's token endpoint: [`ClientAssertion`] and
//! [`TokenValidator::validate_client_assertion`].

use std::time::Duration;

use crate::error::{TokenError, TokenKind};
use crate::jose::Algorithm;
use crate::jwks::JwkSet;
use crate::time::UnixTime;
use crate::validation::reader::Claims;
use crate::validation::validator::TokenValidator;

/// A validated private_key_jwt client assertion (RFC 7523 §3), for the token endpoint of the mock IdP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientAssertion {
    /// `jti`, which the caller records to refuse reuse.
    pub jti: String,
    /// `exp`.
    pub exp: UnixTime,
}

impl TokenValidator {
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
        if exp.duration_since(now) > max_lifetime.saturating_add(leeway) {
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
