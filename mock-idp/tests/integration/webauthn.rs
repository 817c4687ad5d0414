//! WebAuthn ceremonies without a browser: a tiny software authenticator (P-256, `none` attestation) drives the
//! mock's `{realm}/webauthn/*` endpoints through `router(state)` and checks the catalogue's negatives
//! (conformance-catalogue.md §3: WA-R02/R03/R08/R16, WA-A01/A04/A05/A08/A11, REL-21). The CORS tests at the
//! end go over HTTP with the shared harness.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cis2_mock_idp::{AppState, AuthMethod, MockIdp, router};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tower::ServiceExt as _;

use crate::common::{Harness, JsonExt as _, JsonResp as _};

const REALM: &str = cis2_sdk::CIS2_REALM_PATH;
const ORIGIN: &str = "http://localhost:9999";
const CLIENT: &str = "999999999999.apps.national";
const REDIRECT: &str = "http://localhost:8080/auth/callback";

fn state() -> AppState {
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("../data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    MockIdp::builder()
        .signing_key(key)
        .issuer(format!("{ORIGIN}{REALM}"))
        .build()
        .unwrap()
}

struct Resp {
    status: StatusCode,
    location: Option<String>,
    cookie: Option<String>,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn call(
    st: &AppState,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    ctype: &str,
    body: String,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("cis2_mock_sso={c}"));
    }
    if !ctype.is_empty() {
        req = req.header(header::CONTENT_TYPE, ctype);
    }
    let resp = router(st.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let cookie = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("cis2_mock_sso="))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec();
    Resp {
        status,
        location,
        cookie,
        body,
    }
}

async fn post_json(st: &AppState, path: &str, cookie: Option<&str>, body: Value) -> Resp {
    call(
        st,
        "POST",
        &format!("{REALM}{path}"),
        cookie,
        "application/json",
        body.to_string(),
    )
    .await
}

/// `/authorize` → the login page's interaction id.
async fn authorize(st: &AppState, acr: &str) -> String {
    let r = call(
        st,
        "GET",
        &format!(
            "{REALM}/authorize?response_type=code&client_id={CLIENT}&redirect_uri={REDIRECT}&scope=openid&state=s&nonce=n&acr_values={acr}&prompt=login"
        ),
        None,
        "",
        String::new(),
    )
    .await;
    let loc = r.location.expect("redirect to the login page");
    loc.split("interaction=").nth(1).unwrap().to_owned()
}

