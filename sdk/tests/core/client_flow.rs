//! The code flow through `Cis2Client`, with HTTP exchanges as values (catalogue CS-46..58, FLOW-*, IDT-13/14).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::*;
use cis2_sdk::*;
use serde_json::{Map, Value, json};
use std::time::Duration;

const DISCOVERY: &str = include_str!("../../testdata/discovery-int.json");
const REDIRECT: &str = "https://rp.example/auth/callback";

pub(crate) fn metadata(extra: &[(&str, Value)]) -> ProviderMetadata {
    let mut doc: Map<String, Value> = serde_json::from_str(DISCOVERY).unwrap();
    for (k, v) in extra {
        doc.insert((*k).into(), v.clone());
    }
    ProviderMetadata::from_document(&issuer(), doc, &[Algorithm::RS256]).unwrap()
}

pub(crate) fn client_with(auth: ClientAuth, extra: &[(&str, Value)]) -> Cis2Client {
    let config = ClientConfig::new(issuer(), client_id(), RedirectUrl::new(REDIRECT).unwrap(), auth);
    Cis2Client::new(config, metadata(extra)).unwrap()
}

fn rp_key() -> SigningKey {
    SigningKey::from_pkcs8_pem(RSA_B, Algorithm::RS512).unwrap()
}

fn client() -> Cis2Client {
    client_with(ClientAuth::PrivateKeyJwt(rp_key()), &[])
}

fn query(url: &url::Url) -> Map<String, Value> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

fn start(c: &Cis2Client, opts: &LoginOptions) -> (Map<String, Value>, PendingLogin) {
    let (url, pending) = c.start_login(opts, &mut rng(), now()).unwrap();
    assert!(
        url.as_str()
            .starts_with(c.metadata().authorization_endpoint.url().as_str())
    );
    (query(&url), pending)
}

pub(crate) fn form(req: &HttpRequest) -> Map<String, Value> {
    url::form_urlencoded::parse(req.body())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

fn json_response(status: u16, body: Value) -> HttpResponse {
    http_types::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string().into_bytes())
        .unwrap()
}

fn cb(q: &str) -> Callback {
    Callback::parse(q).unwrap()
}

#[test]
fn cs_53_cs_54_authorization_request_carries_pkce_s256_state_nonce_and_acr() {
    let c = client();
    let (q, pending) = start(&c, &LoginOptions::default());
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["scope"], "openid profile nationalrbacaccess associatedorgs");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["acr_values"], "AAL3_ANY");
    assert!(q.get("prompt").is_none());
    assert!(pending.state().ct_eq(q["state"].as_str().unwrap()));
    // The verifier sent later hashes to the challenge, is >= 43 chars, and is fresh per login.
    let v = c
        .verify_callback(
            &pending,
            &cb(&format!("code=abc&state={}", q["state"].as_str().unwrap())),
            now(),
        )
        .unwrap();
    let req = c.token_request(&pending, &v, &mut rng(), now()).unwrap();
    let verifier = form(&req)["code_verifier"].as_str().unwrap().to_owned();
    assert!(verifier.len() >= 43);
    assert_eq!(pkce_challenge(&verifier), q["code_challenge"]);
    use rand_chacha::rand_core::SeedableRng;
    let (q2, _) = c
        .start_login(
            &LoginOptions::default(),
            &mut rand_chacha::ChaCha20Rng::from_seed([9; 32]),
            now(),
        )
        .map(|(u, p)| (query(&u), p))
        .unwrap();
    assert_ne!(q2["code_challenge"], q["code_challenge"]);
    assert_ne!(q2["state"], q["state"]);
    assert_ne!(q2["nonce"], q["nonce"]);
}

#[test]
fn selected_role_forces_prompt_login_and_options_are_sent() {
    let opts = LoginOptions::default()
        .select_role(true)
        .acr_values(["AAL2_OR_AAL3_ANY"])
        .max_age(Some(Duration::from_secs(300)))
        .scope(scopes::EMAIL);
    let (q, pending) = start(&client(), &opts);
    assert_eq!(
        q["scope"],
        "openid profile nationalrbacaccess associatedorgs email selectedrole"
    );
    assert_eq!(q["prompt"], "login");
    assert_eq!(q["max_age"], "300");
    assert_eq!(q["acr_values"], "AAL2_OR_AAL3_ANY");
    assert_eq!(pending.acr_values(), ["AAL2_OR_AAL3_ANY"]);
    // Unknown ACR values and malformed scopes are configuration errors, not requests.
    assert!(
        client()
            .start_login(&LoginOptions::default().acr_values(["AAL9"]), &mut rng(), now())
            .is_err()
    );
    assert!(
        client()
            .start_login(&LoginOptions::default().scope("a b"), &mut rng(), now())
            .is_err()
    );
}

