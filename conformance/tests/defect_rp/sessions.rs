//! Sessions, role selection, logout, back-channel logout, the JWKS cache and the authorization request.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::defect_rp::harness::{CLIENT, GP, IDP_KEY_B, MULTI, browser, env, location, post_form};
use crate::support::defect_rp::{
    CHANGE_ROLE_PATH, Defect, JWKS_REFETCH_COOLDOWN, LOGIN_COOKIE, LOGIN_PATH, LOGOUT_PATH, ME_PATH, SCOPE,
    SESSION_COOKIE, STEP_UP_PATH,
};

/// `state_not_bound`: a callback URL from browser A, opened in browser B (login CSRF / cross-user session
/// fixation, catalogue FLOW-01, FLOW-13).
#[tokio::test]
async fn state_not_bound_lets_another_browser_finish_the_sign_in() {
    for (defects, expected) in [(vec![], 400), (vec![Defect::StateNotBound], 302)] {
        let e = env(&defects).await;
        let (a, b) = (browser(), browser());
        let cb = e.until_callback(&a, LOGIN_PATH, GP, None).await;
        let (status, why) = e.sign_in_callback(&b, &cb).await;
        assert_eq!(status, expected, "{defects:?}: {why}");
        let signed_in = e.probe(&b, ME_PATH).await.0 == 200;
        assert_eq!(signed_in, expected == 302, "{defects:?}");
        e.rp.shutdown().await;
    }
}

/// `role_from_first_profile`: Morgan picks the second of three roles on /change-role.
#[tokio::test]
async fn role_from_first_profile_ignores_the_selected_role() {
    for (defects, expected) in [
        (vec![], "555000000102"),
        (vec![Defect::RoleFromFirstProfile], "555000000101"),
    ] {
        let e = env(&defects).await;
        let b = browser();
        assert_eq!(
            e.sign_in(&b, CHANGE_ROLE_PATH, MULTI, Some("555000000102")).await,
            302
        );
        assert_eq!(e.probe(&b, ME_PATH).await.1["role"], expected, "{defects:?}");
        e.rp.shutdown().await;
    }
    // Without a selection, a user with several roles has none (correct RP).
    let e = env(&[]).await;
    let b = browser();
    assert_eq!(e.sign_in(&b, LOGIN_PATH, MULTI, None).await, 302);
    assert_eq!(e.probe(&b, ME_PATH).await.1["role"], Value::Null);
    e.rp.shutdown().await;
}

/// `logout_keeps_server_session`: the session cookie taken before `POST /logout` still works after it.
#[tokio::test]
async fn logout_keeps_server_session_leaves_the_old_cookie_valid() {
    for (defects, still_valid) in [(vec![], false), (vec![Defect::LogoutKeepsServerSession], true)] {
        let e = env(&defects).await;
        let b = browser();
        let cb = e.until_callback(&b, LOGIN_PATH, GP, None).await;
        let r = b.get(&cb).send().await.unwrap();
        assert_eq!(r.status(), 302);
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(set_cookie.contains("HttpOnly"));
        let pair = set_cookie.split(';').next().unwrap().to_owned();
        assert!(pair.starts_with(&format!("{SESSION_COOKIE}=")));
        let r = b.post(e.rp.url(LOGOUT_PATH)).send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(
            e.probe(&b, ME_PATH).await.0,
            401,
            "the cookie is cleared either way"
        );
        let stolen = reqwest::Client::new()
            .get(e.rp.url(ME_PATH))
            .header("cookie", &pair)
            .send()
            .await
            .unwrap();
        assert_eq!(stolen.status() == 200, still_valid, "{defects:?}");
        e.rp.shutdown().await;
    }
}

/// Two browsers signed in as the same user (two IdP sessions); returns them with their sids.
async fn two_sessions(
    e: &crate::support::defect_rp::harness::Env,
) -> ((reqwest::Client, String), (reqwest::Client, String)) {
    let mut out = Vec::new();
    for _ in 0..2 {
        let b = browser();
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
        let sid = e.probe(&b, ME_PATH).await.1["sid"].as_str().unwrap().to_owned();
        out.push((b, sid));
    }
    let second = out.pop().unwrap();
    let first = out.pop().unwrap();
    assert_ne!(first.1, second.1);
    (first, second)
}

