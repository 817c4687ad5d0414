//! The virtual smartcard bridge: a local stand-in for the NHS Port Service and the per-user Credential
//! Management (CM) listener (cis2.md §12), on their own loopback listeners, separate from the IdP's.
//!
//! - Port Service listeners (`bridge.ports`, default one ephemeral port; the five published ports only when
//!   `bridge.published_ports` is set): `GET /PRS/ConnectPRService` and `GET /PRS/GetPortNumber`.
//! - The CM listener (`bridge.cm_port`, default ephemeral): `GET /cards/events`, a `text/event-stream` of
//!   virtual card-reader events (see [`crate::bridge_events`]).
//!
//! Both answer CORS only for allow-listed web origins (`bridge.allowed_origins`), as the production CM does
//! (cis2.md §12.3), and answer Private Network Access preflights. Whether the Port Service finds the CM is
//! switchable through the admin API (`PUT /admin/api/bridge`), to exercise the published fault codes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cards::CardMode;
use crate::config::ConfigError;
use crate::errors::admin_error;
use crate::{AppState, lock};

/// The NHS Port Service's published loopback ports (cis2.md §12.1).
pub const PUBLISHED_PORTS: [u16; 5] = [43487, 44213, 45031, 46478, 48853];

/// `PR20002`: the port redirection service is unavailable.
pub(crate) const FAULT_PRS_UNAVAILABLE: &str = "PR20002";
/// `PR30007`: Credential Management is not running for this user.
pub(crate) const FAULT_CM_NOT_RUNNING: &str = "PR30007";

/// Bridge settings (`[bridge]` in TOML; `CIS2_MOCK_BRIDGE_<FIELD>` in the environment, lists comma-separated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct BridgeConfig {
    /// Start the bridge with the mock. Default false.
    pub enabled: bool,
    /// Port Service ports to bind (0: a free one). Default `[0]`. Ignored when `published_ports` is set.
    pub ports: Vec<u16>,
    /// Bind the five published Port Service ports instead of `ports` (the real browser code probes those).
    /// Default false.
    pub published_ports: bool,
    /// The Credential Management port that `GetPortNumber` reports (0: a free one). Default 0.
    pub cm_port: u16,
    /// Web origins allowed to call the bridge with credentials. An entry is an exact origin
    /// (`https://rp.example`) or `scheme://host:*` for any port of that host (and no port).
    /// Default `["http://localhost:*", "http://127.0.0.1:*"]`.
    pub allowed_origins: Vec<String>,
    /// The reader name carried by card events. Default `cis2-mock-idp Virtual Reader 0`.
    pub reader_name: String,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            ports: vec![0],
            published_ports: false,
            cm_port: 0,
            allowed_origins: vec!["http://localhost:*".to_owned(), "http://127.0.0.1:*".to_owned()],
            reader_name: "cis2-mock-idp Virtual Reader 0".to_owned(),
        }
    }
}

fn flag(v: &str) -> bool {
    !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no"))
}

impl BridgeConfig {
    /// The Port Service ports to bind: the five published ones when `published_ports` is set, else `ports`
    /// (an empty list means one ephemeral port).
    pub fn port_service_ports(&self) -> Vec<u16> {
        if self.published_ports {
            PUBLISHED_PORTS.to_vec()
        } else if self.ports.is_empty() {
            vec![0]
        } else {
            self.ports.clone()
        }
    }

