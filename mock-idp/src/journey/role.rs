//! Role selection (`{realm}/select-role`): when the client asked for `selectedrole` and the user has several.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::flow::{expired, interaction, issue_code, role_path};
use super::pages::role_page;
use crate::ct::same;
use crate::http::session_cookie;
use crate::pages::error_page;
use crate::state::{AppState, lock};
use crate::users::User;

/// `GET /select-role?interaction=…`.
pub(crate) async fn role_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = q.get("interaction").map(String::as_str).unwrap_or("");
    match role_context(&st, &headers, id) {
        Ok(user) => role_page(&role_path(), id, &user),
        Err(resp) => resp,
    }
}

/// The signed-in user of an interaction, for the browser that signed in: the request must carry the SSO
/// cookie of the interaction's session (the interaction id alone, seen in a URL or a log, is not enough).
fn role_context(st: &AppState, headers: &HeaderMap, id: &str) -> Result<User, Response> {
    let i = interaction(st, id).ok_or_else(expired)?;
    let Some(bound) = i.session_cookie.as_deref() else {
        return Err(expired());
    };
    let presented = session_cookie::get(headers);
    if !presented.as_deref().is_some_and(|c| same(c, bound)) {
        return Err(other_browser());
    }
    let now = st.0.clock.now();
    let uid = {
        let sessions = lock(&st.0.sessions);
        sessions.by_cookie(bound, now).map(|s| s.uid.clone())
    };
    uid.and_then(|u| st.user(&u)).ok_or_else(expired)
}

fn other_browser() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Sign-in belongs to another browser",
        "This sign-in was started in another browser. Start again from the service.",
    )
}

/// `POST /select-role` with `interaction` and `role`.
pub(crate) async fn role_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let id = f.get("interaction").map(String::as_str).unwrap_or("");
    let user = match role_context(&st, &headers, id) {
        Ok(user) => user,
        Err(resp) => return resp,
    };
    let role = f.get("role").map(String::as_str).unwrap_or("");
    if user.role(role).is_none() {
        let mut resp = role_page(&role_path(), id, &user);
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        return resp;
    }
    issue_code(&st, id, Some(role.to_owned()))
}
