//! Sign-in: the full flow with private_key_jwt, return paths, callback attacks (FLOW-*), role selection.

use std::sync::atomic::Ordering;

use crate::fake_op::UserSpec;
use crate::harness::{Browser, Rp, RpOptions, location, no_store, set_cookies, setup};

#[tokio::test]
async fn full_login_with_private_key_jwt() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    let authorize = b.start_login(&rp, "return_to=%2Fpatients%3Fid%3D1").await;
    assert!(authorize.starts_with(&op.0.issuer), "redirects to the provider");
    let callback = b.authorize(&authorize).await;
    let resp = b.get(&callback).await;
    assert_eq!(resp.status(), 303);
    // Clean redirect to the return path: no code or state.
    assert_eq!(location(&resp), "/patients?id=1");
    assert!(no_store(&resp), "callback responses are Cache-Control: no-store");
    let cookies = set_cookies(&resp);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("cis2_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"));
    assert!(session.contains("SameSite=Lax"));
    assert!(session.contains("Path=/"));
    assert!(!session.contains("Secure"), "http redirect URI: no Secure flag");
    // The provider got a private_key_jwt assertion signed with the RP key it found in the RP JWKS.
    assert_eq!(op.0.assertion_jtis.lock().unwrap().len(), 1);
    assert_eq!(
        op.0.assertion_kids.lock().unwrap()[0],
        crate::fake_op::key("rp1").kid()
    );

    let me: serde_json::Value = b.api(&format!("{}/api/me", rp.base)).await.json().await.unwrap();
    assert_eq!(me["sub"], "555000000001");
    assert_eq!(me["aal"], 3);
    assert_eq!(me["selected_role"], "R1");
    let resp = b.api(&format!("{}/auth/session", rp.base)).await;
    assert!(no_store(&resp));
    let text = resp.text().await.unwrap();
    let session: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(session["authenticated"], true);
    assert_eq!(session["user"]["selected_role"]["person_roleid"], "R1");
    assert_eq!(session["user"]["selected_organisation"]["org_name"], "Test Trust");
    assert_eq!(session["user"]["sub"], "555000000001");
    assert!(
        session["session"]["idle_expires_at"].as_u64().unwrap()
            > session["session"]["created_at"].as_u64().unwrap()
    );
    assert!(
        !session.to_string().contains("eyJ"),
        "no token reaches the browser: {session}"
    );
    // Tokens never reach the browser.
    for at in op.0.access_tokens.lock().unwrap().keys() {
        assert!(!text.contains(at.as_str()));
    }
    assert!(!text.contains("eyJ"), "no JWT in the session JSON");
}

#[tokio::test]
async fn login_sends_pkce_s256_nonce_state_and_acr_cs_53_cs_54_cs_57() {
    let (op, rp) = setup().await;
    Browser::new().login(&rp).await;
    Browser::new().login(&rp).await;
    let reqs = op.0.authorize_requests.lock().unwrap().clone();
    for q in &reqs {
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["acr_values"], "AAL3_ANY");
        assert!(q["nonce"].len() >= 43 && q["state"].len() >= 43);
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
    }
    assert_ne!(reqs[0]["state"], reqs[1]["state"]);
    assert_ne!(reqs[0]["nonce"], reqs[1]["nonce"]);
    let verifiers = op.0.verifiers.lock().unwrap().clone();
    assert!(verifiers.iter().all(|v| v.len() >= 43), "CS-54 verifier length");
    assert_ne!(verifiers[0], verifiers[1], "CS-54 never reused");
    let jtis = op.0.assertion_jtis.lock().unwrap().clone();
    assert_eq!(jtis.len(), 2);
    assert_ne!(jtis[0], jtis[1], "CS-57 fresh assertion jti");
}

