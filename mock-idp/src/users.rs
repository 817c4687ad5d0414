//! Test users and their role profiles, and the builders the seeds (`crate::seeds`, `crate::seed_shapes`) use.

use cis2_sdk::{NrbacRole, Organisation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::authenticators::AuthMethod;

/// Default password of seeded users.
pub const DEFAULT_PASSWORD: &str = "password";
/// Default virtual smartcard passcode of seeded users.
pub const DEFAULT_PASSCODE: &str = "1234";
/// Default TOTP secret of seeded users (the RFC 6238 test secret); codes come from
/// [`crate::authenticators::totp`].
pub const DEFAULT_TOTP_SECRET: &str = "12345678901234567890";

/// A test user. `uid` is `sub`, `uid` and `nhsid_useruid`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The 12-digit CIS UUID.
    pub uid: String,
    /// Login name for the password methods (the uid also works).
    #[serde(default)]
    pub username: String,
    /// Password (password and TOTP methods).
    #[serde(default = "default_password")]
    pub password: String,
    /// Virtual smartcard passcode.
    #[serde(default = "default_passcode")]
    pub passcode: String,
    /// TOTP secret (its bytes are the HMAC key).
    #[serde(default = "default_totp")]
    pub totp_secret: String,
    /// Authenticators this user has; the strongest decides the user's AAL.
    #[serde(default = "all_methods")]
    pub authenticators: Vec<AuthMethod>,
    /// Identity assurance level (`id_assurance_level`, `idassurancelevel`).
    #[serde(default = "three")]
    pub id_assurance_level: u8,
    /// Short description shown on the login page.
    #[serde(default)]
    pub description: String,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `given_name`.
    #[serde(default)]
    pub given_name: String,
    /// `family_name`.
    #[serde(default)]
    pub family_name: String,
    /// `middle_names`.
    #[serde(default)]
    pub middle_names: Option<String>,
    /// `email`.
    #[serde(default)]
    pub email: Option<String>,
    /// `nhsid_nrbac_roles`.
    #[serde(default)]
    pub roles: Vec<NrbacRole>,
    /// `nhsid_user_orgs` (and `nhsid_org_roles`).
    #[serde(default)]
    pub orgs: Vec<Organisation>,
    /// `nhsid_org_memberships`.
    #[serde(default)]
    pub org_memberships: Vec<Organisation>,
    /// Professional registration ids (`gmc_id`, …).
    #[serde(default)]
    pub professional_ids: Map<String, Value>,
    /// Send this user's one-element role and organisation lists as a single object instead of an array
    /// (cis2.md §8.3, \[I\]), whatever the client's `quirks` say.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub single_object_lists: bool,
}

fn default_password() -> String {
    DEFAULT_PASSWORD.to_owned()
}
fn default_passcode() -> String {
    DEFAULT_PASSCODE.to_owned()
}
fn default_totp() -> String {
    DEFAULT_TOTP_SECRET.to_owned()
}
fn all_methods() -> Vec<AuthMethod> {
    AuthMethod::ALL.to_vec()
}
fn three() -> u8 {
    3
}

impl User {
    /// A user with every authenticator, IAL3, the default credentials, no roles. Set the rest on the result.
    pub fn new(
        uid: impl Into<String>,
        given_name: impl Into<String>,
        family_name: impl Into<String>,
    ) -> Self {
        Self {
            uid: uid.into(),
            username: String::new(),
            password: default_password(),
            passcode: default_passcode(),
            totp_secret: default_totp(),
            authenticators: all_methods(),
            id_assurance_level: 3,
            description: String::new(),
            title: None,
            given_name: given_name.into(),
            family_name: family_name.into(),
            middle_names: None,
            email: None,
            roles: Vec::new(),
            orgs: Vec::new(),
            org_memberships: Vec::new(),
            professional_ids: Map::new(),
            single_object_lists: false,
        }
    }

