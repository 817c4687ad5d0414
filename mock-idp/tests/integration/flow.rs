//! Happy paths: every client authentication method, discovery and issuer shapes, role selection, ACR
//! enforcement, signed userinfo and the per-client claim-shape quirks.

use cis2_sdk::{LoginOptions, RoleSelection, UnixTime};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn private_key_jwt_with_pkce_full_flow_and_userinfo() {
    let h = start().await;
    h.register(pkjwt_client("100000000001.apps.supplier")).await;
    let rp = h.rp("100000000001.apps.supplier", pkjwt_auth()).await;
    let opts = LoginOptions::default().scope("nhsperson").scope("email");
    let (done, id) = rp.full(&h, &opts, "656005750108", "smartcard").await;
    assert_eq!(id.sub, "656005750108");
    assert_eq!(id.iss, h.idp.issuer());
    assert_eq!(id.acr.as_deref(), Some("AAL3_ANY"));
    assert_eq!(id.amr, ["N3_SMARTCARD"]);
    assert_eq!(id.authentication_assurance_level.map(|l| l.0), Some(3));
    assert!(id.sid.is_some() && id.auth_time.is_some());
    assert_eq!(id.extra["tokenName"], "id_token");
    let info = rp.userinfo(&h, &done).await.unwrap();
    assert_eq!(info.sub, "656005750108");
    assert_eq!(info.nhsid_nrbac_roles[0].job_role(), Some("R0260"));
    assert_eq!(info.nhsid_useruid.as_deref(), Some("656005750108"));
    assert!(info.email.is_some());
    // CIS2-style kid: 28 characters of standard base64 of a SHA-1-sized digest, in header and JWKS.
    let (header, _) = cis2_sdk::dangerous::insecure_decode(done.tokens.id_token.secret()).unwrap();
    let kid = header.kid.unwrap();
    assert_eq!(kid.len(), 28);
    assert!(kid.ends_with('='));
    assert_eq!(rp.jwks.keys()[0].kid(), Some(kid.as_str()));
    // The mock recorded the assertion jti and the PKCE verifier.
    let reqs = h.admin_get("/requests").await;
    assert!(reqs[0]["assertion_jti"].is_string());
    assert!(reqs[0]["code_verifier"].is_string());
}

#[tokio::test]
async fn client_secret_post_and_basic_flows() {
    let h = start().await;
    h.register(secret_client("100000000002.apps.supplier", "client_secret_post"))
        .await;
    h.register(secret_client("100000000003.apps.supplier", "client_secret_basic"))
        .await;
    let post = h.rp("100000000002.apps.supplier", post_auth()).await;
    let (_, id) = post
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    assert_eq!(id.sub, "656005750107");
    let basic = h.rp("100000000003.apps.supplier", basic_auth()).await;
    let (_, id2) = basic
        .full(&h, &LoginOptions::default(), "656005750107", "smartcard")
        .await;
    assert_eq!(id2.aud, ["100000000003.apps.supplier"]);
    assert_eq!(id.sid, id2.sid, "same browser: one SSO session");
}

#[tokio::test]
async fn discovery_keeps_an_explicit_443_issuer() {
    let issuer = format!("https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443{REALM}");
    let h = start_with(builder().issuer(issuer.clone())).await;
    let doc = h.discovery().await;
    assert_eq!(doc["issuer"], issuer.as_str());
    for (member, suffix) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/access_token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/connect/jwk_uri"),
        ("end_session_endpoint", "/connect/endSession"),
    ] {
        assert_eq!(doc[member], format!("{issuer}{suffix}"), "{member}");
    }
    // The sdk accepts it byte for byte.
    let config = cis2_sdk::ClientConfig::new(
        cis2_sdk::IssuerUrl::new(issuer.as_str()).unwrap(),
        cis2_sdk::ClientId::new("999999999999.apps.national").unwrap(),
        cis2_sdk::RedirectUrl::new(REDIRECT).unwrap(),
        post_auth(),
    );
    let resp = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(doc.to_string().into_bytes())
        .unwrap();
    let md = config.parse_discovery(&resp).unwrap();
    assert_eq!(md.token_endpoint.as_str(), format!("{issuer}/access_token"));
}

#[tokio::test]
async fn default_issuer_is_loopback_with_the_bound_port() {
    let h = start().await;
    let expected = format!("http://127.0.0.1:{}{REALM}", h.idp.addr().port());
    assert_eq!(h.idp.issuer(), expected);
    let doc = h.discovery().await;
    assert_eq!(doc["issuer"], expected.as_str());
    assert_eq!(doc["jwks_uri"], format!("{expected}/connect/jwk_uri"));
    let jwks = h
        .http
        .get(h.url("/connect/jwk_uri"))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["use"], "sig");
}

