//! The storage operations the kit needs ([`SessionBackend`]), the records they keep, and the helpers every
//! backend shares.

use std::fmt::Debug;

use cis2_sdk::{AccessToken, Cis2User, IdToken, UnixTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

/// A store operation failed (Redis unreachable, a record that does not parse…).
#[derive(Debug, Clone, thiserror::Error)]
#[error("session store: {0}")]
pub struct StoreError(pub String);

pub use cis2_sdk::bff::EndReason;

/// Sessions ended, published on the store's channel so every instance tells its connected browsers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    /// Store keys of the sessions that ended (hashes of the cookie ids, never the ids).
    pub sessions: Vec<String>,
    /// Why.
    pub reason: EndReason,
}

/// One signed-in session, kept server-side. Tokens never reach the browser.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRecord {
    /// Store key: SHA-256 (base64url) of the opaque cookie id.
    pub key: String,
    /// Issuer, exactly as in the ID token.
    pub iss: String,
    /// Subject (the CIS2 UID).
    pub sub: String,
    /// CIS2 session id, when the ID token carried one.
    pub sid: Option<String>,
    /// The validated user: ID-token claims and userinfo.
    pub user: Cis2User,
    /// `acr` of the sign-in.
    pub acr: Option<String>,
    /// Effective authentication assurance level (see [`Cis2User::aal`]).
    pub aal: Option<u8>,
    /// `auth_time` of the sign-in.
    pub auth_time: Option<UnixTime>,
    /// When the session was created.
    pub created: UnixTime,
    /// Last activity.
    pub last_seen: UnixTime,
    /// When the session ends regardless of activity (created + absolute timeout).
    pub absolute_deadline: UnixTime,
    /// The ID token, for `id_token_hint` at CIS2 end-session (`None` for a CIS1 sign-in).
    pub id_token: Option<IdToken>,
    /// The access token, for calling APIs on the user's behalf (`None` for a CIS1 sign-in).
    pub access_token: Option<AccessToken>,
    /// Which way the user signed in (records written before dual-run read as [`SignInPath::Cis2`]).
    #[serde(default)]
    pub path: SignInPath,
    /// The CIS1 ticket behind a [`SignInPath::Cis1`] session and when the SSB last confirmed it.
    #[cfg(feature = "cis1")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cis1: Option<Cis1Link>,
}

/// Which way a session's user signed in: CIS2 (OpenID Connect) or, during a dual-run migration, a CIS1 ticket
/// checked through the SSB RoleAssertion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignInPath {
    /// NHS CIS2 Authentication (the authorization code flow).
    #[default]
    Cis2,
    /// CIS1: an Identity Agent ticket validated through the SSB RoleAssertion (retired by 28 February 2027).
    Cis1,
}

impl SignInPath {
    /// `"cis2"` or `"cis1"`: the value of the `path` field of the kit's sign-in log events.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignInPath::Cis2 => "cis2",
            SignInPath::Cis1 => "cis1",
        }
    }
}

impl std::fmt::Display for SignInPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CIS1 side of a dual-run session: the ticket (a bearer credential: `Debug` redacts it, the kit never
/// logs it) and when the SSB last answered `samlp:Success` for it.
#[cfg(feature = "cis1")]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cis1Link {
    /// The Identity Agent's SSO ticket.
    pub ticket: cis2_sdk::cis1::SsoTicket,
    /// The last successful RoleAssertion check.
    pub checked_at: UnixTime,
}

