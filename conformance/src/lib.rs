//! # cis2-conformance
//!
//! The CIS2 conformance suite for relying parties (RPs) written in any language: it embeds `cis2-mock-idp`,
//! registers the RP as a client, drives it through scenarios with a cookie-jar user agent, and proves each
//! verdict with evidence (a control sign-in that works, then the faulty journey's probe result and the IdP's
//! own log of what the RP called).

pub mod model;
pub mod report;