/// Signs in with `method` (`password` or `smartcard`, the seeded credentials); returns the SSO cookie.
async fn form_login(st: &AppState, uid: &str, method: &str) -> String {
    // `AAL1_USERPASS` names the password method: only it answers that value.
    let acr = if method == "password" {
        "AAL1_USERPASS"
    } else {
        "AAL3_ANY"
    };
    let i = authorize(st, acr).await;
    let secret = match method {
        "smartcard" => format!("passcode={}", cis2_mock_idp::DEFAULT_PASSCODE),
        _ => format!("password={}", cis2_mock_idp::DEFAULT_PASSWORD),
    };
    let r = call(
        st,
        "POST",
        &format!("{REALM}/login"),
        None,
        "application/x-www-form-urlencoded",
        format!("interaction={i}&uid={uid}&method={method}&{secret}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    r.cookie.expect("SSO cookie")
}

/// Signs in with the smartcard (AAL3: registering a credential needs a session at its level); returns the SSO
/// cookie.
async fn strong_login(st: &AppState, uid: &str) -> String {
    form_login(st, uid, "smartcard").await
}

fn user_with_webauthn(st: &AppState) -> String {
    st.users()
        .into_iter()
        .find(|u| {
            u.authenticators.contains(&AuthMethod::Fido2) && u.authenticators.contains(&AuthMethod::Passkey)
        })
        .unwrap()
        .uid
}

/// A software authenticator: one P-256 credential, `none` attestation.
struct SoftKey {
    key: SigningKey,
    cred_id: Vec<u8>,
    user_handle: Vec<u8>,
    counter: u32,
}

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

fn cbor_head(major: u8, n: usize) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=255 => vec![m | 24, n as u8],
        _ => {
            let mut v = vec![m | 25];
            v.extend_from_slice(&(n as u16).to_be_bytes());
            v
        }
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    let mut v = cbor_head(2, b.len());
    v.extend_from_slice(b);
    v
}

fn cbor_text(s: &str) -> Vec<u8> {
    let mut v = cbor_head(3, s.len());
    v.extend_from_slice(s.as_bytes());
    v
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
        .to_string()
        .into_bytes()
}

impl SoftKey {
    fn new() -> Self {
        let mut cred_id = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut cred_id);
        Self {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            cred_id,
            user_handle: Vec::new(),
            counter: 0,
        }
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut v = cbor_head(5, 5);
        v.extend([0x01, 0x02]); // kty: EC2
        v.extend([0x03, 0x26]); // alg: ES256 (-7)
        v.extend([0x20, 0x01]); // crv: P-256
        v.push(0x21);
        v.extend(cbor_bytes(point.x().unwrap()));
        v.push(0x22);
        v.extend(cbor_bytes(point.y().unwrap()));
        v
    }

    /// `navigator.credentials.create` for options from `register/start`.
    fn create(&mut self, options: &Value, origin: &str, flags: u8) -> Value {
        let pk = &options["publicKey"];
        let rp_id = pk["rp"]["id"].as_str().unwrap();
        self.user_handle = B64.decode(pk["user"]["id"].as_str().unwrap()).unwrap();
        let cdj = client_data("webauthn.create", pk["challenge"].as_str().unwrap(), origin);
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(flags | AT);
        auth.extend(0u32.to_be_bytes());
        auth.extend([0u8; 16]);
        auth.extend((self.cred_id.len() as u16).to_be_bytes());
        auth.extend(&self.cred_id);
        auth.extend(self.cose_key());
        let mut att = cbor_head(5, 3);
        att.extend(cbor_text("fmt"));
        att.extend(cbor_text("none"));
        att.extend(cbor_text("attStmt"));
        att.extend(cbor_head(5, 0));
        att.extend(cbor_text("authData"));
        att.extend(cbor_bytes(&auth));
        json!({
            "id": B64.encode(&self.cred_id),
            "rawId": B64.encode(&self.cred_id),
            "type": "public-key",
            "response": { "attestationObject": B64.encode(att), "clientDataJSON": B64.encode(cdj) },
            "extensions": {}
        })
    }

    /// `navigator.credentials.get` for options from `login/start`.
    fn get(&mut self, options: &Value, origin: &str, flags: u8, bump: bool) -> Value {
        let pk = &options["publicKey"];
        let rp_id = pk["rpId"].as_str().unwrap();
        let cdj = client_data("webauthn.get", pk["challenge"].as_str().unwrap(), origin);
        if bump {
            self.counter += 1;
        }
        let mut auth = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth.push(flags);
        auth.extend(self.counter.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend(Sha256::digest(&cdj));
        let sig: DerSignature = self.key.sign(&signed);
        json!({
            "id": B64.encode(&self.cred_id),
            "rawId": B64.encode(&self.cred_id),
            "type": "public-key",
            "response": {
                "authenticatorData": B64.encode(auth),
                "clientDataJSON": B64.encode(cdj),
                "signature": B64.encode(sig.as_bytes()),
                "userHandle": B64.encode(&self.user_handle)
            },
            "extensions": {}
        })
    }
}

async fn register(st: &AppState, cookie: &str, key: &mut SoftKey, kind: &str) -> Resp {
    let start = post_json(
        st,
        "/webauthn/register/start",
        Some(cookie),
        json!({"kind": kind, "name": "Test key"}),
    )
    .await;
    assert_eq!(
        start.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&start.body)
    );
    let opts = start.json();
    let cred = key.create(&opts, ORIGIN, UP | UV);
    post_json(
        st,
        "/webauthn/register/finish",
        Some(cookie),
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await
}

async fn login_start(st: &AppState, interaction: &str, uid: &str, kind: &str) -> Resp {
    post_json(
        st,
        "/webauthn/login/start",
        None,
        json!({"interaction": interaction, "uid": uid, "kind": kind}),
    )
    .await
}

/// After a successful `/webauthn/login/finish`: follows its redirect's code to the token endpoint (the demo
/// client) and returns the ID token's claims.
async fn id_token_after(st: &AppState, fin: &Resp) -> Value {
    let redirect = fin.json()["redirect"].as_str().unwrap().to_owned();
    assert!(redirect.starts_with(REDIRECT), "{redirect}");
    let code = redirect
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let tok = call(
        st,
        "POST",
        &format!("{REALM}/access_token"),
        None,
        "application/x-www-form-urlencoded",
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri={REDIRECT}&client_id={CLIENT}&client_secret=demo-secret"
        ),
    )
    .await;
    assert_eq!(
        tok.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&tok.body)
    );
    payload(tok.json()["id_token"].as_str().unwrap())
}

