//! Endpoint faults (`slow`, `status`) for the token, userinfo, JWKS and discovery endpoints.

use crate::errors::oauth_json;
use crate::faults::{Fault, Target};
use crate::state::{AppState, lock};

/// Applies `slow` / `status` faults armed for an endpoint: sleeps, and returns the 5xx response to send
/// instead of the real one, if any. `uid`: the user of the code or access token, when known.
pub(crate) async fn endpoint_fault(
    st: &AppState,
    client_id: Option<&str>,
    uid: Option<&str>,
    target: Target,
) -> Option<axum::response::Response> {
    let armed = lock(&st.0.faults).take(client_id, uid, target);
    let mut out = None;
    for f in armed {
        match f {
            Fault::Slow { delay_ms } => tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await,
            Fault::Status { status } => {
                let status = axum::http::StatusCode::from_u16(status)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
                let code = if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
                    cis2_sdk::OAuthErrorCode::TemporarilyUnavailable
                } else {
                    cis2_sdk::OAuthErrorCode::ServerError
                };
                out = Some(oauth_json(status, code, "injected fault"));
            }
            _ => {}
        }
    }
    out
}
