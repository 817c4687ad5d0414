//! The Connection Manager API (cis2.md §15.2): a supplier's registration script (auth, create, read, update
//! with `?hash=`) works against the mock, and the client it registers signs in at once.

use cis2_mock_idp::{ConnectionManagerConfig, DEFAULT_CM_SECRET, DEFAULT_CM_TEAM_ID};
use cis2_sdk::{ClientAuth, ClientSecret, LoginOptions};
use serde_json::{Value, json};

use crate::common::*;

fn cm(h: &Harness, path: &str) -> String {
    format!("{}/api{path}", h.idp.base_url())
}

async fn token(h: &Harness) -> String {
    let r = h
        .http
        .post(cm(h, "/auth"))
        .header("authorization", format!("SecretAuth {DEFAULT_CM_SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.json_value().await;
    assert_eq!(body["team_ids"], json!([DEFAULT_CM_TEAM_ID]));
    body["access_token"].as_str().unwrap().to_owned()
}

async fn call(
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    tok: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = h
        .http
        .request(method, cm(h, path))
        .header("authorization", format!("Bearer {tok}"));
    if let Some(b) = body {
        req = req.json_body(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

fn config(name: &str) -> Value {
    json!({
        "client_name": name,
        "description": "registered by a supplier script",
        "redirect_uris": [REDIRECT],
        "backchannel_logout_uri": null,
        "token_endpoint_auth_method": "client_secret_post",
        "jwks_uri": null,
        "jwks_uri_signing_algorithm": "RS512",
    })
}

fn team(path: &str) -> String {
    format!("/configs/{DEFAULT_CM_TEAM_ID}{path}")
}

#[tokio::test]
async fn registration_script_then_the_client_signs_in_at_once() {
    let h = start().await;
    let tok = token(&h).await;
    let (s, created) = call(
        &h,
        reqwest::Method::POST,
        &team(""),
        &tok,
        Some(config("Supplier app")),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    assert!(client_id.ends_with(".apps.national"), "{client_id}");
    assert_eq!(created["config_id"], client_id);
    assert_eq!(created["team_id"], DEFAULT_CM_TEAM_ID);
    assert_eq!(created["token_endpoint_auth_method"], "client_secret_post");
    assert_eq!(created["jwks_uri_signing_algorithm"], "RS512");
    assert_eq!(created["hash"].as_str().unwrap().len(), 64);
    let secret = created["client_secret"].as_str().unwrap().to_owned();

    // Listed and readable, with the same hash.
    let (s, list) = call(&h, reqwest::Method::GET, &team(""), &tok, None).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["hash"], created["hash"]);
    let (s, one) = call(
        &h,
        reqwest::Method::GET,
        &team(&format!("/{client_id}")),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(one, created);
    // It is a registration in the mock's own registry.
    assert_eq!(
        h.admin_get(&format!("/clients/{client_id}")).await["client_name"],
        "Supplier app"
    );

    // The sdk signs in with it through the code flow.
    let rp = h
        .rp(
            &client_id,
            ClientAuth::ClientSecretPost(ClientSecret::new(secret)),
        )
        .await;
    let (_, id) = rp
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    assert_eq!(id.sub, "656005750108");
    assert_eq!(id.azp.as_deref(), Some(client_id.as_str()));
}

#[tokio::test]
async fn updates_need_the_current_hash() {
    let h = start().await;
    let tok = token(&h).await;
    let (_, created) = call(&h, reqwest::Method::POST, &team(""), &tok, Some(config("v1"))).await;
    let id = created["config_id"].as_str().unwrap().to_owned();
    let old_hash = created["hash"].as_str().unwrap().to_owned();
    let path = team(&format!("/{id}"));

    // No hash: 400 naming it.
    let (s, e) = call(&h, reqwest::Method::PUT, &path, &tok, Some(config("v2"))).await;
    assert_eq!(s, 400, "{e}");
    assert!(e["error_description"].as_str().unwrap().contains("hash"), "{e}");

    // The current hash: updated (what was read may be sent back whole, read-only members included).
    let mut v2 = created.clone();
    v2["client_name"] = json!("v2");
    let (s, updated) = call(
        &h,
        reqwest::Method::PUT,
        &format!("{path}?hash={old_hash}"),
        &tok,
        Some(v2),
    )
    .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(updated["client_name"], "v2");
    assert_ne!(updated["hash"], created["hash"]);
    assert_eq!(
        updated["client_secret"], created["client_secret"],
        "the secret is kept"
    );
    assert_eq!(h.admin_get(&format!("/clients/{id}")).await["client_name"], "v2");

    // The old hash again: 409, nothing changed.
    let (s, e) = call(
        &h,
        reqwest::Method::PUT,
        &format!("{path}?hash={old_hash}"),
        &tok,
        Some(config("v3")),
    )
    .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["error"], "conflict");
    assert!(e["error_description"].as_str().unwrap().contains("stale"), "{e}");
    assert_eq!(h.admin_get(&format!("/clients/{id}")).await["client_name"], "v2");
}

#[tokio::test]
async fn bad_configs_get_a_400_naming_the_field() {
    let h = start().await;
    let tok = token(&h).await;
    let bad = |edit: fn(&mut Value)| {
        let mut c = config("bad");
        edit(&mut c);
        c
    };
    let cases: Vec<(Value, &str)> = vec![
        (bad(|c| c["client_name"] = json!("")), "client_name"),
        (bad(|c| c["client_name"] = json!(7)), "client_name"),
        (bad(|c| c["redirect_uris"] = json!([])), "redirect_uris"),
        (bad(|c| c["redirect_uris"] = json!([1])), "redirect_uris"),
        (bad(|c| c["redirect_uris"] = json!(["not a url"])), "redirect_uri"),
        (
            bad(|c| c["backchannel_logout_uri"] = json!("::")),
            "backchannel_logout_uri",
        ),
        (
            bad(|c| c["token_endpoint_auth_method"] = json!("client_secret_basic")),
            "client_secret_basic",
        ),
        (
            bad(|c| c["token_endpoint_auth_method"] = json!("none")),
            "token_endpoint_auth_method",
        ),
        (
            bad(|c| c["token_endpoint_auth_method"] = json!("private_key_jwt")),
            "jwks_uri",
        ),
        (
            bad(|c| c["jwks_uri_signing_algorithm"] = json!("HS1")),
            "jwks_uri_signing_algorithm",
        ),
        (json!(["not", "an", "object"]), "JSON object"),
    ];
    for (body, field) in cases {
        let (s, e) = call(&h, reqwest::Method::POST, &team(""), &tok, Some(body.clone())).await;
        assert_eq!(s, 400, "{body} -> {e}");
        assert_eq!(e["error"], "invalid_request");
        assert!(
            e["error_description"].as_str().unwrap().contains(field),
            "{body}: {e} does not name {field}"
        );
    }
    let r = h
        .http
        .post(cm(&h, &team("")))
        .header("authorization", format!("Bearer {tok}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json_value().await["error"], "invalid_request");
    // Nothing was registered; a private_key_jwt config with a jwks_uri is fine.
    let (_, list) = call(&h, reqwest::Method::GET, &team(""), &tok, None).await;
    assert_eq!(list, json!([]));
    let mut pk = config("pk");
    pk["token_endpoint_auth_method"] = json!("private_key_jwt");
    pk["jwks_uri"] = json!("https://supplier.example/auth/cis2/jwks_uri");
    let (s, c) = call(&h, reqwest::Method::POST, &team(""), &tok, Some(pk)).await;
    assert_eq!(s, 201, "{c}");
    assert!(c.get("client_secret").is_none(), "{c}");
    let stored = h
        .admin_get(&format!("/clients/{}", c["client_id"].as_str().unwrap()))
        .await;
    assert_eq!(stored["jwks_uri"], "https://supplier.example/auth/cis2/jwks_uri");
    assert_eq!(stored["jwks_uri_signing_algorithm"], "RS512");
}

#[tokio::test]
async fn client_secret_basic_only_behind_the_switch() {
    let mut cfg = ConnectionManagerConfig::default();
    cfg.dangerous_allow_client_secret_basic = true;
    let h = start_with(builder().connection_manager(cfg)).await;
    let tok = token(&h).await;
    let mut c = config("basic");
    c["token_endpoint_auth_method"] = json!("client_secret_basic");
    let (s, created) = call(&h, reqwest::Method::POST, &team(""), &tok, Some(c)).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["token_endpoint_auth_method"], "client_secret_basic");
}

#[tokio::test]
async fn without_a_valid_token_401_and_other_teams_403() {
    let h = start().await;
    // /api/auth: no header, another scheme, a wrong secret.
    for auth in [None, Some("Basic Y206c2VjcmV0"), Some("SecretAuth wrong")] {
        let mut req = h.http.post(cm(&h, "/auth"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.headers()["www-authenticate"], "SecretAuth");
        assert_eq!(r.json_value().await["error"], "unauthorized");
    }
    // Configs: no token, an unknown one.
    let r = h.http.get(cm(&h, &team(""))).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let (s, e) = call(&h, reqwest::Method::GET, &team(""), "made-up", None).await;
    assert_eq!((s, e["error"].as_str()), (401, Some("unauthorized")));
    let (s, _) = call(&h, reqwest::Method::POST, &team(""), "made-up", Some(config("x"))).await;
    assert_eq!(s, 401);

    let tok = token(&h).await;
    let (s, e) = call(&h, reqwest::Method::GET, "/configs/another-team", &tok, None).await;
    assert_eq!((s, e["error"].as_str()), (403, Some("forbidden")));
    let (s, e) = call(
        &h,
        reqwest::Method::GET,
        &team("/000000000000.apps.national"),
        &tok,
        None,
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (404, Some("not_found")));
    // The seeded demo client is not a Connection Manager configuration.
    let (s, _) = call(
        &h,
        reqwest::Method::GET,
        &team("/999999999999.apps.national"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, 404);

    // Tokens expire (on the mock's clock).
    let (s, _) = call(&h, reqwest::Method::GET, &team(""), &tok, None).await;
    assert_eq!(s, 200);
    h.advance(3601).await;
    let (s, e) = call(&h, reqwest::Method::GET, &team(""), &tok, None).await;
    assert_eq!(s, 401);
    assert!(
        e["error_description"].as_str().unwrap().contains("expired"),
        "{e}"
    );
}

#[tokio::test]
async fn a_private_key_jwt_rs512_registration_signs_in() {
    // What MBS registers: private_key_jwt, RS512, its own JWKS endpoint.
    let h = start().await;
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("../data/rp-a.pem"), cis2_sdk::Algorithm::RS512)
            .unwrap();
    let jwks = cis2_sdk::JwkSet::from_keys([key.public_jwk().unwrap()])
        .unwrap()
        .to_json();
    let app = axum::Router::new().route(
        "/auth/cis2/jwks_uri",
        axum::routing::get(move || async move { axum::Json(jwks) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_uri = format!("http://{}/auth/cis2/jwks_uri", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let tok = token(&h).await;
    let mut c = config("MBS-like");
    c["token_endpoint_auth_method"] = json!("private_key_jwt");
    c["jwks_uri"] = json!(jwks_uri);
    let (s, created) = call(&h, reqwest::Method::POST, &team(""), &tok, Some(c)).await;
    assert_eq!(s, 201, "{created}");
    let client_id = created["client_id"].as_str().unwrap();
    let rp = h.rp(client_id, ClientAuth::PrivateKeyJwt(key)).await;
    let (_, id) = rp
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    assert_eq!(id.azp.as_deref(), Some(client_id));
    server.abort();
}
