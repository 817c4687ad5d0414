//! ID-token validation: OIDF RP tests (CS-*) and specification rules (IDT-*).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;
use serde_json::json;
use std::time::Duration;

#[test]
fn cs_02_rs256_token_is_accepted() {
    let claims = id_token_with(id_claims()).unwrap();
    assert_eq!(claims.sub, "656005750104");
    assert_eq!(claims.iss, issuer().as_str());
    assert_eq!(claims.sid.as_deref(), Some("sid-1"));
    assert_eq!(claims.selected_roleid.as_deref(), Some("555254240100"));
    assert_eq!(claims.id_assurance_level, Some(AssuranceLevel(3)));
    assert_eq!(claims.amr, vec!["N3_SMARTCARD"]);
    assert_eq!(claims.extra["tokenName"], "id_token");
}

#[test]
fn cs_09_invalid_iss_is_rejected() {
    let iss = format!("{}1", issuer());
    assert_err!(
        id_token_with(with(id_claims(), "iss", json!(iss))),
        TokenError::IssuerMismatch { .. }
    );
}

#[test]
fn cs_39_missing_iss_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "iss")),
        TokenError::MissingClaim { claim: "iss" }
    );
}

#[test]
fn idt_05_issuer_compared_byte_for_byte() {
    let iss = issuer().as_str().to_owned();
    let variants = [
        iss.replacen(":443", "", 1),                     // default port dropped
        format!("{iss}/"),                               // trailing slash
        iss.replacen("am.nhsint", "AM.nhsint", 1),       // host case
        iss.replacen("Healthcare", "healthcare", 1),     // path case
        iss.replacen("NHSIdentity", "NHS%49dentity", 1), // percent-encoding
        iss.replacen("nhs.uk", "nhs.uк", 1),             // Cyrillic look-alike
    ];
    for v in variants {
        match id_token_with(with(id_claims(), "iss", json!(v))) {
            Err(TokenError::IssuerMismatch { expected, actual }) => {
                assert_eq!(expected, iss);
                assert_eq!(actual, v);
            }
            other => panic!("{v}: {other:?}"),
        }
    }
    // And an issuer configured without the port refuses the real CIS2 `iss`.
    let no_port = IssuerUrl::new(iss.replacen(":443", "", 1)).unwrap();
    let v = TokenValidator::new(no_port, client_id(), ValidationPolicy::new(Crypto::default()));
    assert_err!(
        expect_id(&v, &sign(&key_a(), None, &id_claims()), &jwks_a()),
        TokenError::IssuerMismatch { .. }
    );
}

#[test]
fn cs_10_missing_sub_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "sub")),
        TokenError::MissingClaim { claim: "sub" }
    );
    assert_err!(
        id_token_with(with(id_claims(), "sub", json!(""))),
        TokenError::InvalidClaim { claim: "sub", .. }
    );
    assert_err!(
        id_token_with(with(id_claims(), "sub", json!(656005750104u64))),
        TokenError::InvalidClaim { claim: "sub", .. }
    );
}

#[test]
fn cs_11_invalid_aud_is_rejected() {
    let aud = format!("{CLIENT_ID}1");
    match id_token_with(with(id_claims(), "aud", json!(aud))) {
        Err(TokenError::AudienceMismatch { expected, actual }) => {
            assert_eq!(expected, CLIENT_ID);
            assert_eq!(actual, vec![aud]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cs_12_missing_aud_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "aud")),
        TokenError::MissingClaim { claim: "aud" }
    );
}

#[test]
fn cs_41_untrusted_secondary_aud_is_rejected() {
    let claims = without(
        with(id_claims(), "aud", json!([CLIENT_ID, format!("{CLIENT_ID}1")])),
        "azp",
    );
    match id_token_with(claims.clone()) {
        Err(TokenError::UntrustedAudience { untrusted }) => assert_eq!(untrusted, format!("{CLIENT_ID}1")),
        other => panic!("{other:?}"),
    }
    // Trusted only when configured.
    let policy = ValidationPolicy::new(Crypto::default()).trusted_audiences([format!("{CLIENT_ID}1")]);
    let v = TokenValidator::new(issuer(), client_id(), policy);
    assert!(expect_id(&v, &sign(&key_a(), None, &claims), &jwks_a()).is_ok());
}

