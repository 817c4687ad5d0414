use super::*;

fn t(s: u64) -> UnixTime {
    UnixTime::from_secs(1_000_000 + s)
}

const LIMITS: PendingLimits = PendingLimits {
    per_browser: 3,
    total: 5,
};

#[test]
fn a_browser_keeps_its_newest_logins_only() {
    let mut p = PendingLogins::default();
    for i in 0..5 {
        p.put(&format!("k{i}"), "b1", format!("v{i}"), t(i), t(600), LIMITS);
    }
    assert_eq!(p.len(), 3);
    assert_eq!(p.take("k0", t(10)), None, "the oldest went first");
    assert_eq!(p.take("k1", t(10)), None);
    assert_eq!(p.take("k4", t(10)).as_deref(), Some("v4"));
    assert_eq!(p.take("k4", t(10)), None, "taken once");
}

#[test]
fn the_total_is_bounded_across_browsers_oldest_first() {
    let mut p = PendingLogins::default();
    for i in 0..100 {
        p.put(
            &format!("k{i}"),
            &format!("b{i}"),
            "v".into(),
            t(i),
            t(600),
            LIMITS,
        );
        assert!(p.len() <= 5);
    }
    assert_eq!(p.len(), 5);
    assert!(p.take("k94", t(200)).is_none());
    assert!(p.take("k95", t(200)).is_some());
    assert!(p.by_browser.len() <= 5, "no index entries left behind");
    assert_eq!(p.order.len(), p.entries.len());
}

#[test]
fn expired_entries_are_dropped_and_never_returned() {
    let mut p = PendingLogins::default();
    p.put("a", "b1", "v".into(), t(0), t(10), LIMITS);
    assert_eq!(p.take("a", t(10)), None);
    p.put("b", "b1", "v".into(), t(0), t(10), LIMITS);
    p.put("c", "b2", "v".into(), t(20), t(30), LIMITS);
    assert_eq!(p.len(), 1, "b expired before c came");
    p.put("d", "b3", "v".into(), t(40), t(50), LIMITS);
    p.sweep(t(60));
    assert_eq!(p.len(), 0);
    assert!(p.by_browser.is_empty() && p.order.is_empty());
}

#[test]
fn the_same_key_replaces_its_entry() {
    let mut p = PendingLogins::default();
    p.put("a", "b1", "v1".into(), t(0), t(600), LIMITS);
    p.put("a", "b1", "v2".into(), t(1), t(600), LIMITS);
    assert_eq!(p.len(), 1);
    assert_eq!(p.take("a", t(2)).as_deref(), Some("v2"));
}
