use super::*;

#[test]
fn reasons_pass_through_unchanged() {
    assert_eq!(parse_reason("admin").as_deref(), Some("admin"));
    assert_eq!(parse_reason("idle_timeout").as_deref(), Some("idle_timeout"));
    assert_eq!(parse_reason(""), None);
}

#[test]
fn inferred_reason_follows_deadlines() {
    assert_eq!(inferred_reason(100.0, Some(100.0), Some(200.0)), "expired");
    assert_eq!(inferred_reason(100.5, Some(200.0), Some(100.0)), "idle_timeout");
    assert_eq!(inferred_reason(100.0, Some(200.0), Some(150.0)), "signed_out");
    assert_eq!(inferred_reason(100.0, None, None), "signed_out");
    assert_eq!(inferred_reason(f64::NAN, Some(200.0), Some(150.0)), "signed_out");
}

#[test]
fn backoff_grows_exponentially_within_jitter_bounds() {
    let b = Backoff::default();
    for attempt in 0..6 {
        let ceiling = (1000.0 * 2f64.powi(attempt as i32)).min(30_000.0);
        assert_eq!(backoff_delay_ms(b, attempt, 0.0), ceiling / 2.0);
        let hi = backoff_delay_ms(b, attempt, 0.999_999);
        assert!(hi < ceiling && hi > ceiling * 0.99, "{attempt}: {hi}");
    }
    assert_eq!(backoff_delay_ms(b, 0, 0.5), 750.0);
    assert_eq!(backoff_delay_ms(b, 3, 0.0), 4_000.0);
}

#[test]
fn backoff_is_capped_and_safe() {
    let b = Backoff::default();
    assert_eq!(backoff_delay_ms(b, 5, 1.0), 30_000.0);
    assert_eq!(backoff_delay_ms(b, u32::MAX, 0.0), 15_000.0);
    assert_eq!(backoff_delay_ms(b, 2, f64::NAN), 3_000.0);
    assert_eq!(backoff_delay_ms(b, 2, 7.0), 4_000.0);
    let zero = Backoff {
        base_ms: 0.0,
        max_ms: 0.0,
    };
    assert_eq!(backoff_delay_ms(zero, 9, 0.5), 0.0);
    let negative = Backoff {
        base_ms: -5.0,
        max_ms: 100.0,
    };
    assert_eq!(backoff_delay_ms(negative, 1, 0.5), 0.0);
}
