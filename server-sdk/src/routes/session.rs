//! `GET /session`: the signed-in user as JSON for the browser SDK (never a token), in the contract's shape
//! ([`cis2_sdk::bff::SessionView`]).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use cis2_sdk::RoleSelection;
use cis2_sdk::bff::{SessionTimes, SessionUserView, SessionView};
use http::HeaderMap;

use crate::auth::Cis2Auth;
use crate::auth::SessionLookup;
use crate::error::ApiError;
use crate::routes::wire::no_store;
use crate::store::SessionRecord;

/// The view of a live session: the user and the session's times.
pub(crate) fn session_view(auth: &Cis2Auth, rec: &SessionRecord) -> SessionView {
    let s = &auth.0.settings;
    let mut user = SessionUserView::new(rec.sub.clone());
    user.name = rec.user.name().map(str::to_owned);
    user.roles = rec.user.roles().to_vec();
    user.organisations = rec.user.organisations().to_vec();
    if let RoleSelection::Selected { role, organisation } = rec.user.selected_role() {
        user.selected_role = Some(role.clone());
        user.selected_organisation = organisation.cloned();
    }
    user.aal = rec.aal;
    user.id_assurance_level = rec.user.id_assurance_level();
    user.acr.clone_from(&rec.acr);
    user.amr.clone_from(&rec.user.id_token.amr);
    let mut times = SessionTimes::default();
    times.auth_time = rec.auth_time;
    times.created_at = Some(rec.created);
    times.last_seen = Some(rec.last_seen);
    times.expires_at = Some(rec.absolute_deadline);
    times.idle_expires_at = Some(rec.last_seen.saturating_add(s.idle_timeout));
    times.idle_timeout_secs = Some(s.idle_timeout.as_secs());
    times.absolute_timeout_secs = Some(s.absolute_timeout.as_secs());
    SessionView::active(user, times)
}

/// Reading the session is not user activity (a browser SDK may poll it): it applies the timeouts but does not
/// extend the idle window.
pub(crate) async fn session(State(auth): State<Cis2Auth>, headers: HeaderMap) -> Response {
    let view = match auth.lookup_session(&headers, false).await {
        Ok(SessionLookup::Active(rec)) => session_view(&auth, &rec),
        Ok(SessionLookup::Ended(reason)) => SessionView::anonymous(Some(reason)),
        Ok(SessionLookup::Missing) => SessionView::anonymous(None),
        Err(e) => return ApiError::unavailable(&e).into_response(),
    };
    ([no_store()], axum::Json(view)).into_response()
}
