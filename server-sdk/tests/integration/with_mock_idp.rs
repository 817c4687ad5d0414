//! cis2-server against cis2-mock-idp running in-process: the RP signs in with private_key_jwt through the mock's
//! real sign-in pages (login form, role selection), and the mock's admin API ends sessions, removes smartcards,
//! rotates signing keys and takes the JWKS endpoint down.
//!
//! The mock runs on the real clock plus its admin offset; the RP runs on a `ManualClock` that starts at the mock's
//! time and is advanced together with the mock's offset (`MockIdpProvider::advance`), so cache max-ages and the
//! JWKS refetch cooldown can be crossed without sleeping.

use std::time::Duration;

use cis2_mock_idp::{
    AuthMethodName, Client, DEFAULT_PASSCODE, DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET, MockIdp, RunningMockIdp,
};
use cis2_server::{ManualClock, SessionStore};
use serde_json::{Value, json};

use crate::fake_op::{CLIENT_ID, key};
use crate::harness::{
    Browser, EventStream, Provider, RedisServer, Rp, RpOptions, location, no_store, post_logout_token,
};

/// cis2-mock-idp on 127.0.0.1:<ephemeral> with a temporary data directory.
pub struct MockIdpProvider {
    pub idp: RunningMockIdp,
    clock: ManualClock,
    admin: reqwest::Client,
    _data: tempfile::TempDir,
}

/// How the user signs in on the mock's login form.
#[derive(Clone, Copy, Debug)]
pub enum Method {
    /// Virtual smartcard and passcode (AAL3).
    Smartcard,
    /// Password and authenticator-app code (AAL2).
    Totp,
}

impl Provider for MockIdpProvider {
    fn issuer(&self) -> cis2_sdk::IssuerUrl {
        cis2_sdk::IssuerUrl::new(self.idp.issuer().to_owned()).unwrap()
    }

    fn clock(&self) -> ManualClock {
        self.clock.clone()
    }

    /// Registers the RP as a private_key_jwt client (first RP only): JWKS at `url`, redirect URI and back-channel
    /// logout URI on the same origin.
    fn register_rp_jwks(&self, url: String) {
        if self.idp.state().client(CLIENT_ID).is_some() {
            return;
        }
        let base = url.strip_suffix("/auth/jwks").expect("RP JWKS URL").to_owned();
        let mut c = Client::new(
            CLIENT_ID,
            vec![format!("{base}/auth/callback")],
            AuthMethodName::PrivateKeyJwt,
        );
        c.jwks_uri = Some(url);
        c.jwks_uri_signing_algorithm = "RS256".into();
        c.backchannel_logout_uri = Some(format!("{base}/auth/backchannel-logout"));
        c.post_logout_redirect_uris = vec![format!("{base}/")];
        self.idp.state().put_client(c).unwrap();
    }
}

/// `reference` resolved against `base` (the mock answers with realm-relative `Location`s).
pub fn resolve(base: &str, reference: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(reference)
        .unwrap()
        .to_string()
}

fn query_param(u: &str, name: &str) -> String {
    url::Url::parse(u)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} missing from {u}"))
}

impl MockIdpProvider {
    pub async fn start() -> MockIdpProvider {
        let data = tempfile::tempdir().unwrap();
        let idp = MockIdp::builder()
            .port(0)
            .data_dir(data.path())
            .signing_key(key("op1"))
            .backchannel_retries(1, Duration::from_millis(100))
            .start()
            .await
            .unwrap();
        let clock = ManualClock::new(idp.state().clock().now());
        MockIdpProvider {
            idp,
            clock,
            admin: reqwest::Client::new(),
            _data: data,
        }
    }

