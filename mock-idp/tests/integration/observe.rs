//! What a conformance suite embedding the mock needs: faults scoped to one user (scenarios run in parallel
//! against one client, each with its own user), the observation log of what the relying party called,
//! minted logout tokens, sessions by user, and key rotation as a library call.

use std::time::Duration;

use cis2_mock_idp::{Fault, InjectRequest, MintLogoutToken, Observed, ObservedEndpoint, Target, User};
use cis2_sdk::LoginOptions;
use serde_json::{Value, json};

use crate::common::*;
use crate::logout::receiver;

const C: &str = "700000000001.apps.supplier";
const A: &str = "710000000001";
const B: &str = "710000000002";

/// A mock with the client (back-channel logout to a receiver that fails its first `fail_first` posts) and
/// two fresh users.
async fn setup(fail_first: usize) -> (Harness, Rp, crate::logout::Receiver) {
    let h = start().await;
    let (url, rx) = receiver(fail_first).await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = json!(url);
    h.register(c).await;
    for (uid, name) in [(A, "Ann"), (B, "Bob")] {
        h.idp.state().put_user(User::new(uid, name, "Tester")).unwrap();
    }
    let rp = h.rp(C, post_auth()).await;
    (h, rp, rx)
}

fn st(h: &Harness) -> &cis2_mock_idp::AppState {
    h.idp.state()
}

/// A login as `uid` in a browser of its own, up to the callback.
async fn login_as(h: &Harness, rp: &Rp, uid: &str) -> Login {
    rp.login(h, &browser(), &LoginOptions::default(), uid, "smartcard")
        .await
}

#[tokio::test]
async fn a_fault_scoped_to_a_user_leaves_other_users_alone() {
    let (h, rp, _rx) = setup(0).await;
    let scoped = st(&h)
        .inject_fault(
            InjectRequest::new(Fault::WrongIss { value: None })
                .for_client(C)
                .for_user(A),
        )
        .unwrap();
    assert_eq!(scoped.uid.as_deref(), Some(A));
    // B first: untouched, and A's fault stays armed.
    let b = rp.finish(&h, &login_as(&h, &rp, B).await).await.unwrap();
    assert!(b.id_token.is_ok());
    assert_eq!(h.admin_get("/faults").await[0]["uid"], A);
    let a = rp.finish(&h, &login_as(&h, &rp, A).await).await.unwrap();
    assert_eq!(token_code(&a.id_token.err().unwrap()), "token.issuer_mismatch");
    assert!(h.admin_get("/faults").await.as_array().unwrap().is_empty());

    // Token endpoint (the user of the code), armed through the admin API with "uid".
    h.inject(json!({"client_id": C, "uid": A, "target": "token_endpoint", "fault": {"kind": "status", "status": 503}}))
        .await;
    assert!(rp.finish(&h, &login_as(&h, &rp, B).await).await.is_ok());
    let err = rp.finish(&h, &login_as(&h, &rp, A).await).await.err().unwrap();
    assert!(err.to_string().contains("temporarily_unavailable"), "{err}");

    // Userinfo (the user of the access token).
    let a = rp.finish(&h, &login_as(&h, &rp, A).await).await.unwrap();
    h.inject(json!({"client_id": C, "uid": A, "fault": {"kind": "sub_mismatch"}}))
        .await;
    assert!(rp.userinfo(&h, &b).await.is_ok());
    let err = rp.userinfo(&h, &a).await.err().unwrap();
    assert_eq!(token_code(&err), "token.subject_mismatch");

    // The JWKS and discovery serve no user.
    let r = h
        .admin_post(
            "/faults",
            json!({"uid": A, "target": "jwks_endpoint", "fault": {"kind": "status", "status": 500}}),
        )
        .await;
    assert_eq!(r.status(), 400);
}

/// Waits (no polling) for the next observation that `want` accepts.
async fn next_where(
    rx: &mut tokio::sync::broadcast::Receiver<Observed>,
    want: impl Fn(&Observed) -> bool,
) -> Observed {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let o = rx.recv().await.unwrap();
            if want(&o) {
                return o;
            }
        }
    })
    .await
    .expect("no such observation")
}

