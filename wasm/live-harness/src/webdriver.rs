//! A WebDriver proxy in front of chromedriver, which the wasm-bindgen-test runner uses as
//! `CHROMEDRIVER_REMOTE`. It forwards every command unchanged except one: the runner's navigation to its own
//! server (`http://127.0.0.1:<runner port>/…`) goes to the RP's origin instead (`http://localhost:<rp port>/…`),
//! which serves the same page. It also remembers the session id, so tests can ask for a virtual authenticator
//! (the WebDriver WebAuthn extension) through the RP's `/harness` routes.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::forward::{MAX_BODY, bad_gateway, send};

/// The running chromedriver and the proxy's shared state.
#[derive(Debug)]
pub(crate) struct Driver {
    /// The proxy's URL, for `CHROMEDRIVER_REMOTE`.
    pub(crate) proxy_url: String,
    pub(crate) handle: DriverHandle,
    _child: Child,
}

/// What the RP needs to send commands to the runner's browser session.
#[derive(Clone, Debug)]
pub(crate) struct DriverHandle {
    driver_url: String,
    session: Arc<Mutex<Option<String>>>,
    /// The virtual authenticator the last `add_virtual_authenticator` made; held across the replace.
    authenticator: Arc<tokio::sync::Mutex<Option<String>>>,
    http: reqwest::Client,
}

#[derive(Clone, Debug)]
struct ProxyState {
    handle: DriverHandle,
    /// `(from, to)`: navigation URL prefix rewrite.
    rewrite: (String, String),
}

/// Starts chromedriver on a free port and the proxy on another; navigations to `runner_origin` are sent to
/// `rp_origin`.
pub(crate) async fn start(
    chromedriver: &str,
    runner_origin: String,
    rp_origin: String,
) -> Result<Driver, Box<dyn std::error::Error>> {
    let port = crate::free_port()?;
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {chromedriver}: {e}"))?;
    let driver_url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if http.get(format!("{driver_url}/status")).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !ready {
        return Err(format!("{chromedriver} did not answer on {driver_url} within 10 s").into());
    }
    let handle = DriverHandle {
        driver_url,
        session: Arc::default(),
        authenticator: Arc::default(),
        http,
    };
    let state = ProxyState {
        handle: handle.clone(),
        rewrite: (runner_origin, rp_origin),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let proxy_url = format!("http://{}", listener.local_addr()?);
    let app = Router::new().fallback(proxy).with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Driver {
        proxy_url,
        handle,
        _child: child,
    })
}

/// `POST /session/{id}/url`.
fn is_navigation(method: &Method, path: &str) -> bool {
    method == Method::POST
        && path
            .strip_prefix("/session/")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, tail)| tail == "url")
}

async fn proxy(State(st): State<ProxyState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let pq = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return bad_gateway("request body", &e),
    };
    if is_navigation(&parts.method, &path) {
        body = rewrite_url(&body, &st.rewrite.0, &st.rewrite.1);
    }
    let url = format!("{}{pq}", st.handle.driver_url);
    let answer = match send(&st.handle.http, parts.method.clone(), &url, &parts.headers, body).await {
        Ok(a) => a,
        Err(e) => return bad_gateway(&url, &e),
    };
    if parts.method == Method::POST && path == "/session" {
        // W3C answers `{"value": {"sessionId"}}`; chromedriver's legacy dialect `{"sessionId", "value"}`.
        let id = serde_json::from_slice::<Value>(&answer.body).ok().and_then(|v| {
            v["value"]["sessionId"]
                .as_str()
                .or_else(|| v["sessionId"].as_str())
                .map(str::to_owned)
        });
        if let Ok(mut s) = st.handle.session.lock() {
            *s = id;
        }
    }
    answer.into_response()
}

/// `{"url": "<from>…"}` → `{"url": "<to>…"}`; anything else unchanged.
fn rewrite_url(body: &Bytes, from: &str, to: &str) -> Bytes {
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return body.clone();
    };
    let Some(rest) = v["url"]
        .as_str()
        .and_then(|u| u.strip_prefix(from))
        .map(str::to_owned)
    else {
        return body.clone();
    };
    v["url"] = Value::String(format!("{to}{rest}"));
    Bytes::from(v.to_string())
}

impl DriverHandle {
    /// Replaces the session's virtual authenticator with a fresh CTAP2 one (USB security key with a PIN-style
    /// user verification that always succeeds, resident keys allowed). Exactly one is kept: with two, Chromium
    /// sends `get()` to both and may take the answer of the one without the credential (`NotAllowedError`).
    /// Answers chromedriver's reply to the add.
    pub(crate) async fn add_virtual_authenticator(&self) -> Response {
        let session = self.session.lock().ok().and_then(|s| s.clone());
        let Some(session) = session else {
            return (
                StatusCode::CONFLICT,
                axum::Json(json!({"error": "no_session", "error_description": "no WebDriver session yet"})),
            )
                .into_response();
        };
        let base = format!("{}/session/{session}/webauthn/authenticator", self.driver_url);
        let mut current = self.authenticator.lock().await;
        if let Some(id) = current.take() {
            let url = format!("{base}/{id}");
            if let Err(e) = self.http.delete(&url).send().await {
                return bad_gateway(&url, &e);
            }
        }
        let options = json!({
            "protocol": "ctap2",
            "transport": "usb",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
            "isUserConsenting": true,
        });
        let request = self
            .http
            .post(&base)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(options.to_string());
        match request.send().await {
            Ok(r) => {
                let status = r.status();
                let v: Value = r
                    .bytes()
                    .await
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or(Value::Null);
                *current = v["value"].as_str().map(str::to_owned);
                (status, axum::Json(v)).into_response()
            }
            Err(e) => bad_gateway(&base, &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_runner_navigation_is_rewritten() {
        let body = Bytes::from(r#"{"url":"http://127.0.0.1:4000/#wbg_style=x"}"#);
        let out = rewrite_url(&body, "http://127.0.0.1:4000", "http://localhost:5000");
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["url"], "http://localhost:5000/#wbg_style=x");
        let other = Bytes::from(r#"{"url":"http://example.test/"}"#);
        assert_eq!(
            rewrite_url(&other, "http://127.0.0.1:4000", "http://localhost:5000"),
            other
        );
        assert!(is_navigation(&Method::POST, "/session/abc/url"));
        assert!(!is_navigation(&Method::GET, "/session/abc/url"));
        assert!(!is_navigation(&Method::POST, "/session/abc/execute/sync"));
    }
}
