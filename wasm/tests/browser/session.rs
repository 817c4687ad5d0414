use cis2_wasm::{acr_level, parse_session_js};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
fn claim_helpers_from_session_json() {
    let session = parse_session_js(signed_in_body()).unwrap();
    assert_eq!(get(&session, "idleTimeoutSecs").as_f64(), Some(1800.0));
    assert_eq!(get(&session, "expiresAt").as_f64(), Some(4_000_000_000.0));
    let user = get(&session, "user");
    assert_eq!(get_str(&user, "sub").as_deref(), Some("656005750104"));
    assert_eq!(get_str(&user, "name").as_deref(), Some("Test User"));
    assert_eq!(get(&user, "aal").as_f64(), Some(3.0));
    assert_eq!(get(&user, "idAssuranceLevel").as_f64(), Some(3.0));
    assert_eq!(get_str(&user, "acr").as_deref(), Some("AAL3_ANY"));
    let has = |method: &str, arg: JsValue| call(&user, method, &[arg]).as_bool().unwrap();
    assert!(has("meetsAal", 3.into()));
    assert!(has("hasActivity", "B0420".into()));
    assert!(!has("hasActivity", "B0062".into()));
    assert!(has("hasRoleCode", "R8001".into()));
    assert!(has("hasRoleCode", "S8000:G8000:R8001".into()));
    assert!(!has("hasRoleCode", "R8000".into()));
    let role = get(&user, "selectedRole");
    assert_eq!(get_str(&role, "roleTitle").as_deref(), Some("Nurse Access Role"));
    assert_eq!(get_str(&role, "jobRole").as_deref(), Some("R8001"));
    assert_eq!(get_str(&role, "personRoleId").as_deref(), Some("555254240100"));
    let parts = get(&role, "roleCodeParts");
    assert_eq!(get_str(&parts, "staffGroup").as_deref(), Some("S8000"));
    assert_eq!(get_str(&parts, "jobRole").as_deref(), Some("R8001"));
    assert_eq!(
        js_sys::Array::from(&get(&role, "activityCodes"))
            .get(0)
            .as_string()
            .as_deref(),
        Some("B0420")
    );
    assert_eq!(js_sys::Array::from(&get(&user, "roles")).length(), 1);
    assert_eq!(
        get_str(&get(&user, "selectedOrganisation"), "orgCode").as_deref(),
        Some("RBA")
    );
    assert_eq!(acr_level("AAL2_OR_AAL3_ANY"), Some(2));
    assert_eq!(acr_level("nope"), None);
}

#[wasm_bindgen_test]
fn assurance_levels_as_strings_and_acr_caps() {
    let body = signed_in_body();
    let user = get(&body, "user");
    js_sys::Reflect::set(&user, &"aal".into(), &"3".into()).unwrap();
    js_sys::Reflect::set(&user, &"acr".into(), &"AAL2_OR_AAL3_ANY".into()).unwrap();
    js_sys::Reflect::set(&user, &"selected_role".into(), &JsValue::NULL).unwrap();
    let session = parse_session_js(body).unwrap();
    let user = get(&session, "user");
    assert_eq!(get(&user, "aal").as_f64(), Some(2.0), "acr caps the level");
    assert!(get(&user, "selectedRole").is_undefined());
    assert!(!call(&user, "hasActivity", &["B0420".into()]).as_bool().unwrap());
}

#[wasm_bindgen_test]
fn session_json_as_string_and_signed_out() {
    let text = js_sys::JSON::stringify(&signed_in_body()).unwrap();
    assert!(parse_session_js(text.into()).unwrap().is_object());
    assert!(
        parse_session_js(JsValue::from_str(r#"{"authenticated": false}"#))
            .unwrap()
            .is_undefined()
    );
    assert_cis2_error(
        &parse_session_js(json(r#"{"authenticated": true}"#)).unwrap_err(),
        "bad_response",
    );
    assert_cis2_error(
        &parse_session_js(json(r#"{"authenticated": "yes"}"#)).unwrap_err(),
        "bad_response",
    );
    assert_cis2_error(
        &parse_session_js(JsValue::from_str("not json")).unwrap_err(),
        "bad_response",
    );
}
