//! The seeded-defect RP against the embedded mock IdP: the correct RP signs in and refuses each fault; with a
//! defect switched on, the same fault is accepted. This is what proves the suite's checks can fail.

// Helpers outside `#[test]` functions fail loudly on purpose, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "defect_rp/sessions.rs"]
mod sessions;
mod support;

use serde_json::{Value, json};
use support::defect_rp::harness::{Env, GP, GP_ROLE, browser, env, now};
use support::defect_rp::{
    AAL3_PATH, CHANGE_ROLE_PATH, Defect, LOGIN_PATH, LOGOUT_PATH, MAX_AUTH_AGE_SECS, ME_PATH, STEP_UP_PATH,
};

/// An ID-token (or userinfo) fault and the route whose sign-in gets it.
struct FaultCase {
    defect: Defect,
    path: &'static str,
    inject: fn(&Env) -> Value,
    /// What the correct RP's refusal page names.
    refusal: &'static str,
}

fn fault_cases() -> Vec<FaultCase> {
    let f = |defect, path, refusal, inject| FaultCase {
        defect,
        path,
        inject,
        refusal,
    };
    vec![
        f(
            Defect::NonceNotChecked,
            LOGIN_PATH,
            "token.nonce_mismatch",
            |_| json!({"fault": {"kind": "nonce_mismatch"}}),
        ),
        f(
            Defect::AlgNoneAccepted,
            LOGIN_PATH,
            "alg none",
            |_| json!({"fault": {"kind": "alg_none"}}),
        ),
        f(
            Defect::SignatureNotVerified,
            LOGIN_PATH,
            "token.invalid_signature",
            |_| json!({"fault": {"kind": "bad_signature"}}),
        ),
        f(
            Defect::ExpIgnored,
            LOGIN_PATH,
            "token.expired",
            |_| json!({"fault": {"kind": "expired"}}),
        ),
        f(
            Defect::AnyAudAccepted,
            LOGIN_PATH,
            "token.audience_mismatch",
            |_| json!({"fault": {"kind": "wrong_aud"}}),
        ),
        f(
            Defect::IssuerNormalised,
            LOGIN_PATH,
            "token.issuer_mismatch",
            |e| {
                let iss = e.idp.issuer().replacen("http://", "HTTP://", 1);
                json!({"fault": {"kind": "wrong_iss", "value": iss}})
            },
        ),
        f(
            Defect::IssuerNormalised,
            LOGIN_PATH,
            "token.issuer_mismatch",
            |e| {
                let iss = e.idp.issuer().replacen("/openam/", "/./openam/", 1);
                json!({"fault": {"kind": "wrong_iss", "value": iss}})
            },
        ),
        f(
            Defect::IatMissingAccepted,
            LOGIN_PATH,
            "token.missing_claim",
            |_| json!({"fault": {"kind": "missing_claim", "claim": "iat"}}),
        ),
        f(
            Defect::UserinfoSubNotCompared,
            LOGIN_PATH,
            "userinfo sub",
            |_| json!({"fault": {"kind": "sub_mismatch"}}),
        ),
        f(
            Defect::StaleAuthTimeAccepted,
            CHANGE_ROLE_PATH,
            "auth_time is too old",
            |e| json!({"fault": {"kind": "set_claim", "claim": "auth_time", "value": now(e) - 2 * MAX_AUTH_AGE_SECS}}),
        ),
        f(
            Defect::Aal2AcceptedForStepUp,
            STEP_UP_PATH,
            "token.acr_not_satisfied",
            |_| json!({"fault": {"kind": "set_claim", "claim": "acr", "value": "AAL2_ANY"}}),
        ),
    ]
}