#[tokio::test]
async fn role_selection_sets_selected_roleid() {
    let h = start().await;
    h.register(secret_client("100000000004.apps.supplier", "client_secret_post"))
        .await;
    let rp = h.rp("100000000004.apps.supplier", post_auth()).await;
    let opts = LoginOptions::default().select_role(true);
    let (url, pending) = rp
        .client
        .start_login(&opts, &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = authorize_and_login(&h, &h.browser, url.as_str(), "555000000001", "smartcard").await;
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{REALM}/select-role")), "{loc}");
    let page = h
        .browser
        .get(format!("{}{loc}", h.idp.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("name=\"role\"").count(), 3);
    let interaction = query_param(&loc, "interaction").unwrap();
    let bad = post_form(
        &h.browser,
        &h.url("/select-role"),
        &[("interaction", interaction.clone()), ("role", "999".into())],
    )
    .await;
    assert_eq!(bad.status(), 400);
    let r = post_form(
        &h.browser,
        &h.url("/select-role"),
        &[("interaction", interaction), ("role", "555000000102".into())],
    )
    .await;
    let loc = location(&r);
    let login = Login {
        pending,
        callback: loc.split_once('?').unwrap().1.to_owned(),
    };
    let done = rp.finish(&h, &login).await.unwrap();
    let id = done.id_token.as_ref().unwrap().clone();
    assert_eq!(id.selected_roleid.as_deref(), Some("555000000102"));
    let info = rp.userinfo(&h, &done).await.unwrap();
    let user = cis2_sdk::Cis2User::new(id, Some(info));
    match user.selected_role() {
        RoleSelection::Selected { role, organisation } => {
            assert_eq!(role.org_code, "RBA");
            assert_eq!(organisation.unwrap().org_name, "SOMERSET NHS FOUNDATION TRUST");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn acr_values_are_enforced_with_a_refusal_page() {
    let h = start().await;
    h.register(secret_client("100000000005.apps.supplier", "client_secret_post"))
        .await;
    let rp = h.rp("100000000005.apps.supplier", post_auth()).await;
    // AAL3 requested, password offered: refused with a clear page, no redirect.
    let (url, _) = rp
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = authorize_and_login(&h, &h.browser, url.as_str(), "656005750111", "password").await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("id=\"refused\""));
    // AAL2 requested: TOTP passes and the token says so.
    let opts = LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]);
    let (_, id) = rp.full(&h, &opts, "656005750111", "totp").await;
    assert_eq!(id.acr.as_deref(), Some("AAL2_OR_AAL3_ANY"));
    assert_eq!(id.amr, ["TOTP"]);
    assert_eq!(id.authentication_assurance_level.map(|l| l.0), Some(2));
    // A user without a smartcard cannot choose one.
    let (url, _) = rp
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let r = authorize_and_login(&h, &browser(), url.as_str(), "656005750110", "smartcard").await;
    assert_eq!(r.status(), 403);
    // Wrong passcode: the login page again, 401.
    let (url, _) = rp
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    let b = browser();
    let r = b.get(url.as_str()).send().await.unwrap();
    let interaction = query_param(&location(&r), "interaction").unwrap();
    let r = post_form(
        &b,
        &h.url("/login"),
        &[
            ("interaction", interaction),
            ("uid", "656005750108".into()),
            ("method", "smartcard".into()),
            ("passcode", "0000".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn signed_userinfo_and_claim_shape_quirks() {
    let h = start().await;
    let mut c = secret_client("100000000006.apps.supplier", "client_secret_post");
    c["userinfo_signed"] = json!(true);
    c["quirks"] = json!({ "levels_as_integer": true, "single_object_lists": true });
    h.register(c).await;
    let rp = h.rp("100000000006.apps.supplier", post_auth()).await;
    let opts = LoginOptions::default().scope("nhsperson");
    let (done, id) = rp.full(&h, &opts, "656005750104", "smartcard").await;
    let (_, raw) = cis2_sdk::dangerous::insecure_decode(done.tokens.id_token.secret()).unwrap();
    assert_eq!(raw["id_assurance_level"], json!(3));
    assert_eq!(raw["authentication_assurance_level"], json!(3));
    assert_eq!(id.id_assurance_level.map(|l| l.0), Some(3));
    // Signed userinfo (application/jwt), with the single-object role list, still parsed by the sdk.
    let req = rp
        .client
        .userinfo_request(&done.tokens.access_token)
        .unwrap()
        .unwrap();
    let resp = h.send(req).await;
    assert_eq!(resp.headers()["content-type"], "application/jwt");
    let (_, uraw) = cis2_sdk::dangerous::insecure_decode(std::str::from_utf8(resp.body()).unwrap()).unwrap();
    assert!(uraw["nhsid_nrbac_roles"].is_object());
    assert_eq!(uraw["idassurancelevel"], json!(3));
    assert!(uraw.get("aud").is_none());
    let info = rp
        .client
        .parse_userinfo(&resp, &id, &rp.jwks, h.now().await)
        .unwrap();
    assert_eq!(info.nhsid_nrbac_roles.len(), 1);
}

#[tokio::test]
async fn totp_codes_follow_the_mock_clock() {
    let now = UnixTime::from_secs(59);
    assert_eq!(cis2_mock_idp::totp("12345678901234567890", now), "287082");
}

#[tokio::test]
async fn private_key_jwt_against_a_registered_jwks_uri_with_rs512() {
    let h = start().await;
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("../data/rp-a.pem"), cis2_sdk::Algorithm::RS512)
            .unwrap();
    let jwks = cis2_sdk::JwkSet::from_keys([key.public_jwk().unwrap()])
        .unwrap()
        .to_json();
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || async move { axum::Json(jwks) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_uri = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    h.register(json!({
        "client_id": "100000000007.apps.supplier",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": jwks_uri,
        "jwks_uri_signing_algorithm": "RS512",
    }))
    .await;
    let rp = h
        .rp(
            "100000000007.apps.supplier",
            cis2_sdk::ClientAuth::PrivateKeyJwt(key),
        )
        .await;
    let (_, id) = rp
        .full(&h, &LoginOptions::default(), "656005750108", "smartcard")
        .await;
    assert_eq!(id.azp.as_deref(), Some("100000000007.apps.supplier"));
}

#[tokio::test]
async fn pages_escape_user_data() {
    let h = start().await;
    let r = h
        .admin_post("/users", json!({ "uid": "700000000001", "given_name": "<script>alert(1)</script>", "family_name": "\"Quote\"" }))
        .await;
    assert_eq!(r.status(), 201);
    let url = format!(
        "{}?response_type=code&client_id=999999999999.apps.national&redirect_uri={}&scope=openid&state=s",
        h.url("/authorize"),
        url::form_urlencoded::byte_serialize(b"http://localhost:8080/auth/callback").collect::<String>()
    );
    let r = h.browser.get(url).send().await.unwrap();
    let page = h
        .browser
        .get(format!("{}{}", h.idp.base_url(), location(&r)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>"));
    assert!(page.contains("&quot;Quote&quot;"));
    let admin = h
        .http
        .get(format!("{}/admin", h.idp.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!admin.contains("<script>"));
}

#[tokio::test]
async fn router_works_without_a_socket() {
    use tower::ServiceExt as _;
    let issuer = format!("https://idp.example:443{REALM}");
    let state = cis2_mock_idp::MockIdp::builder()
        .signing_key(idp_key("a"))
        .issuer(issuer.clone())
        .build()
        .unwrap();
    let req = http::Request::get(format!("{REALM}/.well-known/openid-configuration"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = cis2_mock_idp::router(state).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["token_endpoint"], format!("{issuer}/access_token"));
}

#[tokio::test]
async fn in_process_helpers_register_and_misbehave() {
    let mut client = cis2_mock_idp::Client::new(
        "100000000008.apps.supplier",
        vec![REDIRECT.to_owned()],
        cis2_mock_idp::AuthMethodName::ClientSecretPost,
    );
    client.client_secret = Some("s3cret".into());
    let mut user = cis2_mock_idp::User::new("700000000002", "Ian", "Process");
    user.roles.push(cis2_mock_idp::role(
        "700000000003",
        "700000000004",
        "X26",
        "S8000:G8000:R8000",
        "\"A\":\"B\":\"C\"",
    ));
    let h = start_with(builder().client(client).user(user)).await;
    let st = h.idp.state();
    assert!(st.user("700000000002").is_some());
    let fault = cis2_mock_idp::InjectRequest::new(cis2_mock_idp::Fault::NonceMismatch)
        .for_client("100000000008.apps.supplier");
    st.inject_fault(fault).unwrap();
    let rp = h.rp("100000000008.apps.supplier", post_auth()).await;
    let login = rp
        .login(
            &h,
            &h.browser,
            &LoginOptions::default(),
            "700000000002",
            "smartcard",
        )
        .await;
    let err = rp.finish(&h, &login).await.unwrap().id_token.err().unwrap();
    assert_eq!(token_code(&err), "token.nonce_mismatch");
    let sid = st.sessions()[0].sid.clone();
    assert!(st.end_session(&sid));
    assert!(st.sessions().is_empty());
}
