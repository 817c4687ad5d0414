//! `client_secret_jwt` (RFC 7523 §2.2, OIDC Core §9; documented by CIS2, cis2.md §6): the RP's HS256 client
//! assertion and the provider-side check the mock IdP runs, and the client-assertion `aud` rules.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::client_flow::{client_with, form, token_request_seeded};
use crate::support::*;
use cis2_sdk::*;
use serde_json::{Map, Value, json};
use std::time::Duration;

const SECRET: &str = "a-client-secret-of-at-least-32-bytes!!";
const MAX: Duration = Duration::from_secs(300);

fn secret() -> ClientSecret {
    ClientSecret::new(SECRET)
}

fn op_side() -> TokenValidator {
    TokenValidator::new(issuer(), client_id(), ValidationPolicy::new(Crypto::default()))
}

fn check(token: &str, key: &ClientSecret, auds: &[&str]) -> Result<ClientAssertion, TokenError> {
    op_side().validate_client_assertion_with(token, AssertionKey::ClientSecretJwt(key), auds, MAX, now())
}

fn assertion_claims(aud: Value) -> Map<String, Value> {
    let Value::Object(m) = json!({
        "iss": CLIENT_ID, "sub": CLIENT_ID, "aud": aud, "jti": "jti-0123456789abcdef",
        "iat": NOW, "exp": NOW + 60,
    }) else {
        unreachable!()
    };
    m
}

fn token_endpoint() -> String {
    client_with(ClientAuth::ClientSecretJwt(secret()), &[])
        .metadata()
        .token_endpoint
        .as_str()
        .to_owned()
}

