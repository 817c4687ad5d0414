//! Issue #10 §2: the mock runs on developers' machines, so network input must not grow its memory without
//! bound, and its sign-in and sign-out endpoints must not act on ids or tokens alone.

use cis2_mock_idp::Config;
use cis2_sdk::LoginOptions;
use rand::rngs::OsRng;
use serde_json::{Map, Value, json};

use crate::common::*;

const C: &str = "700000000001.apps.supplier";

async fn setup(config: Config) -> Harness {
    let h = start_with(
        cis2_mock_idp::MockIdp::builder()
            .config(config)
            .signing_key(idp_key("a")),
    )
    .await;
    let mut c = secret_client(C, "client_secret_post");
    c["post_logout_redirect_uris"] = json!(["http://127.0.0.1:7777/signed-out"]);
    h.register(c).await;
    h
}

fn authorize_url(h: &Harness) -> String {
    h.url(&format!(
        "/authorize?response_type=code&client_id={C}&redirect_uri={}&scope=openid%20selectedrole&acr_values=AAL1_USERPASS",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    ))
}

async fn stats(h: &Harness) -> Value {
    h.admin_get("/stats").await
}

#[tokio::test]
async fn interactions_are_capped_oldest_first() {
    let mut config = Config::default();
    config.max_interactions = 5;
    let h = setup(config).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        let r = h.http.get(authorize_url(&h)).send().await.unwrap();
        assert_eq!(r.status(), 302);
        ids.push(query_param(&location(&r), "interaction").unwrap());
    }
    assert_eq!(stats(&h).await["interactions"], 5);
    let page = |id: &str| h.http.get(h.url(&format!("/login?interaction={id}"))).send();
    assert_eq!(
        page(&ids[0]).await.unwrap().status(),
        400,
        "the oldest was evicted"
    );
    assert_eq!(
        page(ids.last().unwrap()).await.unwrap().status(),
        200,
        "the newest is kept"
    );
}

#[tokio::test]
async fn sso_sessions_are_capped_and_codes_pruned_at_their_lifetime() {
    let mut config = Config::default();
    config.max_sso_sessions = 2;
    config.max_codes = 2;
    let h = setup(config).await;
    for uid in ["656005750108", "555000000003", "656005750107"] {
        let b = browser();
        let r = authorize_and_login(&h, &b, &authorize_url(&h), uid, "password").await;
        assert!(location(&r).starts_with(REDIRECT), "{}", location(&r));
    }
    let s = stats(&h).await;
    assert_eq!(s["sso_sessions"], 2, "{s}");
    assert_eq!(s["codes"], 2, "{s}");
    // The evicted session is really gone.
    assert_eq!(h.admin_get("/sessions").await.as_array().unwrap().len(), 2);
    // Codes live 60 s, and are dropped then (not an hour later).
    h.advance(61).await;
    assert_eq!(stats(&h).await["codes"], 0);
}

