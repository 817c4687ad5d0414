//! The OpenID provider's protocol endpoints: discovery and JWKS, `/authorize` (which hands over to the
//! sign-in journey), the token and userinfo endpoints, revocation and introspection, RP-initiated logout,
//! and the claims they issue.

mod authorize;
mod claims;
mod client_auth;
pub(crate) mod discovery;
mod end_session;
mod endpoint_fault;
mod introspection;
mod observe;
mod token;
mod userinfo;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::http::FORM_BODY_LIMIT;
use crate::state::AppState;

/// The protocol routes (under the CIS2 realm path, plus the index page at `/`).
pub(crate) fn routes(realm: &str) -> Router<AppState> {
    let r = |p: &str| format!("{realm}{p}");
    Router::new()
        .route("/", get(discovery::index))
        .route(&r("/.well-known/openid-configuration"), get(discovery::discovery))
        .route(&r("/connect/jwk_uri"), get(discovery::jwks))
        .route(
            &r("/authorize"),
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(&r("/access_token"), post(token::token))
        .route(&r("/userinfo"), get(userinfo::userinfo).post(userinfo::userinfo))
        .route(&r("/introspect"), post(introspection::introspect))
        .route(&r("/token/revoke"), post(introspection::revoke))
        .route(
            &r("/connect/endSession"),
            get(end_session::end_session_get).post(end_session::end_session_post),
        )
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
}
