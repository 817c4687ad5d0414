//! Any query string at `/auth/callback` and `/auth/login`: never a panic; an accepted callback holds only the
//! parameters a code-flow response carries; an accepted login query never weakens the configured floor.
#![no_main]

use cis2_sdk::bff::LoginQuery;
use cis2_sdk::{Callback, LoginOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cb) = Callback::parse(query) {
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let name = part.split('=').next().unwrap_or_default();
            assert!(!matches!(name, "id_token" | "access_token" | "token_type"));
        }
        let _ = cb;
    }
    if let Ok(q) = LoginQuery::parse(query) {
        let floor = LoginOptions::default();
        let _ = q.apply_to(&floor);
        let _ = q.to_query();
    }
});