#[tokio::test]
async fn oidc_and_journey_bodies_are_limited_to_64_kib() {
    let h = setup(Config::default()).await;
    let big = format!("client_id={C}&x={}", "a".repeat(100 * 1024));
    for path in [
        "/authorize",
        "/login",
        "/select-role",
        "/access_token",
        "/connect/endSession",
    ] {
        let r = h
            .http
            .post(h.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{path}");
    }
    // Below the limit, nothing changes.
    let small = format!("client_id={C}&x={}", "a".repeat(32 * 1024));
    let r = h
        .http
        .post(h.url("/authorize"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(small)
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 413);
}

#[tokio::test]
async fn the_request_log_truncates_long_fields_and_keeps_no_pkce_verifier() {
    let h = setup(Config::default()).await;
    let r = token_post(
        &h,
        &[
            ("client_id", C.into()),
            ("client_secret", "s3cret".into()),
            ("grant_type", "g".repeat(20_000)),
            ("code", "nope".into()),
            ("code_verifier", "v".repeat(20_000)),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    let log = h.admin_get("/requests").await;
    let logged = log[0]["grant_type"].as_str().unwrap();
    assert!(logged.len() < 2200, "{} bytes logged", logged.len());
    assert!(logged.starts_with(&"g".repeat(2048)));
    assert!(
        logged.ends_with("…[truncated 17952 bytes]"),
        "{}",
        &logged[2000..]
    );
    // The verifier is a secret: only its length is logged.
    assert_eq!(log[0]["code_verifier"], "[redacted: 20000 bytes]");
    assert!(!log.to_string().contains("s3cret"));
}

/// Issue #10 §2: no secret leaves the admin API — client secrets, users' passwords, passcodes and TOTP seeds,
/// delivered logout tokens — and sending the redaction marker back keeps the stored secret.
#[tokio::test]
async fn admin_answers_carry_no_secrets_and_a_round_trip_keeps_them() {
    let h = setup(Config::default()).await;
    let clients = h.admin_get("/clients").await;
    let users = h.admin_get("/users").await;
    for u in users.as_array().unwrap() {
        for field in ["password", "passcode", "totp_secret"] {
            assert!(
                u[field] == "[redacted]" || u[field].is_null() || u[field] == "",
                "{field}: {u}"
            );
        }
    }
    assert!(!users.to_string().contains(cis2_mock_idp::DEFAULT_TOTP_SECRET));
    assert!(
        clients
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["client_secret"].is_null() || c["client_secret"] == "[redacted]")
    );
    let demo = h.admin_get(&format!("/clients/{C}")).await;
    assert_eq!(demo["client_secret"], "[redacted]");

    // GET → PUT unchanged: the client still authenticates with its real secret.
    let r = h
        .http
        .put(h.admin(&format!("/clients/{C}")))
        .json_body(&demo)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json_value().await["client_secret"], "[redacted]");
    assert_eq!(
        h.idp.state().client(C).unwrap().client_secret.as_deref(),
        Some("s3cret")
    );

    // The same for a user's credentials.
    let uid = users[0]["uid"].as_str().unwrap().to_owned();
    let before = h.idp.state().user(&uid).unwrap();
    let r = h
        .http
        .put(h.admin(&format!("/users/{uid}")))
        .json_body(&users[0])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = h.idp.state().user(&uid).unwrap();
    assert_eq!(
        (after.password, after.passcode, after.totp_secret),
        (before.password, before.passcode, before.totp_secret)
    );

    // Creating a client whose secret is the marker is refused (there is nothing to keep).
    let mut copy = demo.clone();
    copy["client_id"] = json!("700000000009.apps.supplier");
    let r = h
        .http
        .post(h.admin("/clients"))
        .json_body(&copy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json_value().await["error_description"]
            .as_str()
            .unwrap()
            .contains("client_secret")
    );
}

/// A browser signed in as `uid` (password), with its ID token.
async fn signed_in(h: &Harness, rp: &Rp, uid: &str) -> (reqwest::Client, String, String) {
    let b = browser();
    let opts = LoginOptions::default().acr_values(["AAL1_USERPASS"]);
    let login = rp.login(h, &b, &opts, uid, "password").await;
    let done = rp.finish(h, &login).await.unwrap();
    let claims = done.id_token.as_ref().unwrap();
    let sid = claims.sid.clone().unwrap();
    (b, done.tokens.id_token.secret().to_owned(), sid)
}

async fn live_sids(h: &Harness) -> Vec<String> {
    h.admin_get("/sessions")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["sid"].as_str().unwrap().to_owned())
        .collect()
}

fn end_session(h: &Harness, hint: &str) -> String {
    format!(
        "{}?id_token_hint={hint}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A7777%2Fsigned-out",
        h.url("/connect/endSession")
    )
}

#[tokio::test]
async fn end_session_refuses_a_forged_hint() {
    let h = setup(Config::default()).await;
    let rp = h.rp(C, post_auth()).await;
    let (_, _, sid) = signed_in(&h, &rp, "656005750108").await;
    // A hint for the victim's sid, signed with a key the mock does not hold.
    let now = h.now().await.as_secs();
    let claims: Map<String, Value> = json!({
        "iss": h.idp.issuer(), "sub": "656005750108", "aud": C, "azp": C, "sid": sid,
        "iat": now, "exp": now + 600,
    })
    .as_object()
    .unwrap()
    .clone();
    let forged = idp_key("b")
        .sign_jwt(Some("JWT"), &Map::new(), &claims, &mut OsRng)
        .unwrap();
    let attacker = browser();
    let r = attacker.get(end_session(&h, &forged)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        live_sids(&h).await,
        std::slice::from_ref(&sid),
        "no session ended"
    );
    // A hint for another registered client's audience, or garbage, fails the same way.
    let r = attacker.get(end_session(&h, "a.b.c")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(live_sids(&h).await, [sid]);
}

#[tokio::test]
async fn end_session_hint_must_match_the_browsers_session_and_may_be_expired() {
    let h = setup(Config::default()).await;
    let rp = h.rp(C, post_auth()).await;
    let (victim, victim_hint, victim_sid) = signed_in(&h, &rp, "656005750108").await;
    let (other, _, other_sid) = signed_in(&h, &rp, "555000000003").await;
    // Another signed-in browser presents the victim's (genuine) hint: refused, nothing ends.
    let r = other.get(end_session(&h, &victim_hint)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let mut live = live_sids(&h).await;
    live.sort();
    let mut both = vec![victim_sid.clone(), other_sid.clone()];
    both.sort();
    assert_eq!(live, both);
    // The victim's own browser, with its hint expired (ID tokens live 600 s): signed out.
    h.advance(700).await;
    let r = victim.get(end_session(&h, &victim_hint)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(live_sids(&h).await, [other_sid]);
}

#[tokio::test]
async fn select_role_is_bound_to_the_browser_that_signed_in() {
    let h = setup(Config::default()).await;
    let r = authorize_and_login(&h, &h.browser, &authorize_url(&h), "555000000001", "password").await;
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{REALM}/select-role")), "{loc}");
    let interaction = query_param(&loc, "interaction").unwrap();
    // Another browser that learnt the id (a URL, a log): refused, and no code.
    let attacker = browser();
    let page = attacker
        .get(format!("{}{loc}", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let r = post_form(
        &attacker,
        &h.url("/select-role"),
        &[
            ("interaction", interaction.clone()),
            ("role", "555000000102".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(location(&r).is_empty());
    // The browser that signed in still can.
    let r = post_form(
        &h.browser,
        &h.url("/select-role"),
        &[("interaction", interaction), ("role", "555000000102".into())],
    )
    .await;
    assert!(location(&r).starts_with(REDIRECT), "{}", location(&r));
}

#[tokio::test]
async fn a_totp_code_is_single_use() {
    let h = setup(Config::default()).await;
    let uid = "656005750108";
    let now = h.now().await;
    let code = cis2_mock_idp::totp(cis2_mock_idp::DEFAULT_TOTP_SECRET, now);
    let url = h.url(&format!(
        "/authorize?response_type=code&client_id={C}&redirect_uri={}&scope=openid&acr_values=AAL2_OR_AAL3_ANY",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    ));
    let login = |b: reqwest::Client, code: String| {
        let url = url.clone();
        let h = &h;
        async move {
            let r = b.get(&url).send().await.unwrap();
            let interaction = query_param(&location(&r), "interaction").unwrap();
            post_form(
                &b,
                &h.url("/login"),
                &[
                    ("interaction", interaction),
                    ("uid", uid.to_owned()),
                    ("method", "totp".to_owned()),
                    ("password", cis2_mock_idp::DEFAULT_PASSWORD.to_owned()),
                    ("totp", code),
                ],
            )
            .await
        }
    };
    let first = login(browser(), code.clone()).await;
    assert!(location(&first).starts_with(REDIRECT), "{}", first.status());
    // The same code again (another browser, same time step): refused.
    let replay = login(browser(), code).await;
    assert_eq!(replay.status(), 401);
    // The next step's code works.
    h.advance(30).await;
    let next = cis2_mock_idp::totp(cis2_mock_idp::DEFAULT_TOTP_SECRET, h.now().await);
    let r = login(browser(), next).await;
    assert!(location(&r).starts_with(REDIRECT), "{}", r.status());
}

#[tokio::test]
async fn webauthn_ceremony_bodies_are_limited_to_16_kib_with_a_json_error() {
    let h = setup(Config::default()).await;
    let big = serde_json::json!({ "kind": "security_key", "pad": "a".repeat(32 * 1024) }).to_string();
    for path in [
        "/webauthn/register/start",
        "/webauthn/register/finish",
        "/webauthn/login/start",
        "/webauthn/login/finish",
    ] {
        let r = h
            .http
            .post(h.url(path))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{path}");
        let v = r.json_value().await;
        assert_eq!(v["error"], "request_too_large", "{path}: {v}");
        assert!(v["error_description"].as_str().unwrap().contains("16 KiB"), "{v}");
    }
    // Below the limit the ceremony reads the body (and answers on its merits: no such ceremony here).
    let r = h
        .http
        .post(h.url("/webauthn/login/finish"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "ceremony": "nope", "pad": "a".repeat(8 * 1024) }).to_string())
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 413);
    assert!(r.status().is_client_error());
}