#[test]
fn cs_46_flow_01_state_from_another_login_is_rejected() {
    let c = client();
    let (_, pending) = start(&c, &LoginOptions::default());
    let e = c
        .verify_callback(&pending, &cb("code=abc&state=forged"), now())
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::Callback(CallbackError::StateMismatch)
    ));
    assert_eq!(e.code(), "callback.state_mismatch");
}

#[test]
fn cs_47_flow_04_missing_state_is_rejected() {
    let c = client();
    let (_, pending) = start(&c, &LoginOptions::default());
    let e = c.verify_callback(&pending, &cb("code=abc"), now()).unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::Callback(CallbackError::MissingParameter { name: "state" })
    ));
}

#[test]
fn cs_48_cs_49_authorization_response_iss() {
    let c = client();
    let (q, pending) = start(&c, &LoginOptions::default());
    let state = q["state"].as_str().unwrap();
    let wrong = format!("code=abc&state={state}&iss=https%3A%2F%2Fevil");
    assert!(matches!(
        c.verify_callback(&pending, &cb(&wrong), now())
            .unwrap_err()
            .kind(),
        ErrorKind::Callback(CallbackError::IssuerMismatch { .. })
    ));
    let right = format!(
        "code=abc&state={state}&iss={}",
        url::form_urlencoded::byte_serialize(issuer().as_str().as_bytes()).collect::<String>()
    );
    assert!(c.verify_callback(&pending, &cb(&right), now()).is_ok());
    // Without the parameter it is fine, unless the provider promised it (RFC 9207 §2.4).
    assert!(
        c.verify_callback(&pending, &cb(&format!("code=abc&state={state}")), now())
            .is_ok()
    );
    let strict = client_with(
        ClientAuth::PrivateKeyJwt(rp_key()),
        &[("authorization_response_iss_parameter_supported", json!(true))],
    );
    let (q, pending) = start(&strict, &LoginOptions::default());
    let missing = format!("code=abc&state={}", q["state"].as_str().unwrap());
    assert!(matches!(
        strict
            .verify_callback(&pending, &cb(&missing), now())
            .unwrap_err()
            .kind(),
        ErrorKind::Callback(CallbackError::IssuerMismatch { actual: None, .. })
    ));
}

#[test]
fn flow_16_cs_24_error_responses() {
    let c = client();
    let (q, pending) = start(&c, &LoginOptions::default());
    let state = q["state"].as_str().unwrap();
    let e = c
        .verify_callback(
            &pending,
            &cb(&format!(
                "error=access_denied&error_description=nope&state={state}"
            )),
            now(),
        )
        .unwrap_err();
    match e.kind() {
        ErrorKind::OAuth(OAuthError {
            code: OAuthErrorCode::AccessDenied,
            description,
            ..
        }) => assert_eq!(description.as_deref(), Some("nope")),
        other => panic!("{other:?}"),
    }
    // A forged state is reported as a state failure, not as the provider's error.
    let e = c
        .verify_callback(&pending, &cb("error=login_required&state=forged"), now())
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::Callback(CallbackError::StateMismatch)
    ));
}

#[test]
fn idt_13_fuz_06_callback_parameters_are_strict() {
    assert!(matches!(
        Callback::parse("code=a&state=b&id_token=x"),
        Err(CallbackError::UnexpectedParameter { .. })
    ));
    assert!(matches!(
        Callback::parse("code=a&state=b&access_token=x"),
        Err(CallbackError::UnexpectedParameter { .. })
    ));
    assert!(matches!(
        Callback::parse("code=a&code=b&state=c"),
        Err(CallbackError::DuplicateParameter { .. })
    ));
    assert!(matches!(
        Callback::parse("code=a&state=b&state=b"),
        Err(CallbackError::DuplicateParameter { .. })
    ));
    let c = Callback::parse("code=a&state=b&scope=openid&client_id=x&session_state=s&iss=i").unwrap();
    assert_eq!(c.code.as_deref(), Some("a"));
}

