//! The relying party the live suite signs in to: `cis2-server`'s routes at `/auth`, a few `/harness` routes
//! the tests use to steer the mock IdP and the browser, and everything else forwarded to the
//! wasm-bindgen-test runner, so the test page and the backend share one origin.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use cis2_server::Cis2Auth;
use serde_json::json;
use tower_http::services::ServeDir;

use crate::forward::{bad_gateway, forward};
use crate::webdriver::DriverHandle;

/// Everything the `/harness` routes need.
#[derive(Clone, Debug)]
pub(crate) struct Harness {
    pub(crate) rp_origin: String,
    pub(crate) runner_origin: String,
    pub(crate) issuer: String,
    pub(crate) admin_url: String,
    pub(crate) client_id: String,
    pub(crate) bridge_ports: Vec<u16>,
    pub(crate) cm_port: Option<u16>,
    /// Ports nothing listens on (free a moment ago), for "no bridge" discovery.
    pub(crate) closed_ports: Vec<u16>,
    pub(crate) driver: DriverHandle,
    pub(crate) http: reqwest::Client,
    /// The RP's clock (`PUT /harness/rp-clock`).
    pub(crate) clock: cis2_mock_idp::OffsetClock,
}

/// The second tab: the built `cis2-browser` package, one client, its session and the reasons it heard.
const TAB_HTML: &str = include_str!("tab.html");

pub(crate) fn app(auth: Cis2Auth, harness: Harness, pkg_dir: PathBuf) -> Router {
    let admin = Router::new().fallback(admin_relay).with_state(harness.clone());
    Router::new()
        .route("/harness/config", get(config))
        .route("/harness/interaction", get(interaction))
        .route("/harness/virtual-authenticator", post(virtual_authenticator))
        .route("/harness/rp-clock", put(set_rp_clock))
        .route("/harness/tab.html", get(|| async { Html(TAB_HTML) }))
        .nest_service("/harness/pkg", ServeDir::new(pkg_dir))
        .nest("/harness/admin", admin)
        .fallback(runner)
        .with_state(harness)
        .nest("/auth", auth.router())
}

/// `GET /harness/config`: where things are.
async fn config(State(h): State<Harness>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({
            "rpOrigin": h.rp_origin,
            "issuer": h.issuer,
            "clientId": h.client_id,
            "bridgePorts": h.bridge_ports,
            "cmPort": h.cm_port,
            "closedPorts": h.closed_ports,
        })),
    )
        .into_response()
}

/// `/harness/admin/*` → the mock's `/admin/api/*` (the admin API has no CORS; the page calls it here).
async fn admin_relay(State(h): State<Harness>, req: Request) -> Response {
    forward(&h.http, &h.admin_url, req).await
}

/// Everything else → the wasm-bindgen-test runner's server.
async fn runner(State(h): State<Harness>, req: Request) -> Response {
    forward(&h.http, &h.runner_origin, req).await
}

/// `POST /harness/virtual-authenticator`: a virtual security key in the test page's browser session.
async fn virtual_authenticator(State(h): State<Harness>) -> Response {
    h.driver.add_virtual_authenticator().await
}

/// `PUT /harness/rp-clock` `{"offsetSecs": n}`: the RP's clock runs `n` seconds ahead of real time (behind when
/// negative) from now on; 0 puts it back. Answers `{"offsetSecs", "now"}`.
async fn set_rp_clock(State(h): State<Harness>, body: Bytes) -> Response {
    let offset = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["offsetSecs"].as_i64());
    let Some(offset) = offset else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": "invalid_request",
                "error_description": "expected {\"offsetSecs\": <integer>}",
            })),
        )
            .into_response();
    };
    h.clock.set_offset(offset);
    axum::Json(json!({ "offsetSecs": offset, "now": h.clock.now().as_secs() })).into_response()
}

/// `GET /harness/interaction?acr=…`: starts a sign-in at the mock server-side (as a browser would, without the
/// cookie) and answers the interaction id from the login-page redirect, for WebAuthn assertion ceremonies
/// (`{realm}/webauthn/login/start` needs one).
async fn interaction(State(h): State<Harness>, Query(q): Query<HashMap<String, String>>) -> Response {
    let authorize = format!("{}/authorize", h.issuer);
    let Ok(mut url) = url::Url::parse(&authorize) else {
        return bad_gateway("authorize URL", &authorize);
    };
    url.query_pairs_mut()
        .append_pair("client_id", &h.client_id)
        .append_pair("redirect_uri", &format!("{}/auth/callback", h.rp_origin))
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "live-harness")
        .append_pair("nonce", "live-harness")
        .append_pair("acr_values", q.get("acr").map_or("AAL3_ANY", String::as_str));
    let no_redirects = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => return bad_gateway("HTTP client", &e),
    };
    let resp = match no_redirects.get(url.as_str()).send().await {
        Ok(r) => r,
        Err(e) => return bad_gateway(url.as_str(), &e),
    };
    let id = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| url.join(l).ok())
        .and_then(|l| {
            l.query_pairs()
                .find(|(k, _)| k == "interaction")
                .map(|(_, v)| v.into_owned())
        });
    match id {
        Some(id) => axum::Json(json!({ "interaction": id })).into_response(),
        None => (
            StatusCode::BAD_GATEWAY,
            axum::Json(json!({
                "error": "no_interaction",
                "error_description": format!("authorize answered {} without a login redirect", resp.status()),
            })),
        )
            .into_response(),
    }
}
