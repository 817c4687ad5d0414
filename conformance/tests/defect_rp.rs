//! The seeded-defect RP against the embedded mock IdP: the correct RP signs in and refuses each fault; with a
//! defect switched on, the same fault is accepted. This is what proves the suite's checks can fail.

// Helpers outside `#[test]` functions fail loudly on purpose, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use cis2_mock_idp::{AuthMethodName, Client, InjectRequest, MockIdp, RunningMockIdp};
use cis2_sdk::{Algorithm, CIS2_REALM_PATH as REALM, SigningKey};
use serde_json::{Value, json};
use support::defect_rp::{
    self, AAL3_PATH, CALLBACK_PATH, CHANGE_ROLE_PATH, Defect, DefectRpConfig, LOGIN_PATH, LOGOUT_PATH,
    ME_PATH, RunningRp, SESSION_COOKIE, STEP_UP_PATH,
};

const CLIENT: &str = "500000000001.apps.supplier";
const SECRET: &str = "defect-rp-s3cret";
/// Gina: one role (656005754108), AAL3.
const GP: &str = "656005750108";
const GP_ROLE: &str = "656005754108";
/// Morgan: three roles.
const MULTI: &str = "555000000001";

struct Env {
    idp: RunningMockIdp,
    rp: RunningRp,
    http: reqwest::Client,
}

fn key(pem: &str) -> SigningKey {
    SigningKey::from_pkcs8_pem(pem, Algorithm::RS256).unwrap()
}