#[tokio::test]
async fn login_options_are_forwarded() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    let url = b
        .start_login(
            &rp,
            "acr_values=AAL3_FIDO2&prompt=login&max_age=300&select_role=true",
        )
        .await;
    let parsed = url::Url::parse(&url).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["acr_values"], "AAL3_FIDO2");
    assert_eq!(q["prompt"], "login");
    assert_eq!(q["max_age"], "300");
    assert!(q["scope"].split(' ').any(|s| s == "selectedrole"));
    // An unknown ACR value is refused by the sdk.
    let resp = b.get(&format!("{}/auth/login?acr_values=AAL9", rp.base)).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn step_up_and_change_role_routes_start_the_right_login() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    for (path, check) in [
        (
            "step-up",
            &(|q: &std::collections::HashMap<String, String>| {
                q["acr_values"] == "AAL3_ANY" && q["prompt"] == "login"
            }) as &dyn Fn(&_) -> bool,
        ),
        ("change-role", &|q: &std::collections::HashMap<String, String>| {
            q["prompt"] == "login" && q["scope"].split(' ').any(|s| s == "selectedrole")
        }),
    ] {
        let resp = b.get(&format!("{}/auth/{path}?return_to=/work", rp.base)).await;
        assert_eq!(resp.status(), 303, "{path}");
        let loc = resp.headers()["location"].to_str().unwrap().to_owned();
        let q: std::collections::HashMap<_, _> = url::Url::parse(&loc)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        assert!(check(&q), "{path}: {loc}");
    }
}

#[tokio::test]
async fn return_path_accepts_same_origin_relative_paths_only() {
    let (_op, rp) = setup().await;
    let b = Browser::new();
    for bad in [
        "//evil.com",
        "https://evil",
        "/\\evil",
        "\\\\evil",
        "/a\\b",
        "javascript:alert(1)",
        "evil",
        "/\r\nSet-Cookie: x=1",
        "///evil",
        "/ok\t",
    ] {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", bad)
            .finish();
        let resp = b.get(&format!("{}/auth/login?{q}", rp.base)).await;
        assert_eq!(resp.status(), 400, "return_to {bad:?} must be refused");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
    }
    let resp = b
        .get(&format!("{}/auth/login?return_to=%2Fok%2Fpath%3Fa%3D1", rp.base))
        .await;
    assert_eq!(resp.status(), 303);
}

#[tokio::test]
async fn flow_01_callback_without_binding_cookie_refused() {
    let (op, rp) = setup().await;
    let a = Browser::new();
    let authorize = a.start_login(&rp, "").await;
    let callback = a.authorize(&authorize).await;
    // A browser with no cookies at all hits the callback.
    let resp = Browser::new().get(&callback).await;
    assert_eq!(resp.status(), 400);
    assert!(no_store(&resp));
    assert!(set_cookies(&resp).iter().all(|c| !c.starts_with("cis2_session=")));
    assert_eq!(
        op.0.token_requests.load(Ordering::SeqCst),
        0,
        "refused before any token request"
    );
}

#[tokio::test]
async fn flow_13_callback_with_another_browsers_state_refused() {
    let (op, rp) = setup().await;
    let attacker = Browser::new();
    let victim = Browser::new();
    let authorize = attacker.start_login(&rp, "").await;
    victim.start_login(&rp, "").await; // the victim has a login of its own in progress
    // The victim completes the attacker's authorization URL.
    let callback = victim.authorize(&authorize).await;
    let resp = victim.get(&callback).await;
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(op.0.token_requests.load(Ordering::SeqCst), 0);
    assert_eq!(victim.api(&format!("{}/api/me", rp.base)).await.status(), 401);
}

#[tokio::test]
async fn flow_02_replayed_state_refused() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    let first = b.login(&rp).await;
    let again = b.get(&first.callback_url).await;
    assert_eq!(again.status(), 400);
    assert!(no_store(&again));
    assert_eq!(
        op.0.token_requests.load(Ordering::SeqCst),
        1,
        "no second code exchange"
    );
}

#[tokio::test]
async fn flow_16_error_response_with_valid_state() {
    let (op, rp) = setup().await;
    *op.0.authorize_error.lock().unwrap() = Some("access_denied".into());
    let b = Browser::new();
    let r = b.login_with(&rp, "").await;
    assert_eq!(r.response.status(), 400);
    assert!(no_store(&r.response));
    assert!(
        set_cookies(&r.response)
            .iter()
            .all(|c| !c.starts_with("cis2_session="))
    );
    let body: serde_json::Value = r.response.json().await.unwrap();
    assert_eq!(body["provider_error"], "access_denied");
    assert_eq!(op.0.token_requests.load(Ordering::SeqCst), 0, "no token call");
}

