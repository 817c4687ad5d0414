//! Any JSON object as the claims of a correctly signed token: the claim checks behind the signature (types,
//! times, audiences, nonce, assurance levels, logout `events`/`sid`/`sub`) never panic, and an accepted ID
//! token always names this client and the configured issuer.
#![no_main]

use std::sync::OnceLock;

use cis2_fuzz::*;
use cis2_sdk::{Algorithm, IdTokenExpectations, JwkSet, SigningKey};
use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Map, Value};

fn key() -> &'static (SigningKey, JwkSet) {
    static KEY: OnceLock<(SigningKey, JwkSet)> = OnceLock::new();
    KEY.get_or_init(ec_key_and_jwks)
}

fuzz_target!(|data: &[u8]| {
    let Ok(claims) = serde_json::from_slice::<Map<String, Value>>(data) else {
        return;
    };
    let (key, jwks) = key();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let v = validator(&[Algorithm::RS256, Algorithm::ES256]);
    let n = nonce();
    if let Ok(token) = key.sign_jwt(None, &Map::new(), &claims, &mut rng) {
        if let Ok(c) = v.validate_id_token(&token, jwks, &IdTokenExpectations::new(&n), now()) {
            assert_eq!(c.iss, v.issuer().as_str());
            assert!(!c.sub.is_empty());
            assert_eq!(claims.get("nonce").and_then(Value::as_str), Some(NONCE));
        }
    }
    if let Ok(token) = key.sign_jwt(Some("logout+jwt"), &Map::new(), &claims, &mut rng) {
        if v.validate_logout_token(&token, jwks, now()).is_ok() {
            assert!(claims.get("nonce").is_none());
            assert!(claims.get("sid").is_some() || claims.get("sub").is_some());
        }
    }
});
