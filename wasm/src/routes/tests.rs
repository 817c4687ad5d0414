use super::*;

#[test]
fn bare_login() {
    assert_eq!(
        navigation_url("/auth", LOGIN, &LoginParams::default()).unwrap(),
        "/auth/login"
    );
    assert_eq!(
        navigation_url("/auth/", STEP_UP, &LoginParams::default()).unwrap(),
        "/auth/step-up"
    );
    assert_eq!(
        navigation_url("/", CHANGE_ROLE, &LoginParams::default()).unwrap(),
        "/change-role"
    );
    assert_eq!(
        navigation_url("https://app.example/bff", LOGIN, &LoginParams::default()).unwrap(),
        "https://app.example/bff/login"
    );
}

#[test]
fn full_login_query() {
    let p = LoginParams {
        acr: vec!["AAL3_ANY".into(), " AAL2_OR_AAL3_ANY ".into(), "".into()],
        prompt_login: true,
        max_age: Some(240),
        select_role: true,
        return_to: Some("/patients?id=1&tab=a b".replace(' ', "%20")),
    };
    assert_eq!(
        navigation_url("/auth", LOGIN, &p).unwrap(),
        "/auth/login?acr_values=AAL3_ANY%20AAL2_OR_AAL3_ANY&prompt=login&max_age=240&select_role=true\
         &return_to=%2Fpatients%3Fid%3D1%26tab%3Da%2520b"
    );
}

#[test]
fn refuses_bad_return_to() {
    let p = LoginParams {
        return_to: Some("//evil.example".into()),
        ..LoginParams::default()
    };
    assert_eq!(
        navigation_url("/auth", LOGIN, &p),
        Err(ReturnToError::SchemeRelative)
    );
}

#[test]
fn encodes_utf8_and_reserved() {
    assert_eq!(encode_component("a-b.c_d~e"), "a-b.c_d~e");
    assert_eq!(encode_component("é /?#&="), "%C3%A9%20%2F%3F%23%26%3D");
}
