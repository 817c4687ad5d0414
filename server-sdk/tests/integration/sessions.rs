//! Sessions: idle and absolute timeouts (with event-stream notice), extractors for API calls and navigations,
//! AAL3 step-up, activity requirements.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fake_op::UserSpec;
use crate::harness::{Browser, EventStream, Rp, RpOptions, location, setup};

async fn with_timeouts(idle: u64, absolute: u64) -> (crate::fake_op::FakeOp, Rp) {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(
        &op,
        RpOptions {
            configure: Box::new(move |b| {
                b.idle_timeout(Duration::from_secs(idle))
                    .absolute_timeout(Duration::from_secs(absolute))
            }),
            ..Default::default()
        },
    )
    .await;
    (op, rp)
}

#[tokio::test]
async fn idle_timeout_ends_the_session() {
    let (op, rp) = with_timeouts(600, 3600).await;
    let b = Browser::new();
    b.login(&rp).await;
    op.0.clock.advance(Duration::from_secs(500));
    assert_eq!(
        b.api(&format!("{}/api/me", rp.base)).await.status(),
        200,
        "activity within the idle window"
    );
    op.0.clock.advance(Duration::from_secs(500));
    assert_eq!(
        b.api(&format!("{}/api/me", rp.base)).await.status(),
        200,
        "the last request reset the idle timer"
    );
    op.0.clock.advance(Duration::from_secs(601));
    let resp = b.api(&format!("{}/api/me", rp.base)).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "login_required");
    assert_eq!(body["reason"], "idle_timeout");
    let s: Value = b
        .api(&format!("{}/auth/session", rp.base))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["authenticated"], false);
}

#[tokio::test]
async fn absolute_timeout_ends_an_active_session() {
    let (op, rp) = with_timeouts(600, 1800).await;
    let b = Browser::new();
    b.login(&rp).await;
    for _ in 0..3 {
        op.0.clock.advance(Duration::from_secs(500));
        assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 200);
    }
    op.0.clock.advance(Duration::from_secs(301));
    let resp = b.api(&format!("{}/auth/session", rp.base)).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({ "authenticated": false, "reason": "expired" }));
}

#[tokio::test]
async fn event_stream_reports_idle_timeout() {
    let (op, rp) = with_timeouts(600, 3600).await;
    let b = Browser::new();
    b.login(&rp).await;
    let mut events = EventStream::open(&b, &rp.base).await;
    op.0.clock.advance(Duration::from_secs(601));
    let (name, data) = events.next(Duration::from_secs(5)).await.expect("an event");
    assert_eq!(name, "session_ended");
    assert_eq!(data["reason"], "idle_timeout");
}

#[tokio::test]
async fn events_without_a_session_is_401_json() {
    let (_op, rp) = setup().await;
    let resp = Browser::new().api(&format!("{}/auth/events", rp.base)).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "login_required");
}

#[tokio::test]
async fn extractor_401_json_for_api_and_login_redirect_for_navigation() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    let resp = b.api(&format!("{}/api/me", rp.base)).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"], "login_required");
    let resp = b.navigate(&format!("{}/api/me?x=1", rp.base)).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/auth/login?return_to=%2Fapi%2Fme%3Fx%3D1");
}

#[tokio::test]
async fn idt_10_require_aal3_step_up_for_navigation_and_403_for_api() {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(&op, RpOptions::aal2_floor()).await;
    let b = Browser::new();
    let r = b.login_with(&rp, "acr_values=AAL2_ANY").await;
    assert_eq!(r.response.status(), 303);
    let me: Value = b.api(&format!("{}/api/me", rp.base)).await.json().await.unwrap();
    assert_eq!(me["aal"], 2);
    let resp = b.api(&format!("{}/api/aal3", rp.base)).await;
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_user_authentication");
    assert_eq!(body["acr_values"], "AAL3_ANY");
    let resp = b.navigate(&format!("{}/api/aal3", rp.base)).await;
    assert_eq!(resp.status(), 303);
    let step_up = location(&resp);
    assert_eq!(
        step_up,
        "/auth/login?return_to=%2Fapi%2Faal3&acr_values=AAL3_ANY&prompt=login"
    );
    // Follow the step-up: an AAL3 sign-in unlocks the route.
    let authorize = location(&b.get(&format!("{}{step_up}", rp.base)).await);
    let callback = b.authorize(&authorize).await;
    let resp = b.get(&callback).await;
    assert_eq!(location(&resp), "/api/aal3");
    assert_eq!(b.api(&format!("{}/api/aal3", rp.base)).await.status(), 200);
    // No session at all: 401 for the API.
    assert_eq!(
        Browser::new()
            .api(&format!("{}/api/aal3", rp.base))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn activity_requirement_layer_and_extractor() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await; // role R1 grants B0420
    assert_eq!(b.api(&format!("{}/api/prescribe", rp.base)).await.status(), 200);
    assert_eq!(
        b.api(&format!("{}/api/prescribe-typed", rp.base)).await.status(),
        200
    );
    let mut user = UserSpec::new("555000000009", "sid-9");
    user.selected_roleid = Some("R2".into());
    op.set_next_user(user);
    let other = Browser::new();
    other.login(&rp).await; // role R2 lacks B0420
    for path in ["/api/prescribe", "/api/prescribe-typed"] {
        let resp = other.api(&format!("{}{path}", rp.base)).await;
        assert_eq!(resp.status(), 403, "{path}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "insufficient_role");
        assert!(
            body["change_role"]
                .as_str()
                .unwrap()
                .starts_with("/auth/change-role")
        );
    }
    assert_eq!(
        Browser::new()
            .api(&format!("{}/api/prescribe", rp.base))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn session_json_gives_page_scripts_no_cis2_session_id() {
    // The ID token carries a `sid` (the fake OP sends one); the page needs the user and the deadlines only.
    let (_op, rp) = with_timeouts(600, 3600).await;
    let b = Browser::new();
    b.login(&rp).await;
    let s: Value = b
        .api(&format!("{}/auth/session", rp.base))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["authenticated"], true);
    assert!(s["session"]["expires_at"].is_u64(), "{s}");
    assert!(s["session"].get("sid").is_none(), "sid exposed: {s}");
    assert!(!s.to_string().contains("\"sid\""), "{s}");
}
