//! Drives the defect RP against an embedded mock IdP: start both, register the RP as a `client_secret_post`
//! client, walk sign-ins through the mock's login and role pages with a cookie-carrying client, probe `/me`.

// Test helpers fail loudly on purpose, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cis2_mock_idp::{AuthMethodName, Client, InjectRequest, MockIdp, RunningMockIdp};
use cis2_sdk::{Algorithm, CIS2_REALM_PATH as REALM, SigningKey};
use serde_json::{Value, json};

use super::{CALLBACK_PATH, Defect, DefectRpConfig, ME_PATH, RunningRp};

/// The mock's signing key at start-up (a fixed test key: no RSA key generation).
pub(crate) const IDP_KEY_A: &str = include_str!("../../data/idp-a.pem");
/// The rotation key.
pub(crate) const IDP_KEY_B: &str = include_str!("../../data/idp-b.pem");

pub(crate) const CLIENT: &str = "500000000001.apps.supplier";
pub(crate) const SECRET: &str = "defect-rp-s3cret";
/// Gina: one role (656005754108), AAL3.
pub(crate) const GP: &str = "656005750108";
pub(crate) const GP_ROLE: &str = "656005754108";
/// Morgan: three roles.
pub(crate) const MULTI: &str = "555000000001";

pub(crate) struct Env {
    pub(crate) idp: RunningMockIdp,
    pub(crate) rp: RunningRp,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn key(pem: &str) -> SigningKey {
    SigningKey::from_pkcs8_pem(pem, Algorithm::RS256).unwrap()
}

pub(crate) async fn env(defects: &[Defect]) -> Env {
    let idp = MockIdp::builder()
        .signing_key(key(IDP_KEY_A))
        .backchannel_retries(1, Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let cfg = defects
        .iter()
        .fold(DefectRpConfig::new(idp.issuer(), CLIENT, SECRET), |c, d| {
            c.with(*d)
        });
    let rp = super::start(cfg).await.unwrap();
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

pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn location(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
}

pub(crate) fn query_param(u: &str, name: &str) -> String {
    url::Url::parse(u)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {u}"))
}

pub(crate) async fn post_form(b: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
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
    pub(crate) fn inject(&self, req: Value) {
        let mut req = req;
        req["client_id"] = json!(CLIENT);
        let req: InjectRequest = serde_json::from_value(req).unwrap();
        self.idp.state().inject_fault(req).unwrap();
    }

    pub(crate) fn realm(&self, path: &str) -> String {
        format!("{}{REALM}{path}", self.idp.base_url())
    }

    pub(crate) async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
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
    pub(crate) async fn until_callback(
        &self,
        b: &reqwest::Client,
        path: &str,
        uid: &str,
        role: Option<&str>,
    ) -> String {
        let callback = self.rp.url(CALLBACK_PATH);
        let mut next = self.rp.url(path);
        for _ in 0..8 {
            if next.starts_with(&callback) {
                return next;
            }
            let here = url::Url::parse(&next).unwrap();
            let r = if here.path() == format!("{REALM}/login") {
                let page = b.get(here.as_str()).send().await.unwrap();
                assert_eq!(page.status(), 200);
                let interaction = query_param(here.as_str(), "interaction");
                let form = [
                    ("interaction", interaction.as_str()),
                    ("uid", uid),
                    ("method", "smartcard"),
                    ("passcode", cis2_mock_idp::DEFAULT_PASSCODE),
                ];
                post_form(b, &self.realm("/login"), &form).await
            } else if here.path() == format!("{REALM}/select-role") {
                let page = b.get(here.as_str()).send().await.unwrap().text().await.unwrap();
                let first = page
                    .split("name=\"role\" type=\"radio\" value=\"")
                    .nth(1)
                    .unwrap();
                let first = first.split('"').next().unwrap().to_owned();
                let interaction = query_param(here.as_str(), "interaction");
                let role = role.unwrap_or(&first);
                let form = [("interaction", interaction.as_str()), ("role", role)];
                post_form(b, &self.realm("/select-role"), &form).await
            } else {
                b.get(&next).send().await.unwrap()
            };
            let status = r.status();
            let Some(loc) = location(&r) else {
                panic!("{next}: {status} without a redirect: {}", r.text().await.unwrap());
            };
            next = here.join(&loc).unwrap().to_string();
        }
        panic!("too many redirects, stopped at {next}");
    }

    /// A whole sign-in; returns the callback's status (302 on success, 400 refused).
    pub(crate) async fn sign_in(
        &self,
        b: &reqwest::Client,
        path: &str,
        uid: &str,
        role: Option<&str>,
    ) -> u16 {
        self.sign_in_why(b, path, uid, role).await.0
    }

    /// A whole sign-in; returns the callback's status and body (the refusal page says why).
    pub(crate) async fn sign_in_why(
        &self,
        b: &reqwest::Client,
        path: &str,
        uid: &str,
        role: Option<&str>,
    ) -> (u16, String) {
        let cb = self.until_callback(b, path, uid, role).await;
        self.sign_in_callback(b, &cb).await
    }

    /// Opens a callback URL in `b`; returns the status and body.
    pub(crate) async fn sign_in_callback(&self, b: &reqwest::Client, cb: &str) -> (u16, String) {
        let r = b.get(cb).send().await.unwrap();
        let status = r.status().as_u16();
        if status == 302 {
            assert_eq!(location(&r).as_deref(), Some(ME_PATH));
        }
        (status, r.text().await.unwrap())
    }

    /// `GET /me` (or another probe) in `b`: status and JSON.
    pub(crate) async fn probe(&self, b: &reqwest::Client, path: &str) -> (u16, Value) {
        let r = b.get(self.rp.url(path)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().await.unwrap()).unwrap())
    }

    /// Ends the mock SSO session `sid` (back-channel logout to the RP) and waits for the delivery's outcome.
    pub(crate) async fn end_idp_session(&self, sid: &str) -> String {
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

pub(crate) fn now(e: &Env) -> u64 {
    e.idp.state().clock().now().as_secs()
}
