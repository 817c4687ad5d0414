//! Keys: the RP's JWKS and rollover (REL-16, CS-59), provider key rotation (unknown kid → one refetch), JWKS
//! outage with a warm cache (REL-01), cold start (REL-02), concurrent cold starts sharing one fetch.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use crate::fake_op::{FakeOp, key};
use crate::harness::{Browser, Rp, RpOptions, post_logout_token, setup};

async fn rp_jwks(rp: &Rp) -> Value {
    let resp = reqwest::get(format!("{}/auth/jwks", rp.base)).await.unwrap();
    assert_eq!(resp.status(), 200);
    serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap()
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn cs_59_rp_jwks_hygiene() {
    let op = FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(
        &op,
        RpOptions {
            configure: Box::new(|b| b.next_signing_key(key("rp2"))),
            ..Default::default()
        },
    )
    .await;
    let jwks = rp_jwks(&rp).await;
    let ks = kids(&jwks);
    assert_eq!(ks, vec![key("rp1").kid().to_owned(), key("rp2").kid().to_owned()]);
    assert_ne!(ks[0], ks[1], "distinct kids");
    for k in jwks["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none(), "no private member {private}");
        }
        assert_eq!(k["use"], "sig");
    }
    // The published set parses as a JWKS whose keys the sdk accepts (RSA ≥ 2048 bits).
    let set = cis2_sdk::JwkSet::parse(jwks.to_string().as_bytes()).unwrap();
    assert_eq!(set.keys().len(), 2);
    assert!(set.rejected().is_empty());
}

#[tokio::test]
async fn rel_16_rp_key_rollover_publishes_before_use() {
    let (op, rp) = setup().await;
    Browser::new().login(&rp).await;
    rp.auth.stage_next_key(key("rp2")).unwrap();
    assert!(
        rp.auth.rotate_keys().is_err(),
        "refused before the next key is published"
    );
    let ks = kids(&rp_jwks(&rp).await);
    assert!(ks.contains(&key("rp2").kid().to_owned()), "next key published");
    // Issue #10: fetching /jwks (anyone may) no longer counts as "published long enough"; the default lead is
    // the provider's cache time, one hour from staging.
    assert!(
        rp.auth.rotate_keys().is_err(),
        "refused right after the first fetch"
    );
    op.0.clock.advance(std::time::Duration::from_secs(3599));
    assert!(rp.auth.rotate_keys().is_err(), "refused a second before the lead");
    op.0.clock.advance(std::time::Duration::from_secs(1));
    rp.auth.rotate_keys().unwrap();
    Browser::new().login(&rp).await;
    let used = op.0.assertion_kids.lock().unwrap().clone();
    assert_eq!(
        used,
        vec![key("rp1").kid().to_owned(), key("rp2").kid().to_owned()]
    );
    // The retired key stays published for the grace period.
    let ks = kids(&rp_jwks(&rp).await);
    assert!(ks.contains(&key("rp1").kid().to_owned()));
    assert_eq!(ks[0], key("rp2").kid());
}

#[tokio::test]
async fn cs_05_op_key_rotation_mid_session_refetches_once_under_cooldown() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 1);
    // The provider rotates its signing key; the session stays, back-channel logout with the new key works.
    op.0.clock.advance(Duration::from_secs(60));
    op.rotate_to(key("op2"));
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 200);
    Browser::new().login(&rp).await;
    assert_eq!(
        op.0.jwks_fetches.load(Ordering::SeqCst),
        2,
        "one refetch for the unknown kid"
    );
    // A second rotation inside the cooldown: no refetch, the login fails closed.
    op.rotate_to(key("op3"));
    let r = Browser::new().login_with(&rp, "").await;
    assert_eq!(r.response.status(), 400);
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 2, "cooldown holds");
    op.0.clock.advance(Duration::from_secs(31));
    let resp = post_logout_token(&rp.base, &op.logout_token(Some("555000000001"), Some("sid-1"))).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn rel_01_jwks_outage_with_warm_cache_keeps_validating() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    op.0.jwks_down.store(true, Ordering::SeqCst);
    // Past the cache's max age: a background refresh fails, the last good keys keep serving.
    op.0.clock.advance(Duration::from_secs(400));
    let r = Browser::new().login_with(&rp, "").await;
    assert_eq!(r.response.status(), 303, "login still validates with cached keys");
    for _ in 0..100 {
        if op.0.jwks_fetches.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        op.0.jwks_fetches.load(Ordering::SeqCst) >= 2,
        "a background refresh was attempted"
    );
    let resp = post_logout_token(&rp.base, &op.logout_token(Some("555000000001"), Some("sid-1"))).await;
    assert_eq!(resp.status(), 200, "logout tokens still validate");
    assert_eq!(b.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn rel_02_jwks_down_at_cold_start_fails_fast_then_recovers() {
    let (op, rp) = setup().await;
    op.0.jwks_down.store(true, Ordering::SeqCst);
    let r = Browser::new().login_with(&rp, "").await;
    // Issue #10: a provider fault is a 502 (it was a 400, as if the request were at fault).
    assert_eq!(r.response.status(), 502, "sign-in fails with a clear error");
    let body: Value = r.response.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(body["correlation_id"].is_string(), "{body}");
    op.0.jwks_down.store(false, Ordering::SeqCst);
    op.0.clock.advance(Duration::from_secs(31));
    Browser::new().login(&rp).await;
}

#[tokio::test]
async fn concurrent_cold_starts_share_one_jwks_fetch() {
    let (op, rp) = setup().await;
    let tokens: Vec<String> = (0..6)
        .map(|i| op.logout_token(Some("nobody"), Some(&format!("sid-x{i}"))))
        .collect();
    let posts = tokens.iter().map(|t| post_logout_token(&rp.base, t));
    let results = futures_util::future::join_all(posts).await;
    assert!(results.iter().all(|r| r.status() == 200));
    assert_eq!(op.0.jwks_fetches.load(Ordering::SeqCst), 1);
}

/// Captures what the kit logs on this thread (the tests' runtime runs the RP on the test's own thread).
#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Issue #10: the kit logged "refetching" even when the cooldown suppressed the refetch.
#[tokio::test]
async fn the_log_says_when_the_cooldown_suppressed_a_jwks_refetch() {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (op, rp) = setup().await;
    Browser::new().login(&rp).await;
    op.0.clock.advance(Duration::from_secs(60));
    op.rotate_to(key("op2"));
    Browser::new().login(&rp).await;
    assert_eq!(
        logs.text().matches("refetched the provider JWKS").count(),
        1,
        "{}",
        logs.text()
    );
    op.rotate_to(key("op3"));
    let r = Browser::new().login_with(&rp, "").await;
    assert_eq!(r.response.status(), 400);
    let text = logs.text();
    assert_eq!(
        text.matches("refetched the provider JWKS").count(),
        1,
        "no second refetch: {text}"
    );
    assert!(text.contains("JWKS refetch suppressed by the cooldown"), "{text}");
    assert!(!text.contains("refetching"), "{text}");
}
