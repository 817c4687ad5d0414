//! The Connection Manager API (cis2.md §15.2), beside the admin API: `POST /api/auth` with
//! `Authorization: SecretAuth <secret>` answers a short-lived bearer token and the caller's team ids;
//! `GET`/`POST /api/configs/{team_id}` and `GET`/`PUT /api/configs/{team_id}/{config_id}?hash=` list, create,
//! read and update client configurations. Configurations are the mock's own client registrations
//! ([`crate::clients::Client`]), so a client created here can sign in at once. Shapes CIS2 does not document
//! (status codes, error bodies, `config_id`, the hash) are \[I\] in `mock-idp/docs/connection-manager.md`.

mod auth;
mod configs;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// `/api/auth` and `/api/configs/…`, unless `[connection_manager] enabled = false`.
pub(crate) fn routes(st: &AppState) -> Router<AppState> {
    if !st.config().connection_manager.enabled {
        return Router::new();
    }
    Router::new()
        .route("/api/auth", post(auth::auth))
        .route("/api/configs/{team_id}", get(configs::list).post(configs::create))
        .route(
            "/api/configs/{team_id}/{config_id}",
            get(configs::get_one).put(configs::update),
        )
}
