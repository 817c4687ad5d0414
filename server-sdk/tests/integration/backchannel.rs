//! Back-channel logout: exactly the right sessions end; every malformed token is a 400 JSON error (CS-25…32,
//! BCL-01…12), always with Cache-Control: no-store.

use serde_json::{Value, json};

use crate::fake_op::{CLIENT_ID, UserSpec, key};
use crate::harness::{Browser, EventStream, no_store, post_logout_token, setup};

const SUB: &str = "555000000001";

async fn assert_400(base: &str, token: &str, why: &str) {
    let resp = post_logout_token(base, token).await;
    assert_eq!(resp.status(), 400, "{why}");
    assert!(no_store(&resp), "{why}: no-store");
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].is_string(), "{why}: JSON error");
}

#[tokio::test]
async fn bcl_09_sid_ends_only_that_session_and_cs_25_200_no_store() {
    let (op, rp) = setup().await;
    let s1 = Browser::new();
    s1.login(&rp).await;
    op.set_next_user(UserSpec::new(SUB, "sid-2"));
    let s2 = Browser::new();
    s2.login(&rp).await;
    let resp = post_logout_token(&rp.base, &op.logout_token(Some(SUB), Some("sid-1"))).await;
    assert_eq!(resp.status(), 200);
    assert!(no_store(&resp));
    let resp = s1.api(&format!("{}/api/me", rp.base)).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["reason"], "backchannel_logout", "the browser learns why");
    assert_eq!(s2.api(&format!("{}/api/me", rp.base)).await.status(), 200);
}

