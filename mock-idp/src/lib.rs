//! # cis2-mock-idp
//!
//! A CIS2-faithful OpenID provider that runs offline: a local stand-in for NHS England CIS2 Authentication
//! that behaves like the real one (ForgeRock paths, an issuer that may keep an explicit `:443`, CIS2-style
//! `kid`s, CIS2 claims and their type quirks, back-channel logout) and can be made to misbehave on purpose
//! through its admin API.
//!
//! ```no_run
//! # async fn run() -> Result<(), cis2_mock_idp::StartError> {
//! let idp = cis2_mock_idp::MockIdp::builder().start().await?; // 127.0.0.1:<ephemeral>, in-memory state
//! println!("issuer: {}", idp.issuer());
//! idp.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Endpoints (under `/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`)
//!
//! | Path | What |
//! |---|---|
//! | `/.well-known/openid-configuration` | discovery; every URL is the issuer string + a suffix |
//! | `/connect/jwk_uri` | JWKS (active key plus rotated-out keys in their grace period) |
//! | `/authorize` | authorization code flow only (GET or form POST) |
//! | `/access_token` | `authorization_code` grant; `client_secret_post`, `client_secret_basic`, `private_key_jwt` |
//! | `/userinfo` | JSON, or a signed JWT for clients registered with `userinfo_signed` |
//! | `/connect/endSession` | RP-initiated logout (`id_token_hint`, `client_id`, `post_logout_redirect_uri`, `state`) |
//! | `/login`, `/select-role` | the sign-in journey (HTML forms, no JavaScript needed except for WebAuthn) |
//! | `/manage-authenticators` | register or remove security keys, Windows Hello and passkeys (signed-in user) |
//! | `/webauthn/register/{start,finish}`, `/webauthn/login/{start,finish}` | WebAuthn ceremonies (JSON; CORS for `[webauthn] origins`) |
//!
//! The admin API lives at `/admin/api` (see [`admin`](crate#admin-api)) and a small page at `/admin`.
//!
//! ## Login form (`POST {realm}/login`, `application/x-www-form-urlencoded`)
//!
//! | Field | Value |
//! |---|---|
//! | `interaction` | from the login page URL (`{realm}/login?interaction=…`, where `/authorize` redirects) |
//! | `uid` | the test user's UID (or `username`: the user's login name) |
//! | `method` | `smartcard` (AAL3, needs `passcode`), `totp` (AAL2, needs `password` + `totp`), `password` (AAL1, needs `password`); `fido2` (security key / Windows Hello, AAL3) and `passkey` (AAL2) run a WebAuthn ceremony from the page's script instead of posting |
//! | `passcode` | virtual smartcard passcode (seeded users: `1234`) |
//! | `password` | password (seeded users: `password`) |
//! | `totp` | 6-digit code from [`totp`] over the user's secret and the mock's clock |
//! | `action` | `login` (default) or `cancel` (→ `error=access_denied`) |
//!
//! Wrong credentials answer 401 with the login page again; an authenticator that cannot meet `acr_values`
//! answers 403 with a refusal page (`id="refused"`). On success the SSO cookie `cis2_mock_sso` is set and the
//! response is a 302 to the client's `redirect_uri` with `code` and `state`, or to
//! `{realm}/select-role?interaction=…` when `selectedrole` was requested and the user has several roles.
//! That form takes `interaction` and `role` (a `person_roleid`).
//!
//! With auto-login armed ([`AppState::set_auto_login`], `PUT /admin/api/auto-login`), `GET {realm}/login`
//! signs in without the form, exactly as a successful form post would.
//!
//! ## Admin API
//!
//! JSON over HTTP at `/admin/api`; errors are 4xx `{"error","error_description"}`. The full reference
//! (users, clients, sessions, auto-login, back-channel deliveries, cards, keys, clock, faults) follows.
//!
#![doc = include_str!("../docs/admin-api.md")]
// Handlers return ready `Response`s as early-exit errors; boxing them would only add noise.
#![allow(clippy::result_large_err)]

mod admin;
mod assets;
mod authenticators;
mod authorize;
mod auto_login;
mod bridge;
mod bridge_events;
mod cards;
mod claims;
mod clients;
mod clock;
mod config;
mod cors;
mod discovery;
mod errors;
mod faults;
mod keys;
mod login;
mod logout;
mod pages;
mod server;
mod sessions;
mod store;
mod token;
mod userinfo;
mod users;
mod webauthn;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use axum::routing::{get, post};
use cis2_sdk::CIS2_REALM_PATH;

pub use authenticators::{AuthMethod, default_acr_values, totp};
pub use auto_login::{AutoLogin, AutoLoginRequest};
pub use bridge::{BridgeConfig, BridgeState, PUBLISHED_PORTS};
pub use cards::{CardEvent, CardMode, VirtualCard};
pub use clients::{AuthMethodName, Client, Quirks, demo_client};
pub use clock::Clock;
pub use config::{Config, ConfigError};
pub use faults::{Fault, InjectRequest, Injected, LogoutMalformation, Target};
pub use keys::cis2_kid;
pub use logout::{Delivery, DeliveryAttempt};
pub use server::{MockIdp, MockIdpBuilder, RunningMockIdp, StartError};
pub use sessions::{SESSION_COOKIE, SsoSession};
pub use users::{DEFAULT_PASSCODE, DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET, User, org, role, seed_users};
pub use webauthn::WebauthnConfig;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) issuer: String,
    pub(crate) clock: Clock,
    pub(crate) store: store::Store,
    pub(crate) users: RwLock<BTreeMap<String, User>>,
    pub(crate) clients: RwLock<BTreeMap<String, Client>>,
    pub(crate) keys: RwLock<keys::KeyRing>,
    pub(crate) sessions: Mutex<sessions::Sessions>,
    pub(crate) cards: Mutex<cards::Cards>,
    pub(crate) faults: Mutex<faults::Faults>,
    pub(crate) deliveries: Mutex<logout::DeliveryLog>,
    pub(crate) requests: Mutex<Vec<serde_json::Value>>,
    pub(crate) http: reqwest::Client,
    pub(crate) bridge: bridge::Bridge,
    pub(crate) auto_login: Mutex<Option<AutoLogin>>,
}