#[tokio::test]
async fn correct_rp_signs_in_and_steps_up() {
    let e = env(&[]).await;
    let b = browser();
    assert_eq!(e.probe(&b, ME_PATH).await.0, 401);
    assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
    let (status, me) = e.probe(&b, ME_PATH).await;
    assert_eq!(status, 200);
    assert_eq!(me["signed_in"], true);
    assert_eq!(me["sub"], GP);
    assert_eq!(me["acr"], "AAL2_OR_AAL3_ANY");
    assert_eq!(me["role"], GP_ROLE);
    assert!(me["sid"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(e.probe(&b, AAL3_PATH).await.0, 403);
    assert_eq!(e.sign_in(&b, STEP_UP_PATH, GP, None).await, 302);
    assert_eq!(e.probe(&b, ME_PATH).await.1["acr"], "AAL3_ANY");
    assert_eq!(e.probe(&b, AAL3_PATH).await.0, 200);
    // Discovery and JWKS were fetched once and cached.
    assert_eq!(e.rp.jwks_fetches(), 1);
    // Logout ends the server-side session.
    let r = b.post(e.rp.url(LOGOUT_PATH)).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(e.probe(&b, ME_PATH).await.0, 401);
    assert_eq!(e.rp.session_count(), 0);
    e.rp.shutdown().await;
}

#[tokio::test]
async fn correct_rp_refuses_every_fault() {
    let e = env(&[]).await;
    for case in fault_cases() {
        let b = browser();
        e.inject((case.inject)(&e));
        let (status, why) = e.sign_in_why(&b, case.path, GP, None).await;
        assert_eq!(status, 400, "{} ({}) was accepted", case.defect, case.path);
        assert!(
            why.contains(case.refusal),
            "{}: refused for another reason: {why}",
            case.defect
        );
        assert_eq!(e.probe(&b, ME_PATH).await.0, 401, "{}", case.defect);
    }
    // Other faults no defect excuses.
    for fault in [
        json!({"kind": "future_iat"}),
        json!({"kind": "hs256_public_key"}),
        json!({"kind": "wrong_iss"}),
        json!({"kind": "missing_claim", "claim": "sub"}),
        json!({"kind": "set_claim", "claim": "acr", "value": "AAL1_USERPASS"}),
    ] {
        let b = browser();
        e.inject(json!({ "fault": fault }));
        assert_eq!(
            e.sign_in(&b, LOGIN_PATH, GP, None).await,
            400,
            "{fault} was accepted"
        );
    }
    assert_eq!(e.rp.session_count(), 0);
    // Clean again: the faults were one-shot.
    let b = browser();
    assert_eq!(e.sign_in(&b, LOGIN_PATH, GP, None).await, 302);
    e.rp.shutdown().await;
}

#[tokio::test]
async fn each_id_token_defect_accepts_its_fault() {
    for case in fault_cases() {
        let e = env(&[case.defect]).await;
        let b = browser();
        e.inject((case.inject)(&e));
        let status = e.sign_in(&b, case.path, GP, None).await;
        assert_eq!(status, 302, "{} did not accept its fault", case.defect);
        let (status, me) = e.probe(&b, ME_PATH).await;
        assert_eq!(status, 200, "{}", case.defect);
        assert_eq!(me["signed_in"], true);
        if case.defect == Defect::Aal2AcceptedForStepUp {
            // The AAL2 sign-in now opens the AAL3 resource.
            assert_eq!(e.probe(&b, AAL3_PATH).await.0, 200);
        }
        e.rp.shutdown().await;
    }
}

#[tokio::test]
async fn a_defect_relaxes_only_its_own_check() {
    let cases = [
        (Defect::NonceNotChecked, json!({"kind": "bad_signature"})),
        (Defect::SignatureNotVerified, json!({"kind": "nonce_mismatch"})),
        (Defect::IssuerNormalised, json!({"kind": "wrong_iss"})),
        (Defect::AnyAudAccepted, json!({"kind": "expired"})),
        (Defect::ExpIgnored, json!({"kind": "alg_none"})),
        (Defect::AlgNoneAccepted, json!({"kind": "wrong_aud"})),
    ];
    for (defect, fault) in cases {
        let e = env(&[defect]).await;
        let b = browser();
        e.inject(json!({ "fault": fault }));
        assert_eq!(
            e.sign_in(&b, LOGIN_PATH, GP, None).await,
            400,
            "{defect} let {fault} through"
        );
        e.rp.shutdown().await;
    }
}
