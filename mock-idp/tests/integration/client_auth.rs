//! Client authentication (issue #14 item 4): `client_secret_jwt` end to end with the sdk's RP, its `jti`
//! replay and `exp` checks, and the client-assertion `aud` rules: the token endpoint by default, the issuer
//! too when the client's `accept_issuer_audience` switch is on, and an error text that says what is wrong.

use cis2_sdk::{
    AssertionAudience, Cis2Client, ClientAuth, ClientConfig, ClientId, ClientSecret, IssuerUrl, LoginOptions,
    RedirectUrl, UnixTime,
};
use rand::rngs::OsRng;
use serde_json::{Map, Value, json};

use crate::common::*;

const CSJ: &str = "300000000001.apps.supplier";
const PK: &str = "300000000002.apps.supplier";
const SECRET: &str = "a-client-secret-for-hs256-of-32-bytes+";

fn csj_auth() -> ClientAuth {
    ClientAuth::ClientSecretJwt(ClientSecret::new(SECRET))
}

/// An sdk client for `client_id` whose assertions name `aud` as chosen.
async fn rp_with_audience(
    h: &Harness,
    client_id: &str,
    auth: ClientAuth,
    aud: AssertionAudience,
) -> Cis2Client {
    let base = h.rp(client_id, auth.clone()).await;
    let config = ClientConfig::new(
        IssuerUrl::new(h.idp.issuer()).unwrap(),
        ClientId::new(client_id).unwrap(),
        RedirectUrl::new(REDIRECT).unwrap(),
        auth,
    )
    .with_assertion_audience(aud);
    Cis2Client::new(config, base.client.metadata().clone()).unwrap()
}