/// Back-channel logout for one sid: the correct RP ends only that session; `bcl_ignores_sid` ends both.
#[tokio::test]
async fn bcl_ignores_sid_ends_every_session_of_the_user() {
    for (defects, other_survives) in [(vec![], true), (vec![Defect::BclIgnoresSid], false)] {
        let e = env(&defects).await;
        let ((a, sid_a), (b, _)) = two_sessions(&e).await;
        assert_eq!(e.end_idp_session(&sid_a).await, "delivered");
        assert_eq!(e.probe(&a, ME_PATH).await.0, 401);
        assert_eq!(e.probe(&b, ME_PATH).await.0 == 200, other_survives, "{defects:?}");
        e.rp.shutdown().await;
    }
}

/// The same logout token twice: refused the second time unless `bcl_replay_accepted`.
#[tokio::test]
async fn bcl_replay_accepted_takes_a_logout_token_twice() {
    for (defects, replay_status) in [(vec![], 400), (vec![Defect::BclReplayAccepted], 200)] {
        let e = env(&defects).await;
        let b = browser();
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
        let sid = e.probe(&b, ME_PATH).await.1["sid"].as_str().unwrap().to_owned();
        assert_eq!(e.end_idp_session(&sid).await, "delivered");
        let token = e.idp.state().deliveries()[0].logout_token.clone();
        let r = post_form(
            &e.http,
            &e.rp.backchannel_logout_uri(),
            &[("logout_token", &token)],
        )
        .await;
        assert_eq!(r.status().as_u16(), replay_status, "{defects:?}");
        assert_eq!(r.headers()["cache-control"], "no-store");
        e.rp.shutdown().await;
    }
}

/// A logout token with `alg: none`: rejected (the session survives) unless `bcl_unsigned_accepted`.
#[tokio::test]
async fn bcl_unsigned_accepted_ends_a_session_on_an_unsigned_token() {
    for (defects, outcome) in [
        (vec![], "rejected"),
        (vec![Defect::BclUnsignedAccepted], "delivered"),
    ] {
        let e = env(&defects).await;
        let b = browser();
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
        let sid = e.probe(&b, ME_PATH).await.1["sid"].as_str().unwrap().to_owned();
        e.inject(json!({"target": "logout_token", "fault": {"kind": "alg_none"}}));
        assert_eq!(e.end_idp_session(&sid).await, outcome, "{defects:?}");
        assert_eq!(
            e.probe(&b, ME_PATH).await.0 == 200,
            outcome == "rejected",
            "{defects:?}"
        );
        e.rp.shutdown().await;
    }
}

/// The correct RP refuses malformed logout tokens (BCL §2.4, §2.6) and keeps the session.
#[tokio::test]
async fn correct_rp_refuses_malformed_logout_tokens() {
    let e = env(&[]).await;
    let variants = [
        "missing_events",
        "events_not_object",
        "event_member_not_object",
        "with_nonce",
        "stale_iat",
    ];
    let mut faults: Vec<Value> = variants
        .iter()
        .map(|v| json!({"kind": "malformed_logout_token", "variant": v}))
        .collect();
    faults.extend([
        json!({"kind": "bad_signature"}),
        json!({"kind": "wrong_aud"}),
        json!({"kind": "wrong_iss"}),
    ]);
    for fault in faults {
        let b = browser();
        assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
        let sid = e.probe(&b, ME_PATH).await.1["sid"].as_str().unwrap().to_owned();
        e.inject(json!({"target": "logout_token", "fault": fault}));
        assert_eq!(e.end_idp_session(&sid).await, "rejected", "{fault}");
        assert_eq!(e.probe(&b, ME_PATH).await.0, 200, "{fault}");
    }
    e.rp.shutdown().await;
}

