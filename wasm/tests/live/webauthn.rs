//! The SDK's WebAuthn ceremonies against the mock's ceremony endpoints, with Chromium's virtual authenticator
//! (added through the WebDriver extension by the harness): registration, then an assertion that signs in.

use cis2_wasm::{
    create_credential, get_assertion, is_conditional_mediation_available, is_webauthn_supported,
};
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::live::*;
use crate::support::*;

/// POSTs JSON to one of the mock's ceremony endpoints (cross-origin, with its SSO cookie); asserts `expected`.
async fn ceremony(issuer: &str, path: &str, body: &JsValue, expected: u16) -> JsValue {
    let (status, v) = fetch_json(
        "POST",
        &format!("{issuer}/webauthn/{path}"),
        Some(&stringify(body)),
    )
    .await;
    assert_eq!(status, expected, "{path}: {}", stringify(&v));
    v
}

/// Signs in (through a second tab), closes that tab and waits until this page has the focus back: WebAuthn
/// refuses a ceremony in a document without focus (`NotAllowedError`), and Chromium hands the focus back a
/// moment after `focus()` returns (about one run in twenty started the ceremony too early).
async fn signed_in_at_the_mock() {
    drop(sign_in(GP_UID, "smartcard", None, "{}").await);
    window().focus().unwrap();
    let document = get(&window(), "document");
    let focused = wait_for(5_000.0, || {
        call(&document, "hasFocus", &[]).as_bool() == Some(true)
    })
    .await;
    assert!(focused, "this page did not get the focus back");
}

#[wasm_bindgen_test]
async fn registration_and_assertion_with_a_virtual_authenticator() {
    reset().await;
    let config = config().await;
    let (status, added) = fetch_json("POST", "/harness/virtual-authenticator", None).await;
    assert_eq!(status, 200, "virtual authenticator: {}", stringify(&added));
    assert!(is_webauthn_supported());
    // The SDK gives the browser's own answer (false in Chromium under chromedriver; the smoke test sees true in a
    // plain headless page, and the stubbed suite covers both).
    let conditional = settle(is_conditional_mediation_available()).await.unwrap();
    let pkc = get(&js_sys::global(), "PublicKeyCredential");
    let own: js_sys::Promise = call(&pkc, "isConditionalMediationAvailable", &[]).unchecked_into();
    let own = wasm_bindgen_futures::JsFuture::from(own).await.unwrap();
    assert!(own.as_bool().is_some(), "{own:?}");
    assert_eq!(conditional.as_bool(), own.as_bool());
    admin("DELETE", &format!("/users/{GP_UID}/webauthn-credentials"), None).await;

    // Registration needs a signed-in user at the mock (its SSO cookie).
    signed_in_at_the_mock().await;
    let start = ceremony(
        &config.issuer,
        "register/start",
        &json(r#"{"kind": "security_key", "name": "live suite key"}"#),
        200,
    )
    .await;
    let options = object(&[("publicKey", get(&start, "publicKey"))]);
    let credential = settle(create_credential(options, None))
        .await
        .unwrap_or_else(|e| panic!("createCredential: {}", stringify(&e)));
    assert_eq!(get_str(&credential, "type").as_deref(), Some("public-key"));
    let finish = object(&[
        ("ceremony", get(&start, "ceremony")),
        ("credential", credential.clone()),
    ]);
    let stored = ceremony(&config.issuer, "register/finish", &finish, 201).await;
    assert_eq!(get_str(&stored, "kind").as_deref(), Some("security_key"));
    assert_eq!(get_str(&stored, "credential_id"), get_str(&credential, "id"));

    // Assertion: a fresh sign-in at the mock, answered with the key instead of the smartcard.
    let (status, i) = fetch_json("GET", "/harness/interaction?acr=AAL3_ANY", None).await;
    assert_eq!(status, 200, "{}", stringify(&i));
    let body = object(&[
        ("interaction", get(&i, "interaction")),
        ("uid", JsValue::from_str(GP_UID)),
        ("kind", JsValue::from_str("security_key")),
    ]);
    let start = ceremony(&config.issuer, "login/start", &body, 200).await;
    let options = object(&[("publicKey", get(&start, "publicKey"))]);
    let assertion = settle(get_assertion(options, None))
        .await
        .unwrap_or_else(|e| panic!("getAssertion: {}", stringify(&e)));
    assert_eq!(get_str(&assertion, "id"), get_str(&credential, "id"));
    let finish = object(&[("ceremony", get(&start, "ceremony")), ("credential", assertion)]);
    let done = ceremony(&config.issuer, "login/finish", &finish, 200).await;
    let redirect = get_str(&done, "redirect").unwrap();
    let callback = format!("{}/auth/callback?code=", window().location().origin().unwrap());
    assert!(redirect.starts_with(&callback), "{redirect}");

    let creds = admin("GET", &format!("/users/{GP_UID}/webauthn-credentials"), None).await;
    let creds = Array::from(&creds);
    assert_eq!(creds.length(), 1);
    assert!(
        !get(&creds.get(0), "last_used_at").is_null(),
        "{}",
        stringify(&creds)
    );
}

/// The package's own base64url conversion (no `PublicKeyCredential.parseCreationOptionsFromJSON`) gives JSON
/// the mock accepts too.
#[wasm_bindgen_test]
async fn registration_without_the_browsers_json_helpers() {
    reset().await;
    let config = config().await;
    let (status, _) = fetch_json("POST", "/harness/virtual-authenticator", None).await;
    assert_eq!(status, 200);
    admin("DELETE", &format!("/users/{GP_UID}/webauthn-credentials"), None).await;
    signed_in_at_the_mock().await;
    let start = ceremony(
        &config.issuer,
        "register/start",
        &json(r#"{"kind": "security_key"}"#),
        200,
    )
    .await;
    let options = object(&[("publicKey", get(&start, "publicKey"))]);
    let own = opts(r#"{"useNativeJson": false}"#);
    let credential = settle(create_credential(options, own))
        .await
        .unwrap_or_else(|e| panic!("createCredential: {}", stringify(&e)));
    let finish = object(&[("ceremony", get(&start, "ceremony")), ("credential", credential)]);
    ceremony(&config.issuer, "register/finish", &finish, 201).await;
}
