use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn debug_is_redacted() {
    let s = ClientSecret::new("hunter2");
    assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
    assert!(s.ct_eq("hunter2"));
    assert!(!s.ct_eq("hunter3"));
    assert!(!s.ct_eq("hunter22"));
}
