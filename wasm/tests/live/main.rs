//! Live browser tests: wasm-bindgen-test in headless Chromium against a running `cis2-server` and
//! `cis2-mock-idp`, both started by `cis2-wasm-live` (wasm/live-harness), which also serves this test page from
//! the relying party's own origin. Run with `scripts/wasm-live-test`; `cargo test --target wasm32-unknown-unknown`
//! alone skips this target (`test = false`), because without the harness there is nothing to talk to.
//!
//! Each test starts from a clean state (`live::reset`): no sessions at the mock or the RP, no auto-login armed,
//! Identity Agent card mode, bridge up.
#![cfg(target_arch = "wasm32")]
// clippy does not see `#[wasm_bindgen_test]` functions as tests, so allow-unwrap-in-tests does not reach them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

#[allow(
    dead_code,
    reason = "shared with the stubbed suite (tests/browser); this suite uses part of it"
)]
#[path = "../browser/support.rs"]
mod support;

mod live;

mod bridge;
mod session_end;
mod sign_in;
mod webauthn;
