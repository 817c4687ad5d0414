//! Back-channel logout tokens: [`LogoutToken`] and [`TokenValidator::validate_logout_token`].

use serde_json::Value;

use crate::error::{TokenError, TokenKind};
use crate::jwks::JwkSet;
use crate::logout_claims::BACKCHANNEL_LOGOUT_EVENT;
use crate::time::UnixTime;
use crate::validation::policy::LogoutExpPolicy;
use crate::validation::reader::Claims;
use crate::validation::validator::TokenValidator;

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

impl TokenValidator {
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
        let window = iat.saturating_add(
            self.policy
                .logout_token_max_age
                .saturating_add(self.policy.leeway.saturating_mul(2)),
        );
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
}
