//! RP instances on loopback ports, browsers with cookie jars, SSE readers, a real redis-server.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::routing::get;
use cis2_server::{
    ActivityCodes, Cis2Auth, Cis2AuthBuilder, Cis2Session, ManualClock, RequireAal3, RequireActivity,
    SessionStore,
};
use serde_json::{Value, json};

use crate::fake_op::{CLIENT_ID, FakeOp, key};

pub struct Prescribe;
impl ActivityCodes for Prescribe {
    const CODES: &'static [&'static str] = &["B0420"];
}

/// What the RP harness needs from a provider. The in-test `FakeOp` implements it; cis2-mock-idp can too, so
/// swapping providers changes only `setup()`.
pub trait Provider {
    /// The issuer the RP is configured with.
    fn issuer(&self) -> cis2_sdk::IssuerUrl;
    /// The clock shared by the provider and the RP.
    fn clock(&self) -> ManualClock;
    /// Tells the provider where the RP publishes its JWKS (private_key_jwt), if it has no URL yet.
    fn register_rp_jwks(&self, url: String);
}

impl Provider for FakeOp {
    fn issuer(&self) -> cis2_sdk::IssuerUrl {
        FakeOp::issuer(self)
    }

    fn clock(&self) -> ManualClock {
        self.0.clock.clone()
    }

    fn register_rp_jwks(&self, url: String) {
        let unset = self.0.rp_jwks_url.lock().unwrap().is_none();
        if unset {
            self.set_rp_jwks(url);
        }
    }
}

/// One RP instance serving a small app with the kit nested at `/auth`.
pub struct Rp {
    pub base: String,
    pub auth: Cis2Auth,
}

async fn me(s: Cis2Session) -> Json<Value> {
    let role = match s.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, .. } => Some(role.person_roleid.clone()),
        _ => None,
    };
    let org = match s.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, .. } => Some(role.org_code.clone()),
        _ => None,
    };
    let roles: Vec<Value> = s
        .roles()
        .iter()
        .map(|r| json!([r.person_roleid, r.role_code, r.org_code, r.activity_codes]))
        .collect();
    Json(json!({
        "sub": s.sub(), "aal": s.aal(), "selected_role": role, "sid": s.record().sid, "path": s.path().as_str(),
        "org": org, "roles": roles, "name": s.user().name(), "has_access_token": s.access_token().is_some(),
    }))
}

pub fn app(auth: &Cis2Auth) -> Router {
    Router::new()
        .route("/api/me", get(me))
        .route(
            "/api/aal3",
            get(|RequireAal3(s): RequireAal3| async move { s.sub().to_owned() }),
        )
        .route(
            "/api/prescribe",
            get(|s: Cis2Session| async move { s.sub().to_owned() }).layer(auth.require_activity(["B0420"])),
        )
        .route(
            "/api/prescribe-typed",
            get(|_: RequireActivity<Prescribe>| async { "ok" }),
        )
        .nest("/auth", auth.router())
        .with_state(auth.clone())
}

pub struct RpOptions {
    pub store: SessionStore,
    /// Use this redirect URI instead of the instance's own (instances behind one public origin).
    pub redirect_uri: Option<String>,
    pub configure: Box<dyn FnOnce(Cis2AuthBuilder) -> Cis2AuthBuilder + Send>,
}

impl Default for RpOptions {
    fn default() -> Self {
        Self {
            store: SessionStore::memory(),
            redirect_uri: None,
            configure: Box::new(|b| b),
        }
    }
}

impl RpOptions {
    /// An RP whose configured floor is AAL2 (`AAL2_OR_AAL3_ANY`), so pages may ask for AAL2 or AAL3 sign-ins.
    pub fn aal2_floor() -> Self {
        Self {
            configure: Box::new(|b| {
                b.login_options(cis2_sdk::LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]))
            }),
            ..Self::default()
        }
    }
}

