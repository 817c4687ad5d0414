//! The CIS2 conformance suite for relying parties (planned).
//!
//! Not built yet: today each crate carries the conformance-catalogue cases it owns as named tests (see
//! `docs/src/conformance.md`). This crate will embed `cis2-mock-idp` and drive a supplier's RP through them.
