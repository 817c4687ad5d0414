//! `cis2-conformance`: see the crate docs.

fn main() {}