    /// Whether a web origin (the `Origin` header, byte for byte) is allow-listed.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        origin_listed(&self.allowed_origins, origin)
    }

    /// Applies one `CIS2_MOCK_BRIDGE_*` variable (`name` without the `CIS2_MOCK_` prefix).
    pub(crate) fn apply_env(&mut self, var: &str, name: &str, v: &str) -> Result<(), ConfigError> {
        let port = |s: &str| {
            s.trim()
                .parse::<u16>()
                .map_err(|_| ConfigError(format!("{var}={v:?}: {s:?} is not a port")))
        };
        match name {
            "BRIDGE_ENABLED" => self.enabled = flag(v),
            "BRIDGE_PUBLISHED_PORTS" => self.published_ports = flag(v),
            "BRIDGE_PORTS" => {
                self.ports = v
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(port)
                    .collect::<Result<_, _>>()?
            }
            "BRIDGE_CM_PORT" => self.cm_port = port(v)?,
            "BRIDGE_ALLOWED_ORIGINS" => {
                self.allowed_origins = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "BRIDGE_READER_NAME" => self.reader_name = v.to_owned(),
            _ => return Err(ConfigError(format!("unknown variable {var}"))),
        }
        Ok(())
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

/// Whether `origin` matches an allow-list entry: `*`, the exact origin, or `scheme://host:*` (any port of that
/// host, and no port).
fn origin_listed(patterns: &[String], origin: &str) -> bool {
    patterns.iter().any(|pattern| {
        if pattern == "*" || pattern == origin {
            return true;
        }
        let Some(prefix) = pattern.strip_suffix(":*") else {
            return false;
        };
        match origin.strip_prefix(prefix) {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())),
            None => false,
        }
    })
}

/// The bridge at run time: its state, what it bound, and its server tasks.
#[derive(Debug, Default)]
pub(crate) struct Bridge {
    state: Mutex<BridgeState>,
    bound: Mutex<Bound>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Open `GET /cards/events` streams (see [`Subscriber`]).
    subscribers: Arc<AtomicUsize>,
    /// The CORS allow-list set through `PUT /admin/api/bridge`, replacing `bridge.allowed_origins`.
    allowed_origins: Mutex<Option<Vec<String>>>,
}

/// Counts one open card-event stream while it lives (held in the stream's state, dropped with it).
#[derive(Debug)]
pub(crate) struct Subscriber(Arc<AtomicUsize>);

impl Subscriber {
    pub(crate) fn new(st: &AppState) -> Self {
        let n = Arc::clone(&st.0.bridge.subscribers);
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Clone, Debug, Default)]
struct Bound {
    port_service: Vec<SocketAddr>,
    cm: Option<SocketAddr>,
}

impl AppState {
    /// The bridge's CORS allow-list in force: the admin API's, else the configured one.
    pub fn bridge_allowed_origins(&self) -> Vec<String> {
        lock(&self.0.bridge.allowed_origins)
            .clone()
            .unwrap_or_else(|| self.0.config.bridge.allowed_origins.clone())
    }

    /// Replaces the bridge's CORS allow-list until the next call (`PUT /admin/api/bridge`).
    pub fn set_bridge_allowed_origins(&self, origins: Vec<String>) {
        *lock(&self.0.bridge.allowed_origins) = Some(origins);
    }

    /// What the emulated Port Service answers (`GET /admin/api/bridge`).
    pub fn bridge_state(&self) -> BridgeState {
        *lock(&self.0.bridge.state)
    }

    /// Switches what the emulated Port Service answers (`PUT /admin/api/bridge`).
    pub fn set_bridge_state(&self, s: BridgeState) {
        *lock(&self.0.bridge.state) = s;
    }

    /// The bound Port Service listeners (empty when the bridge is off).
    pub fn bridge_port_service_addrs(&self) -> Vec<SocketAddr> {
        lock(&self.0.bridge.bound).port_service.clone()
    }

    /// The bound Credential Management listener (`None` when the bridge is off).
    pub fn bridge_cm_addr(&self) -> Option<SocketAddr> {
        lock(&self.0.bridge.bound).cm
    }

    /// How many `GET /cards/events` streams are open on the CM listener.
    pub fn card_event_subscribers(&self) -> usize {
        self.0.bridge.subscribers.load(Ordering::SeqCst)
    }
}

fn service_name(mode: CardMode) -> &'static str {
    match mode {
        CardMode::IdentityAgent => "IdentityAgent",
        CardMode::SmartcardConnect => "CredentialManagement",
    }
}

async fn bind(ip: std::net::IpAddr, port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
        .await
        .map_err(|e| format!("bridge: cannot bind {ip}:{port}: {e}"))
}

