//! The mock's shared state ([`AppState`]), the run-time state of the bridge, and the locking helpers every
//! room uses. This module sits below the rooms: it names only foundation types (users, clients, keys,
//! sessions, cards, faults, deliveries, config), never a handler.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::{Deserialize, Serialize};

use crate::auto_login::{self, AutoLogin, AutoLoginRequest};
use crate::cards::{CardEvent, CardMode, Cards, VirtualCard};
use crate::cis1_sessions::Cis1State;
use crate::clients::Client;
use crate::clock::OffsetClock;
use crate::config::{Config, DiscoveryOverrides};
use crate::deliveries::{Delivery, DeliveryLog};
use crate::errors::AdminError;
use crate::faults::{Faults, InjectRequest, Injected};
use crate::keys::{KeyEntry, KeyRing, generate_key_async, with_cis2_kid};
use crate::observed::{ObservationLog, Observed, ObservedEndpoint};
use crate::realm::Realm;
use crate::sessions::{Sessions, SsoSession};
use crate::store::Store;
use crate::users::User;

/// Locks a mutex, recovering from poisoning (a panicked handler leaves consistent-enough test state).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read-locks, recovering from poisoning.
pub(crate) fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

/// Write-locks, recovering from poisoning.
pub(crate) fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) issuer: String,
    pub(crate) clock: OffsetClock,
    pub(crate) store: Store,
    pub(crate) users: RwLock<BTreeMap<String, User>>,
    pub(crate) clients: RwLock<BTreeMap<String, Client>>,
    pub(crate) keys: RwLock<KeyRing>,
    pub(crate) sessions: Mutex<Sessions>,
    pub(crate) cards: Mutex<Cards>,
    pub(crate) cis1: Mutex<Cis1State>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) deliveries: Mutex<DeliveryLog>,
    pub(crate) observed: Mutex<ObservationLog>,
    pub(crate) client_hellos: Mutex<crate::client_hello::ClientHelloLog>,
    pub(crate) requests: Mutex<Vec<serde_json::Value>>,
    pub(crate) http: reqwest::Client,
    pub(crate) bridge: Bridge,
    pub(crate) auto_login: Mutex<Option<AutoLogin>>,
    /// The discovery overrides in force (from `[discovery]`, replaced through the admin API).
    pub(crate) discovery: RwLock<DiscoveryOverrides>,
    /// The issuer's realm: where the protocol routes and pages are served.
    pub(crate) realm: Arc<Realm>,
    /// What `AAL2_ANY` means (from `aal2_any`, switched through `PUT /admin/api/acr`).
    pub(crate) aal2_any: RwLock<crate::authenticators::Aal2Any>,
    /// Connection Manager access tokens: token → (team ids, expiry in unix seconds).
    pub(crate) cm_tokens: Mutex<BTreeMap<String, (Vec<String>, u64)>>,
    /// Held across a Connection Manager update's hash check and write (optimistic concurrency).
    pub(crate) cm_write: Mutex<()>,
}

/// The mock's shared state; cheap to clone. Build it with [`MockIdpBuilder::build`] to drive [`router`]
/// without sockets.
///
/// [`MockIdpBuilder::build`]: crate::MockIdpBuilder::build
/// [`router`]: crate::router
#[derive(Clone, Debug)]
pub struct AppState(pub(crate) Arc<Inner>);

impl AppState {
    /// The issuer string, exactly as tokens carry it.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The issuer's path, under which the protocol endpoints and sign-in pages are served (no trailing `/`).
    pub fn realm_path(&self) -> &str {
        &self.0.realm.path
    }

