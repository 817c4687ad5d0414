//! Discovery tells the truth (issue #14 item 2): every advertised endpoint answers, RFC 7009 revocation and
//! RFC 7662 introspection with the token endpoint's client authentication, and the discovery document
//! overridable per instance (TOML `[discovery]`, admin API at run time).

use cis2_mock_idp::Config;
use cis2_sdk::{ClientAuth, ClientSecret, LoginOptions};
use rand::rngs::OsRng;
use serde_json::{Value, json};

use crate::common::*;

const A: &str = "400000000001.apps.supplier";
const B: &str = "400000000002.apps.supplier";

/// A form POST to `path` under the realm with client A's private_key_jwt assertion.
async fn as_a(h: &Harness, rp: &Rp, path: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let a = rp
        .client
        .client_assertion(&rp_key(), &mut OsRng, h.now().await)
        .unwrap();
    let mut f: Vec<(&str, String)> = vec![
        ("client_id", A.into()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
        ),
        ("client_assertion", a),
    ];
    f.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    post_form(&h.http, &h.url(path), &f).await
}

/// A form POST to `path` with client B's client_secret_post credentials.
async fn as_b(h: &Harness, path: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut f: Vec<(&str, String)> = vec![("client_id", B.into()), ("client_secret", "s3cret".into())];
    f.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    post_form(&h.http, &h.url(path), &f).await
}

async fn active(r: reqwest::Response) -> Value {
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json_value().await
}

#[tokio::test]
async fn every_advertised_endpoint_answers_and_check_session_is_not_advertised() {
    let h = start().await;
    let d = h.discovery().await;
    assert!(d.get("check_session_iframe").is_none());
    let mut checked = 0;
    for (k, v) in d.as_object().unwrap() {
        if !(k.ends_with("_endpoint") || k == "jwks_uri") {
            continue;
        }
        let path = v
            .as_str()
            .unwrap()
            .strip_prefix(h.idp.issuer())
            .unwrap()
            .to_owned();
        let url = h.url(&path);
        // POST with no body: every endpoint is routed (405 for GET-only ones, 4xx for bad requests), none 404.
        let post = h.http.post(&url).send().await.unwrap().status();
        assert_ne!(post.as_u16(), 404, "{k}: {url} answers 404");
        checked += 1;
    }
    assert_eq!(
        checked, 7,
        "authorize, token, userinfo, jwks, end session, introspection, revocation: {d}"
    );
}

#[tokio::test]
async fn revocation_and_introspection_with_client_authentication() {
    let h = start().await;
    h.register(pkjwt_client(A)).await;
    h.register(secret_client(B, "client_secret_post")).await;
    let rp_a = h.rp(A, pkjwt_auth()).await;
    let rp_b = h
        .rp(B, ClientAuth::ClientSecretPost(ClientSecret::new("s3cret")))
        .await;
    let (done_a, _) = rp_a
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    let ta = done_a.tokens.access_token.secret().to_owned();
    let (done_b, _) = rp_b
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    let tb = done_b.tokens.access_token.secret().to_owned();

    // A live token, introspected by its own client.
    let v = active(as_a(&h, &rp_a, "/introspect", &[("token", &ta)]).await).await;
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["client_id"], A);
    assert_eq!(v["sub"], "656005750107");
    assert_eq!(v["iss"], h.idp.issuer());
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["scope"].as_str().unwrap().split(' ').any(|s| s == "openid"));
    assert!(v["exp"].as_u64().unwrap() > v["iat"].as_u64().unwrap());
    // With a token_type_hint, and with an unknown hint.
    let v = active(
        as_a(
            &h,
            &rp_a,
            "/introspect",
            &[("token", &ta), ("token_type_hint", "access_token")],
        )
        .await,
    )
    .await;
    assert_eq!(v["active"], true);
    let r = as_a(
        &h,
        &rp_a,
        "/introspect",
        &[("token", &ta), ("token_type_hint", "id_token")],
    )
    .await;
    assert_eq!(oauth_error(r).await, (400, "unsupported_token_type".into()));
    // Another client's token, an unknown token: inactive, nothing else said.
    assert_eq!(
        active(as_b(&h, "/introspect", &[("token", &ta)]).await).await,
        json!({"active": false})
    );
    assert_eq!(
        active(as_b(&h, "/introspect", &[("token", "nope")]).await).await,
        json!({"active": false})
    );
    // Client authentication is required, exactly as at the token endpoint.
    let r = post_form(&h.http, &h.url("/introspect"), &[("token", ta.clone())]).await;
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));
    let r = post_form(
        &h.http,
        &h.url("/introspect"),
        &[
            ("token", ta.clone()),
            ("client_id", B.into()),
            ("client_secret", "wrong".into()),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));
    // A replayed assertion is refused here too.
    let a = rp_a
        .client
        .client_assertion(&rp_key(), &mut OsRng, h.now().await)
        .unwrap();
    let form = |a: &str| {
        vec![
            ("client_id", A.to_owned()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ),
            ("client_assertion", a.to_owned()),
            ("token", ta.clone()),
        ]
    };
    assert_eq!(
        post_form(&h.http, &h.url("/introspect"), &form(&a))
            .await
            .status(),
        200
    );
    let r = post_form(&h.http, &h.url("/introspect"), &form(&a)).await;
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));
    // A missing token.
    let r = as_b(&h, "/introspect", &[]).await;
    assert_eq!(oauth_error(r).await, (400, "invalid_request".into()));

    // Revocation: another client may not revoke A's token, A may; unknown tokens answer 200 (RFC 7009 §2.2).
    let r = as_b(&h, "/token/revoke", &[("token", &ta)]).await;
    assert_eq!(oauth_error(r).await, (400, "unauthorized_client".into()));
    assert_eq!(
        active(as_a(&h, &rp_a, "/introspect", &[("token", &ta)]).await).await["active"],
        true
    );
    assert!(rp_a.userinfo(&h, &done_a).await.is_ok());
    let r = as_a(
        &h,
        &rp_a,
        "/token/revoke",
        &[("token", &ta), ("token_type_hint", "access_token")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty());
    assert_eq!(
        active(as_a(&h, &rp_a, "/introspect", &[("token", &ta)]).await).await,
        json!({"active": false})
    );
    let e = rp_a.userinfo(&h, &done_a).await.unwrap_err();
    assert!(e.to_string().contains("invalid_token"), "{e}");
    assert_eq!(
        as_b(&h, "/token/revoke", &[("token", "unknown")]).await.status(),
        200
    );
    assert_eq!(
        as_b(
            &h,
            "/token/revoke",
            &[("token", "unknown"), ("token_type_hint", "refresh_token")]
        )
        .await
        .status(),
        200
    );
    let r = post_form(&h.http, &h.url("/token/revoke"), &[("token", tb.clone())]).await;
    assert_eq!(oauth_error(r).await, (401, "invalid_client".into()));

    // Expiry: B's token is inactive once its lifetime has passed.
    assert_eq!(
        active(as_b(&h, "/introspect", &[("token", &tb)]).await).await["active"],
        true
    );
    h.advance(3601).await;
    assert_eq!(
        active(as_b(&h, "/introspect", &[("token", &tb)]).await).await,
        json!({"active": false})
    );
}

