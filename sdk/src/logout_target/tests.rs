use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const ISS: &str = "https://am.example:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare";

fn token(sub: Option<&str>, sid: Option<&str>, iat: u64) -> LogoutToken {
    LogoutToken {
        iss: ISS.into(),
        sub: sub.map(Into::into),
        sid: sid.map(Into::into),
        jti: "j1".into(),
        iat: UnixTime::from_secs(iat),
        exp: None,
        replay_window_end: UnixTime::from_secs(iat + 600),
    }
}

fn session<'a>(sub: &'a str, sid: Option<&'a str>, iat: u64) -> SessionFacts<'a> {
    SessionFacts::new(ISS, sub, sid, UnixTime::from_secs(iat))
}

#[test]
fn bcl_09_a_sid_token_ends_that_provider_session_only() {
    let t = token(Some("555"), Some("s1"), 1000);
    assert_eq!(t.target(), Some(LogoutTarget::Session { sid: "s1" }));
    assert!(t.ends(session("555", Some("s1"), 900)));
    assert!(
        !t.ends(session("555", Some("s2"), 900)),
        "another provider session"
    );
    assert!(!t.ends(session("666", Some("s1"), 900)), "sid of another user");
    assert!(!t.ends(session("555", None, 900)), "a session without sid");
    let sid_only = token(None, Some("s1"), 1000);
    assert!(sid_only.ends(session("555", Some("s1"), 900)));
}

#[test]
fn bcl_10_a_sub_token_ends_every_session_of_the_user() {
    let t = token(Some("555"), None, 1000);
    assert_eq!(t.target(), Some(LogoutTarget::Subject { sub: "555" }));
    assert!(t.ends(session("555", Some("s1"), 900)));
    assert!(t.ends(session("555", None, 1000)));
    assert!(!t.ends(session("666", None, 900)));
    assert_eq!(token(None, None, 1000).target(), None);
    assert!(!token(None, None, 1000).ends(session("555", None, 900)));
}

#[test]
fn a_logout_token_never_ends_a_sign_in_that_came_after_it() {
    // Issue #10: a valid sub-only token issued up to ~5 minutes before a new sign-in used to end it.
    let t = token(Some("555"), None, 1000);
    assert!(!t.ends(session("555", None, 1001)));
    assert!(!token(Some("555"), Some("s1"), 1000).ends(session("555", Some("s1"), 1300)));
}

#[test]
fn another_issuer_is_never_targeted() {
    let t = token(Some("555"), Some("s1"), 1000);
    let other = SessionFacts::new(
        "https://other.example",
        "555",
        Some("s1"),
        UnixTime::from_secs(900),
    );
    assert!(!t.ends(other));
}

#[test]
fn replay_keys_differ_by_jti_and_issuer_and_hide_both() {
    let a = token(Some("555"), None, 1000);
    let mut b = a.clone();
    b.jti = "j2".into();
    let mut c = a.clone();
    c.iss = "https://other.example".into();
    assert_ne!(a.replay_key(), b.replay_key());
    assert_ne!(a.replay_key(), c.replay_key());
    assert_eq!(a.replay_key(), a.clone().replay_key());
    assert!(!a.replay_key().contains("j1"));
}
