//! Sign-in, step-up and role change through the SDK's navigations to the real backend and mock IdP.

use cis2_wasm::Cis2Browser;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::live::*;
use crate::support::*;

fn selected_role_id(session: &JsValue) -> Option<String> {
    get_str(&get(&user_of(session), "selectedRole"), "personRoleId")
}

#[wasm_bindgen_test]
async fn sign_in_with_role_selection_gives_the_session_to_every_tab() {
    reset().await;
    let tab = sign_in(
        MULTI_ROLE_UID,
        "smartcard",
        Some(MULTI_ROLE_SECOND_ROLE),
        r#"{"selectedRole": true, "acr": "AAL3_ANY"}"#,
    )
    .await;
    let theirs = tab.session();
    assert_eq!(get_str(&user_of(&theirs), "sub").as_deref(), Some(MULTI_ROLE_UID));
    assert_eq!(selected_role_id(&theirs).as_deref(), Some(MULTI_ROLE_SECOND_ROLE));

    // This page's own client (the SDK compiled into the test) reads the same backend session.
    let client = Cis2Browser::new(None).unwrap();
    let mine = settle(client.get_session()).await.unwrap();
    let me = user_of(&mine);
    assert_eq!(get_str(&me, "sub").as_deref(), Some(MULTI_ROLE_UID));
    assert_eq!(Array::from(&get(&me, "roles")).length(), 3);
    assert_eq!(selected_role_id(&mine).as_deref(), Some(MULTI_ROLE_SECOND_ROLE));
    assert_eq!(get(&me, "aal").as_f64(), Some(3.0));
    assert_eq!(get_str(&me, "acr").as_deref(), Some("AAL3_ANY"));
    let amr: Vec<String> = Array::from(&get(&me, "amr"))
        .iter()
        .filter_map(|a| a.as_string())
        .collect();
    assert_eq!(amr, ["N3_SMARTCARD"]);
    assert_eq!(call(&me, "meetsAal", &[JsValue::from(3)]).as_bool(), Some(true));
    assert!(get(&mine, "idleExpiresAt").as_f64().is_some());
}

#[wasm_bindgen_test]
async fn step_up_to_aal3_then_change_role() {
    reset().await;
    let tab = sign_in(
        MULTI_ROLE_UID,
        "totp",
        Some(MULTI_ROLE_SECOND_ROLE),
        r#"{"selectedRole": true, "acr": "AAL2_OR_AAL3_ANY"}"#,
    )
    .await;
    let user = user_of(&tab.session());
    assert_eq!(get(&user, "aal").as_f64(), Some(2.0));
    assert_eq!(
        call(&user, "meetsAal", &[JsValue::from(3)]).as_bool(),
        Some(false)
    );

    arm_auto_login(MULTI_ROLE_UID, "smartcard", Some(MULTI_ROLE_SECOND_ROLE)).await;
    tab.navigate("stepUp", "{}", "stepped-up").await;
    let user = user_of(&tab.session());
    assert_eq!(get(&user, "aal").as_f64(), Some(3.0));
    assert_eq!(get_str(&user, "sub").as_deref(), Some(MULTI_ROLE_UID));

    arm_auto_login(MULTI_ROLE_UID, "smartcard", Some(MULTI_ROLE_THIRD_ROLE)).await;
    tab.navigate("changeRole", "{}", "role-changed").await;
    assert_eq!(
        selected_role_id(&tab.session()).as_deref(),
        Some(MULTI_ROLE_THIRD_ROLE)
    );
}
