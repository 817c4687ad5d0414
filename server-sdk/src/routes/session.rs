//! `GET /session`: the signed-in user as JSON for the browser SDK (never a token).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde_json::json;

use crate::auth::SessionLookup;
use crate::routes::no_store;
use crate::store::SessionRecord;
use crate::{ApiError, Cis2Auth};

/// The JSON the browser SDK reads for a live session (`docs/src/bff-protocol.md`): the user and the session's
/// times, never a token.
pub(crate) fn session_json(auth: &Cis2Auth, rec: &SessionRecord) -> serde_json::Value {
    let s = &auth.0.settings;
    let (selected_role, selected_organisation) = match rec.user.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, organisation } => (json!(role), json!(organisation)),
        _ => (serde_json::Value::Null, serde_json::Value::Null),
    };
    json!({
        "authenticated": true,
        "user": {
            "sub": rec.sub,
            "name": rec.user.name(),
            "roles": rec.user.roles(),
            "organisations": rec.user.organisations(),
            "selected_role": selected_role,
            "selected_organisation": selected_organisation,
            "aal": rec.aal,
            "id_assurance_level": rec.user.id_assurance_level(),
            "acr": rec.acr,
            "amr": rec.user.id_token.amr,
        },
        "session": {
            "sid": rec.sid,
            "auth_time": rec.auth_time,
            "created_at": rec.created,
            "last_seen": rec.last_seen,
            "expires_at": rec.absolute_deadline,
            "idle_expires_at": rec.last_seen.saturating_add(s.idle_timeout),
            "idle_timeout_secs": s.idle_timeout.as_secs(),
            "absolute_timeout_secs": s.absolute_timeout.as_secs(),
        },
    })
}

/// Reading the session is not user activity (a browser SDK may poll it): it applies the timeouts but does not
/// extend the idle window.
pub(crate) async fn session(State(auth): State<Cis2Auth>, headers: HeaderMap) -> Response {
    let body = match auth.lookup_session(&headers, false).await {
        Ok(SessionLookup::Active(rec)) => session_json(&auth, &rec),
        Ok(SessionLookup::Ended(reason)) => json!({ "authenticated": false, "reason": reason.as_str() }),
        Ok(SessionLookup::Missing) => json!({ "authenticated": false }),
        Err(e) => return ApiError::unavailable(&e).into_response(),
    };
    ([no_store()], axum::Json(body)).into_response()
}
