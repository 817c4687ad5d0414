//! WebAuthn: security keys, Windows Hello and passkeys through real ceremonies, verified with `webauthn-rs`
//! (wire types from `webauthn-rs-proto`). Credentials are registered on the "manage authenticators" page
//! (after signing in another way) and stored in SQLite; the login page signs in with them.
//!
//! * RP ID: the issuer's host (`[webauthn] rp_id` overrides it). WebAuthn refuses IP addresses as RP IDs, so
//!   browsers need an issuer on a name such as `localhost`.
//! * Allowed origins: the issuer's origin, plus `[webauthn] origins`. No subdomains, no other ports. The
//!   ceremony endpoints answer credentialed CORS for `[webauthn] origins` (see [`crate::http::cors`]), so a page
//!   on one of them can run the ceremonies against the mock directly.
//! * Ceremony state stays on the server, keyed by a random id, single use, and expires after
//!   `[webauthn] ceremony_timeout_secs` (default 300 s) on the mock's clock (WA-R02, WA-A04, REL-21).
//! * User verification is required in every ceremony (credProtect asks for UV as well).
//! * Assurance (cis2.md §9.1, §9.3 \[I\]): a security key or Windows Hello signs in as
//!   [`AuthMethod::Fido2`] (AAL3, `amr ["FIDO2"]`, satisfies `AAL3_FIDO2`); a passkey as
//!   [`AuthMethod::Passkey`] (AAL2, `amr ["PASSKEY"]`).
//!
//! [`AuthMethod::Fido2`]: crate::authenticators::AuthMethod::Fido2
//! [`AuthMethod::Passkey`]: crate::authenticators::AuthMethod::Passkey

mod login;
mod manage;
mod register;
mod reply;
mod rp;
pub(crate) mod storage;

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::http::cors::{Policy, allowed_origin, respond};
use crate::state::AppState;

/// Cross-origin callers get `POST` only; no Private Network Access (the issuer is no more private than they).
const CORS: Policy = Policy {
    methods: "POST, OPTIONS",
    private_network: false,
};

/// CORS for `[webauthn] origins` (exact matches); the issuer's own origin is same-origin and needs none.
async fn cors(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let extra = &st.0.config.webauthn.origins;
    let origin = allowed_origin(&req, |o| extra.iter().any(|x| x == o));
    respond(req, next, origin, CORS).await
}

/// The ceremony endpoints (`{realm}/webauthn/{register,login}/{start,finish}`), with CORS.
pub(crate) fn ceremony_routes(st: &AppState, realm: &str) -> Router<AppState> {
    let r = |p: &str| format!("{realm}/webauthn{p}");
    Router::new()
        .route(&r("/register/start"), post(register::register_start))
        .route(&r("/register/finish"), post(register::register_finish))
        .route(&r("/login/start"), post(login::login_start))
        .route(&r("/login/finish"), post(login::login_finish))
        .layer(axum::extract::DefaultBodyLimit::max(reply::CEREMONY_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
}

/// The pages: the refusal page and the manage-authenticators page.
pub(crate) fn page_routes(realm: &str) -> Router<AppState> {
    let r = |p: &str| format!("{realm}{p}");
    Router::new()
        .route(&r("/webauthn/refused"), get(login::refused))
        .route(&r("/manage-authenticators"), get(manage::manage_get))
        .route(&r("/manage-authenticators/delete"), post(manage::manage_delete))
}
