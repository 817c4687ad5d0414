//! Rust side of `support.js`, plus small helpers.

use js_sys::{Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/browser/support.js")]
extern "C" {
    #[wasm_bindgen(js_name = installFetchStub)]
    pub(crate) fn install_fetch_stub(routes: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = installFakeEventSource)]
    pub(crate) fn install_fake_event_source() -> JsValue;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_js(ms: f64) -> Promise;
    pub(crate) fn recorder() -> js_sys::Function;
    #[wasm_bindgen(js_name = hideGlobal)]
    pub(crate) fn hide_global(name: &str) -> js_sys::Function;
    #[wasm_bindgen(js_name = uniqueName)]
    pub(crate) fn unique_name(prefix: &str) -> String;
    #[wasm_bindgen(js_name = indexedDbNames)]
    fn indexed_db_names_js() -> Promise;
    #[wasm_bindgen(js_name = fakeRegistrationCredential)]
    pub(crate) fn fake_registration_credential() -> JsValue;
    #[wasm_bindgen(js_name = fakeAssertionCredential)]
    pub(crate) fn fake_assertion_credential(with_handle: bool) -> JsValue;
    #[wasm_bindgen(js_name = stubPermissionState)]
    pub(crate) fn stub_permission_state(state: &str) -> js_sys::Function;
    #[wasm_bindgen(js_name = stubCredentialsGet)]
    pub(crate) fn stub_credentials_get(credential: &JsValue, available: bool) -> JsValue;
    #[wasm_bindgen(js_name = bytesOf)]
    pub(crate) fn bytes_of(buffer: &JsValue) -> Vec<u8>;
}

pub(crate) async fn sleep(ms: f64) {
    let _ = JsFuture::from(sleep_js(ms)).await;
}

pub(crate) async fn indexed_db_names() -> js_sys::Array {
    JsFuture::from(indexed_db_names_js()).await.unwrap().into()
}

pub(crate) fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

pub(crate) fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub(crate) fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let f: js_sys::Function = get(obj, method).into();
    let array = js_sys::Array::new();
    for a in args {
        array.push(a);
    }
    Reflect::apply(&f, obj, &array).unwrap()
}

pub(crate) fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// Awaits a promise from the API, returning the rejection as `Err`.
pub(crate) async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// The recorded calls of a `recorder()`.
pub(crate) fn calls(recorder: &js_sys::Function) -> js_sys::Array {
    get(recorder, "calls").into()
}

/// Polls `cond` every 10 ms for up to `ms`.
pub(crate) async fn wait_for(ms: f64, mut cond: impl FnMut() -> bool) -> bool {
    let mut waited = 0.0;
    while waited < ms {
        if cond() {
            return true;
        }
        sleep(10.0).await;
        waited += 10.0;
    }
    cond()
}

/// The `/session` body of bff-protocol.md, signed in, with deadlines far in the future.
pub(crate) fn signed_in_body() -> JsValue {
    json(
        r#"{
      "authenticated": true,
      "user": {
        "sub": "656005750104",
        "name": "Test User",
        "roles": [ { "person_roleid": "555254240100", "org_code": "RBA", "role_code": "S8000:G8000:R8001",
                     "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"",
                     "activity_codes": ["B0420"], "activities": ["Independent Prescribing"] } ],
        "organisations": [ { "org_code": "RBA", "org_name": "TAUNTON AND SOMERSET NHS FOUNDATION TRUST" } ],
        "selected_role": { "person_roleid": "555254240100", "org_code": "RBA", "role_code": "S8000:G8000:R8001",
                           "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"",
                           "activity_codes": ["B0420"], "activities": ["Independent Prescribing"] },
        "selected_organisation": { "org_code": "RBA", "org_name": "TAUNTON AND SOMERSET NHS FOUNDATION TRUST" },
        "aal": 3, "id_assurance_level": 3, "acr": "AAL3_ANY", "amr": ["N3_SMARTCARD"]
      },
      "session": { "created_at": 1700000000, "expires_at": 4000000000, "idle_expires_at": 4000000000,
                   "idle_timeout_secs": 1800, "absolute_timeout_secs": 28800 }
    }"#,
    )
}

/// A route table for `install_fetch_stub`: `{path: {status, body}}`.
pub(crate) fn routes(entries: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub(crate) fn ok(body: JsValue) -> JsValue {
    let o = js_sys::Object::new();
    Reflect::set(&o, &JsValue::from_str("body"), &body).unwrap();
    o.into()
}

/// Options object from JSON text.
pub(crate) fn opts(text: &str) -> Option<JsValue> {
    Some(json(text))
}

/// Asserts `err` is a `Cis2Error` with `code`.
pub(crate) fn assert_cis2_error(err: &JsValue, code: &str) {
    assert!(err.is_instance_of::<js_sys::Error>(), "not an Error: {err:?}");
    assert_eq!(get_str(err, "name").as_deref(), Some("Cis2Error"), "{err:?}");
    assert_eq!(
        get_str(err, "code").as_deref(),
        Some(code),
        "{:?}",
        get_str(err, "message")
    );
}