#[test]
fn cs_42_aud_as_array_is_accepted() {
    let claims = id_token_with(with(id_claims(), "aud", json!([CLIENT_ID]))).unwrap();
    assert_eq!(claims.aud, vec![CLIENT_ID]);
}

#[test]
fn idt_06_aud_type_variants_are_rejected() {
    for bad in [
        json!(969567331415u64),
        json!({"a": CLIENT_ID}),
        json!([]),
        json!([CLIENT_ID, 1]),
        json!(null),
    ] {
        assert_err!(
            id_token_with(with(id_claims(), "aud", bad.clone())),
            TokenError::InvalidClaim { claim: "aud", .. }
        );
    }
    // A duplicate of our own id is not an untrusted audience.
    assert!(id_token_with(with(id_claims(), "aud", json!([CLIENT_ID, CLIENT_ID]))).is_ok());
}

#[test]
fn idt_07_azp_mismatch_is_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "azp", json!("other.apps.national"))),
        TokenError::AuthorizedPartyMismatch { .. }
    );
    assert!(id_token_with(without(id_claims(), "azp")).is_ok());
}

#[test]
fn cs_13_missing_iat_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "iat")),
        TokenError::MissingClaim { claim: "iat" }
    );
}

#[test]
fn cs_38_missing_exp_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "exp")),
        TokenError::MissingClaim { claim: "exp" }
    );
}

#[test]
fn cs_36_expired_exp_is_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "exp", json!(NOW - 360))),
        TokenError::Expired { .. }
    );
}

#[test]
fn idt_01_expiry_boundary_follows_the_leeway() {
    let leeway = ValidationPolicy::DEFAULT_LEEWAY.as_secs();
    assert!(id_token_with(with(id_claims(), "exp", json!(NOW - (leeway - 1)))).is_ok());
    match id_token_with(with(id_claims(), "exp", json!(NOW - (leeway + 1)))) {
        Err(TokenError::Expired {
            exp,
            now: n,
            leeway_secs,
        }) => {
            assert_eq!(exp.as_secs(), NOW - leeway - 1);
            assert_eq!(n, now());
            assert_eq!(leeway_secs, leeway);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cs_37_iat_a_week_in_the_past_is_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "iat", json!(NOW - 7 * 86_400))),
        TokenError::IssuedTooLongAgo { .. }
    );
}

#[test]
fn idt_02_iat_in_the_future_is_rejected() {
    let leeway = ValidationPolicy::DEFAULT_LEEWAY.as_secs();
    assert!(id_token_with(with(id_claims(), "iat", json!(NOW + leeway))).is_ok());
    assert_err!(
        id_token_with(with(id_claims(), "iat", json!(NOW + leeway + 1))),
        TokenError::IssuedInFuture { .. }
    );
}

#[test]
fn idt_03_nbf_in_the_future_is_rejected() {
    let leeway = ValidationPolicy::DEFAULT_LEEWAY.as_secs();
    assert!(id_token_with(with(id_claims(), "nbf", json!(NOW + leeway))).is_ok());
    assert_err!(
        id_token_with(with(id_claims(), "nbf", json!(NOW + leeway + 1))),
        TokenError::NotYetValid { .. }
    );
}

#[test]
fn idt_04_time_claims_of_the_wrong_type_are_rejected_not_ignored() {
    let bad = [
        json!("99999999999"),
        json!(-1),
        json!(-0.5),
        json!(null),
        json!(1e300),
        json!(true),
        json!([NOW]),
    ];
    for claim in ["exp", "iat", "nbf", "auth_time"] {
        for v in &bad {
            match id_token_with(with(id_claims(), claim, v.clone())) {
                Err(TokenError::InvalidClaim { claim: c, .. }) => assert_eq!(c, claim),
                other => panic!("{claim}={v}: {other:?}"),
            }
        }
    }
}

/// RFC 7519 §2: a NumericDate may hold fractions. Issue #10: `exp = …600.5` used to be refused.
#[test]
fn idt_04_fractional_numeric_dates_are_accepted_and_floored() {
    let mut c = with(id_claims(), "exp", json!(1_700_000_600.5));
    c = with(c, "iat", json!(1_699_999_995.9));
    c = with(c, "auth_time", json!(1_699_999_980.25));
    let claims = id_token_with(c).unwrap();
    assert_eq!(claims.exp.as_secs(), 1_700_000_600);
    assert_eq!(claims.iat.as_secs(), 1_699_999_995);
    assert_eq!(claims.auth_time.map(|t| t.as_secs()), Some(1_699_999_980));
}

