//! National RBAC role profiles ([`NrbacRole`], [`RoleCode`]) and organisations ([`Organisation`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One national RBAC role profile (`nhsid_nrbac_roles` element, cis2.md §8.5).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NrbacRole {
    /// The role-profile UID that `selected_roleid` points at.
    pub person_roleid: String,
    /// The user's "organisation person" entry.
    #[serde(default)]
    pub person_orgid: String,
    /// ODS code of the organisation.
    #[serde(default)]
    pub org_code: String,
    /// `Sxxxx:Gxxxx:Rxxxx` job-role code.
    #[serde(default)]
    pub role_code: String,
    /// `"Category":"Subcategory":"Role"`.
    #[serde(default)]
    pub role_name: String,
    /// Activity names, parallel to `activity_codes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<String>,
    /// Activity B-codes (e.g. `B0420`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity_codes: Vec<String>,
    /// Workgroup names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workgroups: Vec<String>,
    /// Workgroup codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workgroups_codes: Vec<String>,
    /// Areas of work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aow: Vec<String>,
    /// Area-of-work codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aow_codes: Vec<String>,
    /// Members not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The parts of a `Sxxxx:Gxxxx:Rxxxx` job-role code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleCode<'a> {
    /// Staff group (`S8000`).
    pub staff_group: &'a str,
    /// Job group (`G8000`).
    pub job_group: &'a str,
    /// National RBAC job role (`R8001`).
    pub job_role: &'a str,
}

impl NrbacRole {
    /// Whether this role grants an activity (B-code such as `B0420`).
    pub fn has_activity(&self, code: &str) -> bool {
        grants_activity(&self.activity_codes, code)
    }

    /// The parts of `role_code`, when it has the `S:G:R` shape.
    pub fn role_code_parts(&self) -> Option<RoleCode<'_>> {
        RoleCode::parse(&self.role_code)
    }

    /// The national RBAC role code (`R8000`), if `role_code` has the usual shape.
    pub fn job_role(&self) -> Option<&str> {
        self.role_code_parts().map(|p| p.job_role)
    }

    /// The last segment of `role_name` without quotes (`Nurse Access Role`).
    pub fn role_title(&self) -> &str {
        role_title(&self.role_name)
    }
}

impl<'a> RoleCode<'a> {
    /// The parts of a job-role code, when it has the `S:G:R` shape. The same rule as
    /// [`NrbacRole::role_code_parts`], for callers that hold the code without a whole `NrbacRole` (the browser
    /// build, which keeps serde_json's `Value` out).
    pub fn parse(role_code: &'a str) -> Option<Self> {
        let mut it = role_code.split(':');
        match (it.next(), it.next(), it.next(), it.next()) {
            (Some(s), Some(g), Some(r), None)
                if s.starts_with('S') && g.starts_with('G') && r.starts_with('R') =>
            {
                Some(RoleCode {
                    staff_group: s,
                    job_group: g,
                    job_role: r,
                })
            }
            _ => None,
        }
    }
}

/// Whether a role's `activity_codes` grant an activity (B-code such as `B0420`): [`NrbacRole::has_activity`]
/// for callers that hold only the codes (the browser build).
pub fn grants_activity(activity_codes: &[String], code: &str) -> bool {
    activity_codes.iter().any(|c| c == code)
}

/// The last segment of a `role_name` without quotes (`Nurse Access Role`): [`NrbacRole::role_title`] for a
/// bare `role_name`.
pub fn role_title(role_name: &str) -> &str {
    role_name
        .rsplit(':')
        .next()
        .unwrap_or(role_name)
        .trim_matches('"')
}

/// An organisation entry (`nhsid_user_orgs`, `nhsid_org_roles`, `nhsid_org_memberships`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organisation {
    /// ODS code.
    pub org_code: String,
    /// Organisation name.
    #[serde(default)]
    pub org_name: String,
    /// The user's organisation-person entry, where sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_orgid: Option<String>,
    /// Members not modelled above (e.g. `gnc`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
