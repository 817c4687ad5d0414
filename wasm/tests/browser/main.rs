//! Browser tests: wasm-bindgen-test in headless Chromium (`scripts/wasm-test`). The backend, the event stream
//! and the Port Service are stubbed in the page (`fetch` and `EventSource` replaced by fakes from
//! `support.js`); end-to-end runs against cis2-server and the mock IdP live elsewhere.
#![cfg(target_arch = "wasm32")]
// clippy does not see `#[wasm_bindgen_test]` functions as tests, so allow-unwrap-in-tests does not reach them.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod support;

mod bridge;
mod client;
mod errors;
mod session;
mod storage;
mod webauthn;