#[test]
fn cs_14_invalid_nonce_is_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "nonce", json!("n-0S6_WzA2Mj1"))),
        TokenError::NonceMismatch { present: true }
    );
}

#[test]
fn cs_40_missing_nonce_is_rejected() {
    assert_err!(
        id_token_with(without(id_claims(), "nonce")),
        TokenError::NonceMismatch { present: false }
    );
}

#[test]
fn idt_08_stale_nonce_from_an_earlier_login_is_rejected() {
    let token = sign(&key_a(), None, &id_claims());
    let other = Nonce::new("a-later-login");
    assert_err!(
        validator().validate_id_token(&token, &jwks_a(), &IdTokenExpectations::new(&other), now()),
        TokenError::NonceMismatch { present: true }
    );
}

#[test]
fn idt_10_acr_below_the_request_is_rejected() {
    // Default request is AAL3_ANY: an AAL2 acr, or none, is refused.
    match id_token_with(with(id_claims(), "acr", json!("AAL2_OR_AAL3_ANY"))) {
        Err(TokenError::AcrNotSatisfied { requested, actual }) => {
            assert_eq!(requested, vec!["AAL3_ANY"]);
            assert_eq!(actual.as_deref(), Some("AAL2_OR_AAL3_ANY"));
        }
        other => panic!("{other:?}"),
    }
    assert_err!(
        id_token_with(without(id_claims(), "acr")),
        TokenError::AcrNotSatisfied { actual: None, .. }
    );
    assert_err!(
        id_token_with(with(id_claims(), "acr", json!("AAL3_MADE_UP"))),
        TokenError::AcrNotSatisfied { .. }
    );
    // An AAL3 acr with an AAL2 level claim is not AAL3.
    assert_err!(
        id_token_with(with(id_claims(), "authentication_assurance_level", json!(2))),
        TokenError::AssuranceTooLow {
            claim: "authentication_assurance_level",
            required: 3,
            actual: 2
        }
    );
    // A more specific AAL3 value satisfies AAL3_ANY.
    assert!(id_token_with(with(id_claims(), "acr", json!("AAL3_FIDO2"))).is_ok());
}

#[test]
fn idt_10_aal2_request_accepts_aal2_and_aal3() {
    let n = nonce();
    let acr = vec!["AAL2_OR_AAL3_ANY".to_owned()];
    let expect = IdTokenExpectations::new(&n).acr_values(&acr);
    for (acr_claim, level) in [("AAL2_OR_AAL3_ANY", 2), ("AAL3_ANY", 3), ("AAL2_TOTP", 2)] {
        let c = with(
            with(id_claims(), "acr", json!(acr_claim)),
            "authentication_assurance_level",
            json!(level),
        );
        assert!(
            validator()
                .validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &expect, now())
                .is_ok(),
            "{acr_claim}"
        );
    }
    let c = with(
        with(id_claims(), "acr", json!("AAL1_USERPASS")),
        "authentication_assurance_level",
        json!(1),
    );
    assert_err!(
        validator().validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &expect, now()),
        TokenError::AcrNotSatisfied { .. }
    );
}

/// Issue #10: a huge `max_age` used to overflow a `Duration` addition (a panic from network input).
#[test]
fn a_huge_max_age_does_not_panic() {
    let n = nonce();
    let expect = IdTokenExpectations::new(&n).max_age(std::time::Duration::MAX);
    assert!(
        validator()
            .validate_id_token(&sign(&key_a(), None, &id_claims()), &jwks_a(), &expect, now())
            .is_ok()
    );
}

/// Issue #10: a request for a named method (`AAL3_FIDO2`) used to accept any AAL3 `acr`.
#[test]
fn idt_10_a_named_method_is_required_when_one_was_requested() {
    let n = nonce();
    let acr = vec!["AAL3_FIDO2".to_owned()];
    let expect = IdTokenExpectations::new(&n).acr_values(&acr);
    let with_acr = |a: &str| {
        let c = with(id_claims(), "acr", json!(a));
        validator().validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &expect, now())
    };
    assert!(with_acr("AAL3_FIDO2").is_ok());
    for other in ["AAL3_ANY", "AAL3_N3_SMARTCARD", "AAL3_IOS", "AAL2_OR_AAL3_ANY"] {
        assert_err!(with_acr(other), TokenError::AcrNotSatisfied { .. });
    }
    // A named AAL2 method is met by any AAL3 sign-in: a higher level is always stricter.
    let acr = vec!["AAL2_TOTP".to_owned()];
    let expect = IdTokenExpectations::new(&n).acr_values(&acr);
    let c = with(id_claims(), "acr", json!("AAL3_N3_SMARTCARD"));
    assert!(
        validator()
            .validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &expect, now())
            .is_ok()
    );
}