#[tokio::test]
async fn the_discovery_document_is_overridable_from_toml_and_at_run_time() {
    let config = Config::from_toml(
        r#"
[discovery]
remove = ["code_challenge_methods_supported"]
[discovery.set]
token_endpoint_auth_methods_supported = ["client_secret_post", "private_key_jwt"]
check_session_iframe = "{issuer}/connect/checkSession"
registration_endpoint = "{issuer}/register"
"#,
    )
    .unwrap();
    assert!(Config::from_toml("[discovery.set]\nissuer = \"https://other\"\n").is_err());
    let h = start_with(builder().config(config)).await;
    let d = h.discovery().await;
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["client_secret_post", "private_key_jwt"])
    );
    assert_eq!(
        d["check_session_iframe"],
        format!("{}/connect/checkSession", h.idp.issuer())
    );
    assert_eq!(d["registration_endpoint"], format!("{}/register", h.idp.issuer()));
    assert!(d.get("code_challenge_methods_supported").is_none());
    assert_eq!(d["issuer"], h.idp.issuer());
    // The sdk still accepts the document.
    h.register(pkjwt_client(A)).await;
    let _ = h.rp(A, pkjwt_auth()).await;

    // At run time: replace the overrides (a null removes a member), see them in discovery, then reset.
    let r = h
        .http
        .put(h.admin("/discovery"))
        .json_body(&json!({
            "set": {
                "id_token_signing_alg_values_supported": ["RS256"],
                "backchannel_logout_session_supported": false,
                "userinfo_endpoint": null,
            },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.json_value().await;
    assert_eq!(
        body["document"]["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    let d = h.discovery().await;
    assert_eq!(d["id_token_signing_alg_values_supported"], json!(["RS256"]));
    assert_eq!(d["backchannel_logout_session_supported"], false);
    assert!(d.get("userinfo_endpoint").is_none());
    assert!(
        d.get("check_session_iframe").is_none(),
        "the config overrides were replaced"
    );
    assert!(d["code_challenge_methods_supported"].is_array());
    // `issuer` cannot be overridden; unknown fields are refused.
    for bad in [
        json!({"set": {"issuer": "https://x"}}),
        json!({"remove": ["issuer"]}),
        json!({"nope": 1}),
    ] {
        let r = h
            .http
            .put(h.admin("/discovery"))
            .json_body(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(oauth_error(r).await, (400, "invalid_request".into()), "{bad}");
    }
    let r = h.http.delete(h.admin("/discovery")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let d = h.discovery().await;
    assert_eq!(
        d["check_session_iframe"],
        format!("{}/connect/checkSession", h.idp.issuer())
    );
    assert_eq!(
        h.admin_get("/discovery").await["overrides"]["remove"],
        json!(["code_challenge_methods_supported"])
    );
}
