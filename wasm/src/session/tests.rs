//! The contract's `/session` example, read natively with serde_json (the browser build reads the same types
//! from `Response.json()` through serde-wasm-bindgen).

use super::*;

const SIGNED_IN: &str = r#"{
  "authenticated": true,
  "user": {
    "sub": "656005750104",
    "name": "Test User",
    "roles": [ { "person_roleid": "555254240100", "org_code": "RBA", "role_code": "S8000:G8000:R8001",
                 "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"",
                 "activity_codes": ["B0420"], "activities": ["Independent Prescribing"] },
               { "person_roleid": "555254240101", "org_code": "X26", "role_code": "S0080:G0450:R5080",
                 "role_name": "\"Admin\":\"Admin\":\"Receptionist\"" } ],
    "organisations": [ { "org_code": "RBA", "org_name": "TAUNTON AND SOMERSET NHS FOUNDATION TRUST" } ],
    "selected_role": { "person_roleid": "555254240100", "org_code": "RBA", "role_code": "S8000:G8000:R8001",
                       "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"",
                       "activity_codes": ["B0420"] },
    "selected_organisation": { "org_code": "RBA", "org_name": "TAUNTON AND SOMERSET NHS FOUNDATION TRUST" },
    "aal": 3,
    "id_assurance_level": "3",
    "acr": "AAL3_ANY",
    "amr": ["N3_SMARTCARD"]
  },
  "session": {
    "created_at": 1700000000,
    "expires_at": 1700028800,
    "idle_expires_at": 1700001800,
    "idle_timeout_secs": 1800,
    "absolute_timeout_secs": 28800
  }
}"#;

fn parse(json: &str) -> SessionState {
    from_wire(serde_json::from_str(json).unwrap()).unwrap()
}

#[test]
fn reads_the_contract_example() {
    let SessionState::Active(s) = parse(SIGNED_IN) else {
        panic!("not active")
    };
    assert_eq!(s.user.sub, "656005750104");
    assert_eq!(s.user.roles.len(), 2);
    assert_eq!(s.user.effective_aal(), Some(3));
    assert_eq!(s.user.id_assurance_level.map(|l| l.0), Some(3));
    assert_eq!(s.times.idle_expires_at, Some(1_700_001_800.0));
    assert_eq!(s.times.absolute_timeout_secs, Some(28_800.0));
    let role = s.user.selected_role.as_ref().unwrap();
    assert!(role.has_activity("B0420"));
    assert_eq!(role.job_role(), Some("R8001"));
    assert_eq!(role.role_title(), "Nurse Access Role");
}

#[test]
fn aal_never_exceeds_what_acr_guarantees() {
    let json = SIGNED_IN.replace("\"AAL3_ANY\"", "\"AAL2_OR_AAL3_ANY\"");
    let SessionState::Active(s) = parse(&json) else {
        panic!()
    };
    assert_eq!(s.user.effective_aal(), Some(2));
    let json = SIGNED_IN.replace("\"AAL3_ANY\"", "\"SOMETHING_ELSE\"");
    let SessionState::Active(s) = parse(&json) else {
        panic!()
    };
    assert_eq!(s.user.effective_aal(), None);
}

#[test]
fn anonymous_and_reason() {
    assert!(matches!(
        parse(r#"{"authenticated": false}"#),
        SessionState::Anonymous { reason: None }
    ));
    let SessionState::Anonymous { reason } = parse(r#"{"authenticated": false, "reason": "idle_timeout"}"#)
    else {
        panic!()
    };
    assert_eq!(reason.as_deref(), Some("idle_timeout"));
}

#[test]
fn minimal_user_and_missing_user() {
    let SessionState::Active(s) =
        parse(r#"{"authenticated": true, "user": {"sub": "1", "selected_role": null}}"#)
    else {
        panic!()
    };
    assert!(s.user.selected_role.is_none());
    assert_eq!(s.times, SessionTimes::default());
    let wire: SessionWire = serde_json::from_str(r#"{"authenticated": true}"#).unwrap();
    assert_eq!(from_wire(wire).unwrap_err().code(), ErrorCode::BadResponse);
}
