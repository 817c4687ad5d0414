use super::*;

#[test]
fn dom_exception_names_map_to_codes() {
    assert_eq!(
        classify("NotAllowedError", 100.0, Some(60_000.0)),
        ErrorCode::Cancelled
    );
    assert_eq!(classify("NotAllowedError", 100.0, None), ErrorCode::Cancelled);
    assert_eq!(
        classify("NotAllowedError", 60_001.0, Some(60_000.0)),
        ErrorCode::TimedOut
    );
    assert_eq!(
        classify("NotAllowedError", 9_600.0, Some(10_000.0)),
        ErrorCode::TimedOut
    );
    assert_eq!(classify("TimeoutError", 0.0, None), ErrorCode::TimedOut);
    assert_eq!(classify("InvalidStateError", 0.0, None), ErrorCode::InvalidState);
    assert_eq!(classify("NotSupportedError", 0.0, None), ErrorCode::NotSupported);
    assert_eq!(classify("SecurityError", 0.0, None), ErrorCode::NotSupported);
    assert_eq!(classify("AbortError", 0.0, None), ErrorCode::Aborted);
    assert_eq!(classify("TypeError", 0.0, None), ErrorCode::InvalidOptions);
    assert_eq!(classify("UnknownError", 0.0, None), ErrorCode::WebAuthn);
    assert_eq!(ErrorCode::TimedOut.as_str(), "timed_out");
    assert_eq!(ErrorCode::InvalidState.as_str(), "invalid_state");
}
