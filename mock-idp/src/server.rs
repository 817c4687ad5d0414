//! Starting the mock: the builder (configuration, seeding, key loading) and the running server handle.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use cis2_sdk::{CIS2_REALM_PATH, SigningKey};

use crate::app::{admin_exposure_warning, router};
use crate::cards::{self, CardMode};
use crate::clients::{self, Client};
use crate::clock::OffsetClock;
use crate::config::Config;
use crate::state::{AppState, Inner};
use crate::tls::{self, TlsInfo};
use crate::users::User;
use crate::{assets, bridge, keys, logout, store};

/// Why the mock could not start.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cis2-mock-idp: {}", self.0)
    }
}

impl std::error::Error for StartError {}

fn start_err(e: impl std::fmt::Display) -> StartError {
    StartError(e.to_string())
}

/// Entry point: `MockIdp::builder()`.
#[derive(Debug)]
pub struct MockIdp;

impl MockIdp {
    /// A builder with zero configuration: loopback, ephemeral port, in-memory state, seeded users.
    pub fn builder() -> MockIdpBuilder {
        MockIdpBuilder {
            config: Config::default(),
            signing_key: None,
            users: Vec::new(),
            clients: Vec::new(),
        }
    }
}

/// Configures and starts a mock.
#[derive(Debug)]
#[must_use]
pub struct MockIdpBuilder {
    config: Config,
    signing_key: Option<SigningKey>,
    users: Vec<User>,
    clients: Vec<Client>,
}

