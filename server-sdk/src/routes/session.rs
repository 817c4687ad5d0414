//! `GET /session`: the signed-in user as JSON for the browser SDK (never a token).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde_json::json;

use crate::auth::SessionLookup;
use crate::routes::no_store;
use crate::store::SessionRecord;
use crate::{ApiError, Cis2Auth};

/// The JSON the browser SDK reads for a live session.
pub(crate) fn session_json(auth: &Cis2Auth, rec: &SessionRecord) -> serde_json::Value {
    let s = &auth.0.settings;
    let selected = match rec.user.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, organisation } => json!({
            "person_roleid": role.person_roleid,
            "role_code": role.role_code,
            "role_name": role.role_name,
            "org_code": role.org_code,
            "org_name": organisation.map(|o| o.org_name.clone()),
            "activity_codes": role.activity_codes,
        }),
        _ => serde_json::Value::Null,
    };
    json!({
        "authenticated": true,
        "sub": rec.sub,
        "sid": rec.sid,
        "name": rec.user.name(),
        "acr": rec.acr,
        "aal": rec.aal,
        "auth_time": rec.auth_time,
        "created": rec.created,
        "last_seen": rec.last_seen,
        "idle_expires_at": rec.last_seen.saturating_add(s.idle_timeout),
        "absolute_expires_at": rec.absolute_deadline,
        "selected_role": selected,
        "roles": rec.user.roles(),
        "organisations": rec.user.organisations(),
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
