//! Property tests: arbitrary input never panics the parsers (catalogue FUZ-01, FUZ-03, FUZ-06, FUZ-09).

use crate::support::*;
use cis2_sdk::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn fuz_01_arbitrary_bytes_as_a_token(s in ".{0,400}") {
        let v = validator();
        prop_assert!(v.validate_id_token(&s, &jwks_a(), &IdTokenExpectations::new(&nonce()), now()).is_err());
        prop_assert!(v.validate_logout_token(&s, &jwks_a(), now()).is_err());
        let _ = dangerous::insecure_decode(&s);
    }

    #[test]
    fn fuz_01_token_shaped_input(h in "[A-Za-z0-9_-]{0,60}", p in "[A-Za-z0-9_-]{0,200}", s in "[A-Za-z0-9_-]{0,80}") {
        let t = format!("{h}.{p}.{s}");
        prop_assert!(validator().validate_id_token(&t, &jwks_a(), &IdTokenExpectations::new(&nonce()), now()).is_err());
    }

    #[test]
    fn fuz_01_mutated_valid_token_never_panics(pos in 0usize..2000, byte in any::<u8>()) {
        let mut t = sign(&key_a(), None, &id_claims()).into_bytes();
        let i = pos % t.len();
        let changed = t[i] != byte;
        t[i] = byte;
        if let Ok(s) = String::from_utf8(t) {
            let r = validator().validate_id_token(&s, &jwks_a(), &IdTokenExpectations::new(&nonce()), now());
            // Any change to a signed token invalidates it (base64url has no spare bits we accept).
            if changed { prop_assert!(r.is_err()); }
        }
    }

    #[test]
    fn fuz_03_arbitrary_jwks_and_discovery(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = JwkSet::parse(&b);
        let resp = http_types::Response::builder().status(200).header("content-type", "application/json").body(b.clone()).unwrap();
        let _ = ProviderMetadata::from_response(&issuer(), &resp, &[Algorithm::RS256]);
        let _ = jwks_from_response(&resp);
    }

    #[test]
    fn fuz_03_json_shaped_jwks(kty in "(RSA|EC|oct|OKP|)", n in "[A-Za-z0-9_-]{0,400}", e in "[A-Za-z0-9_-]{0,8}", kid in ".{0,30}") {
        let doc = serde_json::json!({"keys": [{"kty": kty, "n": n, "e": e, "x": n, "y": e, "crv": "P-256", "kid": kid}]});
        let _ = JwkSet::parse(doc.to_string().as_bytes());
    }

    #[test]
    fn fuz_06_callback_and_logout_bodies(q in ".{0,300}") {
        let _ = Callback::parse(&q);
        let _ = backchannel_logout_token("POST", Some("application/x-www-form-urlencoded"), q.as_bytes());
    }

    #[test]
    fn fuz_06_logout_token_in_arbitrary_form(t in "[A-Za-z0-9_.-]{0,300}") {
        let body = format!("logout_token={t}&x=1");
        let token = backchannel_logout_token("POST", Some("application/x-www-form-urlencoded"), body.as_bytes());
        if let Ok(token) = token {
            prop_assert!(validator().validate_logout_token(&token, &jwks_a(), now()).is_err());
        }
    }

    #[test]
    fn fuz_09_base64url_round_trip(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let s = b64url_encode(&b);
        prop_assert!(!s.contains('=') && !s.contains('+') && !s.contains('/'));
        prop_assert_eq!(b64url_decode(&s).unwrap(), b);
        let padded = format!("{}=", s);
        prop_assert!(b64url_decode(&padded).is_err());
    }

    #[test]
    fn fuz_09_non_canonical_base64url_is_refused(s in "[A-Za-z0-9_-]{1,40}[+/=]") {
        prop_assert!(b64url_decode(&s).is_err());
    }
}
