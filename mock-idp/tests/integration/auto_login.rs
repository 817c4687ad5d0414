//! Auto-login (`/admin/api/auto-login`): while armed, the login page signs in without the form, through the
//! same path as a form post (ACR refusal, SSO cookie, virtual card), with an armed role replacing the role
//! page; `times` counts sign-ins down (0: until deleted).

use cis2_sdk::LoginOptions;
use rand::rngs::OsRng;
use serde_json::{Value, json};

use crate::common::*;

const C: &str = "500000000001.apps.supplier";
const GINA: &str = "656005750108";
const MULTI: &str = "555000000001";

async fn setup() -> (Harness, Rp) {
    let h = start().await;
    h.register(secret_client(C, "client_secret_post")).await;
    let rp = h.rp(C, post_auth()).await;
    (h, rp)
}

async fn put_auto_login(h: &Harness, body: Value) -> reqwest::Response {
    h.http
        .put(h.admin("/auto-login"))
        .json_body(&body)
        .send()
        .await
        .unwrap()
}

async fn arm(h: &Harness, body: Value) -> Value {
    let r = put_auto_login(h, body).await;
    assert_eq!(r.status(), 200);
    r.json_value().await
}

/// Starts a login in `browser` and follows `/authorize` to the login page; returns the login page's
/// response (a 302 when auto-login signed in) and the pending login.
async fn to_login_page(
    h: &Harness,
    rp: &Rp,
    browser: &reqwest::Client,
    opts: &LoginOptions,
) -> (reqwest::Response, cis2_sdk::PendingLogin) {
    let (url, pending) = rp.client.start_login(opts, &mut OsRng, h.now().await).unwrap();
    let r = browser.get(url.as_str()).send().await.unwrap();
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{REALM}/login?")), "{loc}");
    let page = browser
        .get(format!("{}{loc}", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    (page, pending)
}

/// Asserts a 302 to the RP with a code, and exchanges it.
async fn finish_at_rp(h: &Harness, rp: &Rp, r: reqwest::Response, pending: cis2_sdk::PendingLogin) -> Done {
    let loc = location(&r);
    assert_eq!(r.status(), 302);
    assert!(loc.starts_with(REDIRECT), "{loc}");
    assert!(query_param(&loc, "code").is_some());
    let login = Login {
        pending,
        callback: loc.split_once('?').unwrap().1.to_owned(),
    };
    rp.finish(h, &login).await.unwrap()
}

async fn assert_form(h: &Harness, rp: &Rp) {
    let (page, _) = to_login_page(h, rp, &browser(), &LoginOptions::default()).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("id=\"login-form\""));
}

#[tokio::test]
async fn auto_login_once_signs_in_without_the_form() {
    let (h, rp) = setup().await;
    let armed = arm(&h, json!({"uid": "gina.practitioner", "method": "smartcard"})).await;
    assert_eq!(
        armed,
        json!({"uid": GINA, "method": "smartcard", "role": null, "remaining": 1})
    );
    assert_eq!(h.admin_get("/auto-login").await, armed);

    let (page, pending) = to_login_page(&h, &rp, &h.browser, &LoginOptions::default()).await;
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("cis2_mock_sso="));
    assert!(cookie, "the SSO cookie is set");
    let done = finish_at_rp(&h, &rp, page, pending).await;
    let id = done.id_token.unwrap();
    assert_eq!(id.sub, GINA);
    assert_eq!(id.amr, ["N3_SMARTCARD"]);
    // As a form login: the virtual card went in, and one session exists.
    let cards = h.admin_get("/cards").await;
    assert_eq!(cards["cards"][0]["serial"], format!("VC{GINA}"));
    assert_eq!(cards["cards"][0]["inserted"], true);
    assert_eq!(h.admin_get("/sessions").await[0]["method"], "smartcard");

    // Used up: disarmed, and a new browser gets the form again.
    assert_eq!(h.admin_get("/auto-login").await, Value::Null);
    assert_form(&h, &rp).await;
    h.idp.shutdown().await;
}

