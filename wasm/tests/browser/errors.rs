use cis2_wasm::{Cis2Browser, get_version};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert!(get_version().starts_with(env!("CARGO_PKG_VERSION")));
}

#[wasm_bindgen_test]
fn bad_options_throw_coded_cis2_errors() {
    let err = Cis2Browser::new(opts(r#"{"idleWarningSecs": "soon"}"#)).unwrap_err();
    assert_cis2_error(&err, "invalid_options");
    let client = Cis2Browser::new(opts(&format!(r#"{{"channelName": "{}"}}"#, unique_name("e")))).unwrap();
    assert_eq!(client.base_url(), "/auth");
    // Refused before any navigation happens.
    for bad in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil",
        "javascript:alert(1)",
    ] {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"returnTo".into(), &JsValue::from_str(bad)).unwrap();
        assert_cis2_error(
            &client.sign_in(Some(o.clone().into())).unwrap_err(),
            "invalid_return_to",
        );
        assert_cis2_error(
            &client.change_role(Some(o.clone().into())).unwrap_err(),
            "invalid_return_to",
        );
        assert_cis2_error(&client.step_up(Some(o.into())).unwrap_err(), "invalid_return_to");
    }
    assert_cis2_error(
        &client.sign_in(opts(r#"{"prompt": "none"}"#)).unwrap_err(),
        "invalid_options",
    );
}