impl MockIdpBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The Connection Manager API settings (`[connection_manager]`).
    pub fn connection_manager(mut self, cm: crate::config::ConnectionManagerConfig) -> Self {
        self.config.connection_manager = cm;
        self
    }

    /// The issuer string (used byte for byte; may carry `:443`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config.issuer = Some(issuer.into());
        self
    }

    /// The realm path of the default issuer (`[realm]`), e.g. `/openam/oauth2/realms/root/realms/oidc`; ignored
    /// when an [`issuer`](Self::issuer) is set (its path is the realm).
    pub fn realm(mut self, path: impl Into<String>) -> Self {
        self.config.realm = Some(path.into());
        self
    }

    /// The port (0: ephemeral).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// The data directory (SQLite and keys); without one, state is in memory.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.data_dir = Some(dir.into());
        self
    }

    /// The signing key to use when the data directory has none yet (tests pass a fixed key: generating RSA
    /// keys is slow in debug builds). It gets a CIS2-style `kid`.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Registers (or replaces) a client at start-up.
    pub fn client(mut self, c: Client) -> Self {
        self.clients.push(c);
        self
    }

    /// Adds (or replaces) a user at start-up.
    pub fn user(mut self, u: User) -> Self {
        self.users.push(u);
        self
    }

    /// The smartcard middleware emulated.
    pub fn card_mode(mut self, mode: CardMode) -> Self {
        self.config.card_mode = mode;
        self
    }

    /// The admin API's bearer token (`[admin] token`): every admin request must then carry
    /// `Authorization: Bearer <token>`.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.config.admin.token = Some(token.into());
        self
    }

    /// Serves HTTPS too (`[tls] enabled`): TLS 1.2 and 1.3 only, a server certificate signed by a local CA
    /// whose certificate an RP trusts ([`RunningMockIdp::tls`] says where it is). Without an explicit
    /// [`issuer`](Self::issuer), the issuer becomes `https://localhost:<port>` + the realm path, the port
    /// written out even when it is 443.
    pub fn tls(mut self, on: bool) -> Self {
        self.config.tls.enabled = on;
        self
    }

    /// The HTTPS port (`[tls] port`, default 443; 0: ephemeral). Implies [`tls(true)`](Self::tls). When it
    /// cannot be bound, a free port is used instead unless [`tls_fallback_port(false)`](Self::tls_fallback_port).
    pub fn tls_port(mut self, port: u16) -> Self {
        self.config.tls.enabled = true;
        self.config.tls.port = port;
        self
    }

    /// Whether a free port replaces a `[tls] port` that cannot be bound (default true).
    pub fn tls_fallback_port(mut self, yes: bool) -> Self {
        self.config.tls.fallback_port = yes;
        self
    }

    /// Where the local CA is kept (`ca.pem`, `ca-key.pem`; reused when present). Default: the data
    /// directory, else a temporary directory removed at shutdown.
    pub fn tls_ca_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.tls.ca_dir = Some(dir.into());
        self
    }

    /// A PEM file of CA certificates the mock's outbound calls (back-channel logout, `jwks_uri`) trust
    /// besides the system roots (`[tls] extra_root_ca_file`).
    pub fn tls_extra_root_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.tls.extra_root_ca_file = Some(path.into());
        self
    }

    /// Overrides of the discovery document (`[discovery]`): members set, replaced or removed. Changeable at
    /// run time through `PUT /admin/api/discovery`.
    pub fn discovery_overrides(mut self, overrides: crate::config::DiscoveryOverrides) -> Self {
        self.config.discovery = overrides;
        self
    }

    /// Back-channel logout retry policy: attempts (first included) and the first retry delay.
    pub fn backchannel_retries(mut self, attempts: u32, first_delay: Duration) -> Self {
        self.config.backchannel_logout_attempts = attempts.max(1);
        self.config.backchannel_logout_retry_ms = u64::try_from(first_delay.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// Builds the state without binding a socket (for `router(state)` + `oneshot`).
    pub fn build(self) -> Result<AppState, StartError> {
        let realm = default_realm(&self.config);
        let issuer = self.config.issuer.clone().unwrap_or_else(|| {
            if self.config.tls.enabled {
                tls_issuer(self.config.tls.port, realm)
            } else {
                format!(
                    "http://{}{realm}",
                    SocketAddr::new(self.config.bind, self.config.port),
                )
            }
        });
        self.build_with_issuer(issuer)
    }

    fn build_with_issuer(self, issuer: String) -> Result<AppState, StartError> {
        let clock = OffsetClock::new();
        let store = store::Store::open(self.config.data_dir.as_deref()).map_err(start_err)?;
        if self.config.seed && !store.seeded().map_err(start_err)? {
            for u in crate::seeds::seed_users() {
                store.put_user(&u).map_err(start_err)?;
            }
            store.put_client(&clients::demo_client()).map_err(start_err)?;
            store.mark_seeded().map_err(start_err)?;
        }
        for u in &self.users {
            u.check()
                .map_err(|e| StartError(format!("user {}: {e}", u.uid)))?;
            store.put_user(u).map_err(start_err)?;
        }
        for c in &self.clients {
            c.check()
                .map_err(|e| StartError(format!("client {}: {e}", c.client_id)))?;
            store.put_client(c).map_err(start_err)?;
        }
        let keyring = load_keys(&store, self.signing_key, clock.now())?;
        let http = tls::outbound_client(&self.config).map_err(start_err)?;
        let users = store
            .users()
            .map_err(start_err)?
            .into_iter()
            .map(|u| (u.uid.clone(), u))
            .collect();
        let clients = store
            .clients()
            .map_err(start_err)?
            .into_iter()
            .map(|c| (c.client_id.clone(), c))
            .collect();
        let card_mode = self.config.card_mode;
        let aal2_any = self.config.aal2_any;
        self.config.discovery.check().map_err(start_err)?;
        let discovery = RwLock::new(self.config.discovery.clone());
        let realm = Arc::new(crate::realm::Realm::of_issuer(&issuer).map_err(StartError)?);
        Ok(AppState(Arc::new(Inner {
            config: self.config,
            issuer,
            clock,
            store,
            users: RwLock::new(users),
            clients: RwLock::new(clients),
            keys: RwLock::new(keyring),
            sessions: Mutex::default(),
            cards: Mutex::new(cards::Cards::new(card_mode)),
            cis1: Mutex::default(),
            faults: Mutex::default(),
            deliveries: Mutex::default(),
            observed: Mutex::default(),
            client_hellos: Mutex::default(),
            requests: Mutex::default(),
            http,
            bridge: Default::default(),
            auto_login: Mutex::default(),
            discovery,
            realm,
            aal2_any: RwLock::new(aal2_any),
            cm_tokens: Mutex::default(),
            cm_write: Mutex::default(),
        })))
    }

    /// Binds, builds and serves. The default issuer uses the bound port.
    pub async fn start(self) -> Result<RunningMockIdp, StartError> {
        let listener = tokio::net::TcpListener::bind(self.config.socket_addr())
            .await
            .map_err(start_err)?;
        let addr = listener.local_addr().map_err(start_err)?;
        let tls_bound = if self.config.tls.enabled {
            Some(tls::bind(&self.config).await.map_err(start_err)?)
        } else {
            None
        };
        let tls_addr = match &tls_bound {
            Some((l, _)) => Some(l.local_addr().map_err(start_err)?),
            None => None,
        };
        let realm = default_realm(&self.config);
        let issuer = match (&self.config.issuer, tls_addr) {
            (Some(i), _) => i.clone(),
            (None, Some(t)) => tls_issuer(t.port(), realm),
            (None, None) => format!("http://{addr}{realm}"),
        };
        let state = self.build_with_issuer(issuer)?;
        let (tx, rx) = tokio::sync::watch::channel(());
        let (tls_info, tls_server) = match tls_bound {
            Some((l, fell_back)) => {
                let (info, task) = serve_tls(&state, l, fell_back, rx.clone())?;
                (Some(info), Some(task))
            }
            None => (None, None),
        };
        bridge::listeners::start(&state).await.map_err(start_err)?;
        let app = router(state.clone());
        let mut plain_rx = rx;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = plain_rx.changed().await;
                })
                .await;
        });
        let sweeper = tokio::spawn(logout::sweep_forever(state.clone()));
        tracing::info!(issuer = %state.issuer(), %addr, https = ?tls_addr, "cis2-mock-idp listening");
        if let Some(w) = admin_exposure_warning(state.config()) {
            tracing::warn!(%addr, "{w}");
        }
        assets::log_status();
        Ok(RunningMockIdp {
            state,
            addr,
            shutdown: Some(tx),
            server,
            sweeper,
            tls: tls_info,
            tls_server,
        })
    }
}

