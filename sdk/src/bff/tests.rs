use std::time::Duration;

use super::*;
use crate::flow::{LoginOptions, Prompt};
use crate::time::UnixTime;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn end_reasons_round_trip_through_their_strings() {
    for r in EndReason::ALL {
        assert_eq!(EndReason::parse(r.as_str()), Some(r));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, format!("\"{}\"", r.as_str()));
        assert_eq!(serde_json::from_str::<EndReason>(&json).unwrap(), r);
    }
    assert_eq!(EndReason::parse("admin"), None);
    assert_eq!(EndReason::parse(""), None);
    assert!(serde_json::from_str::<EndReason>("\"admin\"").is_err());
}

#[test]
fn deadlines_tell_which_timeout_passed() {
    let t = UnixTime::from_secs;
    assert_eq!(
        EndReason::from_deadlines(t(100), Some(t(100)), Some(t(200))),
        Some(EndReason::Expired)
    );
    assert_eq!(
        EndReason::from_deadlines(t(100), Some(t(200)), Some(t(90))),
        Some(EndReason::IdleTimeout)
    );
    assert_eq!(
        EndReason::from_deadlines(t(100), Some(t(200)), Some(t(150))),
        None
    );
    assert_eq!(EndReason::from_deadlines(t(100), None, None), None);
}

#[test]
fn return_to_accepts_same_origin_paths() {
    for ok in [
        "/",
        "/app",
        "/app/patients?id=1&x=%2F%2F#top",
        "/a//b",
        "/é",
        "/%0d%0a",
    ] {
        assert_eq!(validate_return_to(ok), Ok(ok), "{ok}");
    }
}

#[test]
fn return_to_refuses_other_origins_and_tricks() {
    let cases = [
        ("", ReturnToError::Empty),
        ("https://evil.example/", ReturnToError::NotAbsolutePath),
        ("javascript:alert(1)", ReturnToError::NotAbsolutePath),
        ("app", ReturnToError::NotAbsolutePath),
        ("//evil.example", ReturnToError::SchemeRelative),
        ("/\\evil.example", ReturnToError::SchemeRelative),
        ("/a\\b", ReturnToError::Backslash),
        ("/\t/evil.example", ReturnToError::ControlCharacter),
        ("/\n/evil.example", ReturnToError::ControlCharacter),
        ("/a b", ReturnToError::ControlCharacter),
        (" /app", ReturnToError::ControlCharacter),
        ("///evil.example", ReturnToError::SchemeRelative),
        ("\\\\evil", ReturnToError::NotAbsolutePath),
        ("/\r\nSet-Cookie: x", ReturnToError::ControlCharacter),
        ("/\u{0}", ReturnToError::ControlCharacter),
        ("/\u{a0}/evil.example", ReturnToError::ControlCharacter),
    ];
    for (input, want) in cases {
        assert_eq!(validate_return_to(input), Err(want), "{input:?}");
    }
    let long = format!("/{}", "a".repeat(MAX_RETURN_TO_LEN));
    assert_eq!(validate_return_to(&long), Err(ReturnToError::TooLong));
    assert!(validate_return_to(&long[..MAX_RETURN_TO_LEN]).is_ok());
}

fn q(s: &str) -> Result<LoginQuery, LoginQueryError> {
    LoginQuery::parse(s)
}

#[test]
fn login_query_round_trips() {
    let query = LoginQuery {
        acr_values: vec![
            "AAL3_ANY".into(),
            " AAL2_OR_AAL3_ANY ".into(),
            "".into(),
            "AAL3_ANY".into(),
        ],
        prompt_login: true,
        max_age: Some(240),
        select_role: true,
        login_hint: Some("a b&c".into()),
        return_to: Some("/patients?id=1&tab=a%20b".into()),
    };
    let s = query.to_query().unwrap();
    assert_eq!(
        s,
        "acr_values=AAL3_ANY%20AAL2_OR_AAL3_ANY%20AAL3_ANY&prompt=login&max_age=240&select_role=true&login_hint=a%20b%26c\
         &return_to=%2Fpatients%3Fid%3D1%26tab%3Da%2520b"
    );
    let back = q(&s).unwrap();
    assert_eq!(back.acr_values, ["AAL3_ANY", "AAL2_OR_AAL3_ANY"]);
    assert_eq!(back.return_to.as_deref(), Some("/patients?id=1&tab=a%20b"));
    assert_eq!(back.login_hint.as_deref(), Some("a b&c"));
    assert_eq!(
        (back.prompt_login, back.max_age, back.select_role),
        (true, Some(240), true)
    );
    assert_eq!(
        LoginQuery::default().url("/auth/", routes::STEP_UP).unwrap(),
        "/auth/step-up"
    );
    assert_eq!(
        query.url("https://app.example/bff", routes::LOGIN).unwrap(),
        format!("https://app.example/bff/login?{s}")
    );
}

