use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn t(s: u64) -> UnixTime {
    UnixTime::from_secs(1_000_000 + s)
}

#[test]
fn jwks_01_02_05_rel_01_refresh_cooldown_and_stale_limit() {
    let mut c: Cached<&str> = Cached::new(CachePolicy::JWKS);
    assert_eq!(c.action(t(0)), CacheAction::FetchNow);
    let tk = c.begin_fetch(t(0));
    assert!(c.complete(tk, "a", t(0)));
    assert_eq!(c.action(t(10)), CacheAction::UseCached);
    // Unknown kid: one refetch, then the cooldown holds.
    assert!(c.claim_refetch_on_miss(t(31)));
    let tk = c.begin_fetch(t(31));
    assert!(!c.may_refetch_on_miss(t(40)));
    c.fail(tk);
    // Stale but servable: refresh in the background.
    assert_eq!(c.action(t(400)), CacheAction::UseCachedAndRefresh);
    assert_eq!(c.get(t(3600)), Some(&"a"));
    // Past the stale limit: fail closed.
    assert_eq!(c.get(t(3601)), None);
    assert_eq!(c.action(t(3601)), CacheAction::FetchNow);
    let tk = c.begin_fetch(t(3601));
    c.fail(tk);
    assert_eq!(c.action(t(3605)), CacheAction::Unavailable);
    assert_eq!(c.action(t(3640)), CacheAction::FetchNow);
}

#[test]
fn jwks_03_an_older_fetch_never_overwrites_a_newer_one() {
    let mut c: Cached<&str> = Cached::new(CachePolicy::JWKS);
    let old = c.begin_fetch(t(0));
    let new = c.begin_fetch(t(1));
    assert!(c.complete(new, "new", t(2)));
    assert!(!c.complete(old, "old", t(3)));
    assert_eq!(c.get(t(3)), Some(&"new"));
}

#[test]
fn replace_keeps_the_cooldown_and_loses_to_later_fetches() {
    let mut c: Cached<&str> = Cached::new(CachePolicy::JWKS);
    let tk = c.begin_fetch(t(0));
    assert!(c.complete(tk, "a", t(0)));
    assert!(c.claim_refetch_on_miss(t(1)));
    c.replace("b", t(5));
    assert_eq!(c.get(t(5)), Some(&"b"));
    assert!(
        !c.may_refetch_on_miss(t(10)),
        "replace must not reset the cooldown window"
    );
    let tk = c.begin_fetch(t(40));
    assert!(c.complete(tk, "c", t(41)));
    assert_eq!(c.get(t(41)), Some(&"c"));
}

#[test]
fn cs_06_a_key_rotated_right_after_start_up_gets_its_refetch() {
    let mut c: Cached<&str> = Cached::new(CachePolicy::JWKS);
    let tk = c.begin_fetch(t(0));
    assert!(c.complete(tk, "a", t(0)));
    // The JWKS was fetched a second ago; a token names a new kid: one refetch is allowed.
    assert!(c.claim_refetch_on_miss(t(1)));
    let tk = c.begin_fetch(t(1));
    assert!(c.complete(tk, "b", t(1)));
    // Another unknown kid within the cooldown: no second refetch (JWKS-02).
    assert!(!c.claim_refetch_on_miss(t(5)));
    assert!(c.claim_refetch_on_miss(t(32)));
    // After a failed fetch, misses wait for the cooldown as well.
    let tk = c.begin_fetch(t(40));
    c.fail(tk);
    assert!(!c.may_refetch_on_miss(t(41)));
}
