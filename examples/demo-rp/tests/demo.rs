//! The demo relying party and cis2-mock-idp, both in-process, driven over plain HTTP (a cookie jar, no
//! redirects followed): the demo registers itself at the mock (private_key_jwt, jwks_uri = its /auth/jwks),
//! a smartcard login lands on `/` showing the user, and `/sensitive` after an AAL2 (TOTP) login steps up.

// Helpers outside #[test] fns are test code too (clippy.toml's allow-*-in-tests covers only the fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cis2_mock_idp::{DEFAULT_PASSCODE, DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET, MockIdp, RunningMockIdp};
use example_demo_rp::{Config, app};

const GINA: &str = "656005750108"; // GP: smartcard, TOTP, …; role profile 656005754108

struct Setup {
    idp: RunningMockIdp,
    demo: String,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_with(&[]).await
}

/// `extra`: more environment settings for the demo.
async fn setup_with(extra: &[(&str, String)]) -> Setup {
    let data = tempfile::tempdir().unwrap();
    let idp = MockIdp::builder()
        .port(0)
        .data_dir(data.path().join("mock"))
        .start()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let env = [
        ("CIS2_ISSUER", idp.issuer().to_owned()),
        ("CIS2_MOCK_ADMIN_URL", idp.admin_url()),
        ("DEMO_PUBLIC_URL", format!("http://127.0.0.1:{port}")),
        ("DEMO_DATA_DIR", data.path().join("demo").display().to_string()),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .into_iter()
    .chain(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let config = Config::load(None, env).unwrap();
    let router = app(&config, port).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Setup {
        idp,
        demo: format!("http://127.0.0.1:{port}"),
        http,
        _data: data,
    }
}

fn location(resp: &reqwest::Response, base: &str) -> String {
    let loc = resp
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location on {}", resp.status()))
        .to_str()
        .unwrap();
    url::Url::parse(base).unwrap().join(loc).unwrap().to_string()
}

fn query_param(u: &str, name: &str) -> String {
    url::Url::parse(u)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} missing from {u}"))
}

#[derive(Clone, Copy)]
enum Method {
    Smartcard,
    Totp,
}

impl Setup {
    /// A browser navigation (what the kit's extractors redirect rather than answer with JSON).
    async fn navigate(&self, url: &str) -> reqwest::Response {
        self.http
            .get(url)
            .header("sec-fetch-mode", "navigate")
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
    }

    /// From a demo URL that starts a sign-in, through the mock's login form, to the demo's callback answer.
    async fn sign_in(&self, start: &str, method: Method) -> reqwest::Response {
        let resp = self.navigate(start).await;
        assert_eq!(resp.status(), 303, "demo login start");
        let authorize = location(&resp, start);
        assert!(
            authorize.starts_with(&format!("{}/authorize?", self.idp.issuer())),
            "{authorize}"
        );

        let resp = self.navigate(&authorize).await;
        assert_eq!(resp.status(), 302, "authorize: {}", resp.text().await.unwrap());
        let login = location(&resp, &authorize);
        assert!(login.contains("/login?interaction="), "{login}");
        let page = self.navigate(&login).await;
        assert_eq!(page.status(), 200);

        let mut form = vec![
            ("interaction", query_param(&login, "interaction")),
            ("uid", GINA.to_owned()),
            ("action", "login".to_owned()),
        ];
        match method {
            Method::Smartcard => {
                form.push(("method", "smartcard".into()));
                form.push(("passcode", DEFAULT_PASSCODE.into()));
            }
            Method::Totp => {
                let now = self.idp.state().clock().now();
                form.push(("method", "totp".into()));
                form.push(("password", DEFAULT_PASSWORD.into()));
                form.push(("totp", cis2_mock_idp::totp(DEFAULT_TOTP_SECRET, now)));
            }
        }
        let resp = self
            .http
            .post(format!("{}/login", self.idp.issuer()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302, "login form: {}", resp.text().await.unwrap());
        let callback = location(&resp, &login);
        assert!(
            callback.starts_with(&format!("{}/auth/callback?", self.demo)),
            "{callback}"
        );
        self.navigate(&callback).await
    }
}

#[tokio::test]
async fn demo_registers_at_the_mock_and_a_smartcard_login_shows_the_user() {
    let s = setup().await;

    // The demo registered itself: private_key_jwt, its own JWKS, back-channel logout to itself.
    let client = s
        .idp
        .state()
        .client(example_demo_rp::DEMO_CLIENT_ID)
        .expect("the demo registered its client");
    let client = serde_json::to_value(client).unwrap();
    assert_eq!(client["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(client["jwks_uri"], format!("{}/auth/jwks", s.demo));
    assert_eq!(
        client["backchannel_logout_uri"],
        format!("{}/auth/backchannel-logout", s.demo)
    );

    // Signed out: the NHS.UK page offers "Log in with Care Identity".
    let home = s.navigate(&format!("{}/", s.demo)).await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("Log in with Care Identity"), "{html}");
    assert!(html.contains("id=\"sign-in\""));
    // With the package built (wasm/pkg), the page loads the SDK script and /pkg/ serves the module.
    let pkg_built = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../wasm/pkg/cis2_browser.js")
        .is_file();
    assert_eq!(html.contains("src=\"/static/app.js\""), pkg_built, "{html}");
    if pkg_built {
        let js = s
            .http
            .get(format!("{}/pkg/cis2_browser.js", s.demo))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), 200);
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
    }

    // The API refuses without a session (JSON 401).
    let me = s.http.get(format!("{}/api/me", s.demo)).send().await.unwrap();
    assert_eq!(me.status(), 401);

    // Smartcard login.
    let resp = s
        .sign_in(
            &format!("{}/auth/login?acr_values=AAL3_ANY&return_to=%2F", s.demo),
            Method::Smartcard,
        )
        .await;
    assert_eq!(resp.status(), 303, "callback: {}", resp.text().await.unwrap());
    assert_eq!(location(&resp, &s.demo), format!("{}/", s.demo));

    let html = s.navigate(&format!("{}/", s.demo)).await.text().await.unwrap();
    assert!(html.contains("id=\"signed-in\""), "{html}");
    assert!(html.contains(&format!("data-sub=\"{GINA}\"")), "{html}");
    let user = s.idp.state().user(GINA).unwrap();
    assert!(html.contains(user.name().as_str()), "the user's name: {html}");
    assert!(
        html.contains("data-roleid=\"656005754108\""),
        "the user's role: {html}"
    );
    assert!(html.contains("AAL3"), "{html}");
    assert!(html.contains("id=\"sign-out\""));

    let me = s.api_me().await;
    assert_eq!(me["sub"], GINA);
    assert_eq!(me["aal"], 3);

    // The code was redeemed with a client assertion signed by the demo's key.
    let requests: serde_json::Value = reqwest::get(format!("{}/requests", s.idp.admin_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["client_id"] == example_demo_rp::DEMO_CLIENT_ID
                && r["auth_method"] == "private_key_jwt"),
        "{requests}"
    );

    // At AAL3 the sensitive action runs straight away.
    let resp = s.navigate(&format!("{}/sensitive", s.demo)).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("id=\"sensitive-done\""));
}

