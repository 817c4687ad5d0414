use super::*;

#[test]
fn skew_ignores_date_header_precision() {
    assert_eq!(clock_skew_ms(None, 1_000_000.0), 0.0);
    assert_eq!(clock_skew_ms(Some(1_001_500.0), 1_000_000.0), 0.0);
    assert_eq!(clock_skew_ms(Some(1_010_000.0), 1_000_000.0), 10_000.0);
    assert_eq!(clock_skew_ms(Some(990_000.0), 1_000_000.0), -10_000.0);
    assert_eq!(clock_skew_ms(Some(f64::NAN), 1_000_000.0), 0.0);
}

#[test]
fn warning_is_due_before_the_deadline() {
    // Server deadline 1800 s after epoch-second 1_700_000_000; server clock 10 s ahead of ours.
    let deadline = local_deadline_ms(1_700_001_800.0, 10_000.0);
    assert_eq!(deadline, 1_700_001_790_000.0);
    let now = 1_700_000_000_000.0;
    assert_eq!(
        warning_delay_ms(deadline, 120.0, now),
        (1_790.0 - 120.0) * 1_000.0
    );
    // Already inside the warning window: due now.
    assert_eq!(warning_delay_ms(deadline, 120.0, deadline - 5_000.0), 0.0);
    assert_eq!(warning_delay_ms(deadline, -5.0, deadline - 5_000.0), 5_000.0);
    assert_eq!(seconds_left(deadline, deadline - 119_500.0), 120.0);
    assert_eq!(seconds_left(deadline, deadline + 1.0), 0.0);
}
