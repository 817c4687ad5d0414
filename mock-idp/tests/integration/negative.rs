//! Every authorize and token rule, each asserting the exact OAuth error (FLOW-06/07/08, CS-55..58).

use cis2_sdk::{LoginOptions, SigningKey, b64url_encode};
use rand::rngs::OsRng;
use serde_json::{Map, Value, json};

use crate::common::*;

const PK: &str = "200000000001.apps.supplier";
const SECRET: &str = "200000000002.apps.supplier";

async fn setup() -> Harness {
    let h = start().await;
    h.register(pkjwt_client(PK)).await;
    let mut plain = secret_client(SECRET, "client_secret_post");
    plain["allow_plain_pkce"] = json!(true);
    h.register(plain).await;
    let mut required = secret_client("200000000003.apps.supplier", "client_secret_post");
    required["require_pkce"] = json!(true);
    h.register(required).await;
    let mut rs512 = pkjwt_client("200000000004.apps.supplier");
    rs512["jwks_uri_signing_algorithm"] = json!("RS512");
    h.register(rs512).await;
    h.register(secret_client("200000000005.apps.supplier", "client_secret_basic"))
        .await;
    h
}

fn authorize_url(h: &Harness, client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    ser.append_pair("client_id", client_id);
    let has = |k: &str| extra.iter().any(|(n, _)| *n == k);
    if !has("redirect_uri") {
        ser.append_pair("redirect_uri", REDIRECT);
    }
    if !has("response_type") {
        ser.append_pair("response_type", "code");
    }
    if !has("scope") {
        ser.append_pair("scope", "openid profile");
    }
    ser.append_pair("state", "st-123");
    for (k, v) in extra {
        if !v.is_empty() {
            ser.append_pair(k, v);
        }
    }
    format!("{}?{}", h.url("/authorize"), ser.finish())
}

async fn authorize_error(h: &Harness, client_id: &str, extra: &[(&str, &str)]) -> (String, Option<String>) {
    let r = h
        .browser
        .get(authorize_url(h, client_id, extra))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = location(&r);
    assert!(loc.starts_with(REDIRECT), "{loc}");
    (
        query_param(&loc, "error").unwrap_or_default(),
        query_param(&loc, "state"),
    )
}