#[tokio::test]
async fn fuz_06_duplicated_or_unexpected_callback_parameters_refused() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    let authorize = b.start_login(&rp, "").await;
    let callback = b.authorize(&authorize).await;
    let dup = format!("{callback}&state=other");
    assert_eq!(b.get(&dup).await.status(), 400);
    let implicit = format!("{callback}&id_token=eyJ");
    assert_eq!(b.get(&implicit).await.status(), 400, "IDT-13");
    assert_eq!(op.0.token_requests.load(Ordering::SeqCst), 0);
    // The pending login was not consumed by the refused attempts.
    assert_eq!(b.get(&callback).await.status(), 303);
}

#[tokio::test]
async fn role_selection_and_change_role() {
    let (op, rp) = setup().await;
    let b = Browser::new();
    b.login(&rp).await;
    let me: serde_json::Value = b.api(&format!("{}/api/me", rp.base)).await.json().await.unwrap();
    assert_eq!(me["selected_role"], "R1");
    let mut user = UserSpec::new("555000000001", "sid-2");
    user.selected_roleid = Some("R2".into());
    op.set_next_user(user);
    let resp = b
        .get(&format!("{}/auth/change-role?return_to=%2Fhome", rp.base))
        .await;
    assert_eq!(resp.status(), 303);
    let authorize = location(&resp);
    let q: std::collections::HashMap<_, _> = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["prompt"], "login");
    assert!(q["scope"].split(' ').any(|s| s == "selectedrole"));
    let callback = b.authorize(&authorize).await;
    assert_eq!(b.get(&callback).await.status(), 303);
    let me: serde_json::Value = b.api(&format!("{}/api/me", rp.base)).await.json().await.unwrap();
    assert_eq!(me["selected_role"], "R2");
    assert_eq!(me["sid"], "sid-2");
}

#[tokio::test]
async fn rel_12_callback_on_another_instance_sharing_the_store() {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let store = cis2_server::SessionStore::memory();
    let a = Rp::start(
        &op,
        RpOptions {
            store: store.clone(),
            ..Default::default()
        },
    )
    .await;
    let b_rp = Rp::start(
        &op,
        RpOptions {
            store,
            redirect_uri: Some(format!("{}/auth/callback", a.base)),
            ..Default::default()
        },
    )
    .await;
    let browser = Browser::new();
    let authorize = browser.start_login(&a, "").await;
    let callback = browser.authorize(&authorize).await;
    // The load balancer sends the callback to instance B.
    let on_b = callback.replace(&a.base, &b_rp.base);
    let resp = browser.get(&on_b).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(browser.api(&format!("{}/api/me", a.base)).await.status(), 200);
}

/// An RP whose redirect URI is https (served here over plain http), so its cookies are Secure.
async fn https_rp() -> (crate::fake_op::FakeOp, Rp) {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(
        &op,
        RpOptions {
            redirect_uri: Some("https://rp.example/auth/callback".into()),
            ..Default::default()
        },
    )
    .await;
    (op, rp)
}

#[tokio::test]
async fn cookies_are_secure_on_https_and_the_binding_cookie_is_scoped_to_the_kits_routes() {
    let (_op, rp) = https_rp().await;
    let resp = Browser::new().get(&format!("{}/auth/login", rp.base)).await;
    assert_eq!(resp.status(), 303);
    assert!(no_store(&resp));
    let cookies = set_cookies(&resp);
    let binding = cookies
        .iter()
        .find(|c| c.starts_with("__Secure-cis2_login="))
        .expect("binding cookie, __Secure- prefixed on https");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/auth;", "Max-Age=600"] {
        assert!(binding.contains(flag), "{flag} in {binding}");
    }
}

