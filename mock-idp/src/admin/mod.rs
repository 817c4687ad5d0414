//! The admin API (JSON over HTTP, scriptable; the conformance suite drives it) and a small admin page.
//! Shapes are documented in `mock-idp/docs/admin-api.md`; errors are [`AdminError`]s. Every admin request
//! goes through [`guard`] first (`Host`, cross-origin, token, `Content-Type`).
//!
//! [`AdminError`]: crate::errors::AdminError

mod devices;
mod directory;
mod guard;
mod json;
mod page;
mod redact;
mod runtime;
mod sessions;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::errors::AdminError;
use crate::state::AppState;

/// The admin page (`/admin`) and API (`/admin/api/*`), behind [`guard::guard`].
pub(crate) fn routes(st: &AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(page::admin_page))
        .nest("/admin/api", api())
        .layer(axum::middleware::from_fn_with_state(st.clone(), guard::guard))
}

/// The admin API routes (mounted at `/admin/api`).
fn api() -> Router<AppState> {
    Router::new()
        .route("/users", get(directory::list_users).post(directory::create_user))
        .route(
            "/users/{uid}",
            get(directory::get_user)
                .put(directory::put_user)
                .delete(directory::delete_user),
        )
        .route("/users/{uid}/roles", post(directory::add_role))
        .route("/users/{uid}/roles/{roleid}", delete(directory::delete_role))
        .route(
            "/users/{uid}/webauthn-credentials",
            get(devices::list_credentials).delete(devices::delete_credentials),
        )
        .route(
            "/users/{uid}/webauthn-credentials/{credential_id}",
            delete(devices::delete_credential),
        )
        .route(
            "/clients",
            get(directory::list_clients).post(directory::create_client),
        )
        .route(
            "/clients/{id}",
            get(directory::get_client)
                .put(directory::put_client)
                .delete(directory::delete_client),
        )
        .route(
            "/sessions",
            get(sessions::list_sessions).delete(sessions::end_all_sessions),
        )
        .route("/sessions/{sid}", delete(sessions::end_one_session))
        .route(
            "/logout-deliveries",
            get(sessions::list_deliveries).delete(sessions::clear_deliveries),
        )
        .route("/logout-tokens", post(sessions::mint_logout_token))
        .route(
            "/observed",
            get(sessions::list_observed).delete(sessions::clear_observed),
        )
        .route(
            "/requests",
            get(sessions::list_requests).delete(sessions::clear_requests),
        )
        .route("/stats", get(sessions::stats))
        .route(
            "/auto-login",
            get(sessions::get_auto_login)
                .put(sessions::put_auto_login)
                .delete(sessions::delete_auto_login),
        )
        .route("/cards", get(devices::list_cards).post(devices::create_card))
        .route("/cards/{serial}", get(devices::get_card).put(devices::put_card))
        .route("/cards/{serial}/insert", post(devices::insert_card))
        .route("/cards/{serial}/remove", post(devices::remove_card))
        .route(
            "/card-mode",
            get(devices::get_card_mode).put(devices::put_card_mode),
        )
        .route(
            "/cis1/sessions",
            get(devices::list_cis1_sessions).delete(devices::end_cis1_session),
        )
        .route("/bridge", get(devices::get_bridge).put(devices::put_bridge))
        .route("/keys", get(runtime::list_keys))
        .route("/keys/rotate", post(runtime::rotate_keys))
        .route("/clock", get(runtime::get_clock).put(runtime::put_clock))
        .route("/clock/advance", post(runtime::advance_clock))
        .route(
            "/faults",
            get(runtime::list_faults)
                .post(runtime::inject_fault)
                .delete(runtime::clear_faults),
        )
        .route("/faults/{id}", delete(runtime::delete_fault))
        .route("/config", get(runtime::get_config))
        .route("/acr", get(runtime::get_acr).put(runtime::put_acr))
        .route(
            "/discovery",
            get(runtime::get_discovery)
                .put(runtime::put_discovery)
                .delete(runtime::reset_discovery),
        )
        .fallback(not_found)
}

/// JSON 404 for unknown admin routes.
async fn not_found() -> AdminError {
    AdminError::NotFound("admin route")
}
