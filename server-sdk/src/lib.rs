//! # cis2-server
//!
//! The relying-party kit for axum (backend-for-frontend) on top of [`cis2_sdk`]. CIS2 accepts confidential
//! clients only, so the browser talks to its own backend and the backend talks to CIS2. Add a few lines to an
//! axum app and get a complete CIS2 sign-in with server-side sessions that survive scale-out:
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use cis2_server::{Cis2Auth, Cis2Session, Environment, RequireAal3, SessionStore, SigningKey, Algorithm};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SigningKey::from_pkcs8_pem(&std::fs::read_to_string("rp-key.pem")?, Algorithm::RS512)?;
//! let auth = Cis2Auth::builder(Environment::Integration)
//!     .client_id("969567331415.apps.national")
//!     .redirect_uri("https://rp.example/auth/callback")
//!     .private_key_jwt(key)
//!     .session_store(SessionStore::redis("redis://127.0.0.1:6379").await?)
//!     .build()
//!     .await?;                                            // discovers the provider
//!
//! let app = Router::new()
//!     .route("/api/me", get(|s: Cis2Session| async move { Json(s.sub().to_owned()) }))
//!     .route("/api/prescribe", get(|RequireAal3(s): RequireAal3| async move { s.sub().to_owned() })
//!         .layer(auth.require_activity(["B0420"])))
//!     .nest("/auth", auth.router())                      // login, callback, logout, back-channel, events…
//!     .with_state(auth);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! ## What it does
//!
//! - **Every protocol rule is cis2-sdk's.** The kit sends the sdk's request values (reqwest, rustls, TLS 1.2+,
//!   timeouts, no redirects, capped bodies), drives the sdk's cache policy for discovery and JWKS, and maps sdk
//!   errors to HTTP. It never re-implements a check.
//! - **Sessions live server-side** ([`SessionStore`]: memory or Redis). The cookie `cis2_session` is an opaque
//!   random id (HttpOnly, SameSite=Lax; on https Secure and named `__Host-cis2_session`); the store keeps only its
//!   SHA-256.
//! - **Sign-in**: `/login` stores the sdk's pending login keyed by `state` in the shared store (any instance can
//!   take the callback) and binds it to the browser with the short-lived `cis2_login` cookie; `/callback`
//!   consumes it atomically, checks the binding, and lets the sdk check callback, ID token and userinfo.
//! - **Session end** everywhere: back-channel logout (by `sid` or `sub`, `jti` replay refused through the
//!   shared store), local logout, idle and absolute timeouts; every instance's `/events` streams tell browsers
//!   `session_ended` with the reason.
//! - **Key rollover** for private_key_jwt: [`Cis2Auth::stage_next_key`] then [`Cis2Auth::rotate_keys`].
//!
//! ## Routes (nest at `/auth`)
//!
//! See [`Cis2Auth::router`]. `GET /events` sends `event: ready` with `data: {}` when subscribed, then at most
//! one `event: session_ended` with `data: {"reason":"<reason>"}` where the reason is `signed_out`,
//! `backchannel_logout`, `idle_timeout` or `expired` ([`EndReason`]).

mod auth;
mod builder;
#[cfg(feature = "cis1")]
mod cis1;
mod clock;
mod error;
mod extract;
mod http_client;
mod keys;
mod refresh;
mod routes;
mod store;

pub use auth::{BINDING_COOKIE, Cis2Auth, SECURE_BINDING_COOKIE, SECURE_SESSION_COOKIE, SESSION_COOKIE};
pub use builder::{Cis2AuthBuilder, IssuerSource};
#[cfg(feature = "cis1")]
pub use cis1::{Cis1Settings, Cutover, CutoverRule};
pub use cis2_reqwest::HttpSettings;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{ApiError, Error};
pub use extract::{
    ActivityCodes, AuthRejection, Cis2Session, RequireAal3, RequireActivity, RequireLayer, RequireService,
    Requirement,
};
#[cfg(feature = "cis1")]
pub use store::Cis1Link;
pub use store::{
    EXPIRED_GRACE, EndReason, MemoryBackend, PendingLimits, RedisBackend, SessionBackend, SessionEvent,
    SessionRecord, SessionStore, SignInPath, StoreError,
};

pub use cis2_sdk;
pub use cis2_sdk::{Algorithm, Cis2User, Environment, IssuerUrl, LoginOptions, SigningKey, UnixTime};