#[tokio::test]
async fn sensitive_action_after_a_totp_login_steps_up_to_aal3() {
    // Without the cis2-browser package the page is plain links and forms (no script), and everything works.
    let no_pkg = tempfile::tempdir().unwrap();
    let s = setup_with(&[("DEMO_PKG_DIR", no_pkg.path().display().to_string())]).await;
    let html = s.navigate(&format!("{}/", s.demo)).await.text().await.unwrap();
    assert!(html.contains("data-sdk=\"off\""), "{html}");
    assert!(!html.contains("/static/app.js"), "{html}");
    assert_eq!(
        s.http
            .get(format!("{}/pkg/cis2_browser.js", s.demo))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let start = format!("{}/auth/login?acr_values=AAL2_OR_AAL3_ANY&return_to=%2F", s.demo);
    let resp = s.sign_in(&start, Method::Totp).await;
    assert_eq!(resp.status(), 303, "callback: {}", resp.text().await.unwrap());
    let html = s.navigate(&format!("{}/", s.demo)).await.text().await.unwrap();
    assert!(html.contains("AAL2"), "{html}");

    // An API call is refused with 403; a navigation is redirected to a fresh AAL3 login.
    let api = s
        .http
        .get(format!("{}/sensitive", s.demo))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    let resp = s.navigate(&format!("{}/sensitive", s.demo)).await;
    assert_eq!(resp.status(), 303);
    let step_up = location(&resp, &s.demo);
    assert!(step_up.starts_with(&format!("{}/auth/", s.demo)), "{step_up}");
    assert!(step_up.contains("AAL3_ANY"), "{step_up}");
    assert!(step_up.contains("prompt=login"), "{step_up}");

    // Completing the step-up with the smartcard lands back on the sensitive action, now allowed.
    let resp = s.sign_in(&step_up, Method::Smartcard).await;
    assert_eq!(resp.status(), 303, "callback: {}", resp.text().await.unwrap());
    let back = location(&resp, &s.demo);
    assert_eq!(back, format!("{}/sensitive", s.demo));
    let resp = s.navigate(&back).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"sensitive-done\""), "{html}");
    assert!(html.contains("AAL3"), "{html}");
}

impl Setup {
    /// `GET /api/me` on the demo, as JSON.
    async fn api_me(&self) -> serde_json::Value {
        let resp = self
            .http
            .get(format!("{}/api/me", self.demo))
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap()
    }
}