/// The storage operations the kit needs. Implement it to bring another store; the kit ships
/// [`MemoryBackend`] and [`RedisBackend`]. Entries with a lifetime take `now` so tests can drive time.
#[async_trait::async_trait]
pub trait SessionBackend: Send + Sync + Debug + 'static {
    /// Stores a pending login under `key` until `expires_at`, for the browser `browser` (a hash of its binding
    /// cookie). Beyond `limits` (per browser, in total) the oldest pending logins are dropped first.
    async fn put_pending(
        &self,
        key: &str,
        browser: &str,
        value: String,
        now: UnixTime,
        expires_at: UnixTime,
        limits: PendingLimits,
    ) -> Result<(), StoreError>;
    /// Removes and returns a pending login, atomically: a second call for the same key gets `None` (FLOW-02).
    async fn take_pending(&self, key: &str, now: UnixTime) -> Result<Option<String>, StoreError>;
    /// Creates or replaces a session and indexes it by `(iss, sid)` and `(iss, sub)`.
    async fn put_session(&self, record: &SessionRecord, now: UnixTime) -> Result<(), StoreError>;
    /// Records activity on an existing session (replaces the record only if it still exists, so a request racing
    /// a logout never brings the session back). Returns whether it existed.
    async fn touch_session(&self, record: &SessionRecord, now: UnixTime) -> Result<bool, StoreError>;
    /// Reads a session (`None` when unknown). May return a session past its absolute deadline, which the kit
    /// then ends with `expired`; stores with TTLs keep records [`EXPIRED_GRACE`] past the deadline for that.
    async fn get_session(&self, key: &str, now: UnixTime) -> Result<Option<SessionRecord>, StoreError>;
    /// Deletes a session and its index entries; returns it when it existed.
    async fn remove_session(&self, key: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Remembers why session `key` ended until `expires_at` (written before the session is removed), so a later
    /// request or event stream with its cookie learns the exact reason.
    async fn put_tombstone(
        &self,
        key: &str,
        reason: EndReason,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError>;
    /// Why session `key` ended, while remembered.
    async fn tombstone(&self, key: &str, now: UnixTime) -> Result<Option<EndReason>, StoreError>;
    /// Keys of the sessions indexed under `(iss, sid)`.
    async fn sessions_for_sid(&self, iss: &str, sid: &str) -> Result<Vec<String>, StoreError>;
    /// Keys of the sessions indexed under `(iss, sub)`.
    async fn sessions_for_sub(&self, iss: &str, sub: &str) -> Result<Vec<String>, StoreError>;
    /// Records `key` until `expires_at` unless it is already there. `true`: first time; `false`: a replay.
    async fn record_once(&self, key: &str, now: UnixTime, expires_at: UnixTime) -> Result<bool, StoreError>;
    /// Publishes a session-ended event to every instance (including this one, through [`Self::subscribe`]).
    async fn publish(&self, event: &SessionEvent) -> Result<(), StoreError>;
    /// Receives the events every instance publishes.
    fn subscribe(&self) -> broadcast::Receiver<SessionEvent>;
}

/// SHA-256, base64url: how ids, states and index keys are stored (a store dump reveals no cookie or state).
pub(crate) fn hash_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    cis2_sdk::b64url_encode(h.finalize())
}

/// Bounds on pending logins (started, not yet completed): every unauthenticated `GET /login` stores one for ten
/// minutes, so a flood of requests must not grow the store without limit. The oldest go first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingLimits {
    /// Per browser (binding cookie): logins started in other tabs (default 10).
    pub per_browser: usize,
    /// In the whole store (default 10,000).
    pub total: usize,
}

impl Default for PendingLimits {
    fn default() -> Self {
        Self {
            per_browser: 10,
            total: 10_000,
        }
    }
}

impl PendingLimits {
    /// Limits of `per_browser` and `total` (each at least 1).
    pub fn new(per_browser: usize, total: usize) -> Self {
        Self {
            per_browser: per_browser.max(1),
            total: total.max(1),
        }
    }
}

/// How long a store keeps a session past its absolute deadline, so the kit can still say `expired` rather
/// than "no session".
pub const EXPIRED_GRACE: std::time::Duration = std::time::Duration::from_secs(300);

/// Seconds from `now` to `until`, at least 1 (a TTL of zero would mean "no expiry" or an error).
pub(crate) fn ttl_secs(now: UnixTime, until: UnixTime) -> u64 {
    until.duration_since(now).as_secs().max(1)
}