    /// The clock (with the admin offset).
    pub fn clock(&self) -> &OffsetClock {
        &self.0.clock
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// An endpoint URL: the issuer string plus `suffix`, byte for byte (an explicit `:443` stays).
    pub fn endpoint(&self, suffix: &str) -> String {
        format!("{}{}", self.0.issuer.trim_end_matches('/'), suffix)
    }

    /// The ClientHellos of the inbound HTTPS connections so far (the newest 1024), oldest first: which TLS
    /// versions each client offered.
    pub fn tls_client_hellos(&self) -> Vec<crate::client_hello::TlsClientHello> {
        lock(&self.0.client_hellos).all()
    }

    /// The current signing key ids, active first.
    pub fn published_kids(&self) -> Vec<String> {
        let now = self.0.clock.now();
        read(&self.0.keys)
            .published(now)
            .iter()
            .map(|k| k.key.kid().to_owned())
            .collect()
    }

    /// Rotates to a freshly generated RS256 2048-bit key (as `POST /admin/api/keys/rotate` with no body):
    /// it signs from now on, and the old key stays in the JWKS for `key_grace_period_secs`. Returns the new
    /// `kid`. Async because generating the key is blocking work (done on a blocking thread).
    pub async fn rotate_signing_key(&self) -> Result<String, AdminError> {
        let key = generate_key_async().await.map_err(AdminError::Internal)?;
        self.rotate_signing_key_to(key, None)
    }

    /// As [`Self::rotate_signing_key`], the old key staying in the JWKS for `grace` (zero: removed at once,
    /// as `grace_period_secs: 0`). Returns the new `kid`.
    pub async fn rotate_signing_key_with_grace(
        &self,
        grace: std::time::Duration,
    ) -> Result<String, AdminError> {
        let key = generate_key_async().await.map_err(AdminError::Internal)?;
        self.rotate_signing_key_to(key, Some(grace))
    }

    /// Rotates to `key` (given its CIS2-style `kid`); the old key stays in the JWKS for `grace` (default
    /// `key_grace_period_secs`). Returns the new `kid`. `invalid_request` for a key the mock cannot use,
    /// `conflict` when it is already published.
    pub fn rotate_signing_key_to(
        &self,
        key: cis2_sdk::SigningKey,
        grace: Option<std::time::Duration>,
    ) -> Result<String, AdminError> {
        let key = with_cis2_kid(key).map_err(AdminError::InvalidRequest)?;
        let now = self.0.clock.now();
        let grace =
            grace.unwrap_or_else(|| std::time::Duration::from_secs(self.0.config.key_grace_period_secs));
        let entry = KeyEntry::new(key, now).map_err(AdminError::InvalidRequest)?;
        let stored = entry.to_stored().map_err(AdminError::Internal)?;
        if read(&self.0.keys)
            .published(now)
            .iter()
            .any(|k| k.key.kid() == stored.kid)
        {
            return Err(AdminError::Conflict("this key is already published".into()));
        }
        self.0
            .store
            .add_active_key(&stored, now.saturating_add(grace).as_secs())
            .map_err(|e| AdminError::Internal(e.to_string()))?;
        write(&self.0.keys).rotate(entry, now, grace);
        Ok(stored.kid)
    }

    /// A user.
    pub fn user(&self, uid: &str) -> Option<User> {
        read(&self.0.users).get(uid).cloned()
    }

    /// All users.
    pub fn users(&self) -> Vec<User> {
        read(&self.0.users).values().cloned().collect()
    }

    /// The user a login name designates: a uid, or a (non-empty) username.
    pub(crate) fn user_by_login(&self, who: &str) -> Option<User> {
        self.users()
            .into_iter()
            .find(|u| u.uid == who || (!u.username.is_empty() && u.username == who))
    }

    /// A client.
    pub fn client(&self, id: &str) -> Option<Client> {
        read(&self.0.clients).get(id).cloned()
    }

    /// Stores a user (create or replace). Fails (`invalid_request`) for a user that does not pass
    /// [`User::check`].
    pub fn put_user(&self, u: User) -> Result<(), AdminError> {
        u.check().map_err(AdminError::InvalidRequest)?;
        // A storage failure has always answered 400 here, like a bad user; kept as it was.
        self.0
            .store
            .put_user(&u)
            .map_err(|e| AdminError::InvalidRequest(e.to_string()))?;
        write(&self.0.users).insert(u.uid.clone(), u);
        Ok(())
    }

    /// Stores a client (create or replace). Fails (`invalid_request`) for a registration that does not pass
    /// [`Client::check`].
    pub fn put_client(&self, c: Client) -> Result<(), AdminError> {
        c.check().map_err(AdminError::InvalidRequest)?;
        self.0
            .store
            .put_client(&c)
            .map_err(|e| AdminError::InvalidRequest(e.to_string()))?;
        write(&self.0.clients).insert(c.client_id.clone(), c);
        Ok(())
    }

    /// Live SSO sessions.
    pub fn sessions(&self) -> Vec<SsoSession> {
        let now = self.0.clock.now();
        lock(&self.0.sessions)
            .sso
            .values()
            .filter(|s| s.expires_at > now)
            .cloned()
            .collect()
    }

    /// The back-channel logout delivery log.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.0.deliveries).all()
    }

    /// The observation log after `seq`: the entries with a greater `seq`, oldest first (the log keeps the
    /// last 10,000). `observed_since(0)` is all of it.
    pub fn observed_since(&self, seq: u64) -> Vec<Observed> {
        lock(&self.0.observed).since(seq)
    }

    /// The highest `seq` handed out so far (0 before the first entry): take it before acting, then read
    /// [`observed_since`](Self::observed_since) it.
    pub fn observed_seq(&self) -> u64 {
        lock(&self.0.observed).seq()
    }

    /// Every entry recorded from now on, as it is recorded (no sleeping). A receiver that falls more than
    /// 4096 entries behind gets `RecvError::Lagged` and should catch up with
    /// [`observed_since`](Self::observed_since).
    pub fn subscribe_observed(&self) -> tokio::sync::broadcast::Receiver<Observed> {
        lock(&self.0.observed).subscribe()
    }

    /// Empties the observation log (as `DELETE /admin/api/observed`); `seq` numbering goes on.
    pub fn clear_observed(&self) {
        lock(&self.0.observed).clear();
    }