#[test]
fn flow_09_mix_up_between_issuers_is_rejected() {
    let live = {
        let iss = Environment::Live.issuer().unwrap();
        let doc: Map<String, Value> = serde_json::from_str(&DISCOVERY.replace(
            "am.nhsint.auth-ptl.cis2.spineservices.nhs.uk",
            "am.nhsidentity.spineservices.nhs.uk",
        ))
        .unwrap();
        let config = ClientConfig::new(
            iss.clone(),
            client_id(),
            RedirectUrl::new(REDIRECT).unwrap(),
            ClientAuth::PrivateKeyJwt(rp_key()),
        );
        Cis2Client::new(
            config,
            ProviderMetadata::from_document(&iss, doc, &[Algorithm::RS256]).unwrap(),
        )
        .unwrap()
    };
    let int = client();
    let (q, pending_int) = start(&int, &LoginOptions::default());
    let e = live
        .verify_callback(
            &pending_int,
            &cb(&format!("code=a&state={}", q["state"].as_str().unwrap())),
            now(),
        )
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::Callback(CallbackError::IssuerMismatch { .. })
    ));
}

#[test]
fn pending_login_expires_and_round_trips_server_side() {
    let c = client();
    let (q, pending) = start(&c, &LoginOptions::default());
    let restored = PendingLogin::from_server_side_json(&pending.to_server_side_json()).unwrap();
    let query = format!("code=a&state={}", q["state"].as_str().unwrap());
    assert!(c.verify_callback(&restored, &cb(&query), now()).is_ok());
    let late = now().saturating_add(PENDING_LOGIN_MAX_AGE + Duration::from_secs(1));
    assert!(matches!(
        c.verify_callback(&pending, &cb(&query), late).unwrap_err().kind(),
        ErrorKind::Callback(CallbackError::PendingLoginExpired { .. })
    ));
    assert!(
        !format!("{pending:?}").contains(q["nonce"].as_str().unwrap()),
        "Debug must not leak the nonce"
    );
}

fn token_request_for(c: &Cis2Client) -> HttpRequest {
    token_request_seeded(c, 7)
}

pub(crate) fn token_request_seeded(c: &Cis2Client, seed: u8) -> HttpRequest {
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([seed; 32]);
    let (url, pending) = c.start_login(&LoginOptions::default(), &mut rng, now()).unwrap();
    let q = query(&url);
    let v = c
        .verify_callback(
            &pending,
            &cb(&format!("code=the-code&state={}", q["state"].as_str().unwrap())),
            now(),
        )
        .unwrap();
    c.token_request(&pending, &v, &mut rng, now()).unwrap()
}

