//! The sign-in journey: the login page, credential checks, ACR enforcement, the SSO session, role selection
//! and the code redirect. `/authorize` hands over to it; the WebAuthn room finishes through it.

pub(crate) mod flow;
mod login;
pub(crate) mod pages;
mod role;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use crate::http::FORM_BODY_LIMIT;
use crate::state::AppState;

/// `{realm}/login` and `{realm}/select-role`.
pub(crate) fn routes(realm: &str) -> Router<AppState> {
    let r = |p: &str| format!("{realm}{p}");
    Router::new()
        .route(&r("/login"), get(login::login_get).post(login::login_post))
        .route(&r("/select-role"), get(role::role_get).post(role::role_post))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
}