impl Rp {
    pub async fn start(op: &impl Provider, opts: RpOptions) -> Rp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let redirect = opts
            .redirect_uri
            .unwrap_or_else(|| format!("{base}/auth/callback"));
        let builder = Cis2Auth::builder(op.issuer())
            .client_id(CLIENT_ID)
            .redirect_uri(redirect)
            .private_key_jwt(key("rp1"))
            .session_store(opts.store)
            .clock(Arc::new(op.clock()))
            .events_check_interval(Duration::from_millis(100));
        let auth = (opts.configure)(builder).build().await.unwrap();
        let router = app(&auth);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        op.register_rp_jwks(format!("{base}/auth/jwks"));
        Rp { base, auth }
    }
}

/// A provider plus one RP on a shared manual clock.
pub async fn setup() -> (FakeOp, Rp) {
    let op = FakeOp::start(ManualClock::starting_now()).await;
    let rp = Rp::start(&op, RpOptions::default()).await;
    (op, rp)
}

/// A browser: its own cookie jar, no redirect following.
#[derive(Clone)]
pub struct Browser {
    pub http: reqwest::Client,
}

pub struct LoginResult {
    /// The callback response (303 to the return path on success).
    pub response: reqwest::Response,
    /// The callback URL the provider sent the browser to.
    pub callback_url: String,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }

    pub async fn api(&self, url: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
    }

    pub async fn navigate(&self, url: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header("accept", "text/html")
            .header("sec-fetch-mode", "navigate")
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap()
    }

    /// GET /auth/login?query; returns the provider authorize URL.
    pub async fn start_login(&self, rp: &Rp, query: &str) -> String {
        let resp = self.get(&format!("{}/auth/login?{query}", rp.base)).await;
        assert_eq!(resp.status(), 303, "login: {}", resp.text().await.unwrap());
        location(&resp)
    }

    /// Follows the authorize URL at the provider; returns the callback URL.
    pub async fn authorize(&self, authorize_url: &str) -> String {
        let resp = self.get(authorize_url).await;
        assert_eq!(resp.status(), 302);
        location(&resp)
    }

    pub async fn login_with(&self, rp: &Rp, query: &str) -> LoginResult {
        let authorize = self.start_login(rp, query).await;
        let callback_url = self.authorize(&authorize).await;
        let response = self.get(&callback_url).await;
        LoginResult {
            response,
            callback_url,
        }
    }

    /// A full sign-in that must succeed.
    pub async fn login(&self, rp: &Rp) -> LoginResult {
        let r = self.login_with(rp, "return_to=%2Fhome").await;
        assert_eq!(r.response.status(), 303, "callback failed");
        r
    }
}

pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

pub fn no_store(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"))
}

/// POSTs a logout token as CIS2 does.
pub async fn post_logout_token(base: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/auth/backchannel-logout"))
        .form(&[("logout_token", token), ("extra", "ignored")])
        .send()
        .await
        .unwrap()
}

/// Reads an SSE stream event by event.
pub struct EventStream {
    resp: reqwest::Response,
    buf: String,
}

impl EventStream {
    /// Opens `/auth/events` and waits for `ready`.
    pub async fn open(browser: &Browser, base: &str) -> EventStream {
        let resp = browser.api(&format!("{base}/auth/events")).await;
        assert_eq!(resp.status(), 200);
        let mut s = EventStream {
            resp,
            buf: String::new(),
        };
        let (name, _) = s.next(Duration::from_secs(5)).await.expect("ready event");
        assert_eq!(name, "ready");
        s
    }

    /// The next `(event, data)`, skipping keep-alive comments.
    pub async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        tokio::time::timeout(within, async {
            loop {
                if let Some(i) = self.buf.find("\n\n") {
                    let block: String = self.buf.drain(..i + 2).collect();
                    let mut name = String::from("message");
                    let mut data = String::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            name = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim());
                        }
                    }
                    if data.is_empty() && name == "message" {
                        continue;
                    }
                    return Some((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
                }
                match self.resp.chunk().await.ok()? {
                    Some(c) => self.buf.push_str(&String::from_utf8_lossy(&c)),
                    None => return None,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }
}

/// A real redis-server on a free port, killed on drop. Missing redis-server fails the test.
pub struct RedisServer {
    child: std::process::Child,
    pub url: String,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server is required for the multi-instance tests (apt-get install redis-server): {e}")
            });
        let server = RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {port}");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
