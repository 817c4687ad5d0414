//! Back-channel logout: delivered on RP-initiated logout, admin session end, session expiry and smartcard
//! removal (Identity Agent mode only), retried on 5xx, recorded in the delivery log, and checked by the sdk.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use cis2_sdk::LoginOptions;
use serde_json::{Value, json};

use crate::common::*;

const C: &str = "400000000001.apps.supplier";

#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) tokens: Arc<Mutex<Vec<String>>>,
    fail_first: Arc<AtomicUsize>,
}

pub(crate) async fn receiver(fail_first: usize) -> (String, Receiver) {
    let rx = Receiver {
        tokens: Default::default(),
        fail_first: Arc::new(AtomicUsize::new(fail_first)),
    };
    async fn handle(State(rx): State<Receiver>, body: String) -> StatusCode {
        let token = url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "logout_token")
            .map(|(_, v)| v.into_owned());
        rx.tokens.lock().unwrap().push(token.unwrap_or_default());
        if rx.fail_first.load(Ordering::SeqCst) > 0 {
            rx.fail_first.fetch_sub(1, Ordering::SeqCst);
            return StatusCode::SERVICE_UNAVAILABLE;
        }
        StatusCode::OK
    }
    let app = axum::Router::new()
        .route("/bcl", axum::routing::post(handle))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bcl", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

async fn setup(fail_first: usize, mode: cis2_mock_idp::CardMode) -> (Harness, Rp, Receiver) {
    let h = start_with(builder().card_mode(mode)).await;
    let (url, rx) = receiver(fail_first).await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = json!(url);
    c["post_logout_redirect_uris"] = json!(["http://127.0.0.1:7777/signed-out"]);
    h.register(c).await;
    let rp = h.rp(C, post_auth()).await;
    (h, rp, rx)
}

/// Waits until every delivery has an outcome; returns the log.
pub(crate) async fn deliveries(h: &Harness, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let log = h.admin_get("/logout-deliveries").await;
        let items = log.as_array().unwrap().clone();
        if items.len() >= n && items.iter().all(|d| d["outcome"] != "pending") {
            return items;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "deliveries did not finish: {}",
        h.admin_get("/logout-deliveries").await
    );
}

async fn login(h: &Harness, rp: &Rp) -> (Done, cis2_sdk::IdTokenClaims) {
    rp.full(h, &LoginOptions::default(), "656005750108", "smartcard")
        .await
}