fn payload(jwt: &str) -> Value {
    let p = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(p).unwrap()).unwrap()
}

#[tokio::test]
async fn security_key_registers_and_signs_in_at_aal3() {
    let st = state();
    let uid = user_with_webauthn(&st);
    let cookie = strong_login(&st, &uid).await;
    let mut key = SoftKey::new();
    let reg = register(&st, &cookie, &mut key, "security_key").await;
    assert_eq!(
        reg.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reg.body)
    );
    assert_eq!(reg.json()["kind"], "security_key");
    assert_eq!(reg.json()["aal"], 3);

    // Listed by the admin API, and on the manage page.
    let list = call(
        &st,
        "GET",
        &format!("/admin/api/users/{uid}/webauthn-credentials"),
        None,
        "",
        String::new(),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(list.json()[0]["amr"], json!(["FIDO2"]));
    let page = call(
        &st,
        "GET",
        &format!("{REALM}/manage-authenticators"),
        Some(&cookie),
        "",
        String::new(),
    )
    .await;
    assert!(String::from_utf8_lossy(&page.body).contains("data-credential-id"));

    let i = authorize(&st, "AAL3_ANY").await;
    let start = login_start(&st, &i, &uid, "security_key").await;
    assert_eq!(
        start.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&start.body)
    );
    let opts = start.json();
    assert_eq!(opts["publicKey"]["userVerification"], "required");
    let cred = key.get(&opts, ORIGIN, UP | UV, true);
    let fin = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(
        fin.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&fin.body)
    );
    assert!(fin.cookie.is_some(), "the SSO cookie is set");
    let claims = id_token_after(&st, &fin).await;
    assert_eq!(claims["acr"], "AAL3_ANY");
    assert_eq!(claims["amr"], json!(["FIDO2"]));

    // WA-A04: the same assertion, replayed, meets a consumed ceremony.
    let again = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["error"], "unknown_ceremony");

    // WA-A11: a counter that does not move forward is refused.
    let i = authorize(&st, "AAL3_FIDO2").await;
    let opts = login_start(&st, &i, &uid, "security_key").await.json();
    let stale = key.get(&opts, ORIGIN, UP | UV, false);
    let r = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": stale}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "verification_failed");

    // WA-R16: the same credential cannot be registered twice.
    let dup = register(&st, &cookie, &mut key, "security_key").await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.json());
    assert_eq!(dup.json()["error"], "credential_exists");
}