#[test]
fn cs_55_cs_57_cs_58_private_key_jwt_assertion() {
    let c = client();
    let req = token_request_for(&c);
    assert_eq!(req.method(), "POST");
    assert_eq!(req.uri().to_string(), c.metadata().token_endpoint.as_str());
    assert_eq!(req.headers()["content-type"], "application/x-www-form-urlencoded");
    let f = form(&req);
    assert_eq!(f["grant_type"], "authorization_code");
    assert_eq!(f["code"], "the-code");
    assert_eq!(f["redirect_uri"], REDIRECT);
    assert_eq!(
        f["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(f.get("client_secret").is_none());
    let assertion = f["client_assertion"].as_str().unwrap();
    let (header, claims) = dangerous::insecure_decode(assertion).unwrap();
    assert_eq!(header.alg, "RS512");
    assert_eq!(header.kid.as_deref(), Some(rp_key().kid()));
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    // CIS2 profile: aud is the token endpoint exactly as discovered, :443 included (cis2.md §6).
    assert_eq!(claims["aud"], c.metadata().token_endpoint.as_str());
    assert!(claims["aud"].as_str().unwrap().contains(":443/"));
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + ASSERTION_LIFETIME.as_secs());
    // What the provider checks (the mock IdP runs exactly this).
    let rp_jwks = JwkSet::from_keys([rp_key().public_jwk().unwrap()]).unwrap();
    let op_side = TokenValidator::new(issuer(), client_id(), ValidationPolicy::new(Crypto::default()));
    let ok = op_side
        .validate_client_assertion(
            assertion,
            &rp_jwks,
            &[Algorithm::RS512],
            c.metadata().token_endpoint.as_str(),
            Duration::from_secs(300),
            now(),
        )
        .unwrap();
    assert!(ok.jti.len() >= 32);
    // A wrong registered alg, or the endpoint without :443, is refused.
    assert!(
        op_side
            .validate_client_assertion(
                assertion,
                &rp_jwks,
                &[Algorithm::RS256],
                c.metadata().token_endpoint.as_str(),
                Duration::from_secs(300),
                now()
            )
            .is_err()
    );
    let no_port = c.metadata().token_endpoint.as_str().replacen(":443", "", 1);
    assert!(matches!(
        op_side.validate_client_assertion(
            assertion,
            &rp_jwks,
            &[Algorithm::RS512],
            &no_port,
            Duration::from_secs(300),
            now()
        ),
        Err(TokenError::ClientAssertionAudience { .. })
    ));
    // CS-57: every request gets a new jti.
    let j1 = dangerous::insecure_decode(
        form(&token_request_seeded(&c, 1))["client_assertion"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .1["jti"]
        .clone();
    let j2 = dangerous::insecure_decode(
        form(&token_request_seeded(&c, 2))["client_assertion"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
    .1["jti"]
        .clone();
    assert_ne!(j1, j2);
}

#[test]
fn cs_56_generic_profile_sends_the_issuer_as_a_string_aud() {
    let config = ClientConfig::new(
        issuer(),
        client_id(),
        RedirectUrl::new(REDIRECT).unwrap(),
        ClientAuth::PrivateKeyJwt(rp_key()),
    )
    .with_assertion_audience(AssertionAudience::Issuer);
    let c = Cis2Client::new(config, metadata(&[])).unwrap();
    let f = form(&token_request_for(&c));
    let (_, claims) = dangerous::insecure_decode(f["client_assertion"].as_str().unwrap()).unwrap();
    assert_eq!(claims["aud"], json!(issuer().as_str()));
}

#[test]
fn client_secret_post_and_basic() {
    let post = client_with(ClientAuth::ClientSecretPost(ClientSecret::new("s3cret")), &[]);
    let f = form(&token_request_for(&post));
    assert_eq!(f["client_id"], CLIENT_ID);
    assert_eq!(f["client_secret"], "s3cret");
    let basic = client_with(ClientAuth::ClientSecretBasic(ClientSecret::new("a:b c+")), &[]);
    let req = token_request_for(&basic);
    assert!(form(&req).get("client_secret").is_none());
    // RFC 6749 §2.3.1: both parts form-encoded before base64.
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:a%3Ab+c%2B"));
    assert_eq!(req.headers()["authorization"], format!("Basic {expected}"));
}

#[test]
fn full_login_validates_the_id_token_and_userinfo() {
    let c = client();
    let (q, pending) = start(&c, &LoginOptions::default().select_role(true));
    let v = c
        .verify_callback(
            &pending,
            &cb(&format!("code=x&state={}", q["state"].as_str().unwrap())),
            now(),
        )
        .unwrap();
    let _ = c.token_request(&pending, &v, &mut rng(), now()).unwrap();
    let id = sign(
        &key_a(),
        Some("JWT"),
        &with(
            with(id_claims(), "nonce", q["nonce"].clone()),
            "auth_time",
            json!(NOW),
        ),
    );
    let resp = json_response(
        200,
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3599, "id_token": id, "scope": "openid"}),
    );
    let tokens = c.parse_token_response(&resp).unwrap();
    assert_eq!(tokens.expires_in, Some(3599));
    let claims = c.validate_login(&pending, &tokens, &jwks_a(), now()).unwrap();
    // prompt=login was sent: an auth_time from before the login began is refused.
    let stale = sign(
        &key_a(),
        None,
        &with(
            with(id_claims(), "nonce", q["nonce"].clone()),
            "auth_time",
            json!(NOW - 3600),
        ),
    );
    let stale = c
        .parse_token_response(&json_response(
            200,
            json!({"access_token": "a", "token_type": "bearer", "id_token": stale}),
        ))
        .unwrap();
    assert!(matches!(
        c.validate_login(&pending, &stale, &jwks_a(), now())
            .unwrap_err()
            .token_error(),
        Some(TokenError::AuthTimeTooOld { .. })
    ));

    let ui_req = c.userinfo_request(&tokens.access_token).unwrap().unwrap();
    assert_eq!(ui_req.headers()["authorization"], "Bearer at-1");
    let ui = json_response(
        200,
        json!({"sub": "656005750104", "nhsid_nrbac_roles": [{"person_roleid": "555254240100", "org_code": "RBA", "activity_codes": ["B0420"]}], "nhsid_user_orgs": [{"org_code": "RBA", "org_name": "TAUNTON AND SOMERSET"}]}),
    );
    let userinfo = c.parse_userinfo(&ui, &claims, &jwks_a(), now()).unwrap();
    let user = Cis2User::new(claims.clone(), Some(userinfo));
    assert!(user.has_activity("B0420"));
    assert_eq!(user.aal(), Some(3));
    let other = json_response(200, json!({"sub": "656005750104invalid"}));
    assert!(matches!(
        c.parse_userinfo(&other, &claims, &jwks_a(), now())
            .unwrap_err()
            .token_error(),
        Some(TokenError::SubjectMismatch { .. })
    ));
    // Signed userinfo goes through the same validation path.
    let signed = sign(
        &key_a(),
        None,
        &serde_json::from_value(json!({"sub": "656005750104", "iss": issuer().as_str()})).unwrap(),
    );
    let resp = http_types::Response::builder()
        .status(200)
        .header("content-type", "application/jwt")
        .body(signed.into_bytes())
        .unwrap();
    assert!(c.parse_userinfo(&resp, &claims, &jwks_a(), now()).is_ok());
}

#[test]
fn idt_14_cs_50_cs_51_token_response_shape() {
    let c = client();
    let ok = |body: Value| c.parse_token_response(&json_response(200, body));
    assert!(
        ok(json!({"access_token": "a", "token_type": "bEARER", "id_token": "x"})).is_ok(),
        "CS-51 and CS-50"
    );
    for bad in [
        json!({"token_type": "Bearer", "id_token": "x"}),
        json!({"access_token": 1, "token_type": "Bearer", "id_token": "x"}),
        json!({"access_token": "a", "token_type": "Bearer", "id_token": "x", "expires_in": "3600"}),
        json!({"access_token": "a", "token_type": "mac", "id_token": "x"}),
        json!({"access_token": "a", "token_type": "Bearer"}),
    ] {
        assert_eq!(
            ok(bad.clone()).unwrap_err().code(),
            "provider.token_response",
            "{bad}"
        );
    }
    let not_json = http_types::Response::builder()
        .status(200)
        .header("content-type", "text/html")
        .body(b"<html>".to_vec())
        .unwrap();
    assert!(c.parse_token_response(&not_json).is_err());
    let arr = json_response(200, json!([1]));
    assert!(c.parse_token_response(&arr).is_err());
    // An RFC 6749 §5.2 error body is surfaced as the OAuth error.
    let e = c
        .parse_token_response(&json_response(
            400,
            json!({"error": "invalid_grant", "error_description": "code reused"}),
        ))
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::OAuth(OAuthError {
            code: OAuthErrorCode::InvalidGrant,
            status: Some(400),
            ..
        })
    ));
    let e = c
        .parse_token_response(&json_response(
            401,
            json!({"error": "invalid_client", "error_description": "JWT is not valid"}),
        ))
        .unwrap_err();
    assert!(matches!(
        e.kind(),
        ErrorKind::OAuth(OAuthError {
            code: OAuthErrorCode::InvalidClient,
            ..
        })
    ));
}

#[test]
fn end_session_url_carries_the_hint() {
    let url = client()
        .end_session_url("id.token.hint", Some("https://rp.example/bye"), Some("st"))
        .unwrap();
    let q = query(&url);
    assert!(url.as_str().contains("/connect/endSession?"));
    assert_eq!(q["id_token_hint"], "id.token.hint");
    assert_eq!(q["post_logout_redirect_uri"], "https://rp.example/bye");
    assert_eq!(q["state"], "st");
}

#[test]
fn with_client_auth_swaps_the_assertion_key_only() {
    let c = client();
    let rotated = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::RS512).unwrap();
    let c2 = c.with_client_auth(ClientAuth::PrivateKeyJwt(rotated.clone()));
    assert_eq!(c2.metadata().token_endpoint, c.metadata().token_endpoint);
    let f = form(&token_request_for(&c2));
    let (h, _) = dangerous::insecure_decode(f["client_assertion"].as_str().unwrap()).unwrap();
    assert_eq!(h.kid.as_deref(), Some(rotated.kid()));
    assert_ne!(rotated.kid(), rp_key().kid());
}