#[tokio::test]
async fn rp_initiated_logout_delivers_a_valid_logout_token() {
    let (h, rp, rx) = setup(0, Default::default()).await;
    let (done, id) = login(&h, &rp).await;
    let url = rp
        .client
        .end_session_url(
            done.tokens.id_token.secret(),
            Some("http://127.0.0.1:7777/signed-out"),
            Some("bye"),
        )
        .unwrap();
    let r = h.browser.get(url.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(location(&r), "http://127.0.0.1:7777/signed-out?state=bye");
    let log = deliveries(&h, 1).await;
    assert_eq!(log[0]["outcome"], "delivered");
    assert_eq!(log[0]["reason"], "logout");
    let token = rx.tokens.lock().unwrap()[0].clone();
    let lt = rp
        .client
        .validate_logout_token(&token, &rp.jwks, h.now().await)
        .unwrap();
    assert_eq!(lt.sid, id.sid);
    assert_eq!(lt.sub.as_deref(), Some("656005750108"));
    assert!(lt.exp.is_none(), "CIS2 logout tokens carry no exp");
    assert!(h.admin_get("/sessions").await.as_array().unwrap().is_empty());
    // The SSO session is gone: the next authorize shows the login page.
    let (url, _) = rp
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = h.browser.get(url.as_str()).send().await.unwrap();
    assert!(location(&r).contains("/login?interaction="));
    // An unregistered post_logout_redirect_uri is refused with a page.
    let bad = format!(
        "{}?client_id={C}&post_logout_redirect_uri=https%3A%2F%2Fevil.example",
        h.url("/connect/endSession")
    );
    assert_eq!(h.browser.get(bad).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn admin_session_end_and_expiry_deliver_logout() {
    let (h, rp, rx) = setup(0, Default::default()).await;
    let (_, id) = login(&h, &rp).await;
    let sid = id.sid.unwrap();
    let r = h
        .http
        .delete(h.admin(&format!("/sessions/{}", urlenc(&sid))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = deliveries(&h, 1).await;
    assert_eq!(log[0]["reason"], "admin");
    assert_eq!(log[0]["sid"], sid.as_str());
    // Expiry: a new session, then the clock moves past its lifetime.
    let b = browser();
    let login = rp
        .login(&h, &b, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    rp.finish(&h, &login).await.unwrap();
    h.advance(9 * 3600).await;
    let log = deliveries(&h, 2).await;
    assert_eq!(log[1]["reason"], "expired");
    assert_eq!(log[1]["sub"], "656005750107");
    assert_eq!(rx.tokens.lock().unwrap().len(), 2);
    assert_eq!(
        h.http
            .delete(h.admin("/sessions/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn card_removal_ends_identity_agent_sessions_only() {
    let (h, rp, rx) = setup(0, cis2_mock_idp::CardMode::IdentityAgent).await;
    let (_, id) = login(&h, &rp).await;
    let cards = h.admin_get("/cards").await;
    let serial = cards["cards"][0]["serial"].as_str().unwrap().to_owned();
    assert_eq!(cards["cards"][0]["inserted"], true);
    let r = h
        .admin_post(&format!("/cards/{serial}/remove"), json!({}))
        .await
        .json_value()
        .await;
    assert_eq!(r["ended_sessions"][0], id.sid.clone().unwrap().as_str());
    let log = deliveries(&h, 1).await;
    assert_eq!(log[0]["reason"], "smartcard_removed");
    assert_eq!(rx.tokens.lock().unwrap().len(), 1);

    // Smartcard Connect: removal ends nothing.
    let r = h
        .http
        .put(h.admin("/card-mode"))
        .json_body(&json!({"mode": "smartcard_connect"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b = browser();
    let login = rp
        .login(&h, &b, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    let done = rp.finish(&h, &login).await.unwrap();
    assert_eq!(done.id_token.unwrap().amr, ["CIS2_SMARTCARD"]);
    let r = h
        .admin_post(&format!("/cards/{serial}/remove"), json!({}))
        .await
        .json_value()
        .await;
    assert!(r["ended_sessions"].as_array().unwrap().is_empty());
    assert_eq!(h.admin_get("/sessions").await.as_array().unwrap().len(), 1);
    assert_eq!(h.admin_post("/cards/none/remove", json!({})).await.status(), 404);
}

#[tokio::test]
async fn delivery_retries_on_5xx_and_logs_attempts() {
    let (h, rp, rx) = setup(2, Default::default()).await;
    let (_, id) = login(&h, &rp).await;
    h.http
        .delete(h.admin(&format!("/sessions/{}", urlenc(id.sid.as_deref().unwrap()))))
        .send()
        .await
        .unwrap();
    let log = deliveries(&h, 1).await;
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["status"], 503);
    assert_eq!(attempts[2]["status"], 200);
    assert_eq!(log[0]["outcome"], "delivered");
    let toks = rx.tokens.lock().unwrap().clone();
    assert!(
        toks.iter().all(|t| *t == toks[0]),
        "the same token on every retry"
    );
}

#[tokio::test]
async fn malformed_logout_tokens_are_rejected_by_the_sdk() {
    let (h, rp, rx) = setup(0, Default::default()).await;
    let cases = [
        (
            json!({"kind": "malformed_logout_token", "variant": "missing_events"}),
            "token.missing_claim",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "events_not_object"}),
            "token.invalid_logout_event",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "event_member_not_object"}),
            "token.invalid_logout_event",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "no_sub_no_sid"}),
            "token.missing_logout_subject",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "with_nonce"}),
            "token.unexpected_nonce",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "missing_jti"}),
            "token.missing_claim",
        ),
        (
            json!({"kind": "malformed_logout_token", "variant": "stale_iat"}),
            "token.issued_too_long_ago",
        ),
        (json!({"kind": "bad_signature"}), "token.invalid_signature"),
        (json!({"kind": "wrong_aud"}), "token.audience_mismatch"),
    ];
    for (i, (fault, expected)) in cases.iter().enumerate() {
        let (_, id) = rp
            .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
            .await;
        h.inject(json!({ "client_id": C, "target": "logout_token", "fault": fault }))
            .await;
        h.http
            .delete(h.admin(&format!("/sessions/{}", urlenc(id.sid.as_deref().unwrap()))))
            .send()
            .await
            .unwrap();
        deliveries(&h, i + 1).await;
        let token = rx.tokens.lock().unwrap()[i].clone();
        let err = rp
            .client
            .validate_logout_token(&token, &rp.jwks, h.now().await)
            .err()
            .unwrap();
        assert_eq!(token_code(&err), *expected, "{fault}");
    }
}