/// The default issuer over HTTPS: `https://localhost:<port>` + the realm path, the port always written out.
fn tls_issuer(port: u16, realm: &str) -> String {
    format!("https://localhost:{port}{realm}")
}

/// The realm path of a default issuer: `[realm]` (without a trailing `/`), else CIS2's Healthcare realm.
fn default_realm(config: &Config) -> &str {
    config
        .realm
        .as_deref()
        .map_or(CIS2_REALM_PATH, |r| r.trim_end_matches('/'))
}

/// Creates (or loads) the CA, signs a server certificate for the issuer's names and serves the router over
/// TLS on `listener` until `stop` changes or closes.
fn serve_tls(
    state: &AppState,
    listener: tokio::net::TcpListener,
    fell_back: bool,
    mut stop: tokio::sync::watch::Receiver<()>,
) -> Result<(TlsInfo, tokio::task::JoinHandle<()>), StartError> {
    let config = state.config();
    let ca = tls::LocalCa::load_or_create(config).map_err(start_err)?;
    let names = tls::certificate_names(config, state.issuer());
    let (server_config, leaf_spki_sha256) = tls::server_config(&ca, &names).map_err(start_err)?;
    let listener = tls::TlsListener::new(listener, server_config, state.clone()).map_err(start_err)?;
    let addr = axum::serve::Listener::local_addr(&listener).map_err(start_err)?;
    if fell_back && config.issuer.is_some() {
        tracing::warn!(
            issuer = %state.issuer(),
            %addr,
            "the configured issuer names a port the mock could not bind; its HTTPS is on {addr}"
        );
    }
    let info = TlsInfo {
        addr,
        requested_port: config.tls.port,
        fell_back,
        ca_file: ca.cert_path(),
        ca_pem: ca.cert_pem.clone(),
        names,
        leaf_spki_sha256,
        temporary_ca_dir: ca.temporary.then(|| ca.dir.clone()),
    };
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.changed().await;
            })
            .await;
    });
    tracing::info!(%addr, ca = %info.ca_file.display(), "cis2-mock-idp serving HTTPS (TLS 1.2, 1.3)");
    Ok((info, task))
}