#[tokio::test]
async fn client_secret_jwt_completes_a_code_flow_and_refuses_replay_expiry_and_a_wrong_secret() {
    let h = start().await;
    let mut c = secret_client(CSJ, "client_secret_jwt");
    c["client_secret"] = json!(SECRET);
    h.register(c).await;
    // Discovery lists the method and HS256.
    let d = h.discovery().await;
    assert!(
        d["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("client_secret_jwt"))
    );
    assert!(
        d["token_endpoint_auth_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("HS256"))
    );
    let rp = h.rp(CSJ, csj_auth()).await;
    let (done, id) = rp
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    assert_eq!(id.aud, [CSJ]);
    assert!(rp.userinfo(&h, &done).await.is_ok());
    let reqs = h.admin_get("/requests").await;
    assert_eq!(reqs[0]["auth_method"], "client_secret_jwt");
    assert!(reqs[0]["assertion_jti"].is_string());

    let now = h.now().await;
    let secret = ClientSecret::new(SECRET);
    let a = rp
        .client
        .client_secret_assertion(&secret, &mut OsRng, now)
        .unwrap();
    assert_eq!(assertion_post(&h, CSJ, &a).await.1, "invalid_grant");
    let (status, err, desc) = assertion_post(&h, CSJ, &a).await;
    assert_eq!((status, err.as_str()), (401, "invalid_client"), "replayed jti");
    assert!(desc.contains("jti has been used before"), "{desc}");
    // Expired: made ten minutes ago with a two-minute lifetime.
    let old = UnixTime::from_secs(now.as_secs() - 600);
    let a = rp
        .client
        .client_secret_assertion(&secret, &mut OsRng, old)
        .unwrap();
    let (status, _, desc) = assertion_post(&h, CSJ, &a).await;
    assert_eq!(status, 401);
    assert!(desc.contains("token.expired"), "{desc}");
    // Signed with another secret.
    let a = rp
        .client
        .client_secret_assertion(&ClientSecret::new("not the secret"), &mut OsRng, now)
        .unwrap();
    let (status, _, desc) = assertion_post(&h, CSJ, &a).await;
    assert_eq!(status, 401);
    assert!(desc.contains("token.invalid_signature"), "{desc}");
    // The client's secret sent as client_secret_post is refused: it is registered for client_secret_jwt.
    let post = h.rp(CSJ, ClientAuth::ClientSecretPost(secret.clone())).await;
    let login = post
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750107",
            "smartcard",
        )
        .await;
    let e = match post.finish(&h, &login).await {
        Err(e) => e,
        Ok(_) => panic!("client_secret_post accepted for a client_secret_jwt client"),
    };
    assert!(e.to_string().contains("invalid_client"), "{e}");
    // A private_key_jwt assertion cannot stand in for the HS256 one.
    let pk = rp_key().sign_jwt(
        Some("JWT"),
        &Map::new(),
        &claims(&h, CSJ, json!(te(&h))).await,
        &mut OsRng,
    );
    let (status, _, desc) = assertion_post(&h, CSJ, &pk.unwrap()).await;
    assert_eq!(status, 401);
    assert!(desc.contains("token.algorithm_not_allowed"), "{desc}");
}

fn te(h: &Harness) -> String {
    format!("{}/access_token", h.idp.issuer())
}

async fn claims(h: &Harness, client_id: &str, aud: Value) -> Map<String, Value> {
    let now = h.now().await.as_secs();
    let Value::Object(m) = json!({
        "iss": client_id, "sub": client_id, "aud": aud,
        "jti": cis2_sdk::b64url_encode(rand::random::<[u8; 16]>()),
        "iat": now, "exp": now + 60,
    }) else {
        unreachable!()
    };
    m
}

async fn pk_assertion(h: &Harness, aud: Value) -> String {
    rp_key()
        .sign_jwt(Some("JWT"), &Map::new(), &claims(h, PK, aud).await, &mut OsRng)
        .unwrap()
}

#[tokio::test]
async fn assertion_audience_is_the_token_endpoint_unless_the_client_accepts_the_issuer() {
    let h = start().await;
    h.register(pkjwt_client(PK)).await;
    let issuer = h.idp.issuer().to_owned();
    // Default: the issuer as aud is refused, and the error says what aud must be.
    let (status, err, desc) = assertion_post(&h, PK, &pk_assertion(&h, json!(issuer)).await).await;
    assert_eq!((status, err.as_str()), (401, "invalid_client"));
    assert!(desc.contains("aud must be exactly the token endpoint"), "{desc}");
    // An array holding the token endpoint and another value: the same message, never "does not contain".
    let (status, _, desc) = assertion_post(
        &h,
        PK,
        &pk_assertion(&h, json!([te(&h), "https://other.example"])).await,
    )
    .await;
    assert_eq!(status, 401);
    assert!(desc.contains("aud must be exactly the token endpoint"), "{desc}");
    assert!(!desc.contains("does not contain"), "{desc}");
    // The token endpoint alone, as a string or a one-element array, authenticates.
    assert_eq!(
        assertion_post(&h, PK, &pk_assertion(&h, json!(te(&h))).await)
            .await
            .1,
        "invalid_grant"
    );
    assert_eq!(
        assertion_post(&h, PK, &pk_assertion(&h, json!([te(&h)])).await)
            .await
            .1,
        "invalid_grant"
    );

    // Switch it on through the admin API (the registration field `accept_issuer_audience`).
    let mut c = h.admin_get(&format!("/clients/{PK}")).await;
    assert_eq!(c["accept_issuer_audience"], false);
    c["accept_issuer_audience"] = json!(true);
    let r = h
        .http
        .put(h.admin(&format!("/clients/{PK}")))
        .json_body(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        assertion_post(&h, PK, &pk_assertion(&h, json!(issuer)).await)
            .await
            .1,
        "invalid_grant"
    );
    // The token endpoint still works; an array with both is still refused (aud is one value).
    assert_eq!(
        assertion_post(&h, PK, &pk_assertion(&h, json!(te(&h))).await)
            .await
            .1,
        "invalid_grant"
    );
    let (status, _, desc) = assertion_post(&h, PK, &pk_assertion(&h, json!([te(&h), issuer])).await).await;
    assert_eq!(status, 401);
    assert!(desc.contains("aud must be exactly the token endpoint"), "{desc}");
    // A whole flow with an RP that sends the issuer, as openid-client does by default.
    let client = rp_with_audience(&h, PK, pkjwt_auth(), AssertionAudience::Issuer).await;
    let rp = Rp {
        client,
        jwks: h.rp(PK, pkjwt_auth()).await.jwks,
    };
    let (_, id) = rp
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    assert_eq!(id.aud, [PK]);
}
