//! The mock IdP's one integration-test binary: each module drives an in-process mock on 127.0.0.1:0 over
//! HTTP, and the sdk's relying-party client is the judge of what it issues.

// Helpers outside `#[test]` functions fail loudly on purpose, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acr;
mod admin_security;
mod auto_login;
mod bridge;
mod cis1;
mod cis1_interop;
mod claim_shapes;
mod client_auth;
mod common;
mod connection_manager;
mod faults;
mod flow;
mod hardening;
mod ia;
mod introspection;
mod logout;
mod negative;
mod observe;
mod openapi;
mod realms;
mod restart;
mod sessions;
mod tls;
mod webauthn;
