#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use serde_json::{Value, json};

fn user(userinfo: Value, selected: Option<&str>) -> Cis2User {
    let mut id = json!({"iss":"i","sub":"656005750104","aud":"c","exp":2,"iat":1});
    if let Some(s) = selected {
        id["selected_roleid"] = json!(s);
    }
    Cis2User::new(
        serde_json::from_value(id).unwrap(),
        Some(serde_json::from_value(userinfo).unwrap()),
    )
}

#[test]
fn assurance_levels_accept_string_or_integer() {
    assert_eq!(
        serde_json::from_value::<AssuranceLevel>(json!("3")).unwrap(),
        AssuranceLevel(3)
    );
    assert_eq!(
        serde_json::from_value::<AssuranceLevel>(json!(3)).unwrap(),
        AssuranceLevel(3)
    );
    for bad in [
        json!("03"),
        json!("4"),
        json!(0),
        json!(3.0),
        json!(null),
        json!(["3"]),
    ] {
        assert!(
            serde_json::from_value::<AssuranceLevel>(bad.clone()).is_err(),
            "{bad}"
        );
    }
    assert_eq!(serde_json::to_value(AssuranceLevel(2)).unwrap(), json!("2"));
}

#[test]
fn roles_accept_one_object_or_an_array() {
    let role = json!({"person_roleid":"555254240100","org_code":"RBA","role_code":"S8000:G8000:R8001",
        "role_name":"\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"","activity_codes":["B0420"]});
    let one = user(
        json!({"sub":"656005750104","nhsid_nrbac_roles": role.clone(),
        "nhsid_user_orgs": {"org_code":"RBA","org_name":"TAUNTON"}}),
        Some("555254240100"),
    );
    let many = user(
        json!({"sub":"656005750104","nhsid_nrbac_roles":[role],
        "nhsid_user_orgs":[{"org_code":"RBA","org_name":"TAUNTON"}]}),
        Some("555254240100"),
    );
    assert_eq!(one, many);
    let RoleSelection::Selected { role, organisation } = one.selected_role() else {
        panic!()
    };
    assert_eq!(role.job_role(), Some("R8001"));
    assert_eq!(role.role_title(), "Nurse Access Role");
    assert_eq!(organisation.unwrap().org_name, "TAUNTON");
    assert!(one.has_activity("B0420"));
    assert!(!one.has_activity("B0062"));
    assert!(one.has_role_code("R8001"));
    assert!(one.has_role_code("S8000:G8000:R8001"));
}

#[test]
fn selected_role_resolution_outcomes() {
    let no_roles = user(json!({"sub":"1"}), Some("555"));
    assert_eq!(no_roles.selected_role(), RoleSelection::NoRoles);
    assert_eq!(
        user(json!({"sub":"1"}), None).selected_role(),
        RoleSelection::NoRoles
    );
    let roles = json!({"sub":"1","nhsid_nrbac_roles":[{"person_roleid":"1"}]});
    assert_eq!(
        user(roles.clone(), None).selected_role(),
        RoleSelection::NotSelected
    );
    assert_eq!(
        user(roles, Some("2")).selected_role(),
        RoleSelection::UnknownRole { selected_roleid: "2" }
    );
    // The userinfo fallback for selected_roleid (CPT).
    let via_userinfo = user(
        json!({"sub":"1","selected_roleid":"1","nhsid_nrbac_roles":[{"person_roleid":"1"}]}),
        None,
    );
    assert!(matches!(
        via_userinfo.selected_role(),
        RoleSelection::Selected { .. }
    ));
}

#[test]
fn aal_takes_the_lower_of_acr_and_level() {
    use crate::acr::*;
    assert_eq!(effective_aal(Some("AAL3_ANY"), Some(3)), Some(3));
    assert_eq!(effective_aal(Some("AAL3_ANY"), Some(2)), Some(2));
    assert_eq!(effective_aal(Some("AAL2_OR_AAL3_ANY"), None), Some(2));
    assert_eq!(effective_aal(Some("SOMETHING_ELSE"), Some(3)), None);
    assert_eq!(effective_aal(None, Some(3)), Some(3));
    assert_eq!(requested_level(&["AAL3_ANY".into(), "AAL2_TOTP".into()]), Some(2));
    assert_eq!(requested_level(&["NOPE".into()]), None);
}

#[test]
fn professional_ids_are_exposed() {
    let u: UserInfo = serde_json::from_value(json!({"sub":"1","gmc_id":"GMC123","nmc_id":"NMC1"})).unwrap();
    assert_eq!(
        u.professional_ids(),
        vec![("gmc_id", "GMC123"), ("nmc_id", "NMC1")]
    );
}

#[test]
fn assurance_level_constructors_hold_the_one_rule() {
    assert_eq!(AssuranceLevel::new(3), Some(AssuranceLevel(3)));
    assert_eq!(AssuranceLevel::new(0), None);
    assert_eq!(AssuranceLevel::new(4), None);
    assert_eq!(AssuranceLevel::parse("2"), Some(AssuranceLevel(2)));
    for bad in ["02", "4", "", " 3", "three", "+3"] {
        assert_eq!(AssuranceLevel::parse(bad), None, "{bad:?}");
    }
}
