//! Any bytes as a JWKS document: parsing never panics; every kept key can be selected by its kid.
#![no_main]

use cis2_sdk::JwkSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = JwkSet::parse(data) {
        for k in set.keys() {
            if let (Some(kid), Some(alg)) = (k.kid(), k.alg()) {
                assert!(set.knows_kid(kid));
                let _ = set.select(alg, Some(kid));
            }
            let _ = k.thumbprint();
        }
        let _ = set.to_json();
    }
});
