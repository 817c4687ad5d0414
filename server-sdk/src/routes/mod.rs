//! The router the app nests (e.g. at `/auth`).

use axum::Router;
use axum::routing::{any, get};
use cis2_sdk::bff::routes;
use http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::Cis2Auth;

pub(crate) mod backchannel;
pub(crate) mod callback;
#[cfg(feature = "cis1")]
mod cis1;
mod error_page;
pub(crate) mod events;
pub(crate) mod jwks;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod session;
mod wire;

impl Cis2Auth {
    /// The kit's routes, to nest at the builder's `mount_path` (default `/auth`):
    ///
    /// | Route | Purpose |
    /// |---|---|
    /// | `GET /login` | start a sign-in (`return_to`, `acr_values`, `prompt`, `max_age`, `select_role`, `login_hint`) |
    /// | `GET /change-role` | sign in again with CIS2 role selection (`selectedrole` + `prompt=login`) |
    /// | `GET /step-up` | sign in again at AAL3 (`acr_values=AAL3_ANY`, `prompt=login`) |
    /// | `GET /callback` | the registered redirect URI |
    /// | `POST /logout`, `GET /logout` | sign out (GET only from same-origin navigations) |
    /// | `POST /backchannel-logout` | CIS2 back-channel logout |
    /// | `GET /session` | the session as JSON for the browser SDK |
    /// | `GET /events` | server-sent events: `session_ended` with a reason |
    /// | `GET /jwks` | the RP's public keys (private_key_jwt) |
    /// | `GET`/`POST /cis1` | dual-run: sign in with a CIS1 ticket (`ticket`, `return_to`; feature `cis1`, when configured) |
    ///
    /// The returned router has its state applied, so it nests into an app with any state `S`.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let no_store =
            SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        let router = Router::new()
            .route(routes::LOGIN, get(login::login))
            .route(routes::CHANGE_ROLE, get(login::change_role))
            .route(routes::STEP_UP, get(login::step_up))
            .route(routes::CALLBACK, get(callback::callback).layer(no_store.clone()))
            .route(routes::LOGOUT, get(logout::logout_get).post(logout::logout_post))
            .route(
                routes::BACKCHANNEL_LOGOUT,
                any(backchannel::backchannel_logout).layer(no_store),
            )
            .route(routes::SESSION, get(session::session))
            .route(routes::EVENTS, get(events::events))
            .route(routes::JWKS, get(jwks::jwks));
        #[cfg(feature = "cis1")]
        let router = if self.0.cis1.is_some() {
            router.route(routes::CIS1, get(cis1::cis1_get).post(cis1::cis1_post))
        } else {
            router
        };
        router.with_state(self.clone())
    }
}