/// Issue #14: every method-specific value (the iPad app, NHSmail, TOTP, the smartcard paths) needs an `acr` that
/// names the same method; another method at the same level is refused, a higher level is accepted.
#[test]
fn every_method_specific_value_requires_its_own_method() {
    let n = nonce();
    let check = |requested: &str, acr: &str, aal: &str| {
        let wanted = vec![requested.to_owned()];
        let expect = IdTokenExpectations::new(&n).acr_values(&wanted);
        let c = with(
            with(id_claims(), "acr", json!(acr)),
            "authentication_assurance_level",
            json!(aal),
        );
        validator().validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &expect, now())
    };
    for (requested, aal, same_level_others) in [
        ("AAL3_IOS", "3", &["AAL3_ANY", "AAL3_FIDO2", "AAL3_SMARTCARD"][..]),
        (
            "AAL3_N3_SMARTCARD",
            "3",
            &["AAL3_ANY", "AAL3_CIS2_SMARTCARD", "AAL3_IOS"][..],
        ),
        (
            "AAL2_NHSMAIL",
            "2",
            &["AAL2_ANY", "AAL2_OR_AAL3_ANY", "AAL2_TOTP"][..],
        ),
        ("AAL2_TOTP", "2", &["AAL2_NHSMAIL", "AAL2_ANY"][..]),
    ] {
        assert!(check(requested, requested, aal).is_ok(), "{requested}");
        for other in same_level_others {
            assert_err!(check(requested, other, aal), TokenError::AcrNotSatisfied { .. });
        }
    }
    // Below the requested level: refused whatever the name.
    assert_err!(
        check("AAL2_NHSMAIL", "AAL1_USERPASS", "1"),
        TokenError::AcrNotSatisfied { .. }
    );
    // A higher level always meets a lower method-specific request.
    assert!(check("AAL2_NHSMAIL", "AAL3_IOS", "3").is_ok());
}

#[test]
fn id_assurance_level_below_three_is_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "id_assurance_level", json!("2"))),
        TokenError::AssuranceTooLow {
            claim: "id_assurance_level",
            required: 3,
            actual: 2
        }
    );
    assert_err!(
        id_token_with(without(id_claims(), "id_assurance_level")),
        TokenError::MissingClaim {
            claim: "id_assurance_level"
        }
    );
    assert_err!(
        id_token_with(with(id_claims(), "id_assurance_level", json!("three"))),
        TokenError::InvalidClaim {
            claim: "id_assurance_level",
            ..
        }
    );
    // Integer form (APIM fixtures) is the same level.
    assert!(id_token_with(with(id_claims(), "id_assurance_level", json!(3))).is_ok());
}

#[test]
fn idt_11_auth_time_after_max_age_and_prompt_login() {
    let n = nonce();
    let max_age = IdTokenExpectations::new(&n).max_age(Duration::from_secs(300));
    let check = |c, e: &IdTokenExpectations<'_>| {
        validator().validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), e, now())
    };
    assert!(check(with(id_claims(), "auth_time", json!(NOW - 300)), &max_age).is_ok());
    assert_err!(
        check(with(id_claims(), "auth_time", json!(NOW - 400)), &max_age),
        TokenError::AuthTimeTooOld { .. }
    );
    assert_err!(
        check(without(id_claims(), "auth_time"), &max_age),
        TokenError::AuthTimeMissing
    );

    // prompt=login sent at NOW-10: an authentication from before the request is a stale session.
    let login = IdTokenExpectations::new(&n).prompt_login_at(UnixTime::from_secs(NOW - 10));
    assert!(check(with(id_claims(), "auth_time", json!(NOW - 5)), &login).is_ok());
    match check(with(id_claims(), "auth_time", json!(NOW - 3600)), &login) {
        Err(TokenError::AuthTimeTooOld {
            auth_time,
            not_before,
        }) => {
            assert_eq!(auth_time.as_secs(), NOW - 3600);
            assert_eq!(
                not_before.as_secs(),
                NOW - 10 - ValidationPolicy::DEFAULT_LEEWAY.as_secs()
            );
        }
        other => panic!("{other:?}"),
    }
    assert_err!(
        check(without(id_claims(), "auth_time"), &login),
        TokenError::AuthTimeMissing
    );
}

