//! The emulated NHS Port Service: `GET /PRS/ConnectPRService` and `GET /PRS/GetPortNumber`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::control::service_name;
use super::cors::cors;
use crate::state::{AppState, BridgeState, lock};

/// `PR20002`: the port redirection service is unavailable.
pub(crate) const FAULT_PRS_UNAVAILABLE: &str = "PR20002";
/// `PR30007`: Credential Management is not running for this user.
pub(crate) const FAULT_CM_NOT_RUNNING: &str = "PR30007";

/// The Port Service surface, for `oneshot` tests or embedding.
pub(crate) fn port_service_router(st: AppState) -> Router {
    Router::new()
        .route("/PRS/ConnectPRService", get(connect_pr_service))
        .route("/PRS/GetPortNumber", get(get_port_number))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
        .with_state(st)
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn connect_pr_service(State(st): State<AppState>) -> Response {
    let mode = lock(&st.0.cards).mode();
    no_store(
        axum::Json(json!({
            "statusCode": "200",
            "service": service_name(mode),
            "version": env!("CARGO_PKG_VERSION"),
        }))
        .into_response(),
    )
}

fn fault(code: &str, message: &str) -> Response {
    no_store(
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"faultException": {"code": code, "message": message}})),
        )
            .into_response(),
    )
}

async fn get_port_number(State(st): State<AppState>) -> Response {
    match (st.bridge_state(), st.bridge_cm_addr()) {
        (BridgeState::Ok, Some(cm)) => {
            no_store(axum::Json(json!({"portData": {"portNumber": cm.port()}})).into_response())
        }
        (BridgeState::Unavailable, _) => {
            fault(FAULT_PRS_UNAVAILABLE, "Port redirection service is unavailable")
        }
        (BridgeState::Ok | BridgeState::CmNotRunning, _) => {
            fault(FAULT_CM_NOT_RUNNING, "Unable to find the CM process for the user")
        }
    }
}
