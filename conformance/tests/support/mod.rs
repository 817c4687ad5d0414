//! Helpers shared by the conformance crate's integration tests.

pub(crate) mod defect_rp;
