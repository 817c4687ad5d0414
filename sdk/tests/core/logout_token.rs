//! Back-channel logout tokens (BCL §2.4–2.6; catalogue CS-25..32, BCL-01..08, JWT-13).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;
use serde_json::json;

#[test]
fn cs_25_valid_cis2_logout_token_is_accepted() {
    let lt = logout_with(logout_claims()).unwrap();
    assert_eq!(lt.sid.as_deref(), Some("sid-1"));
    assert_eq!(lt.sub.as_deref(), Some("656005750104"));
    assert_eq!(lt.jti, "6c0b1b2e-3f5e-4c39-9c2a-7d1f3f4a0b11");
    assert_eq!(lt.exp, None);
    assert!(lt.replay_window_end.as_secs() >= NOW - 2 + 300);
    // The OIDF suite's token: exp present, an unknown claim to ignore.
    let oidf = with(
        with(logout_claims(), "exp", json!(NOW + 120)),
        "unknown_claim",
        json!({"x": 1}),
    );
    let lt = logout_with(oidf).unwrap();
    assert_eq!(lt.exp, Some(UnixTime::from_secs(NOW + 120)));
    assert!(lt.replay_window_end.as_secs() >= NOW + 120);
}

#[test]
fn cs_26_alg_none_is_rejected() {
    let t = raw_jws(json!({"alg": "none", "typ": "logout+jwt"}), &logout_claims(), b"");
    assert!(validator().validate_logout_token(&t, &jwks_a(), now()).is_err());
    let t = raw_jws(
        json!({"alg": "none", "typ": "logout+jwt"}),
        &logout_claims(),
        b"x",
    );
    assert_err!(
        validator().validate_logout_token(&t, &jwks_a(), now()),
        TokenError::AlgorithmNotAllowed { .. }
    );
}

#[test]
fn cs_27_missing_events_is_rejected() {
    assert_err!(
        logout_with(without(logout_claims(), "events")),
        TokenError::MissingClaim { claim: "events" }
    );
}

/// Issue #10: a logout token with a fractional `iat` used to be refused, leaving the session alive.
#[test]
fn fractional_iat_is_accepted_and_floored_but_strings_and_negatives_are_not() {
    let lt = logout_with(with(logout_claims(), "iat", json!(NOW as f64 - 1.5))).unwrap();
    assert_eq!(lt.iat, UnixTime::from_secs(NOW - 2));
    for bad in [json!("1700000000"), json!(-1.0), json!(null), json!(1e300)] {
        assert_err!(
            logout_with(with(logout_claims(), "iat", bad)),
            TokenError::InvalidClaim { claim: "iat", .. }
        );
    }
}

#[test]
fn cs_28_nonce_is_rejected() {
    assert_err!(
        logout_with(with(logout_claims(), "nonce", json!("n"))),
        TokenError::UnexpectedNonce {
            kind: TokenKind::LogoutToken
        }
    );
}

#[test]
fn cs_29_wrong_alg_is_rejected() {
    let ec_jwks = JwkSet::from_keys([key_a().public_jwk().unwrap(), key_ec().public_jwk().unwrap()]).unwrap();
    let t = sign(&key_ec(), Some("logout+jwt"), &logout_claims());
    assert_err!(
        validator().validate_logout_token(&t, &ec_jwks, now()),
        TokenError::AlgorithmNotAllowed { .. }
    );
}

#[test]
fn cs_30_wrong_aud_is_rejected() {
    assert_err!(
        logout_with(with(logout_claims(), "aud", json!(format!("{CLIENT_ID}INVALID")))),
        TokenError::AudienceMismatch { .. }
    );
}

#[test]
fn cs_31_wrong_event_is_rejected() {
    let events = json!({"http://schemas.openid.net/event/foobar": {}});
    assert_err!(
        logout_with(with(logout_claims(), "events", events)),
        TokenError::InvalidLogoutEvent { .. }
    );
}

#[test]
fn cs_32_wrong_iss_is_rejected() {
    assert_err!(
        logout_with(with(
            logout_claims(),
            "iss",
            json!(format!("{}INVALID", issuer()))
        )),
        TokenError::IssuerMismatch { .. }
    );
}

#[test]
fn bcl_01_neither_sub_nor_sid_is_rejected() {
    assert_err!(
        logout_with(without(without(logout_claims(), "sub"), "sid")),
        TokenError::MissingLogoutSubject
    );
    assert!(logout_with(without(logout_claims(), "sub")).is_ok());
    assert!(logout_with(without(logout_claims(), "sid")).is_ok());
}

#[test]
fn bcl_02_exp_honoured_when_present_and_required_by_policy() {
    let leeway = ValidationPolicy::DEFAULT_LEEWAY.as_secs();
    assert_err!(
        logout_with(with(logout_claims(), "exp", json!(NOW - leeway - 1))),
        TokenError::Expired { .. }
    );
    assert!(logout_with(logout_claims()).is_ok(), "CIS2 sends no exp");
    let strict = ValidationPolicy::new(Crypto::default()).logout_exp(LogoutExpPolicy::Required);
    let v = TokenValidator::new(issuer(), client_id(), strict);
    let t = sign(&key_a(), Some("logout+jwt"), &logout_claims());
    assert_err!(
        v.validate_logout_token(&t, &jwks_a(), now()),
        TokenError::MissingClaim { claim: "exp" }
    );
}

