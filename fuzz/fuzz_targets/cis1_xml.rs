//! Any bytes as a CIS1 GAS validate response or SSB RoleAssertion: the strict XML reading (DOCTYPE and
//! entities refused, size and depth capped) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cis2_sdk::cis1::parse_gas_validate(data);
    if let Ok(ra) = cis2_sdk::cis1::parse_role_assertion(data) {
        let _ = ra.status.is_success();
    }
});