#[tokio::test]
async fn auto_login_times_zero_persists_until_deleted() {
    let (h, rp) = setup().await;
    let armed = arm(&h, json!({"uid": GINA, "method": "totp", "times": 0})).await;
    assert_eq!(armed["remaining"], Value::Null);
    let opts = LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]);
    for _ in 0..3 {
        let (page, pending) = to_login_page(&h, &rp, &browser(), &opts).await;
        let done = finish_at_rp(&h, &rp, page, pending).await;
        assert_eq!(done.id_token.unwrap().amr, ["TOTP"]);
    }
    assert_eq!(h.admin_get("/auto-login").await, armed);

    let r = h.http.delete(h.admin("/auto-login")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(h.admin_get("/auto-login").await, Value::Null);
    assert_form(&h, &rp).await;
    h.idp.shutdown().await;
}

#[tokio::test]
async fn auto_login_with_a_too_weak_method_gets_the_refusal_page() {
    let (h, rp) = setup().await;
    arm(&h, json!({"uid": GINA, "method": "password", "times": 2})).await;
    let opts = LoginOptions::default().acr_values(["AAL3_ANY"]);
    let (page, _) = to_login_page(&h, &rp, &h.browser, &opts).await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.unwrap().contains("id=\"refused\""));
    assert!(h.admin_get("/sessions").await.as_array().unwrap().is_empty());
    // The refusal used one sign-in.
    assert_eq!(h.admin_get("/auto-login").await["remaining"], 1);
    h.idp.shutdown().await;
}

#[tokio::test]
async fn auto_login_selects_the_armed_role() {
    let (h, rp) = setup().await;
    let opts = LoginOptions::default().select_role(true);
    arm(
        &h,
        json!({"uid": MULTI, "method": "smartcard", "role": "555000000102"}),
    )
    .await;
    let (page, pending) = to_login_page(&h, &rp, &h.browser, &opts).await;
    let done = finish_at_rp(&h, &rp, page, pending).await;
    let id = done.id_token.as_ref().unwrap().clone();
    assert_eq!(id.sub, MULTI);
    assert_eq!(id.selected_roleid.as_deref(), Some("555000000102"));
    let info = rp.userinfo(&h, &done).await.unwrap();
    assert!(
        info.nhsid_nrbac_roles
            .iter()
            .any(|r| r.person_roleid == "555000000102")
    );

    // Without a role the role page comes, as after a form login.
    arm(&h, json!({"uid": MULTI, "method": "smartcard"})).await;
    let (page, _) = to_login_page(&h, &rp, &browser(), &opts).await;
    assert_eq!(page.status(), 302);
    assert!(location(&page).starts_with(&format!("{REALM}/select-role?")));
    h.idp.shutdown().await;
}

#[tokio::test]
async fn auto_login_admin_api_validates_and_replaces() {
    let (h, _) = setup().await;
    let first = arm(&h, json!({"uid": GINA, "method": "password", "times": 3})).await;
    for bad in [
        json!({"uid": "nobody", "method": "password"}),
        json!({"uid": GINA, "method": "carrier_pigeon"}),
        json!({"uid": GINA, "method": "fido2"}),
        json!({"uid": GINA, "method": "passkey"}),
        json!({"uid": "656005750110", "method": "smartcard"}),
        json!({"uid": GINA, "method": "smartcard", "role": "555000000102"}),
        json!({"method": "password"}),
    ] {
        let r = put_auto_login(&h, bad.clone()).await;
        assert_eq!(r.status(), 400, "{bad}");
        let v = r.json_value().await;
        assert_eq!(v["error"], "invalid_request", "{bad}");
        assert!(!v["error_description"].as_str().unwrap().is_empty(), "{bad}");
    }
    // A refused PUT leaves the setting alone; an accepted one replaces it.
    assert_eq!(h.admin_get("/auto-login").await, first);
    let second = arm(
        &h,
        json!({"uid": MULTI, "method": "totp", "role": "555000000103"}),
    )
    .await;
    assert_eq!(
        second,
        json!({"uid": MULTI, "method": "totp", "role": "555000000103", "remaining": 1})
    );
    assert_eq!(h.admin_get("/auto-login").await, second);
    let r = h.http.delete(h.admin("/auto-login")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(h.admin_get("/auto-login").await, Value::Null);
    h.idp.shutdown().await;
}
