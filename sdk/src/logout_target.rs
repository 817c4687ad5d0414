//! Which sessions a validated logout token ends, and the key its `jti` is remembered under (BCL §2.7, §2.6):
//! the rule every relying party applies, written once.

use sha2::{Digest, Sha256};

use crate::jose::b64url_encode;
use crate::time::UnixTime;
use crate::validation::LogoutToken;

/// Where to look for the sessions a logout token may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogoutTarget<'a> {
    /// The sessions of this provider session (`sid`), then filtered by [`LogoutToken::ends`].
    Session {
        /// The provider's session id.
        sid: &'a str,
    },
    /// Every session of this user (`sub`, no `sid`), then filtered by [`LogoutToken::ends`].
    Subject {
        /// The user.
        sub: &'a str,
    },
}

/// What a relying party knows of one of its sessions, to decide whether a logout token ends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionFacts<'a> {
    /// The session's issuer, exactly as in its ID token.
    pub iss: &'a str,
    /// The session's user.
    pub sub: &'a str,
    /// The provider session id from its ID token, when there was one.
    pub sid: Option<&'a str>,
    /// `iat` of the ID token the session was created from (the provider's clock, like the logout token's).
    pub id_token_iat: UnixTime,
}

impl<'a> SessionFacts<'a> {
    /// The facts of one session.
    pub fn new(iss: &'a str, sub: &'a str, sid: Option<&'a str>, id_token_iat: UnixTime) -> Self {
        Self {
            iss,
            sub,
            sid,
            id_token_iat,
        }
    }
}

impl LogoutToken {
    /// Where to look: by `sid` when the token names one (BCL-09), else by `sub` (BCL-10). `None` for a token with
    /// neither, which validation already refuses.
    pub fn target(&self) -> Option<LogoutTarget<'_>> {
        match (&self.sid, &self.sub) {
            (Some(sid), _) => Some(LogoutTarget::Session { sid }),
            (None, Some(sub)) => Some(LogoutTarget::Subject { sub }),
            (None, None) => None,
        }
    }

    /// Whether this token ends `session`: same issuer; the same `sid` when the token names one (and the same
    /// `sub` when it names that too); else the same `sub`. And only a session whose ID token was issued no later
    /// than this token: a logout token, replayed or delivered late, never ends a sign-in that came after it.
    /// Both times are the provider's, so the relying party's clock plays no part.
    pub fn ends(&self, session: SessionFacts<'_>) -> bool {
        if session.iss != self.iss || session.id_token_iat > self.iat {
            return false;
        }
        let sub_matches = self.sub.as_deref().is_none_or(|sub| sub == session.sub);
        match &self.sid {
            Some(sid) => session.sid == Some(sid.as_str()) && sub_matches,
            None => self.sub.is_some() && sub_matches,
        }
    }

    /// The key under which a replay store remembers this token until [`LogoutToken::replay_window_end`]
    /// (BCL-04): SHA-256 of the issuer and `jti`, base64url, so a store dump reveals neither.
    pub fn replay_key(&self) -> String {
        let mut h = Sha256::new();
        for part in ["logout-jti", self.iss.as_str(), self.jti.as_str()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        b64url_encode(h.finalize())
    }
}

#[cfg(test)]
mod tests;
