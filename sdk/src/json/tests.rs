use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn refuses_duplicates_at_any_depth() {
    assert!(
        parse_object(br#"{"a":1,"a":2}"#)
            .unwrap_err()
            .contains("duplicate")
    );
    assert!(parse_object(br#"{"a":{"b":1,"b":1}}"#).is_err());
    assert!(parse_object(br#"{"a":[{"b":1,"b":1}]}"#).is_err());
    assert!(parse_object(br#"[1]"#).is_err());
    assert!(parse_object(b"\xff").is_err());
    let m = parse_object(br#"{"a":1,"b":[true,null,"x",1.5,-3]}"#).unwrap();
    assert_eq!(m["a"], 1);
}