#[test]
fn cs_23_at_hash_is_verified_when_present() {
    let access = AccessToken::new("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
    // at_hash for RS256 = base64url(left half of SHA-256(access token)).
    use sha2::Digest;
    let digest = sha2::Sha256::digest(access.secret().as_bytes());
    let good = b64url_encode(&digest[..16]);
    let n = nonce();
    let e = IdTokenExpectations::new(&n).access_token(&access);
    let check = |c| validator().validate_id_token(&sign(&key_a(), None, &c), &jwks_a(), &e, now());
    assert!(check(with(id_claims(), "at_hash", json!(good))).is_ok());
    assert_err!(
        check(with(id_claims(), "at_hash", json!(format!("{good}1")))),
        TokenError::AccessTokenHashMismatch
    );
    // Code flow: at_hash is optional (OIDC Core §3.1.3.8).
    assert!(check(id_claims()).is_ok());
}

#[test]
fn jwt_13_logout_token_presented_as_id_token_is_rejected() {
    let lt = sign(
        &key_a(),
        Some("logout+jwt"),
        &with(logout_claims(), "nonce", json!("n-0S6_WzA2Mj")),
    );
    assert_err!(
        expect_id(&validator(), &lt, &jwks_a()),
        TokenError::WrongType {
            kind: TokenKind::IdToken,
            ..
        }
    );
    // Even without the typ hint, `events` marks it.
    let lt = sign(
        &key_a(),
        None,
        &with(id_claims(), "events", logout_claims()["events"].clone()),
    );
    assert_err!(
        expect_id(&validator(), &lt, &jwks_a()),
        TokenError::ForbiddenClaim { claim: "events", .. }
    );
}

#[test]
fn jwt_14_typ_handling_on_the_id_token_path() {
    for ok in [
        None,
        Some("JWT"),
        Some("jwt"),
        Some("application/jwt"),
        Some("APPLICATION/JWT"),
    ] {
        assert!(
            expect_id(&validator(), &sign(&key_a(), ok, &id_claims()), &jwks_a()).is_ok(),
            "{ok:?}"
        );
    }
    for bad in ["logout+jwt", "at+jwt", "NOT_A_JWT", "application/logout+jwt"] {
        assert_err!(
            expect_id(&validator(), &sign(&key_a(), Some(bad), &id_claims()), &jwks_a()),
            TokenError::WrongType { .. }
        );
    }
}

#[test]
fn idt_09_tokens_too_large_are_rejected_before_parsing() {
    let big = "a".repeat(70 * 1024);
    assert_err!(
        expect_id(&validator(), &big, &jwks_a()),
        TokenError::TooLarge { limit: 65536, .. }
    );
}

#[test]
fn rel_20_large_identity_payloads_are_accepted() {
    let roles: Vec<_> = (0..60).map(|i| json!({"person_roleid": format!("5552542401{i:02}"), "role_name": "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\""})).collect();
    let claims = with(id_claims(), "nhsid_nrbac_roles", json!(roles));
    let token = sign(&key_a(), None, &claims);
    assert!(token.len() > 8 * 1024);
    assert!(expect_id(&validator(), &token, &jwks_a()).is_ok());
}

#[test]
fn cis2_claims_of_the_wrong_shape_are_rejected() {
    assert_err!(
        id_token_with(with(id_claims(), "amr", json!("N3_SMARTCARD"))),
        TokenError::InvalidClaim { claim: "amr", .. }
    );
    assert_err!(
        id_token_with(with(id_claims(), "amr", json!([1]))),
        TokenError::InvalidClaim { claim: "amr", .. }
    );
    assert_err!(
        id_token_with(with(id_claims(), "selected_roleid", json!(555254240100u64))),
        TokenError::InvalidClaim {
            claim: "selected_roleid",
            ..
        }
    );
    assert_err!(
        id_token_with(with(id_claims(), "sid", json!(1))),
        TokenError::InvalidClaim { claim: "sid", .. }
    );
    assert_err!(
        id_token_with(with(id_claims(), "auth_time", json!(NOW + 3600))),
        TokenError::InvalidClaim {
            claim: "auth_time",
            ..
        }
    );
}