#[tokio::test]
async fn passkey_is_aal2_and_refused_for_aal3() {
    let st = state();
    let uid = user_with_webauthn(&st);
    let cookie = strong_login(&st, &uid).await;
    let mut key = SoftKey::new();
    let start = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "passkey"}),
    )
    .await;
    let opts = start.json();
    assert_eq!(
        opts["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let cred = key.create(&opts, ORIGIN, UP | UV);
    let reg = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(
        reg.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reg.body)
    );

    // AAL3 requested: refused before any ceremony, with the refusal page to show.
    let i = authorize(&st, "AAL3_ANY").await;
    let r = login_start(&st, &i, &uid, "passkey").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "insufficient_assurance");
    let refusal = r.json()["refusal_url"].as_str().unwrap().to_owned();
    let page = call(&st, "GET", &refusal, None, "", String::new()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&page.body).contains("id=\"refused\""));

    // AAL2 requested: fine, amr PASSKEY.
    let i = authorize(&st, "AAL2_OR_AAL3_ANY").await;
    let opts = login_start(&st, &i, &uid, "passkey").await.json();
    let cred = key.get(&opts, ORIGIN, UP | UV, true);
    let fin = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(
        fin.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&fin.body)
    );
    assert!(
        st.sessions()
            .iter()
            .any(|s| s.uid == uid && s.method == AuthMethod::Passkey)
    );
}

#[tokio::test]
async fn aal3_passkey_signs_in_at_aal3_but_does_not_answer_aal3_fido2() {
    let st = state();
    let uid = user_with_webauthn(&st);
    let cookie = strong_login(&st, &uid).await;
    let mut key = SoftKey::new();
    let reg = register(&st, &cookie, &mut key, "passkey_aal3").await;
    assert_eq!(
        reg.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reg.body)
    );
    assert_eq!(reg.json()["kind"], "passkey_aal3");
    assert_eq!(reg.json()["aal"], 3);

    // A method-specific value names another method: refused before any ceremony.
    let i = authorize(&st, "AAL3_FIDO2").await;
    let r = login_start(&st, &i, &uid, "passkey_aal3").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "insufficient_assurance");

    let i = authorize(&st, "AAL3_ANY").await;
    let opts = login_start(&st, &i, &uid, "passkey_aal3").await.json();
    let cred = key.get(&opts, ORIGIN, UP | UV, true);
    let fin = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(
        fin.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&fin.body)
    );
    let claims = id_token_after(&st, &fin).await;
    assert_eq!(claims["acr"], "AAL3_ANY");
    assert_eq!(claims["amr"], json!(["PASSKEY"]));
    assert_eq!(claims["authentication_assurance_level"], "3");
}

