//! Each fault of the admin API, observed: the mutated token or response, and the sdk's verdict on it.

use cis2_sdk::LoginOptions;
use serde_json::{Value, json};

use crate::common::*;

const C: &str = "300000000001.apps.supplier";

async fn setup() -> (Harness, Rp) {
    let h = start().await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = Value::Null;
    h.register(c).await;
    let rp = h.rp(C, post_auth()).await;
    (h, rp)
}

/// Arms `fault` for the next ID token, logs in (SSO after the first time) and returns the result.
async fn with_fault(h: &Harness, rp: &Rp, fault: Value) -> Done {
    h.inject(json!({ "client_id": C, "fault": fault })).await;
    let login = rp
        .login(
            h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    rp.finish(h, &login).await.unwrap()
}

#[tokio::test]
async fn id_token_claim_faults_are_rejected_by_the_sdk() {
    let (h, rp) = setup().await;
    let cases = [
        (json!({"kind": "wrong_iss"}), "token.issuer_mismatch"),
        (json!({"kind": "wrong_aud"}), "token.audience_mismatch"),
        (
            json!({"kind": "missing_claim", "claim": "sub"}),
            "token.missing_claim",
        ),
        (
            json!({"kind": "set_claim", "claim": "acr", "value": "AAL1_USERPASS"}),
            "token.acr_not_satisfied",
        ),
        (json!({"kind": "expired"}), "token.expired"),
        (json!({"kind": "future_iat"}), "token.issued_in_future"),
        (json!({"kind": "nonce_mismatch"}), "token.nonce_mismatch"),
        (json!({"kind": "bad_signature"}), "token.invalid_signature"),
        (json!({"kind": "kid_unknown"}), "token.no_matching_key"),
        (json!({"kind": "hs256_public_key"}), "token.algorithm_not_allowed"),
    ];
    for (fault, expected) in cases {
        let done = with_fault(&h, &rp, fault.clone()).await;
        let err = done
            .id_token
            .err()
            .unwrap_or_else(|| panic!("{fault} was accepted"));
        assert_eq!(token_code(&err), expected, "{fault}");
    }
    // One fault per response: the next login is clean again.
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    assert!(rp.finish(&h, &login).await.unwrap().id_token.is_ok());
}

#[tokio::test]
async fn id_token_mutations_are_visible() {
    let (h, rp) = setup().await;
    let decode = |t: &str| cis2_sdk::dangerous::insecure_decode(t).unwrap();
    let done = with_fault(
        &h,
        &rp,
        json!({"kind": "wrong_iss", "value": "https://evil.example"}),
    )
    .await;
    assert_eq!(
        decode(done.tokens.id_token.secret()).1["iss"],
        "https://evil.example"
    );
    let done = with_fault(&h, &rp, json!({"kind": "missing_claim", "claim": "auth_time"})).await;
    assert!(decode(done.tokens.id_token.secret()).1.get("auth_time").is_none());
    // kid absent: the header has no kid; with one key published the sdk still finds it.
    let done = with_fault(&h, &rp, json!({"kind": "kid_absent"})).await;
    assert!(decode(done.tokens.id_token.secret()).0.kid.is_none());
    assert!(done.id_token.is_ok());
    // alg none: header says none, the signature is empty, the sdk refuses.
    let done = with_fault(&h, &rp, json!({"kind": "alg_none"})).await;
    let t = done.tokens.id_token.secret().to_owned();
    let parts: Vec<&str> = t.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2], "");
    let header: Value = serde_json::from_slice(&cis2_sdk::b64url_decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "none");
    assert!(done.id_token.is_err());
    // HS256 keyed with the public key PEM: recompute the MAC.
    let done = with_fault(&h, &rp, json!({"kind": "hs256_public_key"})).await;
    let t = done.tokens.id_token.secret().to_owned();
    let (input, sig) = t.rsplit_once('.').unwrap();
    use hmac::Mac;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    let pem = rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../data/idp-a.pem"))
        .unwrap()
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(pem.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    assert_eq!(cis2_sdk::b64url_encode(mac.finalize().into_bytes()), sig);
    assert_eq!(decode(&t).0.alg, "HS256");
}

