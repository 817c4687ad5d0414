//! ID tokens: what a login asked for ([`IdTokenExpectations`]) and [`TokenValidator::validate_id_token`].

use std::time::Duration;

use crate::claims::IdTokenClaims;
use crate::error::{TokenError, TokenKind};
use crate::jose::b64url_encode;
use crate::jwks::JwkSet;
use crate::secret::{AccessToken, Nonce};
use crate::time::UnixTime;
use crate::validation::reader::Claims;
use crate::validation::validator::TokenValidator;

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

impl TokenValidator {
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
            not_before = Some(now.saturating_sub(max_age.saturating_add(self.policy.leeway)));
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
        // Each requested value names a level, and perhaps a method (`AAL3_FIDO2`): the token's `acr` must meet
        // one of them with that method, or a higher level (`crate::acr::at_least_as_strict`).
        let acr_ok = acr.is_some_and(|a| {
            requested.contains(&a) || requested.iter().any(|r| crate::acr::at_least_as_strict(a, r))
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
}