#[tokio::test]
async fn ceremony_negatives_are_typed_4xx() {
    let st = state();
    let uid = user_with_webauthn(&st);

    // Registration needs a signed-in user.
    let r = post_json(
        &st,
        "/webauthn/register/start",
        None,
        json!({"kind": "security_key"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "login_required");

    let cookie = strong_login(&st, &uid).await;
    let mut key = SoftKey::new();

    // WA-R03: wrong origin.
    let opts = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "security_key"}),
    )
    .await
    .json();
    let cred = key.create(&opts, "http://evil.example", UP | UV);
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "verification_failed");

    // WA-R08: user verification required but missing.
    let opts = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "security_key"}),
    )
    .await
    .json();
    let cred = key.create(&opts, ORIGIN, UP);
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "verification_failed", "{}", r.json());

    // WA-R02: the challenge of another ceremony.
    let a = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "security_key"}),
    )
    .await
    .json();
    let b = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "security_key"}),
    )
    .await
    .json();
    let cred = key.create(&a, ORIGIN, UP | UV);
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": b["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "verification_failed");

    // Unknown ceremony id; malformed body.
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": "nope", "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "unknown_ceremony");
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "invalid_request");

    // REL-21: a ceremony older than 300 s has expired.
    let opts = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "security_key"}),
    )
    .await
    .json();
    let cred = key.create(&opts, ORIGIN, UP | UV);
    st.clock().advance(301);
    let r = post_json(
        &st,
        "/webauthn/register/finish",
        Some(&cookie),
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "ceremony_expired");
    st.clock().advance(-301);

    // A good registration, then sign-in negatives.
    let cookie = strong_login(&st, &uid).await;
    let reg = register(&st, &cookie, &mut key, "security_key").await;
    assert_eq!(
        reg.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reg.body)
    );

    // No passkey registered: nothing to sign in with.
    let i = authorize(&st, "AAL2_OR_AAL3_ANY").await;
    let r = login_start(&st, &i, &uid, "passkey").await;
    assert_eq!(r.json()["error"], "no_credentials");

    // WA-A05: wrong origin.
    let opts = login_start(&st, &i, &uid, "security_key").await.json();
    let cred = key.get(&opts, "http://localhost:9998", UP | UV, true);
    let r = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "verification_failed");

    // WA-A08: UV missing.
    let opts = login_start(&st, &i, &uid, "security_key").await.json();
    let cred = key.get(&opts, ORIGIN, UP, true);
    let r = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "verification_failed");

    // WA-A01: a credential nobody registered.
    let opts = login_start(&st, &i, &uid, "security_key").await.json();
    let mut stranger = SoftKey::new();
    stranger.user_handle = key.user_handle.clone();
    let cred = stranger.get(&opts, ORIGIN, UP | UV, true);
    let r = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "unknown_credential");

    // A registration ceremony id cannot finish a sign-in; a stale interaction is refused.
    let reg_opts = post_json(
        &st,
        "/webauthn/register/start",
        Some(&cookie),
        json!({"kind": "passkey"}),
    )
    .await
    .json();
    let cred = key.get(&opts, ORIGIN, UP | UV, true);
    let r = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": reg_opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(r.json()["error"], "unknown_ceremony");
    let r = login_start(&st, "no-such-interaction", &uid, "security_key").await;
    assert_eq!(r.json()["error"], "interaction_expired");

    // Admin API: delete the credential; it is gone.
    let list = call(
        &st,
        "GET",
        &format!("/admin/api/users/{uid}/webauthn-credentials"),
        None,
        "",
        String::new(),
    )
    .await;
    let id = list.json()[0]["credential_id"].as_str().unwrap().to_owned();
    let del = call(
        &st,
        "DELETE",
        &format!("/admin/api/users/{uid}/webauthn-credentials/{id}"),
        None,
        "",
        String::new(),
    )
    .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let del = call(
        &st,
        "DELETE",
        &format!("/admin/api/users/{uid}/webauthn-credentials/{id}"),
        None,
        "",
        String::new(),
    )
    .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn webauthn_without_javascript_explains_itself() {
    let st = state();
    let uid = user_with_webauthn(&st);
    let i = authorize(&st, "AAL3_ANY").await;
    let r = call(
        &st,
        "POST",
        &format!("{REALM}/login"),
        None,
        "application/x-www-form-urlencoded",
        format!("interaction={i}&uid={uid}&method=fido2"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&r.body).contains("needs JavaScript"));
    // The login page offers the AAL3 WebAuthn methods (not the AAL2 passkey: AAL3 was asked for), styled
    // with the NHS.UK classes.
    let page = call(
        &st,
        "GET",
        &format!("{REALM}/login?interaction={i}"),
        None,
        "",
        String::new(),
    )
    .await;
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains("value=\"fido2\"") && html.contains("value=\"passkey_aal3\""));
    assert!(!html.contains("value=\"passkey\""));
    assert!(html.contains("nhsuk-header") && html.contains("Care Identity Service"));
    let js = call(&st, "GET", "/assets/mock-idp.js", None, "", String::new()).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&js.body).contains("navigator.credentials.get"));
}