/// Binds and serves the bridge when `bridge.enabled`. Explicit ports must all bind; of the published ports
/// at least one must (the real service listens on one of them).
pub(crate) async fn start(st: &AppState) -> Result<(), String> {
    let cfg = &st.0.config.bridge;
    if !cfg.enabled {
        return Ok(());
    }
    let ip = st.0.config.bind;
    let cm = bind(ip, cfg.cm_port).await?;
    let cm_addr = cm.local_addr().map_err(|e| e.to_string())?;
    let mut prs = Vec::new();
    for port in cfg.port_service_ports() {
        match bind(ip, port).await {
            Ok(l) => prs.push(l),
            Err(e) if cfg.published_ports => tracing::warn!("{e}"),
            Err(e) => return Err(e),
        }
    }
    if prs.is_empty() {
        return Err("bridge: none of the published Port Service ports could be bound".into());
    }
    let mut bound = Bound {
        port_service: Vec::new(),
        cm: Some(cm_addr),
    };
    let mut tasks = Vec::new();
    for l in prs {
        bound
            .port_service
            .push(l.local_addr().map_err(|e| e.to_string())?);
        let app = port_service_router(st.clone());
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        }));
    }
    let app = cm_router(st.clone());
    tasks.push(tokio::spawn(async move {
        let _ = axum::serve(cm, app).await;
    }));
    tracing::info!(
        port_service = ?bound.port_service,
        cm = %cm_addr,
        "virtual smartcard bridge listening"
    );
    *lock(&st.0.bridge.bound) = bound;
    lock(&st.0.bridge.tasks).extend(tasks);
    Ok(())
}

/// Stops the bridge listeners (open event streams included).
pub(crate) fn stop(st: &AppState) {
    for t in lock(&st.0.bridge.tasks).drain(..) {
        t.abort();
    }
    *lock(&st.0.bridge.bound) = Bound::default();
}

/// The Port Service surface, for `oneshot` tests or embedding.
pub(crate) fn port_service_router(st: AppState) -> Router {
    Router::new()
        .route("/PRS/ConnectPRService", get(connect_pr_service))
        .route("/PRS/GetPortNumber", get(get_port_number))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
        .with_state(st)
}

/// The Credential Management surface (card-reader events).
pub(crate) fn cm_router(st: AppState) -> Router {
    Router::new()
        .route("/cards/events", get(crate::bridge_events::card_events))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
        .with_state(st)
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn connect_pr_service(State(st): State<AppState>) -> Response {
    let mode = lock(&st.0.cards).mode();
    no_store(
        axum::Json(json!({
            "statusCode": "200",
            "service": service_name(mode),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
    )
}

fn fault(code: &str, message: &str) -> Response {
    no_store(
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"faultException": {"code": code, "message": message}})),
        )
            .into_response(),
    )
}

async fn get_port_number(State(st): State<AppState>) -> Response {
    match (st.bridge_state(), st.bridge_cm_addr()) {
        (BridgeState::Ok, Some(cm)) => {
            no_store(axum::Json(json!({"portData": {"portNumber": cm.port()}})).into_response())
        }
        (BridgeState::Unavailable, _) => {
            fault(FAULT_PRS_UNAVAILABLE, "Port redirection service is unavailable")
        }
        (BridgeState::Ok | BridgeState::CmNotRunning, _) => {
            fault(FAULT_CM_NOT_RUNNING, "Unable to find the CM process for the user")
        }
    }
}

/// The bridge's CORS (cis2.md §12.3): `GET` only, with Private Network Access preflights.
const CORS: crate::cors::Policy = crate::cors::Policy {
    methods: "GET, OPTIONS",
    private_network: true,
};

/// CORS for `bridge.allowed_origins` only (see [`crate::cors`]).
async fn cors(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let listed = st.bridge_allowed_origins();
    let origin = crate::cors::allowed_origin(&req, |o| origin_listed(&listed, o));
    crate::cors::respond(req, next, origin, CORS).await
}