/// The configured login options are a floor: a page's query may make a sign-in stricter, never weaker
/// (issue #10: `acr_values=AAL1_USERPASS`, an empty `prompt=` and `select_role=false` used to override them).
#[tokio::test]
async fn a_page_cannot_weaken_the_configured_login() {
    let op = crate::fake_op::FakeOp::start(cis2_server::ManualClock::starting_now()).await;
    let rp = Rp::start(
        &op,
        RpOptions {
            configure: Box::new(|b| {
                b.login_options(
                    cis2_sdk::LoginOptions::default()
                        .prompt(Some(cis2_sdk::Prompt::Login))
                        .max_age(Some(std::time::Duration::from_secs(600))),
                )
            }),
            ..Default::default()
        },
    )
    .await;
    let b = Browser::new();
    for weaker in ["acr_values=AAL1_USERPASS", "acr_values=AAL2_ANY+AAL3_ANY"] {
        let resp = b.get(&format!("{}/auth/login?{weaker}", rp.base)).await;
        assert_eq!(resp.status(), 400, "{weaker}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("weaker than this service's minimum"),
            "{body}"
        );
    }
    let url = b
        .start_login(&rp, "prompt=&select_role=false&max_age=86400")
        .await;
    let q: std::collections::HashMap<_, _> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["acr_values"], "AAL3_ANY");
    assert_eq!(q["prompt"], "login");
    assert_eq!(
        q["max_age"], "600",
        "a page may shorten max_age, never lengthen it"
    );
    // Network input that used to overflow a Duration after the callback is refused up front.
    let resp = b
        .get(&format!("{}/auth/login?max_age=18446744073709551615", rp.base))
        .await;
    assert_eq!(resp.status(), 400);
    // The same ACR value 400 times is one value.
    let many = vec!["AAL3_ANY"; 400].join("+");
    let url = b.start_login(&rp, &format!("acr_values={many}")).await;
    let q: std::collections::HashMap<_, _> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["acr_values"], "AAL3_ANY");
}

/// Issue #10: on https the session cookie carries the `__Host-` prefix (Secure, Path=/, no Domain, so no
/// sibling subdomain can set or shadow it) and the login-binding cookie the `__Secure-` prefix.
#[tokio::test]
async fn secure_cookies_carry_host_and_secure_prefixes() {
    let (_op, rp) = https_rp().await;
    // A client without a cookie store: Secure cookies are carried by hand over this plain-http test listener.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = http.get(format!("{}/auth/login", rp.base)).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let binding = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("__Secure-cis2_login="))
        .expect("the binding cookie has the __Secure- prefix");
    assert!(binding.contains("Secure"), "{binding}");
    let binding_pair = binding.split(';').next().unwrap().to_owned();
    let authorize = location(&resp);
    let callback = location(&http.get(&authorize).send().await.unwrap());
    let query = url::Url::parse(&callback).unwrap().query().unwrap().to_owned();
    let resp = http
        .get(format!("{}/auth/callback?{query}", rp.base))
        .header("cookie", &binding_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let session = set_cookies(&resp)
        .into_iter()
        .find(|c| c.starts_with("__Host-cis2_session="))
        .expect("the session cookie has the __Host- prefix");
    assert!(
        session.contains("Secure") && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.to_ascii_lowercase().contains("domain="), "{session}");
    // The prefixed cookie is the one the kit reads back.
    let session_pair = session.split(';').next().unwrap().to_owned();
    let me = http
        .get(format!("{}/auth/session", rp.base))
        .header("cookie", &session_pair)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = me.json().await.unwrap();
    assert_eq!(body["authenticated"], true, "{body}");
}

/// Issue #10: a person whose sign-in is refused sees a page that says what to do next, with the reference the
/// service desk can find in the log (NHS.UK design-system markup); API clients keep the JSON.
#[tokio::test]
async fn a_refused_sign_in_shows_a_page_with_the_reference_in_a_browser() {
    let (op, rp) = setup().await;
    *op.0.authorize_error.lock().unwrap() = Some("access_denied".into());
    let b = Browser::new();
    let authorize = b.start_login(&rp, "return_to=%2Fhome").await;
    let callback = b.authorize(&authorize).await;
    let resp = b.navigate(&callback).await;
    assert_eq!(resp.status(), 400);
    assert!(no_store(&resp));
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        resp.headers()
    );
    let page = resp.text().await.unwrap();
    assert!(page.contains("Sorry, you could not be signed in"), "{page}");
    assert!(
        page.contains("nhsuk-button") && page.contains("href=\"/auth/login\""),
        "{page}"
    );
    let reference = page
        .split("id=\"correlation-id\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the reference is on the page");
    assert_eq!(reference.len(), 12, "{page}");
    // The same refusal for an API client is JSON with the same kind of reference.
    let authorize = b.start_login(&rp, "return_to=%2Fhome").await;
    let callback = b.authorize(&authorize).await;
    let body: serde_json::Value = b.api(&callback).await.json().await.unwrap();
    assert_eq!(body["error"], "login_failed", "{body}");
    assert_eq!(body["provider_error"], "access_denied", "{body}");
    assert_eq!(body["correlation_id"].as_str().unwrap().len(), 12);
}