fn load_keys(
    store: &store::Store,
    given: Option<SigningKey>,
    now: cis2_sdk::UnixTime,
) -> Result<keys::KeyRing, StartError> {
    let stored = store.keys().map_err(start_err)?;
    let mut active = None;
    let mut retired = Vec::new();
    for s in &stored {
        let e = keys::KeyEntry::from_stored(s).map_err(start_err)?;
        if e.retired_until.is_none() {
            active = Some(Arc::new(e));
        } else {
            retired.push(Arc::new(e));
        }
    }
    let active = match active {
        Some(a) => a,
        None => {
            let key = match given {
                Some(k) => keys::with_cis2_kid(k).map_err(start_err)?,
                None => keys::generate_key().map_err(start_err)?,
            };
            let entry = keys::KeyEntry::new(key, now).map_err(start_err)?;
            store
                .add_active_key(&entry.to_stored().map_err(start_err)?, now.as_secs())
                .map_err(start_err)?;
            Arc::new(entry)
        }
    };
    Ok(keys::KeyRing { active, retired })
}

/// A mock serving on a socket.
#[derive(Debug)]
pub struct RunningMockIdp {
    state: AppState,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::watch::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    sweeper: tokio::task::JoinHandle<()>,
    tls: Option<TlsInfo>,
    tls_server: Option<tokio::task::JoinHandle<()>>,
}

impl RunningMockIdp {
    /// The issuer.
    pub fn issuer(&self) -> &str {
        self.state.issuer()
    }

    /// `http://<addr>` (the socket, whatever the issuer says).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The HTTPS listener and its CA, when `[tls] enabled`.
    pub fn tls(&self) -> Option<&TlsInfo> {
        self.tls.as_ref()
    }

    /// `https://localhost:<port>` (the HTTPS socket by the name its certificate covers), when `[tls] enabled`.
    pub fn https_base_url(&self) -> Option<String> {
        self.tls
            .as_ref()
            .map(|t| format!("https://localhost:{}", t.addr.port()))
    }

    /// The admin API base, `http://<addr>/admin/api`.
    pub fn admin_url(&self) -> String {
        format!("{}/admin/api", self.base_url())
    }

    /// The discovery URL on the socket (`base_url` + the issuer's path + `/.well-known/openid-configuration`).
    pub fn discovery_url(&self) -> String {
        format!(
            "{}{}/.well-known/openid-configuration",
            self.base_url(),
            self.state.realm_path()
        )
    }

    /// The warning to show when the mock binds a non-loopback address and its admin API has no token
    /// (`[admin] token`), or `None`. `start` logs it at `warn`; the binary also prints it on stderr.
    pub fn admin_exposure_warning(&self) -> Option<String> {
        admin_exposure_warning(self.state.config())
    }

    /// The shared state (users, clients, sessions, clock, …) for in-process tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.sweeper.abort();
        bridge::listeners::stop(&self.state);
        let _ = (&mut self.server).await;
        if let Some(t) = self.tls_server.take() {
            let _ = t.await;
        }
        if let Some(dir) = self.tls.as_ref().and_then(|t| t.temporary_ca_dir.as_ref()) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