    /// The mock and one RP (memory store).
    pub async fn setup() -> (MockIdpProvider, Rp) {
        let p = MockIdpProvider::start().await;
        let rp = Rp::start(&p, RpOptions::default()).await;
        (p, rp)
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .admin
            .request(method, format!("{}{path}", self.idp.admin_url()));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        let (status, v) = self.admin(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        self.admin(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn admin_delete(&self, path: &str) -> (u16, Value) {
        self.admin(reqwest::Method::DELETE, path, None).await
    }

    /// Moves the mock's clock (admin API) and the RP's clock forward together.
    pub async fn advance(&self, secs: u64) {
        let (status, _) = self.admin_post("/clock/advance", json!({ "secs": secs })).await;
        assert_eq!(status, 200);
        self.clock.advance(Duration::from_secs(secs));
    }

    /// The mock's live SSO session of `uid` (the only one expected).
    pub async fn sid_of(&self, uid: &str) -> String {
        let sessions = self.admin_get("/sessions").await;
        let mine: Vec<&Value> = sessions
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["uid"] == uid)
            .collect();
        assert_eq!(mine.len(), 1, "sessions of {uid}: {sessions}");
        mine[0]["sid"].as_str().unwrap().to_owned()
    }

    /// Whether the mock still has a session with this sid.
    pub async fn has_sid(&self, sid: &str) -> bool {
        let sessions = self.admin_get("/sessions").await;
        sessions.as_array().unwrap().iter().any(|s| s["sid"] == sid)
    }

    /// The back-channel deliveries for `sid` once none is pending any more.
    pub async fn settled_deliveries(&self, sid: &str) -> Vec<Value> {
        for _ in 0..100 {
            let all = self.admin_get("/logout-deliveries").await;
            let mine: Vec<Value> = all
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["sid"] == sid)
                .cloned()
                .collect();
            if !mine.is_empty() && mine.iter().all(|d| d["outcome"] != "pending") {
                return mine;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no settled back-channel delivery for {sid}");
    }

    /// Arms a `slow` (1 ms) fault on the JWKS endpoint for `n` responses: its `remaining` counts the fetches.
    pub async fn arm_jwks_counter(&self, n: u32) -> Value {
        let (status, f) = self
            .admin_post(
                "/faults",
                json!({ "target": "jwks_endpoint", "fault": { "kind": "slow", "delay_ms": 1 }, "times": n }),
            )
            .await;
        assert_eq!(status, 201, "{f}");
        f["id"].clone()
    }

    /// How many responses the fault `id` still applies to (0 once it is used up and removed).
    pub async fn fault_remaining(&self, id: &Value) -> u64 {
        let faults = self.admin_get("/faults").await;
        faults
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == *id)
            .map_or(0, |f| f["remaining"].as_u64().unwrap())
    }

    /// Drives `browser` from an RP URL that starts a sign-in (`/auth/login…`, `/auth/change-role…`, a step-up
    /// URL) through the mock: authorize, the login form unless the SSO session is reused, role selection when
    /// the mock asks for it. Returns the RP's response to the callback.
    pub async fn sign_in(
        &self,
        browser: &Browser,
        start: &str,
        uid: &str,
        method: Method,
        role: Option<&str>,
    ) -> reqwest::Response {
        let resp = browser.get(start).await;
        assert_eq!(
            resp.status(),
            303,
            "RP login start: {}",
            resp.text().await.unwrap()
        );
        let authorize = resolve(start, &location(&resp));
        assert!(
            authorize.starts_with(&format!("{}/authorize?", self.idp.issuer())),
            "{authorize}"
        );
        let resp = browser.get(&authorize).await;
        assert_eq!(resp.status(), 302, "authorize: {}", resp.text().await.unwrap());
        let mut next = resolve(&authorize, &location(&resp));

        if next.contains("/login?interaction=") {
            let page = browser.get(&next).await;
            assert_eq!(page.status(), 200);
            let interaction = query_param(&next, "interaction");
            let now = self.idp.state().clock().now();
            let mut form = vec![
                ("interaction", interaction),
                ("uid", uid.to_owned()),
                ("action", "login".to_owned()),
            ];
            match method {
                Method::Smartcard => {
                    form.push(("method", "smartcard".into()));
                    form.push(("passcode", DEFAULT_PASSCODE.into()));
                }
                Method::Totp => {
                    form.push(("method", "totp".into()));
                    form.push(("password", DEFAULT_PASSWORD.into()));
                    form.push(("totp", cis2_mock_idp::totp(DEFAULT_TOTP_SECRET, now)));
                }
            }
            let resp = browser
                .http
                .post(format!("{}/login", self.idp.issuer()))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 302, "login form: {}", resp.text().await.unwrap());
            next = resolve(&next, &location(&resp));
        }

        if next.contains("/select-role?interaction=") {
            let role = role.expect("the mock asked for a role");
            let page = browser.get(&next).await;
            assert_eq!(page.status(), 200);
            let resp = browser
                .http
                .post(format!("{}/select-role", self.idp.issuer()))
                .form(&[
                    ("interaction", query_param(&next, "interaction").as_str()),
                    ("role", role),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 302, "select-role: {}", resp.text().await.unwrap());
            next = resolve(&next, &location(&resp));
        } else {
            assert!(role.is_none(), "the mock did not ask for a role: {next}");
        }

        assert!(
            next.contains("/auth/callback?") && next.contains("code="),
            "expected the RP callback with a code, got {next}"
        );
        browser.get(&next).await
    }

    /// A plain sign-in at the RP's `/auth/login` that must succeed; returns `/auth/session`.
    pub async fn login(&self, browser: &Browser, rp: &Rp, uid: &str, method: Method) -> Value {
        let start = format!("{}/auth/login?return_to=%2Fhome", rp.base);
        let resp = self.sign_in(browser, &start, uid, method, None).await;
        assert_eq!(resp.status(), 303, "callback: {}", resp.text().await.unwrap());
        assert_eq!(location(&resp), "/home");
        session(browser, &rp.base).await
    }
}

/// `GET /auth/session`.
pub async fn session(browser: &Browser, base: &str) -> Value {
    let resp = browser.api(&format!("{base}/auth/session")).await;
    assert_eq!(resp.status(), 200);
    assert!(no_store(&resp));
    resp.json().await.unwrap()
}

/// An API call: status and JSON body (`Null` when the body is not JSON).
pub async fn api_status(browser: &Browser, url: &str) -> (u16, Value) {
    let (status, text) = api_text(browser, url).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An API call: status and body text.
async fn api_text(browser: &Browser, url: &str) -> (u16, String) {
    let resp = browser.api(url).await;
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// Asserts nothing but keep-alives arrive on `stream` within `within`.
async fn assert_quiet(stream: &mut EventStream, within: Duration) {
    if let Some((name, data)) = stream.next(within).await {
        panic!("unexpected event {name}: {data}");
    }
}

async fn assert_ended_by_backchannel(stream: &mut EventStream) {
    let (name, data) = stream
        .next(Duration::from_secs(5))
        .await
        .expect("session_ended event");
    assert_eq!(name, "session_ended");
    assert_eq!(data, json!({ "reason": "backchannel_logout" }));
}

pub const GINA: &str = "656005750108"; // GP, AAL3 (smartcard, TOTP, …)
pub const CLARA: &str = "656005750107"; // clinical practitioner, AAL3
const ADAM: &str = "656005750104"; // admin/clinical support, AAL3
pub const MORGAN: &str = "555000000001"; // three roles

#[tokio::test]
async fn mock_full_login_with_private_key_jwt() {
    let (p, rp) = MockIdpProvider::setup().await;
    let browser = Browser::new();
    let start = format!("{}/auth/login?return_to=%2Fhome", rp.base);
    let resp = p.sign_in(&browser, &start, GINA, Method::Smartcard, None).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/home");
    assert!(no_store(&resp));
    let cookies = crate::harness::set_cookies(&resp);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("cis2_session=") && c.contains("HttpOnly")),
        "{cookies:?}"
    );

    let s = session(&browser, &rp.base).await;
    assert_eq!(s["authenticated"], true);
    assert_eq!(s["user"]["sub"], GINA);
    assert_eq!(s["user"]["aal"], 3);
    assert_eq!(s["user"]["acr"], "AAL3_ANY");
    assert_eq!(s["user"]["amr"], json!(["N3_SMARTCARD"]));
    assert_eq!(s["user"]["roles"][0]["person_roleid"], "656005754108");
    assert!(p.has_sid(&p.sid_of(GINA).await).await);
    assert!(s["session"].get("sid").is_none(), "page scripts get no sid: {s}");

    // The code was redeemed with a client assertion (private_key_jwt) and PKCE.
    let requests = p.admin_get("/requests").await;
    let token_requests: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["grant_type"] == "authorization_code")
        .collect();
    assert_eq!(token_requests.len(), 1, "{requests}");
    assert_eq!(token_requests[0]["client_id"], CLIENT_ID);
    assert_eq!(token_requests[0]["auth_method"], "private_key_jwt");
    assert!(token_requests[0]["assertion_jti"].is_string());
    assert!(token_requests[0]["code_verifier"].is_string());

    let (status, me) = api_status(&browser, &format!("{}/api/me", rp.base)).await;
    assert_eq!(status, 200);
    assert_eq!(me["sub"], GINA);
    assert_eq!(me["aal"], 3);
}

/// cis2-server configured with `client_secret_jwt` (an HS256 client assertion; issue #14 item 4) signs in at
/// the mock, which checks the assertion; the secret itself never travels.
#[tokio::test]
async fn mock_full_login_with_client_secret_jwt() {
    const SECRET: &str = "client-secret-jwt-for-the-kit-0123456789";
    let p = MockIdpProvider::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let mut c = Client::new(
        CLIENT_ID,
        vec![format!("{base}/auth/callback")],
        AuthMethodName::ClientSecretJwt,
    );
    c.client_secret = Some(SECRET.into());
    p.idp.state().put_client(c).unwrap();
    let auth = cis2_server::Cis2Auth::builder(p.issuer())
        .client_id(CLIENT_ID)
        .redirect_uri(format!("{base}/auth/callback"))
        .client_secret_jwt(SECRET)
        .clock(std::sync::Arc::new(p.clock()))
        .build()
        .await
        .unwrap();
    // No private_key_jwt keys to publish.
    assert_eq!(auth.jwks_document().unwrap(), json!({ "keys": [] }));
    let router = crate::harness::app(&auth);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let rp = Rp { base, auth };
    let browser = Browser::new();
    let s = p.login(&browser, &rp, GINA, Method::Smartcard).await;
    assert_eq!(s["authenticated"], true);
    assert_eq!(s["user"]["sub"], GINA);
    let requests = p.admin_get("/requests").await;
    let token = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["grant_type"] == "authorization_code")
        .unwrap();
    assert_eq!(token["auth_method"], "client_secret_jwt");
    assert!(token["assertion_jti"].is_string());
    // Both credentials at once is a configuration error.
    let both = cis2_server::Cis2Auth::builder(p.issuer())
        .client_id(CLIENT_ID)
        .redirect_uri("http://127.0.0.1:1/auth/callback")
        .client_secret_jwt(SECRET)
        .private_key_jwt(key("rp1"))
        .build()
        .await;
    assert!(both.is_err());
}

