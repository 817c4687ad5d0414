//! SSO across clients, `prompt=login`, `max_age`, `prompt=none`, and key rotation with a grace period.

use std::time::Duration;

use cis2_sdk::{LoginOptions, Prompt};
use serde_json::json;

use crate::common::*;

const A: &str = "500000000001.apps.supplier";
const B: &str = "500000000002.apps.supplier";

async fn setup() -> (Harness, Rp, Rp) {
    let h = start().await;
    h.register(secret_client(A, "client_secret_post")).await;
    h.register(secret_client(B, "client_secret_post")).await;
    let a = h.rp(A, post_auth()).await;
    let b = h.rp(B, post_auth()).await;
    (h, a, b)
}

#[tokio::test]
async fn sso_second_client_signs_in_without_reauthentication() {
    let (h, a, b) = setup().await;
    let (_, id_a) = a
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    let (url, pending) = b
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = h.browser.get(url.as_str()).send().await.unwrap();
    let loc = location(&r);
    assert!(loc.starts_with(REDIRECT), "no login page expected, got {loc}");
    let login = Login {
        pending,
        callback: loc.split_once('?').unwrap().1.to_owned(),
    };
    let id_b = b.finish(&h, &login).await.unwrap().id_token.unwrap();
    assert_eq!(id_a.sid, id_b.sid);
    assert_eq!(id_a.auth_time, id_b.auth_time);
    let sessions = h.admin_get("/sessions").await;
    assert_eq!(sessions[0]["clients"], json!([A, B]));
}

#[tokio::test]
async fn prompt_login_and_max_age_force_reauthentication() {
    let (h, a, _) = setup().await;
    let (_, first) = a
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    h.advance(120).await;
    // prompt=login: the login page again, and a fresh auth_time the sdk checks.
    let opts = LoginOptions::default().prompt(Some(Prompt::Login));
    let (url, _) = a
        .client
        .start_login(&opts, &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = h.browser.get(url.as_str()).send().await.unwrap();
    assert!(location(&r).contains("/login?interaction="));
    let (_, second) = a.full(&h, &opts, "656005750108", "smartcard").await;
    assert!(second.auth_time.unwrap() >= first.auth_time.unwrap().saturating_add(Duration::from_secs(120)));
    assert_eq!(first.sid, second.sid, "re-authentication keeps the session");
    // max_age: 60 s after 120 s → login; 600 s → SSO.
    h.advance(120).await;
    let (url, _) = a
        .client
        .start_login(
            &LoginOptions::default().max_age(Some(Duration::from_secs(60))),
            &mut rand::rngs::OsRng,
            h.now().await,
        )
        .unwrap();
    assert!(location(&h.browser.get(url.as_str()).send().await.unwrap()).contains("/login?interaction="));
    let (url, _) = a
        .client
        .start_login(
            &LoginOptions::default().max_age(Some(Duration::from_secs(600))),
            &mut rand::rngs::OsRng,
            h.now().await,
        )
        .unwrap();
    assert!(location(&h.browser.get(url.as_str()).send().await.unwrap()).starts_with(REDIRECT));
    let (_, third) = a
        .full(
            &h,
            &LoginOptions::default().max_age(Some(Duration::from_secs(60))),
            "656005750108",
            "smartcard",
        )
        .await;
    assert!(third.auth_time.unwrap() > second.auth_time.unwrap());
}

#[tokio::test]
async fn step_up_from_aal2_session_needs_a_new_login() {
    let (h, a, _) = setup().await;
    let aal2 = LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]);
    let (_, id) = a.full(&h, &aal2, "656005750108", "totp").await;
    assert_eq!(id.amr, ["TOTP"]);
    // AAL3 requested: the AAL2 session does not satisfy it.
    let (url, _) = a
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    assert!(location(&h.browser.get(url.as_str()).send().await.unwrap()).contains("/login?interaction="));
    let (_, id3) = a
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    assert_eq!(id3.acr.as_deref(), Some("AAL3_ANY"));
}

#[tokio::test]
async fn key_rotation_keeps_the_old_key_for_the_grace_period() {
    let (h, _, _) = setup().await;
    let old = h.admin_get("/keys").await["keys"][0]["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = h
        .admin_post(
            "/keys/rotate",
            json!({ "private_key_pem": idp_pem("b"), "grace_period_secs": 600 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let keys = r.json_value().await;
    let new = keys["keys"][0]["kid"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    assert_eq!(keys["jwks"]["keys"].as_array().unwrap().len(), 2);
    // New tokens use the new key; an RP with a fresh JWKS validates them.
    let a = h.rp(A, post_auth()).await;
    let (done, _) = a
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    let (header, _) = cis2_sdk::dangerous::insecure_decode(done.tokens.id_token.secret()).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new.as_str()));
    h.advance(601).await;
    let jwks = h
        .http
        .get(h.url("/connect/jwk_uri"))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, [new.as_str()]);
}

#[tokio::test]
async fn prompt_none_uses_the_session_or_answers_login_required() {
    let (h, a, _) = setup().await;
    let url = |h: &Harness| {
        format!(
            "{}?response_type=code&client_id={A}&redirect_uri={}&scope=openid&state=s&prompt=none",
            h.url("/authorize"),
            url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
        )
    };
    let r = h.browser.get(url(&h)).send().await.unwrap();
    assert_eq!(
        query_param(&location(&r), "error").as_deref(),
        Some("login_required")
    );
    a.full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    let r = h.browser.get(url(&h)).send().await.unwrap();
    assert!(query_param(&location(&r), "code").is_some());
}