#[test]
fn client_secret_jwt_token_request_carries_an_hs256_assertion_and_never_the_secret() {
    let c = client_with(ClientAuth::ClientSecretJwt(secret()), &[]);
    let req = token_request_seeded(&c, 3);
    assert!(req.headers().get("authorization").is_none());
    let f = form(&req);
    assert_eq!(f["client_id"], CLIENT_ID);
    assert_eq!(
        f["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(f.get("client_secret").is_none());
    assert!(!String::from_utf8_lossy(req.body()).contains(SECRET));
    let assertion = f["client_assertion"].as_str().unwrap();
    let (header, claims) = dangerous::insecure_decode(assertion).unwrap();
    assert_eq!(header.alg, "HS256");
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert!(header.kid.is_none());
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(claims["aud"], c.metadata().token_endpoint.as_str());
    assert_eq!(claims["exp"], NOW + ASSERTION_LIFETIME.as_secs());
    // An independent HMAC (the `hmac` crate via the test support) over the same header and claims gives the
    // same signature: the assertion is plain HS256.
    let Value::Object(c2) = serde_json::to_value(&claims).unwrap() else {
        unreachable!()
    };
    let again = hs256(json!({"alg": "HS256", "typ": "JWT"}), &c2, SECRET.as_bytes());
    assert_eq!(again, assertion);
    // The provider side accepts it, once per jti (the caller stores jtis), and only with the right secret.
    let ok = check(assertion, &secret(), &[c.metadata().token_endpoint.as_str()]).unwrap();
    assert_eq!(ok.jti, claims["jti"].as_str().unwrap());
    assert_eq!(
        check(
            assertion,
            &ClientSecret::new("another secret"),
            &[c.metadata().token_endpoint.as_str()]
        ),
        Err(TokenError::InvalidSignature)
    );
    // A fresh jti each request.
    let other = form(&token_request_seeded(&c, 4));
    let (_, claims2) = dangerous::insecure_decode(other["client_assertion"].as_str().unwrap()).unwrap();
    assert_ne!(claims2["jti"], claims["jti"]);
}

#[test]
fn client_secret_jwt_with_issuer_audience_is_checked_as_configured() {
    let config = ClientConfig::new(
        issuer(),
        client_id(),
        RedirectUrl::new("https://rp.example/auth/callback").unwrap(),
        ClientAuth::ClientSecretJwt(secret()),
    )
    .with_assertion_audience(AssertionAudience::Issuer);
    let c = Cis2Client::new(
        config,
        client_with(ClientAuth::ClientSecretJwt(secret()), &[])
            .metadata()
            .clone(),
    )
    .unwrap();
    let a = c.client_secret_assertion(&secret(), &mut rng(), now()).unwrap();
    let (_, claims) = dangerous::insecure_decode(&a).unwrap();
    assert_eq!(claims["aud"], issuer().as_str());
    let te = token_endpoint();
    // Refused where only the token endpoint is accepted; accepted where the issuer is too.
    let err = check(&a, &secret(), &[&te]).unwrap_err();
    assert!(matches!(err, TokenError::ClientAssertionAudience { .. }));
    check(&a, &secret(), &[&te, issuer().as_str()]).unwrap();
}

#[test]
fn client_assertion_aud_must_be_exactly_the_token_endpoint() {
    let te = token_endpoint();
    // A one-element array holding only the token endpoint is the same as the string.
    let single = hs256(
        json!({"alg":"HS256"}),
        &assertion_claims(json!([te])),
        SECRET.as_bytes(),
    );
    check(&single, &secret(), &[&te]).unwrap();
    // An array with an extra value: refused, and the message says what is wrong.
    let extra = hs256(
        json!({"alg":"HS256"}),
        &assertion_claims(json!([te, "https://elsewhere.example"])),
        SECRET.as_bytes(),
    );
    let err = check(&extra, &secret(), &[&te]).unwrap_err();
    assert!(matches!(err, TokenError::ClientAssertionAudience { .. }));
    let msg = err.to_string();
    assert!(msg.contains("aud must be exactly the token endpoint"), "{msg}");
    assert!(!msg.contains("does not contain"), "{msg}");
    assert_eq!(err.code(), "token.client_assertion_audience");
    // The issuer is not the token endpoint unless the caller accepts it.
    let iss = hs256(
        json!({"alg":"HS256"}),
        &assertion_claims(json!(issuer().as_str())),
        SECRET.as_bytes(),
    );
    assert!(check(&iss, &secret(), &[&te]).is_err());
    // Even both accepted values together are refused: aud is one value.
    let both = hs256(
        json!({"alg":"HS256"}),
        &assertion_claims(json!([te, issuer().as_str()])),
        SECRET.as_bytes(),
    );
    assert!(check(&both, &secret(), &[&te, issuer().as_str()]).is_err());
}

#[test]
fn client_secret_jwt_refuses_other_algorithms_expiry_and_wrong_typ() {
    let te = token_endpoint();
    let claims = assertion_claims(json!(te));
    // alg none, HS384, RS256 header: refused before any MAC.
    for alg in ["none", "HS384", "HS512", "RS256"] {
        let t = hs256(json!({"alg": alg}), &claims, SECRET.as_bytes());
        assert!(
            matches!(
                check(&t, &secret(), &[&te]),
                Err(TokenError::AlgorithmNotAllowed { .. })
            ),
            "{alg}"
        );
    }
    // Expired, and too long-lived.
    let expired = with(claims.clone(), "exp", json!(NOW - 120));
    let t = hs256(json!({"alg":"HS256"}), &expired, SECRET.as_bytes());
    assert!(matches!(
        check(&t, &secret(), &[&te]),
        Err(TokenError::Expired { .. })
    ));
    let long = with(claims.clone(), "exp", json!(NOW + 3600));
    let t = hs256(json!({"alg":"HS256"}), &long, SECRET.as_bytes());
    assert!(matches!(
        check(&t, &secret(), &[&te]),
        Err(TokenError::InvalidClaim { claim: "exp", .. })
    ));
    // Another client's id as iss.
    let t = hs256(
        json!({"alg":"HS256"}),
        &with(claims.clone(), "iss", json!("x")),
        SECRET.as_bytes(),
    );
    assert!(matches!(
        check(&t, &secret(), &[&te]),
        Err(TokenError::IssuerMismatch { .. })
    ));
    // A logout-token typ marks another kind of token.
    let t = hs256(
        json!({"alg":"HS256","typ":"logout+jwt"}),
        &claims,
        SECRET.as_bytes(),
    );
    assert!(matches!(
        check(&t, &secret(), &[&te]),
        Err(TokenError::WrongType { .. })
    ));
    // Missing jti.
    let mut no_jti = claims;
    no_jti.remove("jti");
    let t = hs256(json!({"alg":"HS256"}), &no_jti, SECRET.as_bytes());
    assert!(matches!(
        check(&t, &secret(), &[&te]),
        Err(TokenError::MissingClaim { .. })
    ));
}
