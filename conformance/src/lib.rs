//! The CIS2 conformance suite for relying parties.
//!
//! This crate is being built; see its issue.
