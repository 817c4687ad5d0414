//! Pending logins are bounded per browser and in total (issue #10): a flood of unauthenticated `GET /login`
//! requests used to store a record each for ten minutes, with no limit, in memory and in Redis.

use std::sync::Arc;

use axum::body::Body;
use cis2_server::{MemoryBackend, PendingLimits, SessionStore};
use http::Request;
use tower::ServiceExt;

use crate::fake_op::FakeOp;
use crate::harness::{Browser, RedisServer, Rp, RpOptions, location};

async fn rp_with(op: &FakeOp, store: SessionStore, limits: PendingLimits) -> Rp {
    Rp::start(
        op,
        RpOptions {
            store,
            configure: Box::new(move |b| b.pending_login_limits(limits)),
            ..Default::default()
        },
    )
    .await
}

/// 100,000 sign-in starts from browsers without cookies: the store never holds more than the total limit.
#[tokio::test]
async fn a_flood_of_sign_in_starts_keeps_the_memory_store_bounded() {
    let op = FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let backend = Arc::new(MemoryBackend::default());
    let rp = rp_with(
        &op,
        SessionStore::from_backend(backend.clone()),
        PendingLimits::default(),
    )
    .await;
    let app = rp.auth.router::<()>();
    let total = PendingLimits::default().total;
    let mut peak = 0;
    for i in 0..100_000 {
        let resp = app
            .clone()
            .oneshot(
                Request::get("/login?acr_values=AAL3_ANY")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        if i % 1000 == 999 {
            peak = peak.max(backend.pending_logins());
        }
    }
    assert_eq!(backend.pending_logins(), total);
    assert!(peak <= total, "peak {peak}");
}

/// One browser keeps its newest logins: the oldest can no longer complete, the newest still can.
#[tokio::test]
async fn one_browser_keeps_only_its_newest_pending_logins() {
    let op = FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let backend = Arc::new(MemoryBackend::default());
    let rp = rp_with(
        &op,
        SessionStore::from_backend(backend.clone()),
        PendingLimits::new(3, 100),
    )
    .await;
    let b = Browser::new();
    let mut authorize = Vec::new();
    for _ in 0..5 {
        authorize.push(b.start_login(&rp, "return_to=%2Fhome").await);
    }
    assert_eq!(backend.pending_logins(), 3);
    let oldest = b.authorize(&authorize[0]).await;
    assert_eq!(
        b.get(&oldest).await.status(),
        400,
        "the oldest pending login was dropped"
    );
    let newest = b.authorize(&authorize[4]).await;
    assert_eq!(location(&b.get(&newest).await), "/home");
}

/// The same bounds on Redis, which every instance shares.
#[tokio::test]
async fn the_redis_store_is_bounded_too() {
    let redis = RedisServer::start().await;
    let op = FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let store = SessionStore::redis_with_prefix(&redis.url, "t:").await.unwrap();
    let rp = rp_with(&op, store, PendingLimits::new(3, 50)).await;
    let app = rp.auth.router::<()>();
    for _ in 0..2_000 {
        let resp = app
            .clone()
            .oneshot(Request::get("/login").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
    }
    let mut conn = redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let pending: Vec<String> = redis::cmd("KEYS")
        .arg("t:p:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    let indexed: usize = redis::cmd("ZCARD")
        .arg("t:pall:")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(pending.len(), 50);
    assert_eq!(indexed, 50);
    // One browser: its own limit, and its logins still complete.
    let b = Browser::new();
    let mut authorize = Vec::new();
    for _ in 0..5 {
        authorize.push(b.start_login(&rp, "return_to=%2Fhome").await);
    }
    let oldest = b.authorize(&authorize[0]).await;
    assert_eq!(b.get(&oldest).await.status(), 400);
    let newest = b.authorize(&authorize[4]).await;
    assert_eq!(location(&b.get(&newest).await), "/home");
    let pending: Vec<String> = redis::cmd("KEYS")
        .arg("t:p:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(pending.len() <= 50);
}
