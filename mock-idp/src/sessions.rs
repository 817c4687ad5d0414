//! In-memory protocol state: SSO sessions, pending authorization requests ("interactions"), codes, access
//! tokens and the client-assertion `jti`s seen. None of it survives a restart, by design.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use cis2_sdk::UnixTime;
use serde::Serialize;

use crate::authenticators::AuthMethod;
use crate::credentials::Ceremony;

/// The SSO cookie.
pub const SESSION_COOKIE: &str = "cis2_mock_sso";

/// How long a sign-in in progress (an interaction) is kept.
pub(crate) const INTERACTION_LIFETIME: Duration = Duration::from_secs(3600);

/// Makes room for one more entry in `map` under `cap` (at least 1) by removing the oldest entries (by
/// `born`); returns what it removed. Bounds the maps that network input fills.
pub(crate) fn make_room<V, K: Ord>(
    map: &mut HashMap<String, V>,
    cap: usize,
    born: impl Fn(&V) -> K,
) -> Vec<V> {
    let mut removed = Vec::new();
    while map.len() >= cap.max(1) {
        let Some(oldest) = map.iter().min_by_key(|(_, v)| born(v)).map(|(k, _)| k.clone()) else {
            break;
        };
        removed.extend(map.remove(&oldest));
    }
    removed
}

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
    /// The role the user chose at PIN entry in the Identity Agent, for a session opened by Identity Agent
    /// single sign-on (a live CIS1 session in this browser's virtual Identity Agent): it becomes the
    /// `selected_roleid` of the tokens without the `selectedrole` scope or the role page (cis2.md §8.6).
    /// `None` for every other sign-in.
    pub ia_selected_roleid: Option<String>,
    /// Clients that received tokens in this session (they get back-channel logout).
    pub clients: BTreeSet<String>,
    #[serde(skip)]
    pub(crate) cookie: String,
    /// Creation order ([`Sessions::next_seq`]), to evict the oldest first.
    #[serde(skip)]
    pub(crate) seq: u64,
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
    /// Creation order ([`Sessions::next_seq`]), to evict the oldest first.
    pub(crate) seq: u64,
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
    /// Creation order ([`Sessions::next_seq`]), to evict the oldest first.
    pub(crate) seq: u64,
}

/// An issued access token.
#[derive(Clone, Debug)]
pub(crate) struct AccessGrant {
    pub(crate) client_id: String,
    pub(crate) uid: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) selected_roleid: Option<String>,
    pub(crate) issued_at: UnixTime,
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
    /// The last TOTP time step accepted per user: a code of that step or an earlier one is refused (RFC 6238
    /// §5.2, single use). One entry per user that signed in with TOTP.
    pub(crate) totp_steps: HashMap<String, u64>,
    /// WebAuthn ceremonies in progress, by ceremony id (single use; pruned by the WebAuthn module).
    pub(crate) webauthn: HashMap<String, Ceremony>,
    /// The last creation number handed out ([`Sessions::next_seq`]).
    pub(crate) seq: u64,
}

impl Sessions {
    /// A creation number, increasing: orders entries created within the same second.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// The live session behind a cookie value.
    pub(crate) fn by_cookie(&self, cookie: &str, now: UnixTime) -> Option<&SsoSession> {
        self.sso.get(cookie).filter(|s| s.expires_at > now)
    }

    pub(crate) fn cookie_of_sid(&self, sid: &str) -> Option<String> {
        self.sso.values().find(|s| s.sid == sid).map(|s| s.cookie.clone())
    }

    /// Drops codes (at the end of their lifetime, `code_lifetime`), interactions (after an hour), tokens and
    /// jtis that can no longer matter.
    pub(crate) fn prune(&mut self, now: UnixTime, code_lifetime: Duration) {
        self.interactions
            .retain(|_, i| now.duration_since(i.created) < INTERACTION_LIFETIME);
        self.codes
            .retain(|_, c| now.duration_since(c.issued_at) < code_lifetime);
        self.access.retain(|_, a| a.expires_at > now);
        self.assertion_jtis.retain(|_, exp| *exp > now);
    }
}
