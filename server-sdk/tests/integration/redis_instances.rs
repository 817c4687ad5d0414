//! Two RP instances sharing a real redis-server: back-channel logout reaches every instance and its event
//! streams (REL-13), the jti replay set is shared (BCL-04, REL-15), callbacks work on either instance (REL-12).

use std::time::Duration;

use cis2_server::{ManualClock, SessionStore};
use serde_json::json;

use crate::fake_op::FakeOp;
use crate::harness::{Browser, EventStream, RedisServer, Rp, RpOptions, post_logout_token};

async fn two_instances(redis: &RedisServer) -> (FakeOp, Rp, Rp) {
    let op = FakeOp::start(ManualClock::starting_now()).await;
    let a = Rp::start(
        &op,
        RpOptions {
            store: SessionStore::redis(&redis.url).await.unwrap(),
            ..Default::default()
        },
    )
    .await;
    let b = Rp::start(
        &op,
        RpOptions {
            store: SessionStore::redis(&redis.url).await.unwrap(),
            redirect_uri: Some(format!("{}/auth/callback", a.base)),
            ..Default::default()
        },
    )
    .await;
    (op, a, b)
}

#[tokio::test]
async fn rel_13_logout_on_one_instance_ends_the_session_everywhere_and_bcl_04_jti_replay_refused_across_instances()
 {
    let redis = RedisServer::start().await;
    let (op, a, b) = two_instances(&redis).await;
    let browser = Browser::new();
    browser.login(&a).await;
    // Cookies are per host, so the same browser reaches both instances with its session.
    assert_eq!(browser.api(&format!("{}/api/me", b.base)).await.status(), 200);
    let mut stream_on_b = EventStream::open(&browser, &b.base).await;

    let token = op.logout_token(Some("555000000001"), Some("sid-1"));
    let resp = post_logout_token(&a.base, &token).await;
    assert_eq!(resp.status(), 200);
    let (name, data) = stream_on_b
        .next(Duration::from_secs(5))
        .await
        .expect("event on instance B");
    assert_eq!(name, "session_ended");
    assert_eq!(data, json!({ "reason": "backchannel_logout" }));
    assert_eq!(browser.api(&format!("{}/api/me", b.base)).await.status(), 401);
    assert_eq!(browser.api(&format!("{}/api/me", a.base)).await.status(), 401);

    // The same token replayed to the other instance.
    let resp = post_logout_token(&b.base, &token).await;
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn rel_12_callback_on_the_other_instance_and_bcl_10_via_redis_indexes() {
    let redis = RedisServer::start().await;
    let (op, a, b) = two_instances(&redis).await;
    let one = Browser::new();
    let authorize = one.start_login(&a, "").await;
    let callback = one.authorize(&authorize).await;
    assert_eq!(one.get(&callback.replace(&a.base, &b.base)).await.status(), 303);
    op.set_next_user(crate::fake_op::UserSpec::new("555000000001", "sid-2"));
    let two = Browser::new();
    two.login(&b).await;
    op.set_next_user(crate::fake_op::UserSpec::new("555000000002", "sid-3"));
    let other = Browser::new();
    other.login(&a).await;
    assert_eq!(
        post_logout_token(&b.base, &op.logout_token(Some("555000000001"), None))
            .await
            .status(),
        200
    );
    assert_eq!(one.api(&format!("{}/api/me", a.base)).await.status(), 401);
    assert_eq!(two.api(&format!("{}/api/me", a.base)).await.status(), 401);
    assert_eq!(other.api(&format!("{}/api/me", b.base)).await.status(), 200);
}

#[tokio::test]
async fn rel_14_store_outage_fails_closed() {
    let redis = RedisServer::start().await;
    let (op, a, _b) = two_instances(&redis).await;
    let browser = Browser::new();
    browser.login(&a).await;
    let token = op.logout_token(Some("555000000001"), Some("sid-1"));
    drop(redis); // the shared store goes away
    let resp = tokio::time::timeout(Duration::from_secs(20), post_logout_token(&a.base, &token))
        .await
        .expect("bounded");
    assert_ne!(resp.status(), 200, "never 200 without ending the session");
    assert!(resp.status() == 400 || resp.status().is_server_error());
    // New sign-ins fail closed; the authenticated route refuses rather than guessing.
    let resp = browser.get(&format!("{}/auth/login", a.base)).await;
    assert!(resp.status().is_server_error());
    assert!(
        browser
            .api(&format!("{}/api/me", a.base))
            .await
            .status()
            .is_server_error()
    );
}