#[tokio::test]
async fn the_observation_log_records_what_the_rp_called() {
    let (h, _, _rx) = setup(1).await;
    let state = st(&h);
    let start = state.observed_seq();
    let mut sub = state.subscribe_observed();
    // Discovery and JWKS (the sdk client fetches both), then a login, a failed and a good code exchange,
    // userinfo and RP-initiated logout.
    let rp = h.rp(C, post_auth()).await;
    let login = login_as(&h, &rp, A).await;
    let bad = token_post(
        &h,
        &[
            ("grant_type", "authorization_code".into()),
            ("code", "not-a-code".into()),
            ("redirect_uri", REDIRECT.into()),
            ("client_id", C.into()),
            ("client_secret", "s3cret".into()),
        ],
    )
    .await;
    assert_eq!(bad.status(), 400);
    let done = rp.finish(&h, &login).await.unwrap();
    rp.userinfo(&h, &done).await.unwrap();
    let url = rp
        .client
        .end_session_url(done.tokens.id_token.secret(), None, None)
        .unwrap();
    assert_eq!(h.http.get(url.as_str()).send().await.unwrap().status(), 200);

    // Back-channel delivery: the receiver answers 503 once, then 200; each attempt is one entry.
    let is_delivery = |o: &Observed| o.endpoint == ObservedEndpoint::BackchannelDelivery;
    let first = next_where(&mut sub, is_delivery).await;
    let id = st(&h).deliveries()[0].id;
    assert_eq!(first.status, 503);
    assert_eq!(
        first.detail.as_deref(),
        Some(format!("delivery {id} retrying").as_str())
    );
    let second = next_where(&mut sub, is_delivery).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.client_id.as_deref(), Some(C));
    assert_eq!(second.uid.as_deref(), Some(A));
    assert_eq!(
        second.detail.as_deref(),
        Some(format!("delivery {id} delivered").as_str())
    );
    assert_eq!(st(&h).deliveries()[0].outcome, "delivered");

    let log = state.observed_since(start);
    let seen: Vec<(ObservedEndpoint, Option<&str>, Option<&str>, u16)> = log
        .iter()
        .map(|o| (o.endpoint, o.client_id.as_deref(), o.uid.as_deref(), o.status))
        .collect();
    use ObservedEndpoint::*;
    assert_eq!(
        seen,
        [
            (Discovery, None, None, 200),
            (Jwks, None, None, 200),
            (Authorize, Some(C), None, 302),
            (Token, Some(C), None, 400),
            (Token, Some(C), Some(A), 200),
            (Userinfo, Some(C), Some(A), 200),
            (EndSession, Some(C), Some(A), 200),
            (BackchannelDelivery, Some(C), Some(A), 503),
            (BackchannelDelivery, Some(C), Some(A), 200),
        ]
    );
    assert!(
        log.windows(2)
            .all(|w| w[0].seq + 1 == w[1].seq && w[0].at_ms <= w[1].at_ms)
    );
    assert_eq!(state.observed_seq(), log.last().unwrap().seq);
    // The token endpoint's entry carries the ID token it issued, for evidence; the others carry none.
    let issued = log[4].token.as_deref().expect("the ID token");
    let (_, claims) = cis2_sdk::dangerous::insecure_decode(issued).unwrap();
    assert_eq!(claims["sub"], A);
    assert!(log.iter().enumerate().all(|(i, o)| i == 4 || o.token.is_none()));

    // The same over the admin API; a clear keeps the numbering.
    let since = log[5].seq;
    let tail = h.admin_get(&format!("/observed?since={since}")).await;
    let tail = tail.as_array().unwrap();
    assert_eq!(tail.len(), 3);
    assert_eq!(tail[0]["endpoint"], "end_session");
    assert_eq!(tail[2]["endpoint"], "backchannel_delivery");
    assert_eq!(tail[2]["uid"], A);
    let r = h.http.get(h.admin("/observed?since=x")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = h.http.delete(h.admin("/observed")).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(h.admin_get("/observed").await.as_array().unwrap().is_empty());
    let seq = state.observed_seq();
    h.rp(C, post_auth()).await;
    assert_eq!(state.observed_since(0)[0].seq, seq + 1);
}

