//! The bridge listeners' CORS (see [`crate::http::cors`]).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::bridge::origin_listed;
use crate::http::cors::{Policy, allowed_origin, respond};
use crate::state::AppState;

/// The bridge's CORS (cis2.md §12.3): `GET` only, with Private Network Access preflights.
const CORS: Policy = Policy {
    methods: "GET, OPTIONS",
    private_network: true,
};

/// CORS for `bridge.allowed_origins` only (see [`crate::http::cors`]).
pub(crate) async fn cors(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let listed = st.bridge_allowed_origins();
    let origin = allowed_origin(&req, |o| origin_listed(&listed, o));
    respond(req, next, origin, CORS).await
}