#[tokio::test]
async fn bcl_10_sub_only_ends_every_session_of_that_user() {
    let (op, rp) = setup().await;
    let s1 = Browser::new();
    s1.login(&rp).await;
    op.set_next_user(UserSpec::new(SUB, "sid-2"));
    let s2 = Browser::new();
    s2.login(&rp).await;
    op.set_next_user(UserSpec::new("555000000002", "sid-3"));
    let other = Browser::new();
    other.login(&rp).await;
    let resp = post_logout_token(&rp.base, &op.logout_token(Some(SUB), None)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(s1.api(&format!("{}/api/me", rp.base)).await.status(), 401);
    assert_eq!(s2.api(&format!("{}/api/me", rp.base)).await.status(), 401);
    assert_eq!(
        other.api(&format!("{}/api/me", rp.base)).await.status(),
        200,
        "another user's session stays"
    );
}

/// Issue #10: a valid sub-only logout token issued before a sign-in used to end that newer session when it
/// arrived late (or was replayed to an instance whose store had not seen its `jti`).
#[tokio::test]
async fn a_logout_token_older_than_the_sign_in_ends_nothing() {
    let (op, rp) = setup().await;
    let early = op.logout_token(Some(SUB), None);
    op.0.clock.advance(std::time::Duration::from_secs(60));
    let b = Browser::new();
    b.login(&rp).await;
    let resp = post_logout_token(&rp.base, &early).await;
    assert_eq!(resp.status(), 200, "a valid token is acknowledged");
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 200);
    // The same kind of token minted after the sign-in ends it.
    let resp = post_logout_token(&rp.base, &op.logout_token(Some(SUB), None)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn bcl_09_sid_with_another_users_sub_ends_nothing() {
    let (op, rp) = setup().await;
    let s1 = Browser::new();
    s1.login(&rp).await;
    let resp = post_logout_token(&rp.base, &op.logout_token(Some("someone-else"), Some("sid-1"))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(s1.api(&format!("{}/api/me", rp.base)).await.status(), 200);
}

#[tokio::test]
async fn bcl_04_jti_replay_refused() {
    let (op, rp) = setup().await;
    let token = op.logout_token(Some(SUB), Some("sid-1"));
    assert_eq!(post_logout_token(&rp.base, &token).await.status(), 200);
    assert_400(&rp.base, &token, "replayed jti").await;
}

#[tokio::test]
async fn bcl_11_no_matching_session_is_a_200_no_op() {
    let (op, rp) = setup().await;
    let resp = post_logout_token(&rp.base, &op.logout_token(Some("nobody"), Some("no-such-sid"))).await;
    assert_eq!(resp.status(), 200);
    assert!(no_store(&resp));
}

#[tokio::test]
async fn cs_26_to_cs_32_and_bcl_01_03_05_08_invalid_tokens_refused_and_sessions_survive() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    let base = &rp.base;
    let now = cis2_server::Clock::now(&op.0.clock).as_secs();
    let valid = || op.logout_claims(Some(SUB), Some("sid-1"));

    assert_400(base, &op.unsigned(&valid()), "CS-26 alg none").await;
    let mut c = valid();
    c.remove("events");
    assert_400(base, &op.sign(&c), "CS-27 no events").await;
    let mut c = valid();
    c.insert("nonce".into(), "n".into());
    assert_400(base, &op.sign(&c), "CS-28 nonce").await;
    let es = cis2_sdk::SigningKey::generate_p256(&mut rand::rngs::OsRng);
    let token = es
        .sign_jwt(
            Some("logout+jwt"),
            &serde_json::Map::new(),
            &valid(),
            &mut rand::rngs::OsRng,
        )
        .unwrap();
    assert_400(base, &token, "CS-29 wrong alg").await;
    let mut c = valid();
    c.insert("aud".into(), format!("{CLIENT_ID}INVALID").into());
    assert_400(base, &op.sign(&c), "CS-30 wrong aud").await;
    let mut c = valid();
    c.insert(
        "events".into(),
        json!({"http://schemas.openid.net/event/foobar": {}}),
    );
    assert_400(base, &op.sign(&c), "CS-31 wrong event").await;
    let mut c = valid();
    c.insert("iss".into(), format!("{}INVALID", op.0.issuer).into());
    assert_400(base, &op.sign(&c), "CS-32 wrong iss").await;
    assert_400(
        base,
        &op.sign(&op.logout_claims(None, None)),
        "BCL-01 neither sub nor sid",
    )
    .await;
    let mut c = valid();
    c.insert("iat".into(), (now + 600).into());
    assert_400(base, &op.sign(&c), "BCL-03 iat in the future").await;
    let mut c = valid();
    c.insert("iat".into(), (now - 86_400).into());
    assert_400(base, &op.sign(&c), "BCL-03 iat a day old").await;
    let mut c = valid();
    c.insert("exp".into(), (now - 120).into());
    assert_400(base, &op.sign(&c), "BCL-02 expired").await;
    let mut c = valid();
    c.insert(
        "events".into(),
        json!(["http://schemas.openid.net/event/backchannel-logout"]),
    );
    assert_400(base, &op.sign(&c), "BCL-05 events as an array").await;
    let mut c = valid();
    c.insert("aud".into(), json!([CLIENT_ID, "other"]));
    assert_400(base, &op.sign(&c), "BCL-08 untrusted extra audience").await;
    let wrong_key = key("op3")
        .sign_jwt(
            Some("logout+jwt"),
            &serde_json::Map::new(),
            &valid(),
            &mut rand::rngs::OsRng,
        )
        .unwrap();
    assert_400(base, &wrong_key, "signed by an unknown key").await;

    assert_eq!(
        b.api(&format!("{}/api/me", rp.base)).await.status(),
        200,
        "no session ended"
    );
    // The valid token still works afterwards.
    assert_eq!(
        post_logout_token(base, &op.logout_token(Some(SUB), Some("sid-1")))
            .await
            .status(),
        200
    );
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn bcl_07_transport_rules() {
    let (op, rp) = setup().await;
    let url = format!("{}/auth/backchannel-logout", rp.base);
    let http = reqwest::Client::new();
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    assert!(no_store(&resp));
    let token = op.logout_token(Some(SUB), Some("sid-1"));
    let resp = http
        .post(&url)
        .json(&json!({ "logout_token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "JSON body");
    assert!(no_store(&resp));
    let resp = http
        .post(&url)
        .form(&[("logout_token", &token), ("logout_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "two logout_token fields");
    let resp = http.post(&url).form(&[("other", "x")]).send().await.unwrap();
    assert_eq!(resp.status(), 400, "no logout_token");
    let big = "a".repeat(70 * 1024);
    let resp = http
        .post(&url)
        .form(&[("logout_token", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "body over 64 KiB");
    assert!(no_store(&resp));
}

#[tokio::test]
async fn event_stream_reports_backchannel_logout() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    let mut events = EventStream::open(&b, &rp.base).await;
    assert_eq!(
        post_logout_token(&rp.base, &op.logout_token(Some(SUB), Some("sid-1")))
            .await
            .status(),
        200
    );
    let (name, data) = events
        .next(std::time::Duration::from_secs(5))
        .await
        .expect("an event");
    assert_eq!(name, "session_ended");
    assert_eq!(data, json!({ "reason": "backchannel_logout" }));
    let session: Value = b
        .api(&format!("{}/auth/session", rp.base))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(session["authenticated"], false);
}

#[tokio::test]
async fn bcl_06_typ_and_bcl_02_no_exp_accepted() {
    let (op, rp) = setup().await;
    let k = key("op1");
    let sign = |typ: Option<&str>, sid: &str| {
        // CIS2-style: no exp claim (BCL-02 kit policy: honour exp when present).
        k.sign_jwt(
            typ,
            &serde_json::Map::new(),
            &op.logout_claims(Some(SUB), Some(sid)),
            &mut rand::rngs::OsRng,
        )
        .unwrap()
    };
    for (typ, sid) in [(Some("logout+jwt"), "a"), (Some("JWT"), "b"), (None, "c")] {
        let resp = post_logout_token(&rp.base, &sign(typ, sid)).await;
        assert_eq!(resp.status(), 200, "typ {typ:?} accepted");
    }
    assert_400(&rp.base, &sign(Some("at+jwt"), "d"), "BCL-06 typ at+jwt").await;
}