#[tokio::test]
async fn redirect_uri_variants_get_an_error_page_and_no_redirect() {
    let h = setup().await;
    for bad in [
        "http://127.0.0.1:7777/auth/callback/",
        "http://127.0.0.1:7778/auth/callback",
        "https://127.0.0.1:7777/auth/callback",
        "http://127.0.0.1:7777/auth/callback?x=1",
        "http://localhost:7777/auth/callback",
        "HTTP://127.0.0.1:7777/auth/callback",
    ] {
        let r = h
            .browser
            .get(authorize_url(&h, PK, &[("redirect_uri", bad)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.headers().get("location").is_none(), "{bad}");
        assert!(r.text().await.unwrap().contains("not a registered redirect URI"));
    }
    let r = h
        .browser
        .get(authorize_url(&h, "nobody.apps.supplier", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
}

#[tokio::test]
async fn authorize_errors_redirect_with_state() {
    let h = setup().await;
    let ch = cis2_sdk::pkce_challenge("a-verifier-that-is-long-enough-to-be-valid-000000");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("response_type", "")], "invalid_request"),
        (vec![("response_type", "token")], "unsupported_response_type"),
        (
            vec![("response_type", "code id_token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "profile")], "invalid_scope"),
        (vec![("scope", "openid nosuchscope")], "invalid_scope"),
        (
            vec![
                ("code_challenge", ch.as_str()),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (vec![("code_challenge", ch.as_str())], "invalid_request"),
        (
            vec![("code_challenge", "short"), ("code_challenge_method", "S256")],
            "invalid_request",
        ),
        (vec![("code_challenge_method", "S256")], "invalid_request"),
        (vec![("acr_values", "AAL9_NOPE")], "invalid_request"),
        (vec![("max_age", "soon")], "invalid_request"),
        (vec![("prompt", "none")], "login_required"),
    ];
    // PK requires PKCE, so PKCE-less cases use the secret client (which allows plain).
    for (extra, expected) in cases {
        let client = if extra.iter().any(|(k, _)| k.starts_with("code_challenge")) {
            PK
        } else {
            SECRET
        };
        let (err, state) = authorize_error(&h, client, &extra).await;
        assert_eq!(err, expected, "{extra:?}");
        assert_eq!(state.as_deref(), Some("st-123"));
    }
    let (err, _) = authorize_error(&h, "200000000003.apps.supplier", &[]).await;
    assert_eq!(err, "invalid_request", "PKCE required per client");
    let (err, _) = authorize_error(&h, SECRET, &[("scope", "openid openid"), ("state", "x")]).await;
    assert_eq!(err, "invalid_request", "repeated parameter");
}

/// Logs in through `rp` and returns (pending, code).
async fn code_for(h: &Harness, rp: &Rp, opts: &LoginOptions) -> Login {
    rp.login(h, &browser(), opts, "656005750108", "smartcard").await
}

#[tokio::test]
async fn code_reuse_is_refused_and_revokes_the_first_access_token() {
    let h = setup().await;
    let rp = h.rp(PK, pkjwt_auth()).await;
    let login = code_for(&h, &rp, &LoginOptions::default()).await;
    let done = rp.finish(&h, &login).await.unwrap();
    assert!(rp.userinfo(&h, &done).await.is_ok());
    let again = rp.finish(&h, &login).await.err().unwrap();
    assert_eq!(token_code(&again), "oauth.error_response");
    assert!(again.to_string().contains("invalid_grant"), "{again}");
    let req = rp
        .client
        .userinfo_request(&done.tokens.access_token)
        .unwrap()
        .unwrap();
    let resp = h.send(req).await;
    assert_eq!(resp.status(), 401);
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let body: Value = serde_json::from_slice(resp.body()).unwrap();
    assert_eq!(body["error"], "invalid_token");
}

fn code_of(login: &Login) -> String {
    query_param(&format!("?{}", login.callback), "code").unwrap()
}

#[tokio::test]
async fn pkce_downgrade_wrong_verifier_and_redirect_mismatch_are_invalid_grant() {
    let h = setup().await;
    let rp = h.rp(SECRET, post_auth()).await;
    let secret = |f: &mut Vec<(&str, String)>| {
        f.push(("client_id", SECRET.to_owned()));
        f.push(("client_secret", "s3cret".to_owned()));
    };
    // Code issued with a challenge, redeemed without a verifier.
    let login = code_for(&h, &rp, &LoginOptions::default()).await;
    let mut f = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code_of(&login)),
        ("redirect_uri", REDIRECT.into()),
    ];
    secret(&mut f);
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_grant".into())
    );
    // Wrong verifier.
    f.push(("code_verifier", "x".repeat(43)));
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_grant".into())
    );
    // Wrong redirect_uri (with the right verifier the code would be good).
    // Code issued without a challenge, redeemed with a verifier.
    let b = browser();
    let url = format!(
        "{}?response_type=code&client_id={SECRET}&redirect_uri={}&scope=openid&state=s",
        h.url("/authorize"),
        urlenc(REDIRECT)
    );
    let r = authorize_and_login(&h, &b, &url, "656005750108", "smartcard").await;
    let code = query_param(&location(&r), "code").unwrap();
    let mut f = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code.clone()),
        ("redirect_uri", format!("{REDIRECT}/")),
    ];
    secret(&mut f);
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_grant".into()),
        "redirect_uri mismatch"
    );
    let mut f = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code.clone()),
        ("redirect_uri", REDIRECT.into()),
        ("code_verifier", "y".repeat(43)),
    ];
    secret(&mut f);
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_grant".into()),
        "downgrade"
    );
    // Without a verifier the same code is fine: the failures did not consume it.
    let mut f = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code),
        ("redirect_uri", REDIRECT.into()),
    ];
    secret(&mut f);
    assert_eq!(token_post(&h, &f).await.status(), 200);
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn plain_pkce_works_only_for_clients_that_allow_it() {
    let h = setup().await;
    let verifier = "p".repeat(50);
    let url = format!(
        "{}?response_type=code&client_id={SECRET}&redirect_uri={}&scope=openid&state=s&code_challenge={verifier}&code_challenge_method=plain",
        h.url("/authorize"),
        urlenc(REDIRECT)
    );
    let r = authorize_and_login(&h, &browser(), &url, "656005750108", "smartcard").await;
    let code = query_param(&location(&r), "code").unwrap();
    let f = vec![
        ("grant_type", "authorization_code".into()),
        ("code", code),
        ("redirect_uri", REDIRECT.to_owned()),
        ("code_verifier", verifier),
        ("client_id", SECRET.into()),
        ("client_secret", "s3cret".into()),
    ];
    assert_eq!(token_post(&h, &f).await.status(), 200);
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let h = setup().await;
    let rp = h.rp(PK, pkjwt_auth()).await;
    let login = code_for(&h, &rp, &LoginOptions::default()).await;
    h.advance(61).await;
    let err = rp.finish(&h, &login).await.err().unwrap();
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn token_endpoint_request_errors() {
    let h = setup().await;
    let creds = || {
        vec![
            ("client_id", SECRET.to_owned()),
            ("client_secret", "s3cret".to_owned()),
        ]
    };
    let mut f = creds();
    f.push(("grant_type", "refresh_token".into()));
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "unsupported_grant_type".into())
    );
    let f = creds();
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_request".into()),
        "no grant_type"
    );
    let mut f = creds();
    f.push(("grant_type", "authorization_code".into()));
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_request".into()),
        "no code"
    );
    f.push(("code", "nope".into()));
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (400, "invalid_grant".into()),
        "unknown code"
    );
    // Wrong secrets.
    let f = vec![
        ("client_id", SECRET.to_owned()),
        ("client_secret", "wrong".to_owned()),
        ("grant_type", "authorization_code".into()),
        ("code", "c".into()),
    ];
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (401, "invalid_client".into())
    );
    let r = h
        .http
        .post(h.url("/access_token"))
        .basic_auth("200000000005.apps.supplier", Some("wrong"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=c")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));
    // The right secret by the wrong method.
    let r = h
        .http
        .post(h.url("/access_token"))
        .basic_auth(SECRET, Some("s3cret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=authorization_code&code=c")
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));
    // No authentication; unknown client; JSON body.
    let f = vec![
        ("client_id", SECRET.to_owned()),
        ("grant_type", "authorization_code".into()),
        ("code", "c".into()),
    ];
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (401, "invalid_client".into())
    );
    let f = vec![
        ("client_id", "ghost".to_owned()),
        ("client_secret", "s".into()),
        ("grant_type", "authorization_code".into()),
    ];
    assert_eq!(
        oauth_error(token_post(&h, &f).await).await,
        (401, "invalid_client".into())
    );
    let r = h
        .http
        .post(h.url("/access_token"))
        .json_body(&json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await, (400, "invalid_request".into()));
}