#[test]
fn bcl_03_iat_far_in_the_future_or_past_is_rejected() {
    assert_err!(
        logout_with(with(logout_claims(), "iat", json!(NOW + 600))),
        TokenError::IssuedInFuture { .. }
    );
    assert_err!(
        logout_with(with(logout_claims(), "iat", json!(NOW - 86_400))),
        TokenError::IssuedTooLongAgo { .. }
    );
    assert_err!(
        logout_with(without(logout_claims(), "iat")),
        TokenError::MissingClaim { claim: "iat" }
    );
    assert_err!(
        logout_with(with(logout_claims(), "iat", json!("1700000000"))),
        TokenError::InvalidClaim { claim: "iat", .. }
    );
}

#[test]
fn bcl_04_jti_is_required_for_the_replay_store() {
    assert_err!(
        logout_with(without(logout_claims(), "jti")),
        TokenError::MissingClaim { claim: "jti" }
    );
}

#[test]
fn bcl_05_malformed_events_are_rejected() {
    let bcl = BACKCHANNEL_LOGOUT_EVENT;
    for bad in [
        json!([bcl]),
        json!({ bcl: "yes" }),
        json!({ bcl: [] }),
        json!("x"),
    ] {
        assert_err!(
            logout_with(with(logout_claims(), "events", bad.clone())),
            TokenError::InvalidLogoutEvent { .. }
        );
    }
    // Extra event types are tolerated next to a well-formed back-channel-logout member.
    assert!(
        logout_with(with(
            logout_claims(),
            "events",
            json!({ bcl: {}, "https://other/event": {} })
        ))
        .is_ok()
    );
}

#[test]
fn bcl_06_typ_rules() {
    for ok in [
        Some("logout+jwt"),
        Some("application/logout+jwt"),
        Some("JWT"),
        None,
    ] {
        let t = sign(&key_a(), ok, &logout_claims());
        assert!(
            validator().validate_logout_token(&t, &jwks_a(), now()).is_ok(),
            "{ok:?}"
        );
    }
    let t = sign(&key_a(), Some("at+jwt"), &logout_claims());
    assert_err!(
        validator().validate_logout_token(&t, &jwks_a(), now()),
        TokenError::WrongType {
            kind: TokenKind::LogoutToken,
            ..
        }
    );
}

#[test]
fn bcl_07_transport_rules() {
    let body = b"logout_token=abc&unknown_field=1";
    let ct = Some("application/x-www-form-urlencoded");
    assert_eq!(backchannel_logout_token("POST", ct, body).unwrap(), "abc");
    assert_eq!(
        backchannel_logout_token(
            "POST",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            body
        )
        .unwrap(),
        "abc"
    );
    assert!(matches!(
        backchannel_logout_token("GET", ct, body),
        Err(LogoutRequestError::MethodNotAllowed { .. })
    ));
    assert!(matches!(
        backchannel_logout_token("POST", Some("application/json"), br#"{"logout_token":"abc"}"#),
        Err(LogoutRequestError::UnsupportedContentType { .. })
    ));
    assert!(matches!(
        backchannel_logout_token("POST", None, body),
        Err(LogoutRequestError::UnsupportedContentType { .. })
    ));
    assert!(matches!(
        backchannel_logout_token("POST", ct, b"other=1"),
        Err(LogoutRequestError::MissingLogoutToken)
    ));
    assert!(matches!(
        backchannel_logout_token("POST", ct, b"logout_token="),
        Err(LogoutRequestError::MissingLogoutToken)
    ));
    assert!(matches!(
        backchannel_logout_token("POST", ct, b"logout_token=a&logout_token=b"),
        Err(LogoutRequestError::DuplicateLogoutToken)
    ));
    let big = vec![b'a'; 65 * 1024];
    assert!(matches!(
        backchannel_logout_token("POST", ct, &big),
        Err(LogoutRequestError::BodyTooLarge { .. })
    ));
}

#[test]
fn bcl_08_extra_untrusted_audience_is_rejected() {
    assert_err!(
        logout_with(with(logout_claims(), "aud", json!([CLIENT_ID, "other"]))),
        TokenError::UntrustedAudience { .. }
    );
}

#[test]
fn jwt_13_id_token_presented_as_logout_token_is_rejected() {
    let t = sign(&key_a(), Some("JWT"), &id_claims());
    assert!(validator().validate_logout_token(&t, &jwks_a(), now()).is_err());
    // An ID token with events injected still carries a nonce.
    let t = sign(
        &key_a(),
        Some("JWT"),
        &with(id_claims(), "events", logout_claims()["events"].clone()),
    );
    assert_err!(
        validator().validate_logout_token(&t, &jwks_a(), now()),
        TokenError::UnexpectedNonce { .. }
    );
}