async fn env(defects: &[Defect]) -> Env {
    let idp = MockIdp::builder()
        .signing_key(key(include_str!("data/idp-a.pem")))
        .backchannel_retries(1, Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let cfg = defects
        .iter()
        .fold(DefectRpConfig::new(idp.issuer(), CLIENT, SECRET), |c, d| c.with(*d));
    let rp = defect_rp::start(cfg).await.unwrap();
    let mut c = Client::new(CLIENT, vec![rp.redirect_uri()], AuthMethodName::ClientSecretPost);
    c.client_secret = Some(SECRET.into());
    c.backchannel_logout_uri = Some(rp.backchannel_logout_uri());
    idp.state().put_client(c).unwrap();
    Env {
        idp,
        rp,
        http: browser(),
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
}

fn query_param(u: &str, name: &str) -> String {
    url::Url::parse(u)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {u}"))
}

async fn post_form(b: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().copied())
        .finish();
    b.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

impl Env {
    /// Arms one fault for this client: `{"fault": {...}, "target"?: ...}`.
    fn inject(&self, req: Value) {
        let mut req = req;
        req["client_id"] = json!(CLIENT);
        let req: InjectRequest = serde_json::from_value(req).unwrap();
        self.idp.state().inject_fault(req).unwrap();
    }

    fn realm(&self, path: &str) -> String {
        format!("{}{REALM}{path}", self.idp.base_url())
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.idp.admin_url()));
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b.to_string());
        }
        r.send().await.unwrap()
    }

    /// Walks `path` on the RP through the mock (login form as `uid` with a smartcard; role selection picks
    /// `role` or the first offered) and returns the callback URL the mock sends the browser to.
    async fn until_callback(&self, b: &reqwest::Client, path: &str, uid: &str, role: Option<&str>) -> String {
        let callback = self.rp.url(CALLBACK_PATH);
        let mut next = self.rp.url(path);
        for _ in 0..8 {
            if next.starts_with(&callback) {
                return next;
            }
            let r = b.get(&next).send().await.unwrap();
            let status = r.status();
            let Some(loc) = location(&r) else {
                panic!("{next}: {status} without a redirect: {}", r.text().await.unwrap());
            };
            let abs = url::Url::parse(&next).unwrap().join(&loc).unwrap();
            next = if abs.path() == format!("{REALM}/login") {
                let page = b.get(abs.as_str()).send().await.unwrap();
                assert_eq!(page.status(), 200);
                let interaction = query_param(abs.as_str(), "interaction");
                let form = [
                    ("interaction", interaction.as_str()),
                    ("uid", uid),
                    ("method", "smartcard"),
                    ("passcode", cis2_mock_idp::DEFAULT_PASSCODE),
                ];
                let r = post_form(b, &self.realm("/login"), &form).await;
                let loc = location(&r).unwrap_or_else(|| panic!("login refused: {}", r.status()));
                abs.join(&loc).unwrap().to_string()
            } else if abs.path() == format!("{REALM}/select-role") {
                let page = b.get(abs.as_str()).send().await.unwrap().text().await.unwrap();
                let first = page.split("name=\"role\" value=\"").nth(1).unwrap();
                let first = first.split('"').next().unwrap().to_owned();
                let interaction = query_param(abs.as_str(), "interaction");
                let role = role.unwrap_or(&first);
                let form = [("interaction", interaction.as_str()), ("role", role)];
                let r = post_form(b, &self.realm("/select-role"), &form).await;
                abs.join(&location(&r).unwrap()).unwrap().to_string()
            } else {
                abs.to_string()
            };
        }
        panic!("too many redirects, stopped at {next}");
    }

    /// A whole sign-in; returns the callback's status (302 on success, 400 refused).
    async fn sign_in(&self, b: &reqwest::Client, path: &str, uid: &str, role: Option<&str>) -> u16 {
        let cb = self.until_callback(b, path, uid, role).await;
        let r = b.get(&cb).send().await.unwrap();
        let status = r.status().as_u16();
        if status == 302 {
            assert_eq!(location(&r).as_deref(), Some(ME_PATH));
        }
        status
    }

    /// `GET /me` (or another probe) in `b`: status and JSON.
    async fn probe(&self, b: &reqwest::Client, path: &str) -> (u16, Value) {
        let r = b.get(self.rp.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().await.unwrap()).unwrap())
    }

    /// Ends the mock SSO session `sid` (back-channel logout to the RP) and waits for the delivery's outcome.
    async fn end_idp_session(&self, sid: &str) -> String {
        let r = self
            .admin(reqwest::Method::DELETE, &format!("/sessions/{sid}"), None)
            .await;
        assert_eq!(r.status(), 200);
        for _ in 0..100 {
            let d = self.idp.state().deliveries();
            if let Some(d) = d.iter().find(|d| d.sid == sid && d.outcome != "pending") {
                return d.outcome.clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no delivery outcome for {sid}");
    }
}

fn now(e: &Env) -> u64 {
    e.idp.state().clock().now().as_secs()
}

/// An ID-token (or userinfo) fault and the route whose sign-in gets it.
struct FaultCase {
    defect: Defect,
    path: &'static str,
    inject: fn(&Env) -> Value,
}

fn fault_cases() -> Vec<FaultCase> {
    let f = |defect, path, inject| FaultCase {
        defect,
        path,
        inject,
    };
    vec![
        f(Defect::NonceNotChecked, LOGIN_PATH, |_| json!({"fault": {"kind": "nonce_mismatch"}})),
        f(Defect::AlgNoneAccepted, LOGIN_PATH, |_| json!({"fault": {"kind": "alg_none"}})),
        f(Defect::SignatureNotVerified, LOGIN_PATH, |_| json!({"fault": {"kind": "bad_signature"}})),
        f(Defect::ExpIgnored, LOGIN_PATH, |_| json!({"fault": {"kind": "expired"}})),
        f(Defect::AnyAudAccepted, LOGIN_PATH, |_| json!({"fault": {"kind": "wrong_aud"}})),
        f(Defect::IssuerNormalised, LOGIN_PATH, |e| {
            let iss = e.idp.issuer().replacen("http://", "HTTP://", 1);
            json!({"fault": {"kind": "wrong_iss", "value": iss}})
        }),
        f(Defect::IssuerNormalised, LOGIN_PATH, |e| {
            let iss = e.idp.issuer().replacen("/openam/", "/./openam/", 1);
            json!({"fault": {"kind": "wrong_iss", "value": iss}})
        }),
        f(Defect::IatMissingAccepted, LOGIN_PATH, |_| {
            json!({"fault": {"kind": "missing_claim", "claim": "iat"}})
        }),
        f(Defect::UserinfoSubNotCompared, LOGIN_PATH, |_| json!({"fault": {"kind": "sub_mismatch"}})),
        f(Defect::StaleAuthTimeAccepted, CHANGE_ROLE_PATH, |e| {
            json!({"fault": {"kind": "set_claim", "claim": "auth_time", "value": now(e) - 3600}})
        }),
        f(Defect::Aal2AcceptedForStepUp, STEP_UP_PATH, |_| {
            json!({"fault": {"kind": "set_claim", "claim": "acr", "value": "AAL2_ANY"}})
        }),
    ]
}

#[tokio::test]
async fn correct_rp_signs_in_and_steps_up() {
    let e = env(&[]).await;
    let b = browser();
    assert_eq!(e.probe(&b, ME_PATH).await.0, 401);
    assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
    let (status, me) = e.probe(&b, ME_PATH).await;
    assert_eq!(status, 200);
    assert_eq!(me["signed_in"], true);
    assert_eq!(me["sub"], GP);
    assert_eq!(me["acr"], "AAL2_OR_AAL3_ANY");
    assert_eq!(me["role"], GP_ROLE);
    assert!(me["sid"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(e.probe(&b, AAL3_PATH).await.0, 403);
    assert_eq!(e.sign_in(&b, STEP_UP_PATH, GP, None).await, 302);
    assert_eq!(e.probe(&b, ME_PATH).await.1["acr"], "AAL3_ANY");
    assert_eq!(e.probe(&b, AAL3_PATH).await.0, 200);
    // Discovery and JWKS were fetched once and cached.
    assert_eq!(e.rp.jwks_fetches(), 1);
    // Logout ends the server-side session.
    let r = b.post(e.rp.url(LOGOUT_PATH)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(e.probe(&b, ME_PATH).await.0, 401);
    assert_eq!(e.rp.session_count(), 0);
    e.rp.shutdown().await;
}

#[tokio::test]
async fn correct_rp_refuses_every_fault() {
    let e = env(&[]).await;
    for case in fault_cases() {
        let b = browser();
        e.inject((case.inject)(&e));
        let status = e.sign_in(&b, case.path, GP, None).await;
        assert_eq!(status, 400, "{} ({}) was accepted", case.defect, case.path);
        assert_eq!(e.probe(&b, ME_PATH).await.0, 401, "{}", case.defect);
    }
    // Other faults no defect excuses.
    for fault in [
        json!({"kind": "future_iat"}),
        json!({"kind": "hs256_public_key"}),
        json!({"kind": "wrong_iss"}),
        json!({"kind": "missing_claim", "claim": "sub"}),
        json!({"kind": "set_claim", "claim": "acr", "value": "AAL1_USERPASS"}),
    ] {
        let b = browser();
        e.inject(json!({ "fault": fault }));
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 400, "{fault} was accepted");
    }
    assert_eq!(e.rp.session_count(), 0);
    // Clean again: the faults were one-shot.
    let b = browser();
    assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
    e.rp.shutdown().await;
}

#[tokio::test]
async fn each_id_token_defect_accepts_its_fault() {
    for case in fault_cases() {
        let e = env(&[case.defect]).await;
        let b = browser();
        e.inject((case.inject)(&e));
        let status = e.sign_in(&b, case.path, GP, None).await;
        assert_eq!(status, 302, "{} did not accept its fault", case.defect);
        let (status, me) = e.probe(&b, ME_PATH).await;
        assert_eq!(status, 200, "{}", case.defect);
        assert_eq!(me["signed_in"], true);
        if case.defect == Defect::Aal2AcceptedForStepUp {
            // The AAL2 sign-in now opens the AAL3 resource.
            assert_eq!(e.probe(&b, AAL3_PATH).await.0, 200);
        }
        e.rp.shutdown().await;
    }
}

#[tokio::test]
async fn a_defect_relaxes_only_its_own_check() {
    let cases = [
        (Defect::NonceNotChecked, json!({"kind": "bad_signature"})),
        (Defect::SignatureNotVerified, json!({"kind": "nonce_mismatch"})),
        (Defect::IssuerNormalised, json!({"kind": "wrong_iss"})),
        (Defect::AnyAudAccepted, json!({"kind": "expired"})),
        (Defect::ExpIgnored, json!({"kind": "alg_none"})),
        (Defect::AlgNoneAccepted, json!({"kind": "wrong_aud"})),
    ];
    for (defect, fault) in cases {
        let e = env(&[defect]).await;
        let b = browser();
        e.inject(json!({ "fault": fault }));
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 400, "{defect} let {fault} through");
        e.rp.shutdown().await;
    }
}
