//! WebAuthn JSON conversion (own base64url through real ArrayBuffers) and typed ceremony errors. Real
//! ceremonies with Chromium's virtual authenticator run in the live suite (tests/live) and the e2e suite.

use cis2_wasm::{
    assertion_to_json, create_credential, creation_options_from_json, get_assertion,
    is_conditional_mediation_available, is_webauthn_supported, registration_to_json,
    request_options_from_json,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const CREATION: &str = r#"{"publicKey": {
  "rp": {"name": "cis2-kit test", "id": "RPID"},
  "user": {"id": "dXNlci0x", "name": "user-1", "displayName": "User One"},
  "challenge": "AAECAwQFBgcICQoLDA0ODw",
  "pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
  "timeout": 60000,
  "attestation": "none",
  "excludeCredentials": [{"type": "public-key", "id": "_-8"}],
  "authenticatorSelection": {"userVerification": "preferred"},
  "extensions": {"credProps": true}
}}"#;

const REQUEST: &str = r#"{"publicKey": {
  "challenge": "AAECAwQFBgcICQoLDA0ODw",
  "timeout": 60000,
  "rpId": "RPID",
  "allowCredentials": [{"type": "public-key", "id": "AQID"}],
  "userVerification": "preferred"
}}"#;

fn creation(rp_id: &str) -> String {
    CREATION.replace("RPID", rp_id)
}

#[wasm_bindgen_test]
fn polyfill_decodes_options_into_array_buffers() {
    let o = creation_options_from_json(JsValue::from_str(&creation("localhost"))).unwrap();
    let challenge = get(&o, "challenge");
    assert!(challenge.is_instance_of::<js_sys::ArrayBuffer>());
    assert_eq!(bytes_of(&challenge), (0u8..16).collect::<Vec<_>>());
    assert_eq!(bytes_of(&get(&get(&o, "user"), "id")), b"user-1");
    let exclude = js_sys::Array::from(&get(&o, "excludeCredentials")).get(0);
    assert_eq!(bytes_of(&get(&exclude, "id")), [0xff, 0xef]);
    assert_eq!(get_str(&get(&o, "rp"), "name").as_deref(), Some("cis2-kit test"));
    assert_eq!(get(&o, "timeout").as_f64(), Some(60000.0));

    let r = request_options_from_json(json(&REQUEST.replace("RPID", "localhost"))).unwrap();
    assert_eq!(bytes_of(&get(&r, "challenge")), (0u8..16).collect::<Vec<_>>());
    let allow = js_sys::Array::from(&get(&r, "allowCredentials")).get(0);
    assert_eq!(bytes_of(&get(&allow, "id")), [1, 2, 3]);
    // The input is not modified.
    let input = json(&REQUEST.replace("RPID", "localhost"));
    let _ = request_options_from_json(input.clone()).unwrap();
    assert!(get(&get(&input, "publicKey"), "challenge").is_string());
}

#[wasm_bindgen_test]
fn polyfill_matches_the_native_parser_where_present() {
    let ctor = get(&js_sys::global(), "PublicKeyCredential");
    if !get(&ctor, "parseCreationOptionsFromJSON").is_function() {
        return;
    }
    let text = creation("localhost");
    let pk = get(&json(&text), "publicKey");
    let native = call(&ctor, "parseCreationOptionsFromJSON", &[pk]);
    let ours = creation_options_from_json(JsValue::from_str(&text)).unwrap();
    assert_eq!(
        bytes_of(&get(&native, "challenge")),
        bytes_of(&get(&ours, "challenge"))
    );
    assert_eq!(
        bytes_of(&get(&get(&native, "user"), "id")),
        bytes_of(&get(&get(&ours, "user"), "id"))
    );
}

#[wasm_bindgen_test]
fn polyfill_encodes_credentials_as_webauthn_rs_json() {
    let reg = registration_to_json(fake_registration_credential()).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&reg).unwrap(),
        r#"{"id":"AQID","rawId":"AQID","type":"public-key","response":{"attestationObject":"o2NmbXQ","clientDataJSON":"e30","transports":["usb","internal"]},"extensions":{}}"#
    );
    let with_handle = assertion_to_json(fake_assertion_credential(true)).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&with_handle).unwrap(),
        r#"{"id":"_-8","rawId":"_-8","type":"public-key","response":{"authenticatorData":"AAECAwQ","clientDataJSON":"e30","signature":"MEQ","userHandle":"dTE"},"extensions":{}}"#
    );
    let without = assertion_to_json(fake_assertion_credential(false)).unwrap();
    assert!(get(&get(&without, "response"), "userHandle").is_null());
}

