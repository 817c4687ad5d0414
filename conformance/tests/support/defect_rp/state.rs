//! The RP's server-side state: pending sign-ins, sessions, seen logout-token `jti`s, the caches.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Mutex, MutexGuard};

use rand::RngCore;
use serde::Serialize;

use super::provider::{JwksCache, Provider};
use super::{Defect, DefectRpConfig};

/// How long a pending sign-in (and its browser-binding cookie) lives, in seconds.
pub(crate) const PENDING_LIFETIME_SECS: u64 = 600;

/// A sign-in between `/login` (or `/step-up`, `/change-role`) and `/callback`.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// The `rp_login` cookie value of the browser that started it.
    pub(crate) browser: String,
    pub(crate) nonce: String,
    pub(crate) code_verifier: String,
    pub(crate) acr_values: Vec<String>,
    pub(crate) prompt_login: bool,
    pub(crate) step_up: bool,
    /// The `max_age` sent, if any.
    pub(crate) max_age: Option<u64>,
    pub(crate) created_at: u64,
}

/// A signed-in session (what `/me` shows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Session {
    pub(crate) sub: String,
    pub(crate) sid: Option<String>,
    pub(crate) acr: Option<String>,
    pub(crate) role: Option<String>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Rp {
    pub(crate) cfg: DefectRpConfig,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) provider: tokio::sync::Mutex<Option<std::sync::Arc<Provider>>>,
    pub(crate) jwks: Mutex<JwksCache>,
    pub(crate) jwks_fetches: AtomicUsize,
    /// Pending sign-ins by `state`.
    pub(crate) pending: Mutex<HashMap<String, Pending>>,
    /// Sessions by the `rp_session` cookie value.
    pub(crate) sessions: Mutex<HashMap<String, Session>>,
    /// Logout-token `jti`s seen, with the time until which they are kept.
    pub(crate) seen_jti: Mutex<HashMap<String, u64>>,
}

impl Rp {
    pub(crate) fn new(cfg: DefectRpConfig, base_url: String) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Short, so `reliability.token-endpoint-slow` (the IdP answering 12 s late) costs each run 3 s.
            .timeout(std::time::Duration::from_secs(3))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            cfg,
            base_url,
            http,
            provider: tokio::sync::Mutex::new(None),
            jwks: Mutex::new(JwksCache::default()),
            jwks_fetches: AtomicUsize::new(0),
            pending: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            seen_jti: Mutex::new(HashMap::new()),
        })
    }

    /// Whether `d` is switched on.
    pub(crate) fn has(&self, d: Defect) -> bool {
        self.cfg.defects.contains(&d)
    }

    /// Ends sessions; returns how many.
    pub(crate) fn end_sessions(&self, matches: impl Fn(&Session) -> bool) -> usize {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|_, s| !matches(s));
        before.saturating_sub(sessions.len())
    }
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not take the RP down).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    // The fixture's one wall-clock read (the mock IdP runs on the system clock by default, too).
    #[allow(clippy::disallowed_methods)]
    let t = std::time::SystemTime::now();
    t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A random opaque value: 32 bytes, base64url.
pub(crate) fn random() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    cis2_sdk::b64url_encode(b)
}
