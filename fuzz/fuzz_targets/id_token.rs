//! Any string as an ID token or a logout token (compact JWS parsing, header, base64url, JSON, algorithm
//! policy, signature): never a panic, and nothing but the stored good vectors may validate.
#![no_main]

use cis2_fuzz::*;
use cis2_sdk::{Algorithm, IdTokenExpectations};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let v = validator(&[Algorithm::RS256]);
    let jwks = jwks();
    let n = nonce();
    if v.validate_id_token(token, &jwks, &IdTokenExpectations::new(&n), now())
        .is_ok()
    {
        // Only the stored good vector (byte for byte, whitespace aside) is signed by key A for this client.
        assert_eq!(
            token.trim(),
            include_str!("../../sdk/testdata/id-token-good.jwt").trim()
        );
    }
    if v.validate_logout_token(token, &jwks, now()).is_ok() {
        assert_eq!(
            token.trim(),
            include_str!("../../sdk/testdata/logout-token-good.jwt").trim()
        );
    }
    let _ = cis2_sdk::dangerous::insecure_decode(token);
});
