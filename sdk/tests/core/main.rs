//! cis2-sdk's one integration-test binary (kanidm's rule: every extra file in `tests/` is another binary).
//! Test names carry the conformance-catalogue ids (`../shared/reference/conformance-catalogue.md`).
//! Every test here also runs on wasm32 under wasm-bindgen-test (see `.ci/run`).

#![allow(unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod support;

#[cfg(feature = "cis1")]
mod cis1;
#[cfg(all(feature = "cis1", not(target_arch = "wasm32")))]
mod cis1_properties;
mod client_flow;
mod client_secret_jwt;
mod discovery;
mod id_token;
mod jose_attacks;
mod jwks;
mod logout_token;
#[cfg(not(target_arch = "wasm32"))]
mod properties;
mod userinfo;
mod vectors;
