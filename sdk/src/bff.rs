//! The backend-for-frontend contract between `cis2-server` and the browser package `cis2-browser`
//! (`docs/src/bff-protocol.md`), written once: both sides use these items and neither restates them.
//!
//! - [`routes`]: the backend's route paths, relative to its mount point (default `/auth`);
//! - [`LoginQuery`]: the query of `/login`, `/change-role` and `/step-up`, and the rule that a page may only make
//!   a sign-in stricter than the backend's configured floor ([`LoginQuery::apply_to`]);
//! - [`validate_return_to`]: where the backend may send the browser after sign-in or sign-out;
//! - [`EndReason`]: why a session ended, as `/events`, `/session` and other tabs say it;
//! - [`SessionView`]: the JSON of `GET /session`, with its member names in [`keys`].
//!
//! Nothing here parses JSON: the browser build reads the objects `Response.json()` made, by the names in [`keys`].

mod digits;
mod end_reason;
mod login_query;
mod return_to;
mod session_view;

pub use digits::decimal;
pub use end_reason::EndReason;
pub use login_query::{LoginQuery, LoginQueryError, LoginRoute, MAX_AGE_LIMIT_SECS, MAX_LOGIN_QUERY_LEN};
pub use return_to::{MAX_RETURN_TO_LEN, ReturnToError, validate_return_to};
pub use session_view::{SessionTimes, SessionUserView, SessionView, keys};

/// The backend's routes, relative to where the app mounts them (default `/auth`).
pub mod routes {
    /// `GET`: start a sign-in ([`LoginQuery`](super::LoginQuery)).
    pub const LOGIN: &str = "/login";
    /// `GET`: sign in again with CIS2 role selection.
    pub const CHANGE_ROLE: &str = "/change-role";
    /// `GET`: sign in again at AAL3.
    pub const STEP_UP: &str = "/step-up";
    /// `GET`: the registered redirect URI.
    pub const CALLBACK: &str = "/callback";
    /// `POST` (and same-origin `GET`): sign out.
    pub const LOGOUT: &str = "/logout";
    /// `POST`: CIS2 back-channel logout.
    pub const BACKCHANNEL_LOGOUT: &str = "/backchannel-logout";
    /// `GET`: the session as JSON ([`SessionView`](super::SessionView)).
    pub const SESSION: &str = "/session";
    /// `GET`: server-sent events (`session_ended` with an [`EndReason`](super::EndReason)).
    pub const EVENTS: &str = "/events";
    /// `GET`: the relying party's public keys (private_key_jwt).
    pub const JWKS: &str = "/jwks";
    /// `GET` or `POST` (`ticket`, `return_to`): dual-run sign-in with a CIS1 Identity Agent ticket, checked
    /// through the SSB RoleAssertion (only when the backend enables CIS1).
    pub const CIS1: &str = "/cis1";
    /// The server-sent event that says a session ended; its data is `{"reason": "<EndReason>"}`.
    pub const SESSION_ENDED_EVENT: &str = "session_ended";
}

#[cfg(test)]
mod tests;