/// Dual-run mode: a CIS1 sign-in through the mock's virtual Identity Agent gives the same user as CIS2; with the
/// cut-over on for everyone the next CIS1 ticket is sent to CIS2, which the Identity Agent's single sign-on
/// completes without a PIN; removing the card ends the CIS1 session and the demo's CIS2 session.
#[tokio::test]
async fn dual_run_cis1_sign_in_then_cutover_to_cis2_without_a_second_pin() {
    const MORGAN: &str = "555000000001";
    const NURSE: &str = "555000000102";
    let s = setup_with(&[("DEMO_DUAL_RUN", "true".to_owned())]).await;
    let page = s.navigate(&format!("{}/", s.demo)).await.text().await.unwrap();
    let href = page
        .split("id=\"sign-in-cis1\" class=\"nhsuk-link\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(href.contains("/ia/getTicket?return_to="), "{href}");

    // The Identity Agent asks for the PIN, then the role; the ticket comes back in the fragment.
    let resp = s.navigate(&href).await;
    assert_eq!(resp.status(), 200);
    let ia = href.split("?").next().unwrap().to_owned();
    let pin = [
        ("action", "pin"),
        ("uid", MORGAN),
        ("passcode", DEFAULT_PASSCODE),
        ("return_to", &format!("{}/", s.demo)),
    ];
    let resp = s.http.post(&ia).form(&pin).send().await.unwrap();
    assert_eq!(resp.status(), 200, "the role page");
    let role = [
        ("action", "role"),
        ("role", NURSE),
        ("return_to", &format!("{}/", s.demo)),
    ];
    let resp = s.http.post(&ia).form(&role).send().await.unwrap();
    let back = location(&resp, &ia);
    let ticket = back.split_once("#ticket=").unwrap().1.to_owned();
    let ticket: String = url::form_urlencoded::parse(format!("t={ticket}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();

    // The page's script posts it: signed in through CIS1, the same user and role as CIS2 gives.
    let cis1 = |t: String| {
        s.http
            .post(format!("{}/auth/cis1", s.demo))
            .header("origin", &s.demo)
            .header("accept", "application/json")
            .form(&[("ticket", t), ("return_to", "/".to_owned())])
            .send()
    };
    let resp = cis1(ticket.clone()).await.unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    let me = s.api_me().await;
    assert_eq!(
        (me["path"].as_str(), me["sub"].as_str()),
        (Some("cis1"), Some(MORGAN))
    );
    assert_eq!(me["selected_role"], NURSE);
    let page = s.navigate(&format!("{}/", s.demo)).await.text().await.unwrap();
    assert!(page.contains("CIS1 (Identity Agent ticket)") && page.contains("data-mode=\"off\""));

    // The switch: everyone on CIS2 (a cross-origin post is refused).
    let set = |origin: &str| {
        s.http
            .post(format!("{}/dual-run/cutover", s.demo))
            .header("origin", origin)
            .form(&[("mode", "everyone"), ("codes", "")])
            .send()
    };
    assert_eq!(set("https://evil.example").await.unwrap().status(), 403);
    assert_eq!(set(&s.demo).await.unwrap().status(), 303);
    let logout = s
        .http
        .post(format!("{}/auth/logout", s.demo))
        .header("origin", &s.demo);
    let status = logout.send().await.unwrap().status();
    assert!(status.is_success() || status.is_redirection(), "{status}");

    // The Identity Agent still holds the session: the ticket comes back at once, and the kit sends it to CIS2.
    let resp = s.navigate(&href).await;
    assert_eq!(resp.status(), 302, "no PIN prompt");
    assert!(location(&resp, &href).contains("#ticket="));
    let resp = cis1(ticket).await.unwrap();
    assert_eq!(resp.status(), 403);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "cis2_required");
    let login = format!("{}{}", s.demo, body["login"].as_str().unwrap());
    let resp = s.navigate(&login).await;
    let authorize = location(&resp, &login);
    let resp = s.navigate(&authorize).await;
    let callback = location(&resp, &authorize);
    assert!(
        callback.starts_with(&format!("{}/auth/callback?", s.demo)),
        "IA single sign-on: {callback}"
    );
    assert_eq!(s.navigate(&callback).await.status(), 303);
    let me = s.api_me().await;
    assert_eq!(
        (me["path"].as_str(), me["sub"].as_str()),
        (Some("cis2"), Some(MORGAN))
    );
    assert_eq!(me["selected_role"], NURSE);

    // Card removal ends both: the Identity Agent holds no ticket, the demo's session ends (back-channel logout).
    let st = s.idp.state();
    let card = st
        .cards()
        .into_iter()
        .find(|c| c.uid == MORGAN && c.inserted)
        .unwrap();
    assert_eq!(st.remove_card(&card.serial).unwrap().len(), 1);
    assert!(st.cis1_sessions().is_empty());
    for _ in 0..100 {
        let status = s
            .http
            .get(format!("{}/api/me", s.demo))
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the demo session outlived the card");
}
