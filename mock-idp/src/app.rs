//! The mock's HTTP surface put together from its rooms, and the start-up banner.

use axum::Router;
use axum::routing::get;

use crate::oidc::discovery::endpoint_list;
use crate::state::AppState;
use crate::users::{DEFAULT_PASSCODE, DEFAULT_PASSWORD};
use crate::{admin, assets, journey, oidc, webauthn};

/// The mock's HTTP surface, for `oneshot` tests or embedding.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(oidc::routes())
        .merge(journey::routes())
        .merge(webauthn::ceremony_routes(&state))
        .merge(webauthn::page_routes())
        .route("/assets/{*path}", get(assets::serve))
        .route("/admin", get(admin::page::admin_page))
        .nest("/admin/api", admin::routes())
        .with_state(state)
}

/// The start-up banner: issuer, endpoints, admin URL and test users, for the binary and logs.
pub fn banner(state: &AppState, base_url: &str) -> String {
    let mut s = format!("cis2-mock-idp\n  issuer:        {}\n", state.issuer());
    for (name, url) in endpoint_list(state) {
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