#[tokio::test]
async fn mock_role_selection_and_change_role() {
    let (p, rp) = MockIdpProvider::setup().await;
    let browser = Browser::new();
    let start = format!("{}/auth/login?select_role=true&return_to=%2Fhome", rp.base);
    let resp = p
        .sign_in(&browser, &start, MORGAN, Method::Smartcard, Some("555000000102"))
        .await;
    assert_eq!(resp.status(), 303);
    let s = session(&browser, &rp.base).await;
    assert_eq!(s["user"]["sub"], MORGAN);
    assert_eq!(s["user"]["roles"].as_array().unwrap().len(), 3);
    assert_eq!(s["user"]["selected_role"]["person_roleid"], "555000000102");
    assert_eq!(s["user"]["selected_organisation"]["org_code"], "RBA");

    // The nurse role lacks B0420: 403 with a change-role link.
    let (status, body) = api_status(&browser, &format!("{}/api/prescribe", rp.base)).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "insufficient_role");
    let change = body["change_role"].as_str().unwrap().to_owned();
    assert!(change.starts_with("/auth/change-role?"), "{change}");

    // Change role: prompt=login makes the mock show the login form again despite the SSO session.
    let resp = p
        .sign_in(
            &browser,
            &resolve(&rp.base, &change),
            MORGAN,
            Method::Smartcard,
            Some("555000000101"),
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/api/prescribe");
    let s = session(&browser, &rp.base).await;
    assert_eq!(s["user"]["selected_role"]["person_roleid"], "555000000101");
    assert_eq!(s["user"]["selected_organisation"]["org_code"], "X09");
    let (status, body) = api_text(&browser, &format!("{}/api/prescribe", rp.base)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, MORGAN);
    let (_, me) = api_status(&browser, &format!("{}/api/me", rp.base)).await;
    assert_eq!(me["selected_role"], "555000000101");
}

