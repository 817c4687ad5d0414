use super::*;

#[test]
fn accepts_same_origin_paths() {
    for ok in ["/", "/app", "/app/patients?id=1&x=%2F%2F#top", "/a//b", "/é"] {
        assert_eq!(validate_return_to(ok), Ok(ok), "{ok}");
    }
}

#[test]
fn refuses_other_origins_and_tricks() {
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
    ];
    for (input, want) in cases {
        assert_eq!(validate_return_to(input), Err(want), "{input:?}");
    }
}

#[test]
fn refuses_overlong() {
    let long = format!("/{}", "a".repeat(MAX_RETURN_TO_LEN));
    assert_eq!(validate_return_to(&long), Err(ReturnToError::TooLong));
    let max = format!("/{}", "a".repeat(MAX_RETURN_TO_LEN - 1));
    assert!(validate_return_to(&max).is_ok());
}
