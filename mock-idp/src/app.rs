//! The mock's HTTP surface put together from its rooms, and the start-up banner.

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;

use crate::config::Config;
use crate::oidc::discovery::endpoint_list;
use crate::state::AppState;
use crate::users::{DEFAULT_PASSCODE, DEFAULT_PASSWORD};
use crate::{admin, assets, cis1, connection_manager, journey, oidc, webauthn};

/// The mock's HTTP surface, for `oneshot` tests or embedding. The protocol endpoints and sign-in pages are
/// served under the issuer's path (its realm), whatever it is.
pub fn router(state: AppState) -> Router {
    let realm = state.realm_path().to_owned();
    Router::new()
        .merge(oidc::routes(&realm))
        .merge(journey::routes(&realm))
        .merge(cis1::routes(&state))
        .merge(webauthn::ceremony_routes(&state, &realm))
        .merge(webauthn::page_routes(&realm))
        .route("/assets/{*path}", get(assets::serve))
        .merge(admin::routes(&state))
        .merge(connection_manager::routes(&state))
        .layer(axum::middleware::from_fn_with_state(state.clone(), in_realm))
        .with_state(state)
}

/// Runs each request with the instance's realm as `realm::current` (for the URLs handlers write).
async fn in_realm(State(st): State<AppState>, req: Request, next: Next) -> Response {
    crate::realm::scope(st.0.realm.clone(), next.run(req)).await
}

/// The start-up banner: issuer, endpoints, admin URL and test users, for the binary and logs.
pub fn banner(state: &AppState, base_url: &str) -> String {
    let mut s = format!("cis2-mock-idp\n  issuer:        {}\n", state.issuer());
    for (name, url) in endpoint_list(state) {
        s.push_str(&format!("  {name:<14} {url}\n"));
    }
    let token = if state.config().admin.token().is_some() {
        "; bearer token required"
    } else {
        ""
    };
    s.push_str(&format!(
        "  admin:         {base_url}/admin  (API: {base_url}/admin/api{token})\n"
    ));
    if let Some(w) = admin_exposure_warning(state.config()) {
        s.push_str(&format!("\n  {w}\n"));
    }
    s.push_str(&format!(
        "\n  test users (password {DEFAULT_PASSWORD:?}, passcode {DEFAULT_PASSCODE:?}):\n"
    ));
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

/// The warning for a mock that binds a non-loopback address while its admin API has no token (anyone who can
/// reach the socket can then read every secret and change anything), or `None`.
pub(crate) fn admin_exposure_warning(config: &Config) -> Option<String> {
    if config.bind.is_loopback() || config.admin.token().is_some() {
        return None;
    }
    Some(format!(
        "WARNING: cis2-mock-idp binds {} (not loopback) and its admin API has no token: anyone who can reach \
         it can read the users' passwords and the clients' secrets, rotate the signing key and sign in as \
         anyone. Set CIS2_MOCK_ADMIN_TOKEN (or [admin] token), or bind 127.0.0.1.",
        config.bind
    ))
}