#[tokio::test]
async fn mock_aal3_step_up_from_aal2_session() {
    let p = MockIdpProvider::start().await;
    let rp = Rp::start(&p, RpOptions::aal2_floor()).await;
    let browser = Browser::new();
    let start = format!(
        "{}/auth/login?acr_values=AAL2_OR_AAL3_ANY&return_to=%2Fhome",
        rp.base
    );
    let resp = p.sign_in(&browser, &start, GINA, Method::Totp, None).await;
    assert_eq!(resp.status(), 303);
    let s = session(&browser, &rp.base).await;
    assert_eq!(s["user"]["aal"], 2);
    assert_eq!(s["user"]["acr"], "AAL2_OR_AAL3_ANY");
    assert_eq!(s["user"]["amr"], json!(["TOTP"]));
    let sid = p.sid_of(GINA).await;

    // An API call is refused with the step-up link; a navigation is redirected to it.
    let (status, body) = api_status(&browser, &format!("{}/api/aal3", rp.base)).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"], "insufficient_user_authentication");
    assert_eq!(body["acr_values"], "AAL3_ANY");
    let resp = browser.navigate(&format!("{}/api/aal3", rp.base)).await;
    assert_eq!(resp.status(), 303);
    let step_up = location(&resp);
    assert_eq!(step_up, body["step_up"].as_str().unwrap());
    assert!(step_up.contains("acr_values=AAL3_ANY") && step_up.contains("prompt=login"));

    let resp = p
        .sign_in(
            &browser,
            &resolve(&rp.base, &step_up),
            GINA,
            Method::Smartcard,
            None,
        )
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/api/aal3");
    let (status, body) = api_text(&browser, &format!("{}/api/aal3", rp.base)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, GINA);
    let s = session(&browser, &rp.base).await;
    assert_eq!(s["user"]["aal"], 3);
    assert_eq!(s["user"]["acr"], "AAL3_ANY");
    assert_eq!(s["user"]["amr"], json!(["N3_SMARTCARD"]));
    // Re-authentication of the same user in the same browser keeps the mock's session (and sid).
    assert_eq!(p.sid_of(GINA).await, sid);
}

