//! Client assertions (RFC 7523 §3), for the mock IdP's token endpoint: `private_key_jwt` (signed with the
//! client's key) and `client_secret_jwt` (HS256 with the client secret). [`ClientAssertion`],
//! [`AssertionKey`] and [`TokenValidator::validate_client_assertion_with`].

use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{TokenError, TokenKind};
use crate::jose::{self, Algorithm};
use crate::jwks::JwkSet;
use crate::secret::ClientSecret;
use crate::time::UnixTime;
use crate::validation::reader::Claims;
use crate::validation::validator::{TokenValidator, check_typ};

/// A validated client assertion (RFC 7523 §3), for the token endpoint of the mock IdP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientAssertion {
    /// `jti`, which the caller records to refuse reuse.
    pub jti: String,
    /// `exp`.
    pub exp: UnixTime,
}

/// What a client assertion's signature is checked with.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AssertionKey<'a> {
    /// `private_key_jwt`: the client's public keys, and the algorithms it is registered for.
    PrivateKeyJwt {
        /// The client's JWKS.
        jwks: &'a JwkSet,
        /// The algorithms accepted (the header never chooses).
        algorithms: &'a [Algorithm],
    },
    /// `client_secret_jwt`: HS256 keyed with the client secret.
    ClientSecretJwt(&'a ClientSecret),
}

impl TokenValidator {
    /// Validates a private_key_jwt client assertion whose `aud` must be exactly `token_endpoint`; see
    /// [`Self::validate_client_assertion_with`].
    pub fn validate_client_assertion(
        &self,
        token: &str,
        client_jwks: &JwkSet,
        algorithms: &[Algorithm],
        token_endpoint: &str,
        max_lifetime: Duration,
        now: UnixTime,
    ) -> Result<ClientAssertion, TokenError> {
        let key = AssertionKey::PrivateKeyJwt {
            jwks: client_jwks,
            algorithms,
        };
        self.validate_client_assertion_with(token, key, &[token_endpoint], max_lifetime, now)
    }

    /// Validates a client assertion (RFC 7523 §3) at this issuer's token endpoint: the signature with `key`,
    /// `iss` = `sub` = this validator's client id, `aud` exactly one of `audiences` (the token endpoint first,
    /// then whatever else the caller accepts, such as the issuer; a string, or an array holding only that
    /// value), `jti`, `exp` in the future and at most `max_lifetime` ahead, `iat` and `nbf` not in the future.
    /// The caller refuses reused `jti`s.
    pub fn validate_client_assertion_with(
        &self,
        token: &str,
        key: AssertionKey<'_>,
        audiences: &[&str],
        max_lifetime: Duration,
        now: UnixTime,
    ) -> Result<ClientAssertion, TokenError> {
        let payload = match key {
            AssertionKey::PrivateKeyJwt { jwks, algorithms } => {
                self.verify(token, jwks, TokenKind::ClientAssertion, algorithms)?
                    .2
            }
            AssertionKey::ClientSecretJwt(secret) => self.verify_hs256(token, secret)?,
        };
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
        if !matches!(auds.as_slice(), [one] if audiences.contains(one)) {
            return Err(TokenError::ClientAssertionAudience {
                accepted: audiences.iter().map(|s| (*s).to_owned()).collect(),
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

    /// The HS256 path: the same parsing and header rules as [`Self::verify`], `alg` exactly `HS256`, and the
    /// MAC checked in constant time.
    fn verify_hs256(&self, token: &str, secret: &ClientSecret) -> Result<Map<String, Value>, TokenError> {
        let jws = jose::parse_compact(token, self.policy.max_token_bytes)?;
        if jws.header.alg != crate::hs256::HS256 {
            return Err(TokenError::AlgorithmNotAllowed {
                allowed: vec![crate::hs256::HS256.to_owned()],
                actual: jws.header.alg.clone(),
            });
        }
        check_typ(TokenKind::ClientAssertion, jws.header.typ.as_deref())?;
        if !crate::hs256::verify(secret.secret().as_bytes(), jws.signing_input, &jws.signature) {
            return Err(TokenError::InvalidSignature);
        }
        Ok(jws.payload)
    }
}
