//! The JSON of `GET {base}/session`: `{"authenticated": false[, "reason"]}` or
//! `{"authenticated": true, "user": {…}, "session": {…}}`. Never a token.

use serde::{Deserialize, Serialize};

use crate::bff::end_reason::EndReason;
use crate::claims::{NrbacRole, Organisation};
use crate::time::UnixTime;

/// The member names of [`SessionView`], for readers without serde (the browser reads the object
/// `Response.json()` made). A test keeps them equal to what the types serialise.
pub mod keys {
    /// `true` for a live session.
    pub const AUTHENTICATED: &str = "authenticated";
    /// The signed-in user ([`SessionUserView`](super::SessionUserView)).
    pub const USER: &str = "user";
    /// The session's times ([`SessionTimes`](super::SessionTimes)).
    pub const SESSION: &str = "session";
    /// Why the session ended, when the backend knows (unauthenticated answers only).
    pub const REASON: &str = "reason";

    /// `user.sub`.
    pub const SUB: &str = "sub";
    /// `user.name`.
    pub const NAME: &str = "name";
    /// `user.roles`: `nhsid_nrbac_roles` entries.
    pub const ROLES: &str = "roles";
    /// `user.organisations`: `nhsid_user_orgs` entries.
    pub const ORGANISATIONS: &str = "organisations";
    /// `user.selected_role`.
    pub const SELECTED_ROLE: &str = "selected_role";
    /// `user.selected_organisation`.
    pub const SELECTED_ORGANISATION: &str = "selected_organisation";
    /// `user.aal`: the effective authentication assurance level.
    pub const AAL: &str = "aal";
    /// `user.id_assurance_level`.
    pub const ID_ASSURANCE_LEVEL: &str = "id_assurance_level";
    /// `user.acr`.
    pub const ACR: &str = "acr";
    /// `user.amr`.
    pub const AMR: &str = "amr";

    /// `session.auth_time`.
    pub const AUTH_TIME: &str = "auth_time";
    /// `session.created_at`.
    pub const CREATED_AT: &str = "created_at";
    /// `session.last_seen`.
    pub const LAST_SEEN: &str = "last_seen";
    /// `session.expires_at`: the absolute deadline.
    pub const EXPIRES_AT: &str = "expires_at";
    /// `session.idle_expires_at`: when the session ends without activity.
    pub const IDLE_EXPIRES_AT: &str = "idle_expires_at";
    /// `session.idle_timeout_secs`.
    pub const IDLE_TIMEOUT_SECS: &str = "idle_timeout_secs";
    /// `session.absolute_timeout_secs`.
    pub const ABSOLUTE_TIMEOUT_SECS: &str = "absolute_timeout_secs";
}

/// The whole `/session` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionView {
    /// Whether a session is live.
    pub authenticated: bool,
    /// The user, for a live session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SessionUserView>,
    /// The session's times, for a live session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionTimes>,
    /// Why the session ended, when the browser's cookie names a session that ended recently.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
}

impl SessionView {
    /// A live session.
    pub fn active(user: SessionUserView, session: SessionTimes) -> Self {
        Self {
            authenticated: true,
            user: Some(user),
            session: Some(session),
            reason: None,
        }
    }

    /// No live session; `reason` when the backend knows why it ended.
    pub fn anonymous(reason: Option<EndReason>) -> Self {
        Self {
            authenticated: false,
            user: None,
            session: None,
            reason,
        }
    }
}

/// `user`: who is signed in, from the validated ID token and userinfo.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionUserView {
    /// The CIS2 UID.
    pub sub: String,
    /// Display name.
    pub name: Option<String>,
    /// National RBAC roles.
    #[serde(default)]
    pub roles: Vec<NrbacRole>,
    /// Organisations.
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    /// The role chosen at sign-in, if any.
    pub selected_role: Option<NrbacRole>,
    /// Its organisation.
    pub selected_organisation: Option<Organisation>,
    /// Effective authentication assurance level.
    pub aal: Option<u8>,
    /// Identity assurance level.
    pub id_assurance_level: Option<u8>,
    /// `acr` of the sign-in.
    pub acr: Option<String>,
    /// `amr` of the sign-in.
    #[serde(default)]
    pub amr: Vec<String>,
}

impl SessionUserView {
    /// A user with only `sub` set; fill in the rest field by field.
    pub fn new(sub: impl Into<String>) -> Self {
        Self {
            sub: sub.into(),
            ..Self::default()
        }
    }
}

/// `session`: Unix-second deadlines and the timeouts behind them, on the backend's clock. CIS2's session id
/// (`sid`) is deliberately absent: page scripts have no use for it, and it names the user's CIS2 session to
/// anything that can read the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionTimes {
    /// `auth_time` of the sign-in.
    pub auth_time: Option<UnixTime>,
    /// When the session was created.
    pub created_at: Option<UnixTime>,
    /// Last activity.
    pub last_seen: Option<UnixTime>,
    /// The absolute deadline.
    pub expires_at: Option<UnixTime>,
    /// When the session ends without further activity.
    pub idle_expires_at: Option<UnixTime>,
    /// The backend's idle timeout.
    pub idle_timeout_secs: Option<u64>,
    /// The backend's absolute session lifetime.
    pub absolute_timeout_secs: Option<u64>,
}