#[test]
fn login_query_refuses_bad_input_with_the_parameter_named() {
    assert_eq!(
        q("prompt=login&prompt=login"),
        Err(LoginQueryError::Duplicate {
            name: "prompt".into()
        })
    );
    assert_eq!(
        q("return_to=%2F%2Fevil"),
        Err(LoginQueryError::ReturnTo(ReturnToError::SchemeRelative))
    );
    assert_eq!(
        q("acr_values=AAL9"),
        Err(LoginQueryError::UnknownAcr { value: "AAL9".into() })
    );
    assert!(matches!(
        q("prompt=none"),
        Err(LoginQueryError::InvalidPrompt { .. })
    ));
    assert!(matches!(
        q("max_age=-1"),
        Err(LoginQueryError::InvalidMaxAge { .. })
    ));
    assert!(matches!(
        q("max_age=18446744073709551615"),
        Err(LoginQueryError::InvalidMaxAge { .. })
    ));
    assert!(matches!(
        q(&format!("max_age={}", MAX_AGE_LIMIT_SECS + 1)),
        Err(LoginQueryError::InvalidMaxAge { .. })
    ));
    assert_eq!(
        q(&format!("max_age={MAX_AGE_LIMIT_SECS}")).unwrap().max_age,
        Some(MAX_AGE_LIMIT_SECS)
    );
    assert!(matches!(
        q("select_role=yes"),
        Err(LoginQueryError::InvalidSelectRole { .. })
    ));
    assert_eq!(
        q(&format!("login_hint={}", "a".repeat(300))),
        Err(LoginQueryError::LoginHintTooLong)
    );
    let long = format!("x={}", "a".repeat(MAX_LOGIN_QUERY_LEN));
    assert!(matches!(q(&long), Err(LoginQueryError::TooLong { .. })));
    // The same value 400 times is one value.
    let many = vec!["AAL3_ANY"; 400].join("+");
    assert_eq!(q(&format!("acr_values={many}")).unwrap().acr_values, ["AAL3_ANY"]);
    // Unknown parameters are ignored.
    assert_eq!(q("utm=1").unwrap(), LoginQuery::default());
}

#[test]
fn a_query_can_only_make_the_sign_in_stricter() {
    let floor = LoginOptions::default()
        .acr_values(["AAL2_OR_AAL3_ANY"])
        .max_age(Some(Duration::from_secs(600)));
    // Weaker ACR: refused, not silently applied.
    assert!(matches!(
        q("acr_values=AAL1_USERPASS").unwrap().apply_to(&floor),
        Err(LoginQueryError::WeakerAcr { .. })
    ));
    // Stricter ACR, prompt, role selection, shorter max_age: applied.
    let opts = q("acr_values=AAL3_FIDO2&prompt=login&select_role=true&max_age=60")
        .unwrap()
        .apply_to(&floor)
        .unwrap();
    assert_eq!(opts.acr_values, ["AAL3_FIDO2"]);
    assert_eq!((opts.prompt, opts.select_role), (Some(Prompt::Login), true));
    assert_eq!(opts.max_age, Some(Duration::from_secs(60)));
    // An empty prompt, select_role=false and a longer max_age change nothing.
    let strict = LoginRoute::ChangeRole.floor(&floor.clone().prompt(Some(Prompt::Login)));
    let opts = q("prompt=&select_role=false&max_age=9000")
        .unwrap()
        .apply_to(&strict)
        .unwrap();
    assert_eq!((opts.prompt, opts.select_role), (Some(Prompt::Login), true));
    assert_eq!(opts.max_age, Some(Duration::from_secs(600)));
    // A method-specific floor accepts the same method or a higher level only.
    let fido = LoginOptions::default().acr_values(["AAL3_FIDO2"]);
    assert!(q("acr_values=AAL3_ANY").unwrap().apply_to(&fido).is_err());
    assert!(q("acr_values=AAL3_FIDO2").unwrap().apply_to(&fido).is_ok());
}

#[test]
fn step_up_raises_the_floor_to_aal3_but_never_lowers_it() {
    let aal2 = LoginOptions::default().acr_values(["AAL2_ANY"]);
    let up = LoginRoute::StepUp.floor(&aal2);
    assert_eq!(
        (up.acr_values.as_slice(), up.prompt),
        (["AAL3_ANY".to_owned()].as_slice(), Some(Prompt::Login))
    );
    let fido = LoginOptions::default().acr_values(["AAL3_FIDO2"]);
    assert_eq!(LoginRoute::StepUp.floor(&fido).acr_values, ["AAL3_FIDO2"]);
}

#[test]
fn session_view_members_are_the_documented_keys() {
    let mut user = SessionUserView::new("555");
    user.name = Some("A".into());
    let view = SessionView::active(user, SessionTimes::default());
    let json = serde_json::to_value(&view).unwrap();
    let names = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |k: Vec<&'static str>| {
        let mut k: Vec<String> = k.into_iter().map(str::to_owned).collect();
        k.sort();
        k
    };
    assert_eq!(
        names(&json),
        sorted(vec![keys::AUTHENTICATED, keys::USER, keys::SESSION])
    );
    assert_eq!(
        names(&json[keys::USER]),
        sorted(vec![
            keys::SUB,
            keys::NAME,
            keys::ROLES,
            keys::ORGANISATIONS,
            keys::SELECTED_ROLE,
            keys::SELECTED_ORGANISATION,
            keys::AAL,
            keys::ID_ASSURANCE_LEVEL,
            keys::ACR,
            keys::AMR,
        ])
    );
    assert_eq!(
        names(&json[keys::SESSION]),
        sorted(vec![
            keys::AUTH_TIME,
            keys::CREATED_AT,
            keys::LAST_SEEN,
            keys::EXPIRES_AT,
            keys::IDLE_EXPIRES_AT,
            keys::IDLE_TIMEOUT_SECS,
            keys::ABSOLUTE_TIMEOUT_SECS,
        ])
    );
    let ended = serde_json::to_value(SessionView::anonymous(Some(EndReason::IdleTimeout))).unwrap();
    assert_eq!(
        ended,
        serde_json::json!({ keys::AUTHENTICATED: false, keys::REASON: "idle_timeout" })
    );
    assert_eq!(serde_json::from_value::<SessionView>(json).unwrap(), view);
}

#[test]
fn decimal_digits() {
    for n in [0, 7, 10, 43485, u64::MAX] {
        assert_eq!(decimal(n), n.to_string());
    }
}
