//! The suite's IdP: `cis2-mock-idp` embedded as a library, with the RP registered as its client, a fresh
//! user per journey, faults armed for one user at a time (so scenarios run in parallel), and the mock's
//! log of what the RP called (the evidence that a refused token was not used).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cis2_mock_idp::{
    AppState, AuthMethodName, Client, Fault, InjectRequest, Injected, MintLogoutToken, MockIdp, Observed,
    RunningMockIdp, Target, User, org, role,
};

use crate::agent::IdpForms;
use crate::config::RpConfig;

/// Why the suite's IdP could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    /// The mock did not start (e.g. the port is taken).
    #[error("the suite's IdP did not start: {0}. Fix: free the port or set [idp] port in rp.toml")]
    Start(String),
    /// The RP's client registration was refused.
    #[error("registering the RP's client: {0}")]
    Register(String),
    /// An admin operation failed.
    #[error("IdP: {0}")]
    Admin(String),
}

/// Where the suite keeps its CA when `[idp] ca_dir` is not set (relative to the current directory).
pub const DEFAULT_CA_DIR: &str = "cis2-conformance-ca";

/// What a test user looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserShape {
    /// Two roles in two organisations (role selection has something to choose).
    TwoRoles,
    /// One role.
    OneRole,
    /// No roles at all (a valid CIS2 user).
    NoRoles,
}

/// The embedded IdP.
#[derive(Debug)]
pub struct Idp {
    running: tokio::sync::Mutex<Option<RunningMockIdp>>,
    state: std::sync::RwLock<AppState>,
    issuer: String,
    tls: Option<cis2_mock_idp::TlsInfo>,
    /// How to start the mock again on the same ports, with the same data (see [`Idp::restart`]).
    restart_config: cis2_mock_idp::Config,
    _data: DataDir,
    client_id: String,
    next_user: AtomicU64,
    removal: std::sync::Mutex<Option<KeyRemoval>>,
}

/// A rotation that removed the old key from the JWKS at once ([`Idp::rotate_key_removing_old`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRemoval {
    /// The kid that signs from then on.
    pub new_kid: String,
    /// The kid the JWKS no longer publishes.
    pub removed_kid: String,
    /// The IdP's log position when it happened.
    pub seq: u64,
}