fn assertion(
    key: &SigningKey,
    kid: Option<&str>,
    mutate: impl FnOnce(&mut Map<String, Value>),
    token_endpoint: &str,
    now: u64,
) -> String {
    let mut c = Map::new();
    c.insert("iss".into(), PK.into());
    c.insert("sub".into(), PK.into());
    c.insert("aud".into(), token_endpoint.into());
    c.insert("jti".into(), b64url_encode(rand::random::<[u8; 16]>()).into());
    c.insert("iat".into(), now.into());
    c.insert("exp".into(), (now + 120).into());
    mutate(&mut c);
    let key = match kid {
        Some(k) => key.clone().with_kid(k),
        None => key.clone(),
    };
    key.sign_jwt(Some("JWT"), &Map::new(), &c, &mut OsRng).unwrap()
}

async fn assertion_result(h: &Harness, client_id: &str, a: &str) -> (u16, String) {
    let (status, error, _) = assertion_post(h, client_id, a).await;
    (status, error)
}

#[tokio::test]
async fn bad_client_assertions_are_invalid_client() {
    let h = setup().await;
    let te = format!("{}/access_token", h.idp.issuer());
    let now = h.now().await.as_secs();
    let key = rp_key();
    // Control: a good assertion authenticates, so the bogus code is what fails.
    let good = assertion(&key, None, |_| {}, &te, now);
    assert_eq!(
        assertion_result(&h, PK, &good).await,
        (400, "invalid_grant".into())
    );
    // The same jti again.
    assert_eq!(
        assertion_result(&h, PK, &good).await,
        (401, "invalid_client".into()),
        "reused jti"
    );
    let cases: Vec<(&str, String)> = vec![
        (
            "aud = issuer",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("aud".into(), h.idp.issuer().into());
                },
                &te,
                now,
            ),
        ),
        (
            "aud array with another",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("aud".into(), json!([te, "https://other"]));
                },
                &te,
                now,
            ),
        ),
        (
            "wrong iss",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("iss".into(), "someone-else".into());
                },
                &te,
                now,
            ),
        ),
        (
            "wrong sub",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("sub".into(), "someone-else".into());
                },
                &te,
                now,
            ),
        ),
        (
            "expired",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("exp".into(), (now - 120).into());
                    c.insert("iat".into(), (now - 300).into());
                },
                &te,
                now,
            ),
        ),
        (
            "too long",
            assertion(
                &key,
                None,
                |c| {
                    c.insert("exp".into(), (now + 86_400).into());
                },
                &te,
                now,
            ),
        ),
        (
            "no jti",
            assertion(
                &key,
                None,
                |c| {
                    c.remove("jti");
                },
                &te,
                now,
            ),
        ),
        (
            "bad signature",
            assertion(&other_rp_key(), Some(key.kid()), |_| {}, &te, now),
        ),
        ("unknown key", assertion(&other_rp_key(), None, |_| {}, &te, now)),
    ];
    for (name, a) in cases {
        assert_eq!(
            assertion_result(&h, PK, &a).await,
            (401, "invalid_client".into()),
            "{name}"
        );
    }
    // Alg not registered: the client registered RS512, the assertion is RS256.
    let a = assertion(
        &key,
        None,
        |c| {
            c.insert("iss".into(), "200000000004.apps.supplier".into());
            c.insert("sub".into(), "200000000004.apps.supplier".into());
        },
        &te,
        now,
    );
    assert_eq!(
        assertion_result(&h, "200000000004.apps.supplier", &a).await,
        (401, "invalid_client".into()),
        "alg"
    );
    // A secret client cannot use an assertion.
    assert_eq!(
        assertion_result(&h, SECRET, &good).await,
        (401, "invalid_client".into())
    );
}
