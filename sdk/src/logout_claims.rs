//! The claims of a back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.4), as an issuer
//! builds them: the mock IdP and the conformance suite sign what this makes, and [`crate::TokenValidator`]
//! checks the same shape on the relying party's side.

use serde_json::{Map, Value};

use crate::time::UnixTime;

/// The `events` member a logout token must carry (BCL §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Logout-token claims to sign. At least one of `sub` and `sid` must be set for a valid token; a test issuer
/// may leave both out on purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutTokenClaims {
    /// `iss`.
    pub iss: String,
    /// `aud`: the client id.
    pub aud: String,
    /// `iat`.
    pub iat: UnixTime,
    /// `jti`: unique per token.
    pub jti: String,
    /// `sub`, when the token names the user.
    pub sub: Option<String>,
    /// `sid`, when the token names the provider's session.
    pub sid: Option<String>,
}

impl LogoutTokenClaims {
    /// Claims for `iss` → `aud`, issued at `iat` with token id `jti`.
    pub fn new(
        iss: impl Into<String>,
        aud: impl Into<String>,
        iat: UnixTime,
        jti: impl Into<String>,
    ) -> Self {
        Self {
            iss: iss.into(),
            aud: aud.into(),
            iat,
            jti: jti.into(),
            sub: None,
            sid: None,
        }
    }

    /// Names the user.
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Names the provider's session.
    pub fn with_sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// The JSON claims set, `events` included and no `nonce` (BCL §2.4).
    pub fn to_claims(&self) -> Map<String, Value> {
        let mut events = Map::new();
        events.insert(BACKCHANNEL_LOGOUT_EVENT.to_owned(), Value::Object(Map::new()));
        let mut c = Map::new();
        c.insert("iss".into(), self.iss.clone().into());
        c.insert("aud".into(), self.aud.clone().into());
        if let Some(sub) = &self.sub {
            c.insert("sub".into(), sub.clone().into());
        }
        if let Some(sid) = &self.sid {
            c.insert("sid".into(), sid.clone().into());
        }
        c.insert("iat".into(), self.iat.as_secs().into());
        c.insert("jti".into(), self.jti.clone().into());
        c.insert("events".into(), Value::Object(events));
        c
    }
}