/// The mock's data directory (SQLite: users, clients, signing keys), so a restart keeps them; removed
/// when the suite ends.
#[derive(Debug)]
struct DataDir(std::path::PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn forms_of(state: &AppState) -> IdpForms {
    IdpForms {
        authorize_url: state.endpoint("/authorize"),
        login_url: state.endpoint("/login"),
        role_url: state.endpoint("/select-role"),
        state: state.clone(),
    }
}

impl Idp {
    /// Starts the mock on `[idp] port` (127.0.0.1) and registers the RP's client.
    pub async fn start(cfg: &RpConfig, signing_key: Option<cis2_sdk::SigningKey>) -> Result<Self, IdpError> {
        // Deliveries to the RP get the suite's own bound per attempt, and a transport error (an RP closing
        // a kept-alive connection, say) is retried before a verdict rests on it.
        let mut config = cis2_mock_idp::Config::default();
        config.http_timeout_ms = cfg.idp.timeout_secs.unwrap_or(10).saturating_mul(1000);
        let data = DataDir(std::env::temp_dir().join(format!(
            "cis2-conformance-idp-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        )));
        config.data_dir = Some(data.0.clone());
        let mut b = MockIdp::builder()
            .config(config)
            .port(cfg.idp.port)
            .backchannel_retries(3, Duration::from_millis(100));
        if cfg.idp.tls {
            b = b.tls_port(cfg.idp.tls_port.unwrap_or(443)).tls_ca_dir(
                cfg.idp
                    .ca_dir
                    .clone()
                    .unwrap_or_else(|| std::path::PathBuf::from(DEFAULT_CA_DIR)),
            );
        }
        if let Some(k) = signing_key {
            b = b.signing_key(k);
        }
        let running = b.start().await.map_err(|e| IdpError::Start(e.to_string()))?;
        let state = running.state().clone();
        let mut restart_config = state.config().clone();
        restart_config.port = running.addr().port();
        restart_config.issuer = Some(running.issuer().to_owned());
        if let Some(t) = running.tls() {
            restart_config.tls.port = t.addr.port();
            // The same port or nothing: a fallback port would not match the issuer.
            restart_config.tls.fallback_port = false;
        }
        let idp = Self {
            issuer: running.issuer().to_owned(),
            tls: running.tls().cloned(),
            running: tokio::sync::Mutex::new(Some(running)),
            state: std::sync::RwLock::new(state),
            restart_config,
            _data: data,
            client_id: cfg.client.client_id.clone(),
            next_user: AtomicU64::new(u64::from(rand::random::<u16>()) * 100_000),
            removal: std::sync::Mutex::new(None),
        };
        idp.register(cfg)?;
        Ok(idp)
    }

    pub(crate) fn register(&self, cfg: &RpConfig) -> Result<(), IdpError> {
        let method = match cfg.client.auth_method.as_str() {
            "private_key_jwt" => AuthMethodName::PrivateKeyJwt,
            "client_secret_basic" => AuthMethodName::ClientSecretBasic,
            _ => AuthMethodName::ClientSecretPost,
        };
        let mut c = Client::new(cfg.client.client_id.clone(), cfg.rp.redirect_uris.clone(), method);
        c.client_name = cfg.rp.name.clone();
        c.client_secret = cfg.client.client_secret.clone();
        c.jwks_uri = cfg.client.jwks_uri.clone();
        if let Some(alg) = &cfg.client.signing_alg {
            c.jwks_uri_signing_algorithm = alg.clone();
        }
        c.backchannel_logout_uri = cfg.rp.backchannel_logout_uri.clone();
        c.post_logout_redirect_uris = cfg.rp.post_logout_redirect_uris.clone();
        c.userinfo_signed = cfg.features.signed_userinfo;
        self.state()
            .put_client(c)
            .map_err(|e| IdpError::Register(e.to_string()))
    }

    /// The issuer, byte for byte.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The HTTPS listener and the CA the RP must trust, when `[idp] tls`.
    pub fn tls(&self) -> Option<&cis2_mock_idp::TlsInfo> {
        self.tls.as_ref()
    }

    /// The CA certificate (PEM) the suite's browsers trust besides the system's roots, when `[idp] tls`.
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// The mock's state (its library API); a new one after [`Idp::restart`].
    pub fn state(&self) -> AppState {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stops the mock and starts it again on the same ports with the same issuer, data directory (users,
    /// clients, signing keys) and CA: what an RP sees when the IdP restarts. In-memory state (IdP sessions,
    /// armed faults, the observation log) starts afresh. Only for exclusive scenarios.
    pub async fn restart(&self) -> Result<(), IdpError> {
        let mut running = self.running.lock().await;
        if let Some(r) = running.take() {
            r.shutdown().await;
        }
        let mut last = None;
        // The ports were just freed; give the kernel a few tries to hand them back.
        for _ in 0..50 {
            match MockIdp::builder()
                .config(self.restart_config.clone())
                .start()
                .await
            {
                Ok(r) => {
                    *self.state.write().unwrap_or_else(|e| e.into_inner()) = r.state().clone();
                    *running = Some(r);
                    return Ok(());
                }
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(IdpError::Start(format!(
            "restarting: {}",
            last.unwrap_or_default()
        )))
    }

    /// The RP's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Where the IdP's forms are.
    pub fn forms(&self) -> IdpForms {
        forms_of(&self.state())
    }

    /// Creates a fresh user and returns its uid (12 digits, as CIS2 UIDs are).
    pub fn new_user(&self, shape: UserShape) -> Result<String, IdpError> {
        let n = self.next_user.fetch_add(1, Ordering::Relaxed);
        let uid = format!("55{:010}", n % 10_000_000_000);
        let mut u = User::new(uid.clone(), "Conformance", format!("User {n}"));
        let roles = match shape {
            UserShape::TwoRoles => vec![
                role(
                    &format!("{uid}01"),
                    &format!("{uid}91"),
                    "A1B2C",
                    "R8000",
                    "\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\"",
                ),
                role(
                    &format!("{uid}02"),
                    &format!("{uid}92"),
                    "X26",
                    "R8008",
                    "\"Admin & Clerical\":\"Admin and Clerical\":\"Admin/Clinical Support Access Role\"",
                ),
            ],
            UserShape::OneRole => vec![role(
                &format!("{uid}01"),
                &format!("{uid}91"),
                "A1B2C",
                "R8000",
                "\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\"",
            )],
            UserShape::NoRoles => Vec::new(),
        };
        u.orgs = roles
            .iter()
            .map(|r| {
                org(
                    &r.org_code,
                    &format!("Organisation {}", r.org_code),
                    Some(&r.person_orgid),
                )
            })
            .collect();
        u.roles = roles;
        self.state()
            .put_user(u)
            .map_err(|e| IdpError::Admin(e.to_string()))?;
        Ok(uid)
    }

    /// Replaces a user (after editing a copy from [`AppState::user`]).
    pub fn put_user(&self, u: User) -> Result<(), IdpError> {
        self.state()
            .put_user(u)
            .map_err(|e| IdpError::Admin(e.to_string()))
    }

    /// Arms `fault` on `target` (default for the fault) for the next response about `uid`.
    pub fn arm(&self, fault: Fault, target: Option<Target>, uid: &str) -> Result<Injected, IdpError> {
        let mut req = InjectRequest::new(fault)
            .for_client(self.client_id.clone())
            .for_user(uid);
        if let Some(t) = target {
            req = req.target(t);
        }
        self.state()
            .inject_fault(req)
            .map_err(|e| IdpError::Admin(e.to_string()))
    }

    /// Arms `fault` on `target` for every request (JWKS / discovery outages), until [`Idp::disarm`].
    pub fn arm_global(&self, fault: Fault, target: Target) -> Result<Injected, IdpError> {
        let req = InjectRequest::new(fault).target(target).times(0);
        self.state()
            .inject_fault(req)
            .map_err(|e| IdpError::Admin(e.to_string()))
    }

    /// Removes an armed fault.
    pub fn disarm(&self, id: u64) {
        let _ = self.state().remove_fault(id);
    }

    /// Rotates the IdP's signing key; returns the new kid.
    pub async fn rotate_key(&self) -> Result<String, IdpError> {
        self.state()
            .rotate_signing_key()
            .await
            .map_err(|e| IdpError::Admin(e.to_string()))
    }

    /// Rotates the IdP's signing key and removes the old one from the JWKS at once (no grace period), so a
    /// token signed with it ([`Fault::RemovedKey`]) names a key the IdP no longer publishes. Returns (and
    /// remembers, for [`Idp::last_removal`]) the new kid and the removed one.
    pub async fn rotate_key_removing_old(&self) -> Result<KeyRemoval, IdpError> {
        let state = self.state();
        let old = state
            .published_kids()
            .into_iter()
            .next()
            .ok_or_else(|| IdpError::Admin("the IdP publishes no signing key".into()))?;
        let seq = self.seq();
        let new = state
            .rotate_signing_key_with_grace(Duration::ZERO)
            .await
            .map_err(|e| IdpError::Admin(e.to_string()))?;
        let r = KeyRemoval {
            new_kid: new,
            removed_kid: old,
            seq,
        };
        if let Ok(mut last) = self.removal.lock() {
            *last = Some(r.clone());
        }
        Ok(r)
    }

    /// The last [`Idp::rotate_key_removing_old`], while its new key still signs (no rotation since).
    pub fn last_removal(&self) -> Option<KeyRemoval> {
        let r = self.removal.lock().ok()?.clone()?;
        let active = self.state().published_kids().into_iter().next()?;
        (active == r.new_kid).then_some(r)
    }

    /// The newest IdP session of `uid` whose sid is not in `except`.
    pub fn latest_sid(&self, uid: &str, except: &[&str]) -> Option<String> {
        self.state()
            .sessions()
            .into_iter()
            .filter(|s| s.uid == uid && !except.contains(&s.sid.as_str()))
            .max_by_key(|s| s.auth_time)
            .map(|s| s.sid)
    }

    /// A logout token for the RP's client about `uid` (and `sid`), with the faults armed for `uid` applied.
    pub fn mint_logout(&self, uid: &str, sid: Option<&str>, jti: Option<&str>) -> Result<String, IdpError> {
        let mut req = MintLogoutToken::new(self.client_id.clone()).with_sub(uid);
        if let Some(s) = sid {
            req = req.with_sid(s);
        }
        if let Some(j) = jti {
            req = req.with_jti(j);
        }
        self.state()
            .mint_logout_token(req)
            .map_err(|e| IdpError::Admin(e.to_string()))
    }

    /// Whether fault `id` has been used up (the faulty response was really sent).
    pub fn fault_used(&self, id: u64) -> bool {
        !self.state().faults().iter().any(|f| f.id == id)
    }

    /// The highest observation sequence number so far.
    pub fn seq(&self) -> u64 {
        self.state().observed_seq()
    }

    /// What the RP called since `seq`, about `uid`.
    pub fn observed_for(&self, since: u64, uid: &str) -> Vec<Observed> {
        self.state()
            .observed_since(since)
            .into_iter()
            .filter(|o| o.uid.as_deref() == Some(uid))
            .collect()
    }

    /// Waits (bounded) for the final attempt of a back-channel logout delivery to `uid` after `since` (a
    /// transport error is retried, as an RP's keep-alive race can cause one; the verdict is on the last try).
    pub async fn wait_for_delivery(&self, since: u64, timeout: Duration, uid: &str) -> Option<Observed> {
        let uid = uid.to_owned();
        self.wait_for(since, timeout, move |o| {
            o.endpoint == cis2_mock_idp::ObservedEndpoint::BackchannelDelivery
                && o.uid.as_deref() == Some(uid.as_str())
                && !o.detail.as_deref().unwrap_or("").contains("retrying")
        })
        .await
    }

    /// Waits (bounded) until an observation after `since` matches `pred`.
    pub async fn wait_for(
        &self,
        since: u64,
        timeout: Duration,
        pred: impl Fn(&Observed) -> bool,
    ) -> Option<Observed> {
        let mut rx = self.state().subscribe_observed();
        if let Some(o) = self.state().observed_since(since).into_iter().find(|o| pred(o)) {
            return Some(o);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Ok(o)) if o.seq > since && pred(&o) => return Some(o),
                Ok(Ok(_)) => {}
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {
                    if let Some(o) = self.state().observed_since(since).into_iter().find(|o| pred(o)) {
                        return Some(o);
                    }
                }
                Ok(Err(_)) | Err(_) => return None,
            }
        }
    }

    /// Stops the mock.
    pub async fn shutdown(self) {
        if let Some(r) = self.running.into_inner() {
            r.shutdown().await;
        }
    }
}
