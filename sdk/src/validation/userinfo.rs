//! Userinfo: [`TokenValidator::validate_signed_userinfo`] and the `sub` check plain JSON userinfo shares.

use serde_json::{Map, Value};

use crate::claims::UserInfo;
use crate::error::{TokenError, TokenKind};
use crate::jwks::JwkSet;
use crate::time::UnixTime;
use crate::validation::reader::Claims;
use crate::validation::validator::TokenValidator;

impl TokenValidator {
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
