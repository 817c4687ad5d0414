//! The admin API's front door: `Host` allow-list (DNS rebinding), cross-origin browser requests, the optional
//! bearer token, `Content-Type: application/json` on bodies, and the warning for an exposed, open mock.
//! Non-browser JSON clients (reqwest, curl, node's fetch: no `Origin`, no `Sec-Fetch-Site`) keep working.

use cis2_mock_idp::{Config, MockIdp, banner};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN, WWW_AUTHENTICATE};
use serde_json::{Value, json};

use crate::common::{Harness, JsonExt, JsonResp, builder, idp_key, idp_pem, start, start_with};

const TOKEN: &str = "admin-token-0123456789";

/// The active signing key's `kid` and how many keys are published.
async fn keys(h: &Harness) -> (String, usize) {
    let v = h.admin_get("/keys").await;
    let keys = v["keys"].as_array().unwrap();
    (keys[0]["kid"].as_str().unwrap().to_owned(), keys.len())
}

async fn assert_refused(r: reqwest::Response, status: u16, error: &str) {
    assert_eq!(r.status().as_u16(), status);
    let v = r.json_value().await;
    assert_eq!(v["error"], error, "{v}");
    assert!(v["error_description"].is_string(), "{v}");
}

/// A mock configured through `CIS2_MOCK_*` variables (as the binary is).
async fn start_env(vars: &[(&str, &str)]) -> Harness {
    let mut config = Config::default();
    config
        .apply_env(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
        .unwrap();
    start_with(MockIdp::builder().config(config).signing_key(idp_key("a"))).await
}

/// What a web page on another site sends with `fetch(url, {method: "POST", mode: "no-cors", body})` or a
/// form with `enctype="text/plain"`: a simple request the browser sends without a preflight.
#[tokio::test]
async fn a_cross_site_text_plain_post_cannot_rotate_the_signing_key() {
    let h = start().await;
    let before = keys(&h).await;
    let evil_body = json!({ "private_key_pem": idp_pem("b") }).to_string();
    let r = h
        .http
        .post(h.admin("/keys/rotate"))
        .header(CONTENT_TYPE, "text/plain;charset=UTF-8")
        .header(ORIGIN, "http://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "no-cors")
        .body(evil_body.clone())
        .send()
        .await
        .unwrap();
    assert_refused(r, 403, "forbidden").await;
    assert_eq!(keys(&h).await, before, "the signing key changed");

    // The same body without browser headers (an old browser, a proxy that drops them) still needs JSON.
    let r = h
        .http
        .post(h.admin("/keys/rotate"))
        .header(CONTENT_TYPE, "text/plain")
        .body(evil_body.clone())
        .send()
        .await
        .unwrap();
    assert_refused(r, 415, "unsupported_media_type").await;
    let r = h
        .http
        .post(h.admin("/keys/rotate"))
        .body(evil_body)
        .send()
        .await
        .unwrap();
    assert_refused(r, 415, "unsupported_media_type").await;
    assert_eq!(keys(&h).await, before, "the signing key changed");
}

#[tokio::test]
async fn cross_origin_browser_requests_are_refused_even_without_a_body() {
    let h = start().await;
    h.inject(json!({ "fault": { "kind": "wrong_iss" }, "times": 0 }))
        .await;
    let own = h.idp.base_url();
    let cases: [(&[(&str, &str)], u16); 7] = [
        (&[("sec-fetch-site", "cross-site")], 403),
        // Another port of localhost is the same site, not the same origin: refused too.
        (&[("sec-fetch-site", "same-site")], 403),
        (&[("sec-fetch-site", "cross-site"), ("origin", &own)], 403),
        // No Sec-Fetch-Site (an older browser): the Origin decides.
        (&[("origin", "http://evil.example")], 403),
        (&[("origin", "null")], 403),
        (&[("origin", "http://localhost:1")], 403),
        (&[("origin", "http://127.0.0.1:1")], 403),
    ];
    for (headers, status) in cases {
        let mut req = h.http.delete(h.admin("/faults"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{headers:?}");
        assert_eq!(r.json_value().await["error"], "forbidden", "{headers:?}");
        let faults = h.admin_get("/faults").await;
        assert_eq!(faults.as_array().unwrap().len(), 1, "{headers:?}: faults cleared");
    }
    // Reads from another site are refused as well (no status or timing oracle for a page).
    let r = h
        .http
        .get(h.admin("/users"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_refused(r, 403, "forbidden").await;
    let r = h
        .http
        .get(format!("{}/admin", h.idp.base_url()))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn same_origin_and_non_browser_json_calls_still_work() {
    let h = start().await;
    let own = h.idp.base_url();
    let user = json!({ "uid": "600000000123", "username": "sam.same" });
    // reqwest with JSON, no Origin: create, read, delete (no body, no Content-Type).
    let r = h
        .http
        .put(h.admin("/users/600000000123"))
        .json_body(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(h.admin_get("/users/600000000123").await["username"], "sam.same");
    // Parameters on the media type are fine; so is the header's case.
    let r = h
        .http
        .post(h.admin("/clock/advance"))
        .header("Content-Type", "Application/JSON; charset=utf-8")
        .body(json!({ "secs": 5 }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The admin page's own scripts (same origin) and a typed URL.
    for headers in [
        vec![("sec-fetch-site", "same-origin"), ("origin", own.as_str())],
        vec![("sec-fetch-site", "none")],
        vec![("origin", own.as_str())],
    ] {
        let mut req = h
            .http
            .post(h.admin("/clock/advance"))
            .json_body(&json!({ "secs": 1 }));
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200, "{headers:?}");
    }
    // The issuer's origin counts as the mock's own (here `http://127.0.0.1:<port>` too).
    let issuer_origin = url::Url::parse(h.idp.issuer())
        .unwrap()
        .origin()
        .ascii_serialization();
    let r = h
        .http
        .get(h.admin("/clock"))
        .header(ORIGIN, issuer_origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = h
        .http
        .delete(h.admin("/users/600000000123"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // A POST without a body needs no Content-Type.
    let r = h
        .http
        .post(h.admin("/cards"))
        .json_body(&json!({ "uid": "656005750108" }))
        .send()
        .await
        .unwrap();
    let serial = r.json_value().await["serial"].as_str().unwrap().to_owned();
    let r = h
        .http
        .post(h.admin(&format!("/cards/{serial}/insert")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_host_that_is_not_the_mock_is_refused() {
    let h = start().await;
    let port = h.idp.addr().port();
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 (same origin to the browser).
    let evil = format!("evil.example:{port}");
    let r = h
        .http
        .get(h.admin("/users"))
        .header(HOST, &evil)
        .send()
        .await
        .unwrap();
    assert_refused(r, 403, "forbidden").await;
    let r = h
        .http
        .put(h.admin("/users/600000000124"))
        .header(HOST, &evil)
        .header("sec-fetch-site", "same-origin")
        .json_body(&json!({ "uid": "600000000124" }))
        .send()
        .await
        .unwrap();
    assert_refused(r, 403, "forbidden").await;
    let r = h.http.get(h.admin("/users/600000000124")).send().await.unwrap();
    assert_eq!(r.status(), 404, "the user was created");
    for path in ["/admin", "/admin/api/nothing-here"] {
        let r = h
            .http
            .get(format!("{}{path}", h.idp.base_url()))
            .header(HOST, &evil)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        let r = h
            .http
            .get(h.admin("/clock"))
            .header(HOST, &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
    }
}

#[tokio::test]
async fn the_issuer_host_and_configured_hosts_are_allowed() {
    let h = start_env(&[
        (
            "CIS2_MOCK_ISSUER",
            "https://idp.test:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare",
        ),
        ("CIS2_MOCK_ADMIN_ALLOWED_HOSTS", "mock-idp, other.test"),
    ])
    .await;
    for (host, status) in [
        ("idp.test:443", 200),
        ("IDP.test", 200),
        ("mock-idp:9000", 200),
        ("other.test", 200),
        ("evil.example", 403),
        ("idp.test.evil.example", 403),
    ] {
        let r = h
            .http
            .get(h.admin("/clock"))
            .header(HOST, host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{host}");
    }
    // An old browser's Origin that is the issuer's (the issuer keeps :443, the Origin drops it).
    let r = h
        .http
        .post(h.admin("/clock/advance"))
        .header(ORIGIN, "https://idp.test")
        .json_body(&json!({ "secs": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_token_is_required_when_configured() {
    let h = start_env(&[("CIS2_MOCK_ADMIN_TOKEN", TOKEN)]).await;
    let missing = h.http.get(h.admin("/users")).send().await.unwrap();
    assert!(
        missing
            .headers()
            .get(WWW_AUTHENTICATE)
            .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")),
        "{:?}",
        missing.headers()
    );
    assert_refused(missing, 401, "unauthorized").await;
    for auth in [
        format!("Bearer {TOKEN}x"),
        format!("Bearer {}", &TOKEN[1..]),
        format!("Basic {TOKEN}"),
        TOKEN.to_owned(),
        "Bearer ".to_owned(),
    ] {
        let r = h
            .http
            .get(h.admin("/users"))
            .header(AUTHORIZATION, &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{auth}");
    }
    // Writes without it change nothing.
    let before = keys_with(&h, Some(TOKEN)).await;
    let r = h
        .http
        .post(h.admin("/keys/rotate"))
        .json_body(&json!({ "private_key_pem": idp_pem("b") }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(keys_with(&h, Some(TOKEN)).await, before);
    let r = h
        .http
        .get(format!("{}/admin", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the admin page");
    // With it, everything works (scheme case-insensitive).
    let r = h
        .http
        .post(h.admin("/keys/rotate"))
        .header(AUTHORIZATION, format!("bearer {TOKEN}"))
        .json_body(&json!({ "private_key_pem": idp_pem("b") }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(keys_with(&h, Some(TOKEN)).await, before);
    // The token is never echoed by the configuration endpoint.
    let r = h
        .http
        .get(h.admin("/config"))
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(!text.contains(TOKEN), "{text}");
    // The rest of the mock does not need it.
    let r = h
        .http
        .get(h.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn keys_with(h: &Harness, token: Option<&str>) -> Value {
    let mut req = h.http.get(h.admin("/keys"));
    if let Some(t) = token {
        req = req.header(AUTHORIZATION, format!("Bearer {t}"));
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json_value().await["keys"].clone()
}

#[tokio::test]
async fn an_open_admin_api_on_a_non_loopback_address_is_announced() {
    let exposed = start_env(&[("CIS2_MOCK_BIND", "0.0.0.0")]).await;
    let text = banner(exposed.idp.state(), &exposed.idp.base_url());
    assert!(
        text.contains("WARNING") && text.contains("CIS2_MOCK_ADMIN_TOKEN"),
        "{text}"
    );
    assert!(exposed.idp.admin_exposure_warning().is_some());
    let guarded = start_env(&[("CIS2_MOCK_BIND", "0.0.0.0"), ("CIS2_MOCK_ADMIN_TOKEN", TOKEN)]).await;
    let text = banner(guarded.idp.state(), &guarded.idp.base_url());
    assert!(!text.contains("WARNING"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(guarded.idp.admin_exposure_warning().is_none());
    let loopback = start_with(builder()).await;
    assert!(loopback.idp.admin_exposure_warning().is_none());
    assert!(!banner(loopback.idp.state(), &loopback.idp.base_url()).contains("WARNING"));
}