/// `/admin/api/bridge` (merged into the admin API).
pub(crate) fn admin_routes() -> Router<AppState> {
    Router::new().route("/bridge", get(admin_get).put(admin_put))
}

fn admin_doc(st: &AppState) -> serde_json::Value {
    let cfg = &st.0.config.bridge;
    let mode = lock(&st.0.cards).mode();
    json!({
        "enabled": cfg.enabled,
        "state": st.bridge_state(),
        "mode": mode,
        "service": service_name(mode),
        "port_service_ports": st.bridge_port_service_addrs().iter().map(SocketAddr::port).collect::<Vec<_>>(),
        "cm_port": st.bridge_cm_addr().map(|a| a.port()),
        "published_ports": cfg.published_ports,
        "allowed_origins": st.bridge_allowed_origins(),
        "reader": cfg.reader_name,
        "card_event_subscribers": st.card_event_subscribers(),
    })
}

async fn admin_get(State(st): State<AppState>) -> Response {
    axum::Json(admin_doc(&st)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutBridge {
    state: Option<BridgeState>,
    mode: Option<CardMode>,
    allowed_origins: Option<Vec<String>>,
}

async fn admin_put(State(st): State<AppState>, body: Bytes) -> Response {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    let put: PutBridge = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()),
    };
    if let Some(s) = put.state {
        st.set_bridge_state(s);
    }
    if let Some(m) = put.mode {
        st.set_card_mode(m);
    }
    if let Some(origins) = put.allowed_origins {
        st.set_bridge_allowed_origins(origins);
    }
    axum::Json(admin_doc(&st)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ports_only_when_asked() {
        let c = BridgeConfig::default();
        assert!(!c.enabled);
        assert_eq!(c.port_service_ports(), vec![0]);
        let c = crate::Config::from_toml("[bridge]\nenabled = true\nports = [0, 0]\n").unwrap();
        assert_eq!(c.bridge.port_service_ports(), vec![0, 0]);
        let c = crate::Config::from_toml("[bridge]\nenabled = true\npublished_ports = true\nports = [9]\n")
            .unwrap();
        assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
        assert!(crate::Config::from_toml("[bridge]\nnope = 1\n").is_err());
    }

    #[test]
    fn env_variables() {
        let mut c = crate::Config::default();
        c.apply_env(
            [
                ("CIS2_MOCK_BRIDGE_ENABLED", "true"),
                ("CIS2_MOCK_BRIDGE_PORTS", "43487, 0"),
                ("CIS2_MOCK_BRIDGE_CM_PORT", "43485"),
                (
                    "CIS2_MOCK_BRIDGE_ALLOWED_ORIGINS",
                    "https://rp.example,http://localhost:*",
                ),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap();
        assert!(c.bridge.enabled);
        assert_eq!(c.bridge.port_service_ports(), vec![43487, 0]);
        assert_eq!(c.bridge.cm_port, 43485);
        assert!(c.bridge.origin_allowed("https://rp.example"));
        c.apply_env([("CIS2_MOCK_BRIDGE_PUBLISHED_PORTS".to_owned(), "1".to_owned())])
            .unwrap();
        assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
        for bad in [("CIS2_MOCK_BRIDGE_PORTS", "x"), ("CIS2_MOCK_BRIDGE_NOPE", "1")] {
            assert!(
                c.apply_env([(bad.0.to_owned(), bad.1.to_owned())]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn origin_patterns() {
        let c = BridgeConfig::default();
        for ok in [
            "http://localhost:3000",
            "http://localhost",
            "http://127.0.0.1:8080",
        ] {
            assert!(c.origin_allowed(ok), "{ok}");
        }
        for no in [
            "https://localhost:3000",
            "http://localhost.evil.example",
            "http://localhost:3000.evil.example",
            "http://localhost:",
            "http://127.0.0.1:80x",
            "null",
            "https://rp.example",
        ] {
            assert!(!c.origin_allowed(no), "{no}");
        }
    }
}