#[tokio::test]
async fn mock_logout_local_and_end_session() {
    let (p, rp) = MockIdpProvider::setup().await;
    let browser = Browser::new();
    p.login(&browser, &rp, CLARA, Method::Smartcard).await;
    let sid = p.sid_of(CLARA).await;

    // Local logout: the RP session ends, the mock's SSO session stays.
    let resp = browser
        .http
        .post(format!("{}/auth/logout", rp.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({ "signed_out": true, "redirect": "/" }));
    assert_eq!(
        session(&browser, &rp.base).await,
        json!({ "authenticated": false })
    );
    assert_eq!(api_status(&browser, &format!("{}/api/me", rp.base)).await.0, 401);
    assert!(p.has_sid(&sid).await);

    // Signing in again reuses the mock's SSO session (no login form): same sid.
    let start = format!("{}/auth/login?return_to=%2Fhome", rp.base);
    let resp = p.sign_in(&browser, &start, CLARA, Method::Smartcard, None).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(session(&browser, &rp.base).await["authenticated"], true);
    assert_eq!(p.sid_of(CLARA).await, sid);

    // Logout with end_session: the RP sends the browser to the mock's endSession with id_token_hint.
    let resp = browser
        .http
        .post(format!("{}/auth/logout?end_session=true", rp.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["signed_out"], true);
    let redirect = body["redirect"].as_str().unwrap().to_owned();
    assert!(
        redirect.starts_with(&format!("{}/connect/endSession?", p.idp.issuer())),
        "{redirect}"
    );
    assert!(redirect.contains("id_token_hint="));
    assert_eq!(
        session(&browser, &rp.base).await,
        json!({ "authenticated": false })
    );
    let resp = browser.get(&redirect).await;
    assert!(resp.status().is_success(), "endSession: {}", resp.status());
    assert!(!p.has_sid(&sid).await, "the mock's session ended");

    // The mock tells the RP by back-channel (reason logout); the RP has nothing left to end and answers 200.
    let deliveries = p.settled_deliveries(&sid).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0]["reason"], "logout");
    assert_eq!(deliveries[0]["outcome"], "delivered");
    assert_eq!(
        deliveries[0]["uri"],
        format!("{}/auth/backchannel-logout", rp.base)
    );

    // A new sign-in needs the login form again.
    let resp = browser.get(&format!("{}/auth/login", rp.base)).await;
    let resp = browser.get(&location(&resp)).await;
    assert!(location(&resp).contains("/login?interaction="));
}