#[tokio::test]
async fn minted_logout_tokens_are_the_mocks_own_and_take_user_faults() {
    let (h, rp, _rx) = setup(0).await;
    let state = st(&h);
    let now = h.now().await;
    let t = state
        .mint_logout_token(
            MintLogoutToken::new(C)
                .with_sub(A)
                .with_sid("sid-1")
                .with_jti("j-1"),
        )
        .unwrap();
    let lt = rp.client.validate_logout_token(&t, &rp.jwks, now).unwrap();
    assert_eq!(
        (lt.sub.as_deref(), lt.sid.as_deref(), lt.jti.as_str()),
        (Some(A), Some("sid-1"), "j-1")
    );
    assert!(lt.exp.is_none());
    let (header, _) = cis2_sdk::dangerous::insecure_decode(&t).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    // A random jti when none is given.
    let t2 = state
        .mint_logout_token(MintLogoutToken::new(C).with_sid("sid-1"))
        .unwrap();
    let lt2 = rp.client.validate_logout_token(&t2, &rp.jwks, now).unwrap();
    assert_ne!(lt2.jti, "j-1");

    // Faults armed for A shape A's tokens only.
    state
        .inject_fault(
            InjectRequest::new(Fault::AlgNone)
                .target(Target::LogoutToken)
                .for_client(C)
                .for_user(A),
        )
        .unwrap();
    let tb = state
        .mint_logout_token(MintLogoutToken::new(C).with_sub(B))
        .unwrap();
    assert!(rp.client.validate_logout_token(&tb, &rp.jwks, now).is_ok());
    let ta = state
        .mint_logout_token(MintLogoutToken::new(C).with_sub(A))
        .unwrap();
    let header = cis2_sdk::b64url_decode(ta.split('.').next().unwrap()).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&header).unwrap()["alg"], "none");
    assert!(rp.client.validate_logout_token(&ta, &rp.jwks, now).is_err());

    // Over the admin API, with a malformation armed for A.
    h.inject(json!({"client_id": C, "uid": A, "fault": {"kind": "malformed_logout_token", "variant": "missing_jti"}}))
        .await;
    let r = h
        .admin_post("/logout-tokens", json!({"client_id": C, "sub": A}))
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json_value().await;
    let claims = cis2_sdk::dangerous::insecure_decode(v["logout_token"].as_str().unwrap())
        .unwrap()
        .1;
    assert_eq!(claims["sub"], A);
    assert!(claims.get("jti").is_none());
    let r = h
        .admin_post("/logout-tokens", json!({"client_id": "nobody", "sub": A}))
        .await;
    assert_eq!(r.status(), 404);
    let r = h.admin_post("/logout-tokens", json!({"client_id": C})).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn sessions_by_user_end_session_and_key_rotation_as_library_calls() {
    let (h, rp, _rx) = setup(0).await;
    let state = st(&h);
    let (_, a) = {
        let done = rp.finish(&h, &login_as(&h, &rp, A).await).await.unwrap();
        let claims = done.id_token.as_ref().unwrap().clone();
        (done, claims)
    };
    rp.finish(&h, &login_as(&h, &rp, B).await).await.unwrap();
    let session = state.sessions().into_iter().find(|s| s.uid == A).unwrap();
    let sid = a.sid.clone().unwrap();
    assert_eq!(session.sid, sid);
    let mut sub = state.subscribe_observed();
    assert!(state.end_session(&session.sid));
    assert!(!state.end_session(&session.sid));
    let d = next_where(&mut sub, |o| o.endpoint == ObservedEndpoint::BackchannelDelivery).await;
    assert_eq!((d.uid.as_deref(), d.status), (Some(A), 200));
    let delivery = &state.deliveries()[0];
    assert_eq!(
        (delivery.reason.as_str(), delivery.sid.as_str()),
        ("admin", sid.as_str())
    );
    assert!(state.sessions().iter().all(|s| s.uid == B));

    // Rotation: the new key signs, the old one stays published.
    let old = state.published_kids();
    let kid = state.rotate_signing_key().await.unwrap();
    assert_eq!(state.published_kids(), [kid.clone(), old[0].clone()]);
    let t = state
        .mint_logout_token(MintLogoutToken::new(C).with_sub(A))
        .unwrap();
    assert_eq!(
        cis2_sdk::dangerous::insecure_decode(&t).unwrap().0.kid.as_deref(),
        Some(kid.as_str())
    );
    let keys = h.admin_get("/keys").await;
    assert_eq!(keys["keys"][0]["kid"], kid);
}
