//! A small relying party with seeded defects, for proving that the conformance suite catches broken RPs.
//!
//! A confidential client (`client_secret_post`, PKCE S256, state and nonce bound server-side to a short-lived
//! browser cookie) whose correct path validates with the sdk's `TokenValidator`. Each [`Defect`] switched on
//! in [`DefectRpConfig::defects`] relaxes exactly one check, the way real supplier bugs do.
//!
//! | Route | What |
//! |---|---|
//! | `GET /` | a tiny page with a link to `/login` |
//! | `GET /login` | sign-in: scope `openid profile nationalrbacaccess`, `acr_values=AAL2_OR_AAL3_ANY` |
//! | `GET /step-up` | as `/login` with `acr_values=AAL3_ANY` and `prompt=login`; the result must be AAL3 |
//! | `GET /change-role` | as `/login` with scope `+ selectedrole` and `prompt=login` |
//! | `GET /callback` | state (browser-bound), code (client_secret_post), ID token, userinfo, role → session, 302 `/me`; 400 on any failure |
//! | `GET /me` | `200 {"signed_in": true, "sub", "sid", "acr", "role"}` or `401 {"signed_in": false}` |
//! | `GET /aal3` | `200` when the session's `acr` is an AAL3 value, else `403` (`401` without a session) |
//! | `POST /logout` | ends the session, clears the cookie, 302 `/` |
//! | `POST /backchannel-logout` | form `logout_token` → `200`, or `400` JSON; `Cache-Control: no-store` |

//! [`harness`] starts the RP next to an embedded `cis2-mock-idp`, registers it, and walks sign-ins through the
//! mock's pages with a cookie-carrying client (`Env::sign_in`, `Env::probe`, `Env::inject`, ...).

// Test binaries that declare `mod support;` for other helpers use only part of this.
#![allow(dead_code, unused_imports)]

mod defect;
pub(crate) mod harness;
mod logout;
mod provider;
mod routes;
mod state;
mod validate;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::http::HeaderMap;
use axum::routing::{get, post};

pub(crate) use defect::Defect;
pub(crate) use provider::JWKS_REFETCH_COOLDOWN;
pub(crate) use routes::{MAX_AUTH_AGE_SECS, SCOPE};

/// `GET` home page.
pub(crate) const HOME_PATH: &str = "/";
/// `GET` starts a sign-in.
pub(crate) const LOGIN_PATH: &str = "/login";
/// `GET` starts an AAL3 step-up.
pub(crate) const STEP_UP_PATH: &str = "/step-up";
/// Signs in with `max_age` = [`MAX_AUTH_AGE_SECS`] (for a recently-authenticated action).
pub(crate) const MAX_AGE_PATH: &str = "/login-recent";
/// `GET` starts a role change.
pub(crate) const CHANGE_ROLE_PATH: &str = "/change-role";
/// `GET` the redirect URI.
pub(crate) const CALLBACK_PATH: &str = "/callback";
/// `GET` the session probe.
pub(crate) const ME_PATH: &str = "/me";
/// `GET` an AAL3-only resource.
pub(crate) const AAL3_PATH: &str = "/aal3";
/// `POST` RP logout.
pub(crate) const LOGOUT_PATH: &str = "/logout";
/// `POST` back-channel logout.
pub(crate) const BACKCHANNEL_LOGOUT_PATH: &str = "/backchannel-logout";
/// The session cookie (opaque, HttpOnly).
pub(crate) const SESSION_COOKIE: &str = "rp_session";
/// The short-lived cookie that binds a pending sign-in to its browser.
pub(crate) const LOGIN_COOKIE: &str = "rp_login";

/// The RP's redirect URI for a base URL (`http://127.0.0.1:PORT`).
pub(crate) fn redirect_uri(base: &str) -> String {
    format!("{base}{CALLBACK_PATH}")
}

/// The RP's back-channel logout URI for a base URL.
pub(crate) fn backchannel_logout_uri(base: &str) -> String {
    format!("{base}{BACKCHANNEL_LOGOUT_PATH}")
}

/// How to run the RP.
#[derive(Clone, Debug)]
pub(crate) struct DefectRpConfig {
    /// The issuer, exactly as the provider writes it.
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    /// The defects switched on (none: a correct RP).
    pub(crate) defects: BTreeSet<Defect>,
}

impl DefectRpConfig {
    /// A correct RP.
    pub(crate) fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            defects: BTreeSet::new(),
        }
    }

    /// With `defect` switched on too.
    pub(crate) fn with(mut self, defect: Defect) -> Self {
        self.defects.insert(defect);
        self
    }
}

/// A running RP.
#[derive(Debug)]
pub(crate) struct RunningRp {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    rp: Arc<state::Rp>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningRp {
    /// `base_url` + `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The redirect URI to register.
    pub(crate) fn redirect_uri(&self) -> String {
        redirect_uri(&self.base_url)
    }

    /// The back-channel logout URI to register.
    pub(crate) fn backchannel_logout_uri(&self) -> String {
        backchannel_logout_uri(&self.base_url)
    }

    /// How many times the RP has fetched the JWKS.
    pub(crate) fn jwks_fetches(&self) -> usize {
        self.rp.jwks_fetches.load(Ordering::SeqCst)
    }

    /// How many server-side sessions exist.
    pub(crate) fn session_count(&self) -> usize {
        state::lock(&self.rp.sessions).len()
    }

    /// Stops the server and waits for it (at most 2 s for open connections, then aborts it).
    pub(crate) async fn shutdown(mut self) {
        let _ = self.stop.send(());
        if tokio::time::timeout(std::time::Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// Starts the RP on `127.0.0.1:0`.
pub(crate) async fn start(cfg: DefectRpConfig) -> std::io::Result<RunningRp> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let rp = Arc::new(state::Rp::new(cfg, base_url.clone()).map_err(std::io::Error::other)?);
    let app = axum::Router::new()
        .route(HOME_PATH, get(routes::home))
        .route(LOGIN_PATH, get(routes::login))
        .route(STEP_UP_PATH, get(routes::step_up))
        .route(MAX_AGE_PATH, get(routes::login_recent))
        .route(CHANGE_ROLE_PATH, get(routes::change_role))
        .route(CALLBACK_PATH, get(routes::callback))
        .route(ME_PATH, get(routes::me))
        .route(AAL3_PATH, get(routes::aal3))
        .route(LOGOUT_PATH, post(logout::logout))
        .route(BACKCHANNEL_LOGOUT_PATH, post(logout::backchannel_logout))
        .with_state(rp.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(RunningRp {
        base_url,
        rp,
        stop,
        task,
    })
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}