#[tokio::test]
async fn mock_backchannel_logout_ends_exactly_the_right_sessions() {
    let (p, rp) = MockIdpProvider::setup().await;
    let (one, two, three) = (Browser::new(), Browser::new(), Browser::new());
    p.login(&one, &rp, GINA, Method::Smartcard).await;
    let sid1 = p.sid_of(GINA).await;
    p.login(&two, &rp, MORGAN, Method::Smartcard).await;
    let sid2 = p.sid_of(MORGAN).await;
    // The same user as `one` in another browser: another mock session, another sid.
    p.login(&three, &rp, GINA, Method::Smartcard).await;
    let sessions = p.admin_get("/sessions").await;
    let gina: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["uid"] == GINA)
        .collect();
    assert_eq!(gina.len(), 2, "{sessions}");
    assert_ne!(sid1, sid2);

    let mut e1 = EventStream::open(&one, &rp.base).await;
    let mut e2 = EventStream::open(&two, &rp.base).await;
    let mut e3 = EventStream::open(&three, &rp.base).await;

    let (status, ended) = p.admin_delete(&format!("/sessions/{sid1}")).await;
    assert_eq!(status, 200);
    assert_eq!(ended["sid"], sid1.as_str());

    assert_ended_by_backchannel(&mut e1).await;
    assert_eq!(
        session(&one, &rp.base).await,
        json!({ "authenticated": false, "reason": "backchannel_logout" })
    );
    let (status, body) = api_status(&one, &format!("{}/api/me", rp.base)).await;
    assert_eq!(status, 401);
    assert_eq!(body["reason"], "backchannel_logout");

    assert_quiet(&mut e2, Duration::from_millis(500)).await;
    assert_quiet(&mut e3, Duration::from_millis(100)).await;
    assert_eq!(session(&two, &rp.base).await["user"]["sub"], MORGAN);
    assert_eq!(session(&three, &rp.base).await["user"]["sub"], GINA);
    assert_eq!(api_status(&two, &format!("{}/api/me", rp.base)).await.0, 200);
    assert_eq!(api_status(&three, &format!("{}/api/me", rp.base)).await.0, 200);

    let deliveries = p.settled_deliveries(&sid1).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["reason"], "admin");
    assert_eq!(deliveries[0]["sub"], GINA);
    assert_eq!(deliveries[0]["outcome"], "delivered");
    assert_eq!(deliveries[0]["attempts"][0]["status"], 200);
}

#[tokio::test]
async fn mock_card_removal_reaches_the_rp() {
    let (p, rp) = MockIdpProvider::setup().await;
    let (one, two) = (Browser::new(), Browser::new());
    p.login(&one, &rp, CLARA, Method::Smartcard).await;
    p.login(&two, &rp, ADAM, Method::Smartcard).await;
    let sid1 = p.sid_of(CLARA).await;

    let cards = p.admin_get("/cards").await;
    assert_eq!(cards["mode"], "identity_agent");
    let serial = cards["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["uid"] == CLARA)
        .expect("Clara's card")["serial"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut e1 = EventStream::open(&one, &rp.base).await;
    let mut e2 = EventStream::open(&two, &rp.base).await;
    let (status, removed) = p.admin_post(&format!("/cards/{serial}/remove"), json!({})).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["ended_sessions"], json!([sid1]));

    assert_ended_by_backchannel(&mut e1).await;
    assert_eq!(
        session(&one, &rp.base).await,
        json!({ "authenticated": false, "reason": "backchannel_logout" })
    );
    assert_quiet(&mut e2, Duration::from_millis(300)).await;
    assert_eq!(session(&two, &rp.base).await["user"]["sub"], ADAM);

    let deliveries = p.settled_deliveries(&sid1).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["reason"], "smartcard_removed");
    assert_eq!(deliveries[0]["outcome"], "delivered");
}

