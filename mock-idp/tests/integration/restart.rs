//! What must survive a restart does: users, clients, signing keys (same kid in the JWKS) and registered
//! WebAuthn credentials' table; sessions do not.

use cis2_sdk::LoginOptions;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn users_clients_and_keys_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let idp = builder().data_dir(dir.path()).start().await.unwrap();
    let h = Harness {
        idp,
        _dir: tempfile::tempdir().unwrap(),
        browser: browser(),
        http: browser(),
    };
    h.register(secret_client("600000000001.apps.supplier", "client_secret_post"))
        .await;
    let user = json!({
        "uid": "600000000099",
        "given_name": "Rita",
        "family_name": "Restart",
        "authenticators": ["password"],
        "roles": [{"person_roleid": "600000000100", "org_code": "X26", "role_code": "S8000:G8000:R8001", "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\""}],
    });
    assert_eq!(h.admin_post("/users", user).await.status(), 201);
    let r = h
        .admin_post(
            "/users/600000000099/roles",
            json!({"person_roleid": "600000000101", "org_code": "RBA", "role_code": "S8000:G8000:R8000"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    h.admin_post("/keys/rotate", json!({ "private_key_pem": idp_pem("c") }))
        .await;
    let jwks_before = h
        .http
        .get(h.url("/connect/jwk_uri"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rp = h.rp("600000000001.apps.supplier", post_auth()).await;
    rp.full(
        &h,
        &LoginOptions::default().acr_values(["AAL1_USERPASS"]),
        "600000000099",
        "password",
    )
    .await;
    assert_eq!(h.admin_get("/sessions").await.as_array().unwrap().len(), 1);
    let port = h.idp.addr().port();
    h.idp.shutdown().await;

    // Same data dir, same port (so the default issuer is the same), and a different start-up key that
    // must be ignored because the store has one.
    let idp = cis2_mock_idp::MockIdp::builder()
        .signing_key(idp_key("b"))
        .port(port)
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let h = Harness {
        idp,
        _dir: dir,
        browser: browser(),
        http: browser(),
    };
    let jwks_after = h
        .http
        .get(h.url("/connect/jwk_uri"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(jwks_before, jwks_after, "same keys, same kids");
    let u = h.admin_get("/users/600000000099").await;
    assert_eq!(u["roles"].as_array().unwrap().len(), 2);
    assert_eq!(
        h.admin_get("/clients/600000000001.apps.supplier").await["token_endpoint_auth_method"],
        "client_secret_post"
    );
    assert!(
        h.admin_get("/sessions").await.as_array().unwrap().is_empty(),
        "sessions are memory only"
    );
    let rp = h.rp("600000000001.apps.supplier", post_auth()).await;
    let (_, id) = rp
        .full(
            &h,
            &LoginOptions::default().acr_values(["AAL1_USERPASS"]),
            "600000000099",
            "password",
        )
        .await;
    assert_eq!(id.amr, ["USERPASS"]);
    // Seeded users were not seeded twice, and deletes persist.
    assert_eq!(
        h.http
            .delete(h.admin("/users/600000000099"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        h.http
            .get(h.admin("/users/600000000099"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