/// JWKS: the correct RP refetches once on an unknown kid (key rotation) and otherwise serves from its cache.
#[tokio::test]
async fn jwks_cache_defects() {
    // no_refetch_on_unknown_kid: after a key rotation the next ID token names a new kid.
    for (defects, expected) in [(vec![], 302), (vec![Defect::NoRefetchOnUnknownKid], 400)] {
        let e = env(&defects).await;
        assert_eq!(e.sign_in(&browser(), LOGIN_PATH, GP, None).await, 302);
        let body = json!({"private_key_pem": IDP_KEY_B});
        let r = e.admin(reqwest::Method::POST, "/keys/rotate", Some(body)).await;
        assert_eq!(r.status(), 200);
        let (status, why) = e.sign_in_why(&browser(), LOGIN_PATH, GP, None).await;
        assert_eq!(status, expected, "{defects:?}: {why}");
        e.rp.shutdown().await;
    }
    // jwks_merged_on_refetch: rotate with no grace period, sign in with the new key (refetch), then a token
    // signed with the removed key.
    for (defects, expected) in [(vec![], 400), (vec![Defect::JwksMergedOnRefetch], 302)] {
        let e = env(&defects).await;
        assert_eq!(e.sign_in(&browser(), LOGIN_PATH, GP, None).await, 302);
        let body = json!({"private_key_pem": IDP_KEY_B, "grace_period_secs": 0});
        let r = e.admin(reqwest::Method::POST, "/keys/rotate", Some(body)).await;
        assert_eq!(r.status(), 200);
        assert_eq!(e.sign_in(&browser(), LOGIN_PATH, GP, None).await, 302);
        assert_eq!(e.rp.jwks_fetches(), 2);
        e.inject(json!({"fault": {"kind": "removed_key"}}));
        let (status, why) = e.sign_in_why(&browser(), LOGIN_PATH, GP, None).await;
        assert_eq!(status, expected, "{defects:?}: {why}");
        e.rp.shutdown().await;
    }
    // refetch_every_token: with the JWKS endpoint down, the cached keys still verify.
    for (defects, expected) in [(vec![], 302), (vec![Defect::RefetchEveryToken], 400)] {
        let e = env(&defects).await;
        assert_eq!(e.sign_in(&browser(), LOGIN_PATH, GP, None).await, 302);
        e.inject(json!({"target": "jwks_endpoint", "times": 0, "fault": {"kind": "status", "status": 503}}));
        assert_eq!(
            e.sign_in(&browser(), LOGIN_PATH, GP, None).await,
            expected,
            "{defects:?}"
        );
        assert_eq!(e.rp.jwks_fetches(), if defects.is_empty() { 1 } else { 2 });
        e.rp.shutdown().await;
    }
    // An unknown kid: one refetch, then none within the cooldown.
    assert!(JWKS_REFETCH_COOLDOWN >= Duration::from_secs(30));
    let e = env(&[]).await;
    assert_eq!(e.sign_in(&browser(), LOGIN_PATH, GP, None).await, 302);
    for _ in 0..2 {
        e.inject(json!({"fault": {"kind": "kid_unknown"}}));
        let (status, why) = e.sign_in_why(&browser(), LOGIN_PATH, GP, None).await;
        assert_eq!(status, 400);
        assert!(why.contains("token.no_matching_key"), "{why}");
        assert_eq!(e.rp.jwks_fetches(), 2);
    }
    e.rp.shutdown().await;
}

#[test]
fn defect_names_round_trip() {
    assert_eq!(Defect::ALL.len(), 20);
    for d in Defect::ALL {
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json, d.to_string());
        assert_eq!(d.to_string().parse::<Defect>().unwrap(), d);
        assert_eq!(serde_json::from_value::<Defect>(json).unwrap(), d);
    }
}

/// The authorization requests the three sign-in routes send (cis2.md §5; catalogue CS-53).
#[tokio::test]
async fn authorization_requests_carry_the_documented_parameters() {
    let e = env(&[]).await;
    let b = browser();
    let cases = [
        (LOGIN_PATH, SCOPE.to_owned(), "AAL2_OR_AAL3_ANY", None),
        (STEP_UP_PATH, SCOPE.to_owned(), "AAL3_ANY", Some("login")),
        (
            CHANGE_ROLE_PATH,
            format!("{SCOPE} selectedrole"),
            "AAL2_OR_AAL3_ANY",
            Some("login"),
        ),
    ];
    let mut states = Vec::new();
    for (path, scope, acr, prompt) in cases {
        let r = b.get(e.rp.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 302);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with(&format!("{LOGIN_COOKIE}=")) && cookie.contains("HttpOnly"));
        let loc = location(&r).unwrap();
        assert!(
            loc.starts_with(&format!("{}/authorize?", e.idp.issuer())),
            "{loc}"
        );
        let q = |n| {
            url::Url::parse(&loc)
                .unwrap()
                .query_pairs()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.into_owned())
        };
        assert_eq!(q("response_type").as_deref(), Some("code"));
        assert_eq!(q("client_id").as_deref(), Some(CLIENT));
        assert_eq!(q("redirect_uri"), Some(e.rp.redirect_uri()));
        assert_eq!(q("scope"), Some(scope));
        assert_eq!(q("acr_values").as_deref(), Some(acr));
        assert_eq!(q("prompt").as_deref(), prompt);
        assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
        assert_eq!(q("code_challenge").map(|c| c.len()), Some(43));
        assert!(q("nonce").is_some_and(|n| n.len() >= 43));
        states.push(q("state").unwrap());
    }
    states.sort();
    states.dedup();
    assert_eq!(states.len(), 3, "a fresh state per sign-in");
    e.rp.shutdown().await;
}