#[tokio::test]
async fn mock_signing_key_rotation_mid_session() {
    let (p, rp) = MockIdpProvider::setup().await;
    let one = Browser::new();
    p.login(&one, &rp, GINA, Method::Smartcard).await; // the RP fetches the JWKS (old key only)
    let old_kids = p.idp.state().published_kids();
    assert_eq!(old_kids.len(), 1);

    let counter = p.arm_jwks_counter(10).await;
    let (status, keys) = p
        .admin_post(
            "/keys/rotate",
            json!({ "private_key_pem": include_str!("keys/op2.pem") }),
        )
        .await;
    assert_eq!(status, 200, "{keys}");
    let kids = p.idp.state().published_kids();
    assert_eq!(kids.len(), 2, "new key active, old one in its grace period");
    assert_ne!(kids[0], old_kids[0]);
    assert_eq!(kids[1], old_kids[0]);

    // The existing session is unaffected.
    assert_eq!(api_status(&one, &format!("{}/api/me", rp.base)).await.0, 200);

    // Right after the first fetch (CS-06: keys rotated just after start-up), the unknown kid still gets its
    // one refetch: misses have their own cooldown, an ordinary fetch does not use it up.
    let two = Browser::new();
    let start = format!("{}/auth/login", rp.base);
    let resp = p.sign_in(&two, &start, ADAM, Method::Smartcard, None).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(session(&two, &rp.base).await["user"]["sub"], ADAM);
    assert_eq!(p.fault_remaining(&counter).await, 9, "one JWKS refetch");

    // The refreshed keys are cached: another sign-in and a logout token signed with the new key need no fetch.
    let three = Browser::new();
    let s3 = p.login(&three, &rp, CLARA, Method::Smartcard).await;
    assert_eq!(s3["user"]["sub"], CLARA);
    let sid1 = p.sid_of(GINA).await;
    let mut e1 = EventStream::open(&one, &rp.base).await;
    let (status, _) = p.admin_delete(&format!("/sessions/{sid1}")).await;
    assert_eq!(status, 200);
    assert_ended_by_backchannel(&mut e1).await;
    assert_eq!(p.settled_deliveries(&sid1).await[0]["outcome"], "delivered");
    assert_eq!(p.fault_remaining(&counter).await, 9, "still one JWKS refetch");
}

#[tokio::test]
async fn mock_jwks_outage_keeps_validating_with_warm_cache() {
    let (p, rp) = MockIdpProvider::setup().await;
    let one = Browser::new();
    p.login(&one, &rp, GINA, Method::Smartcard).await; // warms the RP's JWKS cache

    let (status, outage) = p
        .admin_post(
            "/faults",
            json!({ "target": "jwks_endpoint", "fault": { "kind": "status", "status": 500 }, "times": 0 }),
        )
        .await;
    assert_eq!(status, 201, "{outage}");
    let counter = p.arm_jwks_counter(50).await;
    let jwks = reqwest::get(format!("{}/connect/jwk_uri", p.idp.issuer()))
        .await
        .unwrap();
    assert_eq!(jwks.status(), 500, "the JWKS endpoint is down");
    assert_eq!(p.fault_remaining(&counter).await, 49);

    // Past the cache's max age (5 min): the RP tries to refresh, fails, and keeps the last good keys.
    p.advance(6 * 60).await;
    let two = Browser::new();
    let s2 = p.login(&two, &rp, MORGAN, Method::Smartcard).await;
    assert_eq!(s2["authenticated"], true);
    assert_eq!(s2["user"]["sub"], MORGAN);
    let mut tried = false;
    for _ in 0..50 {
        if p.fault_remaining(&counter).await < 49 {
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(tried, "the RP tried to refresh the JWKS during the outage");

    // Logout tokens still validate during the outage.
    let sid1 = p.sid_of(GINA).await;
    let mut e1 = EventStream::open(&one, &rp.base).await;
    let (status, _) = p.admin_delete(&format!("/sessions/{sid1}")).await;
    assert_eq!(status, 200);
    assert_ended_by_backchannel(&mut e1).await;
    let deliveries = p.settled_deliveries(&sid1).await;
    assert_eq!(deliveries[0]["outcome"], "delivered");
    assert_eq!(session(&two, &rp.base).await["authenticated"], true);
}

#[tokio::test]
async fn mock_two_rp_instances_share_redis_for_backchannel_logout() {
    let redis = RedisServer::start().await;
    let p = MockIdpProvider::start().await;
    let a = Rp::start(
        &p,
        RpOptions {
            store: SessionStore::redis(&redis.url).await.unwrap(),
            ..Default::default()
        },
    )
    .await;
    let b = Rp::start(
        &p,
        RpOptions {
            store: SessionStore::redis(&redis.url).await.unwrap(),
            redirect_uri: Some(format!("{}/auth/callback", a.base)),
            ..Default::default()
        },
    )
    .await;
    // The mock delivers logout tokens to instance B.
    let b_backchannel = format!("{}/auth/backchannel-logout", b.base);
    let mut client = p.idp.state().client(CLIENT_ID).unwrap();
    client.backchannel_logout_uri = Some(b_backchannel.clone());
    p.idp.state().put_client(client).unwrap();

    let browser = Browser::new();
    p.login(&browser, &a, GINA, Method::Smartcard).await;
    let sid = p.sid_of(GINA).await;
    // Cookies are per host: the same browser reaches B with its session.
    assert_eq!(api_status(&browser, &format!("{}/api/me", b.base)).await.0, 200);
    let mut stream_on_a = EventStream::open(&browser, &a.base).await;

    let (status, _) = p.admin_delete(&format!("/sessions/{sid}")).await;
    assert_eq!(status, 200);
    assert_ended_by_backchannel(&mut stream_on_a).await;
    let (status, body) = api_status(&browser, &format!("{}/api/me", a.base)).await;
    assert_eq!(status, 401);
    assert_eq!(body["reason"], "backchannel_logout");
    assert_eq!(api_status(&browser, &format!("{}/api/me", b.base)).await.0, 401);

    let deliveries = p.settled_deliveries(&sid).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["uri"], b_backchannel);
    assert_eq!(deliveries[0]["outcome"], "delivered");
    // The admin API redacts logout tokens; the test reads the delivered one in process.
    let delivered = p.idp.state().deliveries();
    let token = delivered
        .iter()
        .find(|d| d.sid == sid)
        .map(|d| d.logout_token.as_str())
        .unwrap();

    // Replaying the delivered token to the other instance: the jti is already in the shared store.
    let resp = post_logout_token(&a.base, token).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{body}"
    );
}