#[wasm_bindgen_test]
fn malformed_options_are_invalid() {
    let bad = creation("localhost").replace("AAECAwQFBgcICQoLDA0ODw", "not+base64/");
    assert_cis2_error(
        &creation_options_from_json(JsValue::from_str(&bad)).unwrap_err(),
        "invalid_base64url",
    );
    assert_cis2_error(
        &creation_options_from_json(JsValue::from_str("{")).unwrap_err(),
        "invalid_options",
    );
    assert_cis2_error(
        &request_options_from_json(json(r#"{"publicKey": {}}"#)).unwrap_err(),
        "invalid_options",
    );
}

#[wasm_bindgen_test]
async fn wrong_rp_id_is_not_supported_with_native_and_polyfill_json() {
    assert!(is_webauthn_supported());
    for native in [true, false] {
        let o = opts(&format!(r#"{{"useNativeJson": {native}}}"#));
        let err = settle(create_credential(
            JsValue::from_str(&creation("example.com")),
            o.clone(),
        ))
        .await
        .unwrap_err();
        assert_cis2_error(&err, "not_supported");
        assert_eq!(
            get_str(&get(&err, "details"), "name").as_deref(),
            Some("SecurityError")
        );
        let err = settle(get_assertion(
            JsValue::from_str(&REQUEST.replace("RPID", "example.com")),
            o,
        ))
        .await
        .unwrap_err();
        assert_cis2_error(&err, "not_supported");
    }
}

#[wasm_bindgen_test]
async fn missing_webauthn_is_not_supported() {
    let restore = hide_global("PublicKeyCredential");
    assert!(!is_webauthn_supported());
    let err = settle(create_credential(JsValue::from_str(&creation("localhost")), None))
        .await
        .unwrap_err();
    assert_cis2_error(&err, "not_supported");
    let err = settle(get_assertion(
        JsValue::from_str(&REQUEST.replace("RPID", "localhost")),
        None,
    ))
    .await
    .unwrap_err();
    assert_cis2_error(&err, "not_supported");
    let available = settle(is_conditional_mediation_available()).await.unwrap();
    assert_eq!(available.as_bool(), Some(false));
    restore.call0(&JsValue::NULL).unwrap();
    assert!(is_webauthn_supported());
}

#[wasm_bindgen_test]
async fn an_aborted_ceremony_is_aborted() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"signal".into(), &controller.signal()).unwrap();
    let err = settle(get_assertion(request_here(), Some(o.into())))
        .await
        .unwrap_err();
    assert_cis2_error(&err, "aborted");
}

fn host() -> String {
    web_sys::window().unwrap().location().hostname().unwrap()
}

/// `REQUEST` with this page's host as the RP ID.
fn request_here() -> JsValue {
    JsValue::from_str(&REQUEST.replace("RPID", &host()))
}

/// `navigator.credentials.get` and `isConditionalMediationAvailable` stubbed (`stubCredentialsGet`): the
/// options of each `get()` and the JSON given to the native parser, live; the originals come back on drop.
struct GetStub {
    calls: js_sys::Array,
    native_parses: js_sys::Array,
    restore: js_sys::Function,
}

impl GetStub {
    fn install(credential: &JsValue, conditional_available: bool) -> Self {
        let stub = stub_credentials_get(credential, conditional_available);
        Self {
            calls: get(&stub, "calls").unchecked_into(),
            native_parses: get(&stub, "nativeParses").unchecked_into(),
            restore: get(&stub, "restore").unchecked_into(),
        }
    }
}

impl Drop for GetStub {
    fn drop(&mut self) {
        self.restore.call0(&JsValue::NULL).unwrap();
    }
}

/// Passkey autofill: with `conditional: true` the SDK asks for `mediation: "conditional"` when the browser
/// offers it, and refuses with `not_supported` (without calling `get`) when it does not, or for a registration.
#[wasm_bindgen_test]
async fn conditional_mediation_asks_for_autofill_only_where_offered() {
    let conditional = || Some(json(r#"{"conditional": true}"#));

    let stub = GetStub::install(&fake_assertion_credential(true), true);
    let assertion = settle(get_assertion(request_here(), conditional()))
        .await
        .unwrap();
    assert_eq!(get_str(&assertion, "id").as_deref(), Some("_-8"));
    assert_eq!(stub.calls.length(), 1);
    let asked = stub.calls.get(0);
    assert_eq!(get_str(&asked, "mediation").as_deref(), Some("conditional"));
    let challenge = get(&get(&asked, "publicKey"), "challenge");
    assert!(challenge.is_instance_of::<js_sys::ArrayBuffer>(), "{challenge:?}");
    drop(stub);

    let stub = GetStub::install(&fake_assertion_credential(true), false);
    let refused = settle(get_assertion(request_here(), conditional())).await;
    assert_cis2_error(&refused.unwrap_err(), "not_supported");
    assert_eq!(
        stub.calls.length(),
        0,
        "get() was called without conditional mediation"
    );
    drop(stub);

    let err = settle(create_credential(
        JsValue::from_str(&creation(&host())),
        conditional(),
    ))
    .await
    .unwrap_err();
    assert_cis2_error(&err, "not_supported");
}

/// The browser's own `PublicKeyCredential.parseRequestOptionsFromJSON` is used when present (Chromium has it),
/// and skipped with `useNativeJson: false`; both give `get()` the same decoded options.
#[wasm_bindgen_test]
async fn native_json_parsing_is_used_when_present() {
    let pkc = get(&js_sys::global(), "PublicKeyCredential");
    assert!(
        get(&pkc, "parseRequestOptionsFromJSON").is_function(),
        "this Chromium has no parseRequestOptionsFromJSON"
    );
    let stub = GetStub::install(&fake_assertion_credential(false), false);
    settle(get_assertion(request_here(), None)).await.unwrap();
    assert_eq!(stub.native_parses.length(), 1);
    let own = Some(json(r#"{"useNativeJson": false}"#));
    settle(get_assertion(request_here(), own)).await.unwrap();
    assert_eq!(
        stub.native_parses.length(),
        1,
        "useNativeJson: false still parsed natively"
    );
    assert_eq!(stub.calls.length(), 2);
    for options in stub.calls.iter() {
        let pk = get(&options, "publicKey");
        assert!(get(&pk, "challenge").is_instance_of::<js_sys::ArrayBuffer>());
        let allowed = js_sys::Array::from(&get(&pk, "allowCredentials"));
        assert_eq!(bytes_of(&get(&allowed.get(0), "id")), [1, 2, 3]);
        assert!(get(&options, "mediation").is_undefined());
    }
}
