//! The axum relying-party kit for CIS2 (backend-for-frontend).
//!
//! This crate is being built; see its issue.
