//! [`Cis1Settings`] and the cut-over switch [`Cutover`]: configuration only, no I/O.

use std::collections::BTreeSet;
use std::sync::RwLock;
use std::time::Duration;

use cis2_sdk::cis1::{AssertionExpectations, Cis1Mapping};

/// Dual-run settings: the SSB, the re-check interval, the CIS1 → CIS2 mapping and the cut-over switch.
///
/// ```
/// # use std::time::Duration;
/// use cis2_server::{Cis1Settings, Cutover};
/// let cis1 = Cis1Settings::new("https://sbapi.nis1.national.ncrs.nhs.uk")
///     .recheck_every(Duration::from_secs(300))
///     .cutover(Cutover::organisations(["RBA"]).and_users(["555000000001"]));
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Cis1Settings {
    pub(crate) ssb_base_url: String,
    pub(crate) recheck_every: Duration,
    pub(crate) cutover: Cutover,
    pub(crate) mapping: Cis1Mapping,
    pub(crate) leeway: Duration,
}

impl Cis1Settings {
    /// The SSB's origin (`https://sbapi.nis1.national.ncrs.nhs.uk`; a mock's `http://` origin in tests). Checked
    /// at [`crate::Cis2AuthBuilder::build`]. Re-check every 5 minutes, no cut-over, the default mapping.
    pub fn new(ssb_base_url: impl Into<String>) -> Self {
        Self {
            ssb_base_url: ssb_base_url.into(),
            recheck_every: Self::DEFAULT_RECHECK,
            cutover: Cutover::off(),
            mapping: Cis1Mapping::default(),
            leeway: AssertionExpectations::DEFAULT_LEEWAY,
        }
    }

    /// The default re-check interval: 5 minutes.
    pub const DEFAULT_RECHECK: Duration = Duration::from_secs(300);

    /// How long a CIS1 session is trusted before its ticket is checked with the SSB again (default 5 min, at
    /// least 1 s). The CIS1 session's end (logout, card removal, expiry) is noticed within this interval.
    pub fn recheck_every(mut self, d: Duration) -> Self {
        self.recheck_every = d.max(Duration::from_secs(1));
        self
    }

    /// The cut-over switch at start-up (default [`Cutover::off`]); [`crate::Cis2Auth::set_cutover`] changes it
    /// while running.
    pub fn cutover(mut self, cutover: Cutover) -> Self {
        self.cutover = cutover;
        self
    }

    /// The CIS1 → CIS2 mapping (its [I] and [?] rows overridden; default [`Cis1Mapping::default`]).
    pub fn mapping(mut self, mapping: Cis1Mapping) -> Self {
        self.mapping = mapping;
        self
    }

    /// Clock skew allowed on the RoleAssertion's Conditions window (default 30 s).
    pub fn leeway(mut self, d: Duration) -> Self {
        self.leeway = d;
        self
    }
}

/// Who has moved to CIS2. A CIS1 ticket of a user it covers is refused with a redirect to CIS2 sign-in.
/// Organisations (ODS codes, compared without case) match the organisation of the role the user selected at
/// PIN entry; users match the CIS1/CIS2 uid. Rules add up: `Cutover::organisations(["RBA"]).and_users([uid])`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cutover {
    everyone: bool,
    organisations: BTreeSet<String>,
    users: BTreeSet<String>,
}

/// Why the [`Cutover`] sends a user to CIS2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CutoverRule {
    /// Everyone is on CIS2.
    Everyone,
    /// The selected role's organisation has moved.
    Organisation,
    /// The user has moved.
    User,
}

impl CutoverRule {
    /// `"everyone"`, `"organisation"` or `"user"` (the `rule` field of the log event).
    pub const fn as_str(self) -> &'static str {
        match self {
            CutoverRule::Everyone => "everyone",
            CutoverRule::Organisation => "organisation",
            CutoverRule::User => "user",
        }
    }
}

impl Cutover {
    /// CIS1 allowed for everyone.
    pub fn off() -> Self {
        Self::default()
    }

    /// Everyone on CIS2: every CIS1 ticket is refused with a redirect to CIS2 sign-in.
    pub fn everyone() -> Self {
        Self {
            everyone: true,
            ..Self::default()
        }
    }

    /// These organisations (ODS codes) on CIS2.
    pub fn organisations(codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::off().and_organisations(codes)
    }

    /// These users (uids) on CIS2.
    pub fn users(uids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::off().and_users(uids)
    }

    /// Also these organisations.
    pub fn and_organisations(mut self, codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.organisations
            .extend(codes.into_iter().map(|c| c.into().trim().to_ascii_uppercase()));
        self
    }

    /// Also these users.
    pub fn and_users(mut self, uids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.users.extend(codes_trimmed(uids.into_iter().map(Into::into)));
        self
    }

    /// Whether the switch is off (CIS1 allowed for everyone).
    pub fn is_off(&self) -> bool {
        !self.everyone && self.organisations.is_empty() && self.users.is_empty()
    }

    /// Whether user `uid`, signed in for organisation `org_code` (the selected role's), must use CIS2, and
    /// by which rule; `None`: CIS1 is allowed.
    pub fn requires_cis2(&self, uid: &str, org_code: Option<&str>) -> Option<CutoverRule> {
        if self.everyone {
            return Some(CutoverRule::Everyone);
        }
        if self.users.contains(uid.trim()) {
            return Some(CutoverRule::User);
        }
        let org = org_code.map(|o| o.trim().to_ascii_uppercase());
        match org {
            Some(o) if !o.is_empty() && self.organisations.contains(&o) => Some(CutoverRule::Organisation),
            _ => None,
        }
    }
}

fn codes_trimmed(values: impl Iterator<Item = String>) -> impl Iterator<Item = String> {
    values.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The dual-run state a built kit keeps: the settings and the switch, changeable while running.
#[derive(Debug)]
pub(crate) struct Cis1Runtime {
    pub(crate) settings: Cis1Settings,
    pub(crate) cutover: RwLock<Cutover>,
}

impl Cis1Runtime {
    pub(crate) fn new(settings: Cis1Settings) -> Self {
        let cutover = RwLock::new(settings.cutover.clone());
        Self { settings, cutover }
    }

    pub(crate) fn cutover(&self) -> Cutover {
        self.cutover
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_cutover(&self, c: Cutover) {
        *self
            .cutover
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutover_rules() {
        assert_eq!(Cutover::off().requires_cis2("1", Some("RBA")), None);
        assert!(Cutover::off().is_off());
        assert_eq!(
            Cutover::everyone().requires_cis2("1", None),
            Some(CutoverRule::Everyone)
        );
        let c = Cutover::organisations(["rba "]).and_users(["555"]);
        assert_eq!(c.requires_cis2("1", Some("RBA")), Some(CutoverRule::Organisation));
        assert_eq!(c.requires_cis2("1", Some("rba")), Some(CutoverRule::Organisation));
        assert_eq!(c.requires_cis2("1", Some("X09")), None);
        assert_eq!(c.requires_cis2("1", None), None);
        assert_eq!(c.requires_cis2("555", Some("X09")), Some(CutoverRule::User));
        assert_eq!(Cutover::users([" "]), Cutover::off());
    }
}