    /// The full name (`name`).
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
            .trim()
            .to_owned()
    }

    /// The highest AAL any of the user's authenticators reaches.
    pub fn max_aal(&self) -> u8 {
        self.authenticators.iter().map(|m| m.aal()).max().unwrap_or(0)
    }

    /// Whether the user has this authenticator.
    pub fn has(&self, m: AuthMethod) -> bool {
        self.authenticators.contains(&m)
    }

    /// The role with this `person_roleid`.
    pub fn role(&self, person_roleid: &str) -> Option<&NrbacRole> {
        self.roles.iter().find(|r| r.person_roleid == person_roleid)
    }

    /// Checks fields an admin may get wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.uid.is_empty()
            || !self
                .uid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("uid must be non-empty letters, digits, '-' or '_'".into());
        }
        if !(1..=3).contains(&self.id_assurance_level) {
            return Err("id_assurance_level must be 1, 2 or 3".into());
        }
        if self.roles.iter().any(|r| r.person_roleid.is_empty()) {
            return Err("every role needs a person_roleid".into());
        }
        Ok(())
    }

    /// The stricter check of users created or replaced through the admin API: `uid`, every role's
    /// `person_roleid` and (when set) `person_orgid` are 12-digit CIS UIDs (cis2.md §8.3, §8.5).
    pub fn check_uids(&self) -> Result<(), String> {
        check_uid("uid", &self.uid)?;
        for r in &self.roles {
            check_role_uids(r)?;
        }
        Ok(())
    }
}

/// Whether `v` is a 12-digit CIS UID; the error names `field`.
fn check_uid(field: &str, v: &str) -> Result<(), String> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("{field} must be a 12-digit UID, got {v:?}"))
    }
}

/// A role's `person_roleid` (always) and `person_orgid` (when set) are 12-digit UIDs.
pub(crate) fn check_role_uids(r: &NrbacRole) -> Result<(), String> {
    check_uid("person_roleid", &r.person_roleid)?;
    if !r.person_orgid.is_empty() {
        check_uid("person_orgid", &r.person_orgid)?;
    }
    Ok(())
}

/// Builds a role profile.
pub fn role(
    person_roleid: &str,
    person_orgid: &str,
    org_code: &str,
    role_code: &str,
    role_name: &str,
) -> NrbacRole {
    let mut r = NrbacRole::default();
    r.person_roleid = person_roleid.to_owned();
    r.person_orgid = person_orgid.to_owned();
    r.org_code = org_code.to_owned();
    r.role_code = role_code.to_owned();
    r.role_name = role_name.to_owned();
    r
}

pub(crate) fn with_activities(mut r: NrbacRole, acts: &[(&str, &str)]) -> NrbacRole {
    r.activities = acts.iter().map(|(n, _)| (*n).to_owned()).collect();
    r.activity_codes = acts.iter().map(|(_, c)| (*c).to_owned()).collect();
    r
}

/// Builds an organisation entry.
pub fn org(org_code: &str, org_name: &str, person_orgid: Option<&str>) -> Organisation {
    let mut o = Organisation::default();
    o.org_code = org_code.to_owned();
    o.org_name = org_name.to_owned();
    o.person_orgid = person_orgid.map(str::to_owned);
    o
}

pub(crate) const GP_NAME: &str = "\"Clinical\":\"Clinical Provision\":\"General Medical Practitioner\"";
pub(crate) const CP_NAME: &str = "\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\"";
pub(crate) const ADMIN_NAME: &str =
    "\"Admin & Clerical\":\"Admin and Clerical\":\"Admin/Clinical Support Access Role\"";
pub(crate) const NURSE_NAME: &str = "\"Clinical\":\"Clinical Provision\":\"Nurse Access Role\"";
pub(crate) const RA_NAME: &str =
    "\"Admin & Clerical\":\"Management - A & C\":\"Registration Authority Manager\"";

#[allow(clippy::too_many_arguments)]
pub(crate) fn user(
    uid: &str,
    given: &str,
    family: &str,
    description: &str,
    methods: &[AuthMethod],
    roles: Vec<NrbacRole>,
    orgs: Vec<Organisation>,
) -> User {
    User {
        uid: uid.to_owned(),
        username: format!("{}.{}", given.to_lowercase(), family.to_lowercase()),
        password: default_password(),
        passcode: default_passcode(),
        totp_secret: default_totp(),
        authenticators: methods.to_vec(),
        id_assurance_level: 3,
        description: description.to_owned(),
        title: Some("Dr".to_owned()),
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        middle_names: None,
        email: Some(format!(
            "{}.{}@nhs.net",
            given.to_lowercase(),
            family.to_lowercase()
        )),
        org_memberships: orgs
            .iter()
            .map(|o| org(&o.org_code, &o.org_name, o.person_orgid.as_deref()))
            .collect(),
        roles,
        orgs,
        professional_ids: Map::new(),
        single_object_lists: false,
    }
}
