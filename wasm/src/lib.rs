//! # cis2-wasm: the CIS2 browser SDK (npm package `cis2-browser`)
//!
//! A thin wasm-bindgen wrapper over `cis2-sdk` (claims and ACR rules, no crypto) for front ends whose backend
//! runs `cis2-server`: sign-in/role change/step-up navigations, sign-out, the live session with cross-tab
//! session-end events and idle warnings, smartcard-bridge discovery and card events, and WebAuthn ceremonies
//! with JSON in and out. Tokens never reach the browser; nothing is written to Web Storage or IndexedDB.
//!
//! Every export has a camelCase JS name; errors are `Cis2Error` (a JS `Error` subclass) with a stable `code`.
//! See `README.md` for the JS API and `docs/src/bff-protocol.md` for the backend contract.

mod base64url;
mod bridge;
mod broadcast;
mod claims;
mod client;
mod clock;
mod error;
mod events;
mod fetch;
mod idle;
mod js;
mod port_service;
mod session;
mod task;
mod text;
mod typescript;
mod webauthn;

use wasm_bindgen::prelude::*;

/// The browser build's allocator (feature `small-allocator`, on by default): smaller than std's dlmalloc, and
/// safe to declare (`LockedAllocator` is `Sync` without an `unsafe` promise; the wasm build is single-threaded,
/// so its spin lock never spins).
#[cfg(all(target_arch = "wasm32", feature = "small-allocator"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

pub use bridge::{discover_bridge, subscribe_card_events};
pub use claims::{SessionUser, acr_level};
pub use client::Cis2Browser;
pub use session::parse_session_js;
pub use webauthn::{
    assertion_to_json, create_credential, creation_options_from_json, get_assertion,
    is_conditional_mediation_available, is_webauthn_supported, registration_to_json,
    request_options_from_json,
};

/// The package version with the git commit it was built from, when the build knew it (`0.1.0+1a2b3c4`).
#[wasm_bindgen(js_name = getVersion)]
pub fn get_version() -> String {
    match option_env!("CIS2_GIT_SHA") {
        Some(sha) if !sha.is_empty() => text::cat(&[env!("CARGO_PKG_VERSION"), "+", sha]),
        _ => env!("CARGO_PKG_VERSION").to_owned(),
    }
}
