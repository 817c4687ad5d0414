//! Userinfo (OIDC Core §5.3.2; catalogue CS-19, CS-20) through the client.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;
use serde_json::json;

fn claims() -> IdTokenClaims {
    id_token_with(id_claims()).unwrap()
}

#[test]
fn cs_19_userinfo_with_another_sub_is_discarded() {
    let v = validator();
    let good = json!({"sub": "656005750104", "nhsid_nrbac_roles": {"person_roleid": "555254240100"}});
    let signed = sign(
        &key_a(),
        None,
        &with(
            serde_json::from_value(good).unwrap(),
            "iss",
            json!(issuer().as_str()),
        ),
    );
    let u = v
        .validate_signed_userinfo(&signed, &jwks_a(), &claims().sub, now())
        .unwrap();
    assert_eq!(u.nhsid_nrbac_roles.len(), 1);
    let bad = json!({"sub": "656005750104invalid", "iss": issuer().as_str()});
    let signed = sign(&key_a(), None, &serde_json::from_value(bad).unwrap());
    assert_err!(
        v.validate_signed_userinfo(&signed, &jwks_a(), &claims().sub, now()),
        TokenError::SubjectMismatch { .. }
    );
}

#[test]
fn cs_20_signed_userinfo_checks_signature_iss_and_aud_when_present() {
    let v = validator();
    let base = json!({"sub": "656005750104", "iss": issuer().as_str(), "name": "Test User"});
    let base: serde_json::Map<_, _> = serde_json::from_value(base).unwrap();
    // No aud (CIS2's 2021 guidance): accepted.
    let u = v
        .validate_signed_userinfo(&sign(&key_a(), None, &base), &jwks_a(), "656005750104", now())
        .unwrap();
    assert_eq!(u.name.as_deref(), Some("Test User"));
    assert_err!(
        v.validate_signed_userinfo(
            &flip_signature(&sign(&key_a(), None, &base)),
            &jwks_a(),
            "656005750104",
            now()
        ),
        TokenError::InvalidSignature
    );
    assert_err!(
        v.validate_signed_userinfo(
            &sign(&key_a(), None, &with(base.clone(), "iss", json!("https://evil"))),
            &jwks_a(),
            "656005750104",
            now()
        ),
        TokenError::IssuerMismatch { .. }
    );
    assert_err!(
        v.validate_signed_userinfo(
            &sign(&key_a(), None, &with(base.clone(), "aud", json!("other"))),
            &jwks_a(),
            "656005750104",
            now()
        ),
        TokenError::AudienceMismatch { .. }
    );
    assert!(
        v.validate_signed_userinfo(
            &sign(&key_a(), None, &with(base, "aud", json!(CLIENT_ID))),
            &jwks_a(),
            "656005750104",
            now()
        )
        .is_ok()
    );
}
