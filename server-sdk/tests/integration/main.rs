//! Integration tests for cis2-server against an in-test fake OpenID provider (`fake_op`), against cis2-mock-idp
//! running in-process (`with_mock_idp`), and two RP instances sharing a real redis-server. Test names carry the
//! conformance-catalogue ids they cover.

// Test-only items are `pub` for the sibling modules of this one binary.
#![allow(unreachable_pub)]
// Helpers outside #[test] fns are test code too (clippy.toml's allow-*-in-tests covers only the fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backchannel;
#[cfg(feature = "cis1")]
mod dual_run;
mod fake_op;
mod harness;
mod keys;
mod login;
mod logout;
mod pending_limits;
mod redis_instances;
mod sessions;
mod with_mock_idp;
