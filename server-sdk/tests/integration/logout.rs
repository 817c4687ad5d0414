//! Local logout (CSRF-safe), optional CIS2 end-session (CS-33).

use serde_json::Value;

use crate::harness::{Browser, EventStream, Rp, RpOptions, location, no_store, set_cookies, setup};

#[tokio::test]
async fn logout_local_ends_the_session_and_notifies_the_stream() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    let mut events = EventStream::open(&b, &rp.base).await;
    let resp = b
        .http
        .post(format!("{}/auth/logout", rp.base))
        .header("accept", "application/json")
        .header("origin", &rp.base)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(no_store(&resp));
    assert!(
        set_cookies(&resp)
            .iter()
            .any(|c| c.starts_with("cis2_session=;") && c.contains("Max-Age=0"))
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["signed_out"], true);
    let (name, data) = events
        .next(std::time::Duration::from_secs(5))
        .await
        .expect("event");
    assert_eq!(
        (name.as_str(), data["reason"].as_str()),
        ("session_ended", Some("signed_out"))
    );
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn logout_refuses_cross_origin_requests() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    let resp = b
        .http
        .post(format!("{}/auth/logout", rp.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = b
        .http
        .post(format!("{}/auth/logout", rp.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // A GET without fetch metadata (an <img> elsewhere, an old browser) signs nobody out.
    let resp = b.get(&format!("{}/auth/logout", rp.base)).await;
    assert_eq!(resp.status(), 403);
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 200);
    // A same-origin navigation does.
    let resp = b
        .navigate(&format!("{}/auth/logout?return_to=%2Fbye", rp.base))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/bye");
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn cs_33_logout_with_cis2_end_session_sends_id_token_hint() {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(
        &op,
        RpOptions {
            configure: Box::new(|b| {
                b.end_session_on_logout(true, Some("https://rp.example/signed-out".into()))
            }),
            ..Default::default()
        },
    )
    .await;
    let b = Browser::new();
    b.login(&rp).await;
    let resp = b.navigate(&format!("{}/auth/logout", rp.base)).await;
    assert_eq!(resp.status(), 303);
    let to = url::Url::parse(&location(&resp)).unwrap();
    assert!(
        to.as_str()
            .starts_with(&format!("{}/connect/endSession", op.0.issuer))
    );
    let q: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert!(q["id_token_hint"].starts_with("eyJ"));
    assert_eq!(q["post_logout_redirect_uri"], "https://rp.example/signed-out");
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}
