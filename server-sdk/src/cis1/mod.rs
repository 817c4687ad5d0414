//! Dual-run with CIS1 (feature `cis1`): an app accepts Identity Agent tickets beside CIS2 sign-ins while its
//! users move, and a cut-over switch decides who must use CIS2 (issue #13 §3; the guide is
//! `docs/src/dual-run.md`).
//!
//! - [`Cis1Settings`] (builder [`crate::Cis2AuthBuilder::cis1`]): where the SSB is, how often a CIS1 session is
//!   re-checked, the mapping into the CIS2 user model, and the [`Cutover`].
//! - `GET|POST {mount}/cis1` (`ticket`, `return_to`): the ticket is checked through the SSB RoleAssertion (every
//!   rule is `cis2_sdk::cis1`'s), mapped to the same [`cis2_sdk::Cis2User`] a CIS2 sign-in gives, and the same
//!   session cookie is set; the session says [`crate::SignInPath::Cis1`].
//! - On use after `recheck_every`, the RoleAssertion is fetched again; a refusal (logout, card removal,
//!   expiry) ends the session with `backchannel_logout`.

mod check;
pub(crate) mod settings;

pub(crate) use check::Cis1Outcome;
pub use settings::{Cis1Settings, Cutover, CutoverRule};