#[tokio::test]
async fn credentials_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let build = || {
        let key = cis2_sdk::SigningKey::from_pkcs8_pem(
            include_str!("../data/idp-a.pem"),
            cis2_sdk::Algorithm::RS256,
        )
        .unwrap();
        MockIdp::builder()
            .signing_key(key)
            .issuer(format!("{ORIGIN}{REALM}"))
            .data_dir(dir.path())
            .build()
            .unwrap()
    };
    let st = build();
    let uid = user_with_webauthn(&st);
    let cookie = strong_login(&st, &uid).await;
    let mut key = SoftKey::new();
    assert_eq!(
        register(&st, &cookie, &mut key, "security_key").await.status,
        StatusCode::CREATED
    );
    drop(st);

    let st = build();
    let i = authorize(&st, "AAL3_FIDO2").await;
    let opts = login_start(&st, &i, &uid, "security_key").await.json();
    let cred = key.get(&opts, ORIGIN, UP | UV, true);
    let fin = post_json(
        &st,
        "/webauthn/login/finish",
        None,
        json!({"ceremony": opts["ceremony"], "credential": cred}),
    )
    .await;
    assert_eq!(fin.status, StatusCode::OK, "{}", fin.json());
}

/// The ceremony endpoints over HTTP with `[webauthn] origins = ["http://localhost:5173"]` (issuer on
/// `localhost:9999`, so the verifier works; requests go to the bound socket).
async fn cors_harness() -> Harness {
    let mut c = cis2_mock_idp::Config::default();
    c.webauthn.origins = vec![CROSS_ORIGIN.to_owned()];
    crate::common::start_with(
        crate::common::builder()
            .config(c)
            .issuer(format!("{ORIGIN}{REALM}")),
    )
    .await
}

const CROSS_ORIGIN: &str = "http://localhost:5173";
const CEREMONY_PATHS: [&str; 4] = [
    "/webauthn/register/start",
    "/webauthn/register/finish",
    "/webauthn/login/start",
    "/webauthn/login/finish",
];

fn header_of<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

fn varies_on_origin(r: &reqwest::Response) -> bool {
    r.headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().eq_ignore_ascii_case("origin"))
}

