//! In-memory protocol state: SSO sessions, pending authorization requests ("interactions"), codes, access
//! tokens and the client-assertion `jti`s seen. None of it survives a restart, by design.

use std::collections::{BTreeSet, HashMap};

use cis2_sdk::UnixTime;
use serde::Serialize;

use crate::authenticators::AuthMethod;
use crate::credentials::Ceremony;

/// The SSO cookie.
pub const SESSION_COOKIE: &str = "cis2_mock_sso";

/// A CIS2 SSO session.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SsoSession {
    /// The session id sent as `sid` in ID and logout tokens.
    pub sid: String,
    /// The user.
    pub uid: String,
    /// How the user authenticated.
    pub method: AuthMethod,
    /// When.
    pub auth_time: UnixTime,
    /// When the session ends by itself.
    pub expires_at: UnixTime,
    /// The virtual card, for smartcard sessions.
    pub card_serial: Option<String>,
    /// Clients that received tokens in this session (they get back-channel logout).
    pub clients: BTreeSet<String>,
    #[serde(skip)]
    pub(crate) cookie: String,
}

/// A validated authorization request.
#[derive(Clone, Debug)]
pub(crate) struct AuthRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) code_challenge_method: Option<String>,
    pub(crate) acr_values: Vec<String>,
    pub(crate) prompt_login: bool,
    pub(crate) max_age: Option<u64>,
    pub(crate) login_hint: Option<String>,
}

impl AuthRequest {
    pub(crate) fn has_scope(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }
}

/// An authorization request waiting for the login or role-selection page.
#[derive(Clone, Debug)]
pub(crate) struct Interaction {
    pub(crate) req: AuthRequest,
    pub(crate) created: UnixTime,
    /// Set once the user authenticated in this interaction (the SSO cookie it created).
    pub(crate) session_cookie: Option<String>,
    /// The role auto-login chose (`person_roleid`): used instead of the role page when one is needed.
    pub(crate) preset_role: Option<String>,
}

/// An issued authorization code.
#[derive(Clone, Debug)]
pub(crate) struct CodeGrant {
    pub(crate) req: AuthRequest,
    pub(crate) uid: String,
    pub(crate) sid: String,
    /// The SSO cookie of the session that issued the code (finds it without scanning every session).
    pub(crate) cookie: String,
    pub(crate) method: AuthMethod,
    pub(crate) acr: String,
    pub(crate) auth_time: UnixTime,
    pub(crate) selected_roleid: Option<String>,
    pub(crate) issued_at: UnixTime,
    pub(crate) used: bool,
    pub(crate) access_tokens: Vec<String>,
}

/// An issued access token.
#[derive(Clone, Debug)]
pub(crate) struct AccessGrant {
    pub(crate) client_id: String,
    pub(crate) uid: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) selected_roleid: Option<String>,
    pub(crate) expires_at: UnixTime,
    pub(crate) revoked: bool,
}

/// All in-memory protocol state.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    pub(crate) sso: HashMap<String, SsoSession>,
    pub(crate) interactions: HashMap<String, Interaction>,
    pub(crate) codes: HashMap<String, CodeGrant>,
    pub(crate) access: HashMap<String, AccessGrant>,
    pub(crate) assertion_jtis: HashMap<(String, String), UnixTime>,
    /// WebAuthn ceremonies in progress, by ceremony id (single use; pruned by the WebAuthn module).
    pub(crate) webauthn: HashMap<String, Ceremony>,
}

impl Sessions {
    /// The live session behind a cookie value.
    pub(crate) fn by_cookie(&self, cookie: &str, now: UnixTime) -> Option<&SsoSession> {
        self.sso.get(cookie).filter(|s| s.expires_at > now)
    }

    pub(crate) fn cookie_of_sid(&self, sid: &str) -> Option<String> {
        self.sso.values().find(|s| s.sid == sid).map(|s| s.cookie.clone())
    }

    /// Drops codes, interactions, tokens and jtis that can no longer matter.
    pub(crate) fn prune(&mut self, now: UnixTime) {
        let hour = std::time::Duration::from_secs(3600);
        self.interactions
            .retain(|_, i| now.duration_since(i.created) < hour);
        self.codes.retain(|_, c| now.duration_since(c.issued_at) < hour);
        self.access.retain(|_, a| a.expires_at > now);
        self.assertion_jtis.retain(|_, exp| *exp > now);
    }
}