#[tokio::test]
async fn userinfo_faults() {
    let (h, rp) = setup().await;
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    let done = rp.finish(&h, &login).await.unwrap();
    h.inject(json!({ "client_id": C, "fault": {"kind": "sub_mismatch"} }))
        .await;
    let err = rp.userinfo(&h, &done).await.err().unwrap();
    assert_eq!(token_code(&err), "token.subject_mismatch");
    h.inject(
        json!({ "client_id": C, "target": "userinfo_endpoint", "fault": {"kind": "status", "status": 502} }),
    )
    .await;
    let req = rp
        .client
        .userinfo_request(&done.tokens.access_token)
        .unwrap()
        .unwrap();
    assert_eq!(h.send(req).await.status(), 502);
    assert!(rp.userinfo(&h, &done).await.is_ok(), "one response only");
}

#[tokio::test]
async fn endpoint_faults_slow_and_5xx() {
    let (h, rp) = setup().await;
    // 503 from the token endpoint; the code is not consumed, so a retry works.
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    h.inject(json!({ "client_id": C, "fault": {"kind": "status", "status": 503} }))
        .await;
    let err = rp.finish(&h, &login).await.err().unwrap();
    assert!(err.to_string().contains("temporarily_unavailable"), "{err}");
    assert!(rp.finish(&h, &login).await.unwrap().id_token.is_ok());
    // Slow token endpoint.
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "656005750108",
            "smartcard",
        )
        .await;
    h.inject(
        json!({ "client_id": C, "target": "token_endpoint", "fault": {"kind": "slow", "delay_ms": 400} }),
    )
    .await;
    let t = tokio::time::Instant::now();
    assert!(rp.finish(&h, &login).await.unwrap().id_token.is_ok());
    assert!(t.elapsed() >= std::time::Duration::from_millis(400));
    // JWKS 500 until deleted (times = 0), then back.
    let r = h
        .admin_post(
            "/faults",
            json!({ "target": "jwks_endpoint", "times": 0, "fault": {"kind": "status", "status": 500} }),
        )
        .await;
    let id = r.json_value().await["id"].as_u64().unwrap();
    for _ in 0..2 {
        assert_eq!(
            h.http
                .get(h.url("/connect/jwk_uri"))
                .send()
                .await
                .unwrap()
                .status(),
            500
        );
    }
    assert_eq!(h.admin_get("/faults").await.as_array().unwrap().len(), 1);
    let del = h
        .http
        .delete(h.admin(&format!("/faults/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(
        h.http
            .get(h.url("/connect/jwk_uri"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Slow discovery.
    h.inject(json!({ "target": "discovery_endpoint", "fault": {"kind": "slow", "delay_ms": 300} }))
        .await;
    let t = tokio::time::Instant::now();
    assert_eq!(
        h.http.get(h.idp.discovery_url()).send().await.unwrap().status(),
        200
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn fault_api_validates_requests() {
    let (h, _) = setup().await;
    let r = h
        .admin_post(
            "/faults",
            json!({ "fault": {"kind": "slow", "delay_ms": 1}, "target": "id_token" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json_value().await["error"], "invalid_request");
    let r = h
        .admin_post("/faults", json!({ "fault": {"kind": "no_such_fault"} }))
        .await;
    assert_eq!(r.status(), 400);
    let r = h
        .admin_post(
            "/faults",
            json!({ "client_id": "ghost", "fault": {"kind": "expired"} }),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = h
        .admin_post(
            "/faults",
            json!({ "fault": {"kind": "status", "status": 404}, "target": "token_endpoint" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = h.http.get(h.admin("/nothing-here")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json_value().await["error"], "not_found");
    let r = h
        .http
        .post(h.admin("/users"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