async fn preflight(h: &Harness, path: &str, origin: &str) -> reqwest::Response {
    h.http
        .request(reqwest::Method::OPTIONS, h.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
}

async fn post_from(h: &Harness, path: &str, origin: &str) -> reqwest::Response {
    h.http
        .post(h.url(path))
        .header("origin", origin)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn ceremony_endpoints_answer_cors_for_configured_origins_only() {
    let h = cors_harness().await;
    for path in CEREMONY_PATHS {
        let r = preflight(&h, path, CROSS_ORIGIN).await;
        assert_eq!(r.status(), 204, "{path}");
        assert_eq!(header_of(&r, "access-control-allow-origin"), Some(CROSS_ORIGIN));
        assert_eq!(header_of(&r, "access-control-allow-credentials"), Some("true"));
        assert_eq!(
            header_of(&r, "access-control-allow-methods"),
            Some("POST, OPTIONS")
        );
        assert_eq!(
            header_of(&r, "access-control-allow-headers"),
            Some("content-type")
        );
        assert_eq!(header_of(&r, "access-control-max-age"), Some("600"));
        assert!(varies_on_origin(&r), "{path}");

        // The real answer (a 400 for an empty body) carries the headers too.
        let r = post_from(&h, path, CROSS_ORIGIN).await;
        assert_eq!(r.status(), 400, "{path}");
        assert_eq!(header_of(&r, "access-control-allow-origin"), Some(CROSS_ORIGIN));
        assert_eq!(header_of(&r, "access-control-allow-credentials"), Some("true"));
        assert!(varies_on_origin(&r), "{path}");
        assert_eq!(r.json_value().await["error"], "invalid_request");

        // Other origins (another port included, and the issuer's own): no CORS headers, preflight 403.
        for other in ["https://evil.example", "http://localhost:5174", ORIGIN] {
            let r = preflight(&h, path, other).await;
            assert_eq!(r.status(), 403, "{path} {other}");
            assert_eq!(header_of(&r, "access-control-allow-origin"), None);
            let r = post_from(&h, path, other).await;
            assert_eq!(r.status(), 400, "{path} {other}");
            assert_eq!(header_of(&r, "access-control-allow-origin"), None);
            assert_eq!(header_of(&r, "access-control-allow-credentials"), None);
        }
    }
    h.idp.shutdown().await;
}

#[tokio::test]
async fn cross_origin_registration_start_uses_the_sso_cookie() {
    let h = cors_harness().await;
    h.register(crate::common::secret_client(
        "500000000002.apps.supplier",
        "client_secret_post",
    ))
    .await;
    let url = h.url(&format!(
        "/authorize?response_type=code&client_id=500000000002.apps.supplier&redirect_uri={}&scope=openid&acr_values=AAL3_ANY",
        crate::common::REDIRECT
    ));
    // The smartcard (AAL3): registering a security key needs a session at its level.
    let r = crate::common::authorize_and_login(&h, &h.browser, &url, "656005750108", "smartcard").await;
    assert_eq!(r.status(), 302);
    // The browser's cookie store sends the SSO cookie with the credentialed cross-origin call.
    let r = h
        .browser
        .post(h.url("/webauthn/register/start"))
        .header("origin", CROSS_ORIGIN)
        .json_body(&json!({"kind": "security_key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header_of(&r, "access-control-allow-origin"), Some(CROSS_ORIGIN));
    assert_eq!(header_of(&r, "access-control-allow-credentials"), Some("true"));
    let v = r.json_value().await;
    assert!(v["ceremony"].is_string());
    assert_eq!(v["publicKey"]["rp"]["id"], "localhost");
    h.idp.shutdown().await;
}

/// Issue #10 §2: with `[webauthn] registration_needs_level`, a password (AAL1) session registers neither a
/// security key (AAL3) nor a passkey (AAL2), a TOTP (AAL2) session a passkey but no security key, and an AAL3
/// session a security key. That is the default; switched off, any signed-in session registers.
#[tokio::test]
async fn registration_needs_a_session_at_the_credentials_level() {
    let config = cis2_mock_idp::Config::default();
    assert!(config.webauthn.registration_needs_level, "on by default");
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("../data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let st = MockIdp::builder()
        .config(config)
        .signing_key(key)
        .issuer(format!("{ORIGIN}{REALM}"))
        .build()
        .unwrap();
    let uid = user_with_webauthn(&st);
    let start = |cookie: String, kind: &'static str| {
        let st = st.clone();
        async move {
            post_json(
                &st,
                "/webauthn/register/start",
                Some(&cookie),
                json!({"kind": kind}),
            )
            .await
        }
    };
    let weak = form_login(&st, &uid, "password").await;
    for (kind, needed) in [("security_key", "AAL3"), ("passkey", "AAL2")] {
        let r = start(weak.clone(), kind).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{kind}");
        assert_eq!(r.json()["error"], "insufficient_assurance", "{kind}");
        let msg = r.json()["error_description"].as_str().unwrap().to_owned();
        assert!(msg.contains(needed) && msg.contains("AAL1"), "{msg}");
    }
    let strong = form_login(&st, &uid, "smartcard").await;
    assert_eq!(start(strong.clone(), "security_key").await.status, StatusCode::OK);
    assert_eq!(start(strong, "passkey").await.status, StatusCode::OK);
    // Switched off: a password session registers.
    let mut config = cis2_mock_idp::Config::default();
    config.webauthn.registration_needs_level = false;
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("../data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let st = MockIdp::builder()
        .config(config)
        .signing_key(key)
        .issuer(format!("{ORIGIN}{REALM}"))
        .build()
        .unwrap();
    let weak = form_login(&st, &uid, "password").await;
    let r = post_json(
        &st,
        "/webauthn/register/start",
        Some(&weak),
        json!({"kind": "security_key"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}