/// The mock's shared state; cheap to clone. Build it with [`MockIdpBuilder::build`] to drive [`router`]
/// without sockets.
#[derive(Clone, Debug)]
pub struct AppState(pub(crate) Arc<Inner>);

impl AppState {
    /// The issuer string, exactly as tokens carry it.
    pub fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The clock (with the admin offset).
    pub fn clock(&self) -> &Clock {
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

    /// The current signing key ids, active first.
    pub fn published_kids(&self) -> Vec<String> {
        let now = self.0.clock.now();
        read(&self.0.keys)
            .published(now)
            .iter()
            .map(|k| k.key.kid().to_owned())
            .collect()
    }

    /// A user.
    pub fn user(&self, uid: &str) -> Option<User> {
        read(&self.0.users).get(uid).cloned()
    }

    /// All users.
    pub fn users(&self) -> Vec<User> {
        read(&self.0.users).values().cloned().collect()
    }

    /// A client.
    pub fn client(&self, id: &str) -> Option<Client> {
        read(&self.0.clients).get(id).cloned()
    }

    /// Stores a user (create or replace).
    pub fn put_user(&self, u: User) -> Result<(), String> {
        u.check()?;
        self.0.store.put_user(&u).map_err(|e| e.to_string())?;
        write(&self.0.users).insert(u.uid.clone(), u);
        Ok(())
    }

    /// Stores a client (create or replace).
    pub fn put_client(&self, c: Client) -> Result<(), String> {
        c.check()?;
        self.0.store.put_client(&c).map_err(|e| e.to_string())?;
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

    /// Arms a fault (as `POST /admin/api/faults`).
    pub fn inject_fault(&self, req: InjectRequest) -> Result<Injected, String> {
        lock(&self.0.faults).inject(req)
    }

    /// Ends the session with this `sid` (back-channel logout, reason `admin`); false when there is none.
    pub fn end_session(&self, sid: &str) -> bool {
        logout::end_session_by_sid(self, sid, "admin").is_some()
    }

    /// Removes a virtual card from the reader; returns the sids of the sessions that ended (Identity Agent
    /// mode), or `None` when the card is unknown.
    pub fn remove_card(&self, serial: &str) -> Option<Vec<String>> {
        lock(&self.0.cards).remove(serial)?;
        Some(logout::card_removed(self, serial))
    }

    /// Puts a virtual card back in the reader.
    pub fn insert_card(&self, serial: &str) -> Option<VirtualCard> {
        lock(&self.0.cards).insert(serial)
    }

    /// Switches the emulated smartcard middleware.
    pub fn set_card_mode(&self, mode: CardMode) {
        lock(&self.0.cards).set_mode(mode);
    }

    /// Subscribes to virtual card-reader events (for the Port Service bridge and the browser stream).
    pub fn card_events(&self) -> tokio::sync::broadcast::Receiver<CardEvent> {
        lock(&self.0.cards).subscribe()
    }
}

/// The mock's HTTP surface, for `oneshot` tests or embedding.
pub fn router(state: AppState) -> Router {
    let r = |p: &str| format!("{CIS2_REALM_PATH}{p}");
    Router::new()
        .route("/", get(discovery::index))
        .route(&r("/.well-known/openid-configuration"), get(discovery::discovery))
        .route(&r("/connect/jwk_uri"), get(discovery::jwks))
        .route(
            &r("/authorize"),
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(&r("/login"), get(login::login_get).post(login::login_post))
        .route(&r("/select-role"), get(login::role_get).post(login::role_post))
        .merge(webauthn::ceremony_routes(&state))
        .route(&r("/webauthn/refused"), get(webauthn::refused))
        .route(&r("/manage-authenticators"), get(webauthn::manage_get))
        .route(&r("/manage-authenticators/delete"), post(webauthn::manage_delete))
        .route(&r("/access_token"), post(token::token))
        .route(&r("/userinfo"), get(userinfo::userinfo).post(userinfo::userinfo))
        .route(
            &r("/connect/endSession"),
            get(logout::end_session_get).post(logout::end_session_post),
        )
        .route("/assets/{*path}", get(assets::serve))
        .route("/admin", get(admin::page))
        .nest(
            "/admin/api",
            admin::routes()
                .merge(auto_login::admin_routes())
                .merge(bridge::admin_routes())
                .merge(webauthn::admin_routes()),
        )
        .with_state(state)
}

/// The start-up banner: issuer, endpoints, admin URL and test users, for the binary and logs.
pub fn banner(state: &AppState, base_url: &str) -> String {
    let mut s = format!("cis2-mock-idp\n  issuer:        {}\n", state.issuer());
    for (name, url) in discovery::endpoint_list(state) {
        s.push_str(&format!("  {name:<14} {url}\n"));
    }
    s.push_str(&format!("  admin:         {base_url}/admin  (API: {base_url}/admin/api)\n\n  test users (password {DEFAULT_PASSWORD:?}, passcode {DEFAULT_PASSCODE:?}):\n"));
    for u in state.users() {
        s.push_str(&format!(
            "  {:<14} AAL{}  {:<22} {}\n",
            u.uid,
            u.max_aal(),
            u.name(),
            u.description
        ));
    }
    s
}
