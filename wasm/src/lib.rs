//! The CIS2 browser SDK (npm package `cis2-browser`).
//!
//! This crate is being built; see its issue.
