//! A CIS2-faithful OpenID provider that runs offline.
//!
//! This crate is being built; see its issue.