/// Issue #10: a refused sign-in tells the caller a stable code and a correlation id, never the check that failed
/// (the expected issuer, the user ids); provider faults are 502, not 400.
#[tokio::test]
async fn mock_refusals_are_generic_and_provider_faults_are_502() {
    let (p, rp) = MockIdpProvider::setup().await;
    let start = format!("{}/auth/login?return_to=%2Fhome", rp.base);
    let cases = [
        (
            json!({ "target": "id_token", "fault": { "kind": "wrong_iss" } }),
            400,
            "login_failed",
        ),
        (
            json!({ "target": "token_endpoint", "fault": { "kind": "status", "status": 500 } }),
            502,
            "temporarily_unavailable",
        ),
        (
            json!({ "target": "userinfo_endpoint", "fault": { "kind": "status", "status": 503 } }),
            502,
            "temporarily_unavailable",
        ),
    ];
    for (fault, status, error) in cases {
        let (armed, f) = p.admin_post("/faults", fault.clone()).await;
        assert_eq!(armed, 201, "{f}");
        let resp = p
            .sign_in(&Browser::new(), &start, GINA, Method::Smartcard, None)
            .await;
        assert_eq!(resp.status(), status, "{fault}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], error, "{body}");
        let id = body["correlation_id"].as_str().unwrap();
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains(id), "{body}");
        for secret in [p.idp.issuer(), GINA, "/wrong"] {
            assert!(!description.contains(secret), "{secret} leaked: {body}");
        }
        p.admin_delete("/faults").await;
    }
}

/// Issue #10: a JWKS endpoint that hangs stalled the callback for the 10 s request timeout (and then let the
/// sign-in through late); discovery and JWKS now have their own shorter timeout (3 s by default), and the hang
/// is reported as a provider fault.
#[tokio::test]
async fn mock_a_hanging_jwks_endpoint_is_a_502_not_a_long_stall() {
    let (p, rp) = MockIdpProvider::setup().await;
    let (armed, f) = p
        .admin_post(
            "/faults",
            json!({ "target": "jwks_endpoint", "fault": { "kind": "slow", "delay_ms": 8000 }, "times": 0 }),
        )
        .await;
    assert_eq!(armed, 201, "{f}");
    let start = format!("{}/auth/login?return_to=%2Fhome", rp.base);
    let resp = p
        .sign_in(&Browser::new(), &start, GINA, Method::Smartcard, None)
        .await;
    assert_eq!(resp.status(), 502);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    p.admin_delete("/faults").await;
}