    /// Records an observation (one call per request or delivery attempt).
    pub(crate) fn observe(
        &self,
        endpoint: ObservedEndpoint,
        client_id: Option<&str>,
        uid: Option<&str>,
        status: u16,
        detail: Option<&str>,
    ) {
        self.observe_token(endpoint, client_id, uid, status, detail, None);
    }

    /// [`Self::observe`] with the signed token the response carried.
    pub(crate) fn observe_token(
        &self,
        endpoint: ObservedEndpoint,
        client_id: Option<&str>,
        uid: Option<&str>,
        status: u16,
        detail: Option<&str>,
        token: Option<&str>,
    ) {
        // Timestamped under the lock, so `at_ms` never decreases along `seq` (unless the clock moves back).
        let mut log = lock(&self.0.observed);
        let seq = log.record(self.0.clock.now_ms(), endpoint, client_id, uid, status, detail);
        if let Some(t) = token {
            log.attach_token(seq, t);
        }
    }

    /// Arms a fault (as `POST /admin/api/faults`); `invalid_request` for a fault that does not fit its target.
    pub fn inject_fault(&self, req: InjectRequest) -> Result<Injected, AdminError> {
        lock(&self.0.faults).inject(req)
    }

    /// The armed faults (`GET /admin/api/faults`).
    pub fn faults(&self) -> Vec<Injected> {
        lock(&self.0.faults).list()
    }

    /// Removes an armed fault (`DELETE /admin/api/faults/{id}`); whether it was armed.
    pub fn remove_fault(&self, id: u64) -> bool {
        lock(&self.0.faults).remove(id)
    }

    /// Puts a virtual card back in the reader.
    pub fn insert_card(&self, serial: &str) -> Option<VirtualCard> {
        lock(&self.0.cards).insert(serial)
    }

    /// The switches in force that decide which method answers which ACR value.
    pub fn acr_rules(&self) -> crate::authenticators::AcrRules {
        let card_mode = lock(&self.0.cards).mode();
        crate::authenticators::AcrRules::new(card_mode, *read(&self.0.aal2_any))
    }

    /// Switches the meaning of `AAL2_ANY` (at least AAL2, or AAL2 only).
    pub fn set_aal2_any(&self, meaning: crate::authenticators::Aal2Any) {
        *crate::state::write(&self.0.aal2_any) = meaning;
    }

    /// Switches the emulated smartcard middleware.
    pub fn set_card_mode(&self, mode: CardMode) {
        lock(&self.0.cards).set_mode(mode);
    }

    /// Subscribes to virtual card-reader events (for the Port Service bridge and the browser stream).
    pub fn card_events(&self) -> tokio::sync::broadcast::Receiver<CardEvent> {
        lock(&self.0.cards).subscribe()
    }

    /// Arms auto-login (replacing any previous setting). Fails (`invalid_request`) for an unknown user, a
    /// WebAuthn method, an authenticator the user does not have, or a role the user does not hold.
    pub fn set_auto_login(&self, req: AutoLoginRequest) -> Result<AutoLogin, AdminError> {
        let user = self.user_by_login(&req.uid);
        let armed = auto_login::arm(req, user)?;
        *lock(&self.0.auto_login) = Some(armed.clone());
        Ok(armed)
    }

    /// The armed auto-login, if any.
    pub fn auto_login(&self) -> Option<AutoLogin> {
        lock(&self.0.auto_login).clone()
    }

    /// Disarms auto-login.
    pub fn clear_auto_login(&self) {
        *lock(&self.0.auto_login) = None;
    }

    /// Uses the armed auto-login once (disarming it after its last use); `None` when disarmed.
    pub(crate) fn take_auto_login(&self) -> Option<AutoLogin> {
        auto_login::take(&mut lock(&self.0.auto_login))
    }
}

/// What the emulated Port Service answers to `GetPortNumber`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BridgeState {
    /// The CM port.
    #[default]
    Ok,
    /// Fault `PR30007` ("Unable to find the CM process for the user"); the CM listener answers 503.
    CmNotRunning,
    /// Fault `PR20002` ("Port redirection service is unavailable").
    Unavailable,
}

/// The bridge at run time: its state, what it bound, and its server tasks (driven by `crate::bridge`).
#[derive(Debug, Default)]
pub(crate) struct Bridge {
    pub(crate) state: Mutex<BridgeState>,
    pub(crate) bound: Mutex<Bound>,
    pub(crate) tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Open `GET /cards/events` streams (see `crate::bridge::events::Subscriber`).
    pub(crate) subscribers: Arc<AtomicUsize>,
    /// The CORS allow-list set through `PUT /admin/api/bridge`, replacing `bridge.allowed_origins`.
    pub(crate) allowed_origins: Mutex<Option<Vec<String>>>,
}

/// The bridge's bound listeners.
#[derive(Clone, Debug, Default)]
pub(crate) struct Bound {
    pub(crate) port_service: Vec<SocketAddr>,
    pub(crate) cm: Option<SocketAddr>,
}
