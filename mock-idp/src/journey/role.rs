//! Role selection (`{realm}/select-role`): when the client asked for `selectedrole` and the user has several.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::flow::{expired, interaction, issue_code, role_path};
use super::pages::role_page;
use crate::state::{AppState, lock};
use crate::users::User;

/// `GET /select-role?interaction=…`.
pub(crate) async fn role_get(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = q.get("interaction").map(String::as_str).unwrap_or("");
    match role_context(&st, id) {
        Some(user) => role_page(&role_path(), id, &user),
        None => expired(),
    }
}

fn role_context(st: &AppState, id: &str) -> Option<User> {
    let i = interaction(st, id)?;
    let now = st.0.clock.now();
    let uid = {
        let sessions = lock(&st.0.sessions);
        i.session_cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .map(|s| s.uid.clone())?
    };
    st.user(&uid)
}

/// `POST /select-role` with `interaction` and `role`.
pub(crate) async fn role_post(
    State(st): State<AppState>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let id = f.get("interaction").map(String::as_str).unwrap_or("");
    let Some(user) = role_context(&st, id) else {
        return expired();
    };
    let role = f.get("role").map(String::as_str).unwrap_or("");
    if user.role(role).is_none() {
        let mut resp = role_page(&role_path(), id, &user);
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        return resp;
    }
    issue_code(&st, id, Some(role.to_owned()))
}
