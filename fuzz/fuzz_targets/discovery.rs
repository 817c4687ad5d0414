//! Any bytes as the discovery response for the CIS2 INT issuer: never a panic; an accepted document names
//! exactly the configured issuer.
#![no_main]

use cis2_sdk::{Algorithm, Environment, ProviderMetadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(issuer) = Environment::Integration.issuer() else {
        return;
    };
    let resp = cis2_sdk::http_types::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(data.to_vec());
    let Ok(resp) = resp else {
        return;
    };
    if let Ok(meta) = ProviderMetadata::from_response(&issuer, &resp, &[Algorithm::RS256]) {
        assert_eq!(meta.issuer.as_str(), issuer.as_str());
        let _ = meta.jwks_request();
    }
});
