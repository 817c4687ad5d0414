//! [`UserInfo`]: a CIS2 userinfo response, with its one-or-many role and organisation lists.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::claims::assurance::AssuranceLevel;
use crate::claims::roles::{NrbacRole, Organisation};

/// Professional registration ids (`professionalmemberships` scope).
pub const PROFESSIONAL_ID_CLAIMS: [&str; 8] = [
    "gmc_id",
    "gdc_id",
    "gmp_id",
    "nmc_id",
    "rcn_id",
    "gphc_id",
    "gdp_id",
    "consultant_id",
];

/// A CIS2 userinfo response (cis2.md §8.4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserInfo {
    /// Subject; must equal the ID token's.
    pub sub: String,
    /// `nhsid_useruid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhsid_useruid: Option<String>,
    /// `uid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `idassurancelevel` (userinfo spelling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idassurancelevel: Option<AssuranceLevel>,
    /// `selected_roleid`, when userinfo carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_roleid: Option<String>,
    /// National RBAC role profiles.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub nhsid_nrbac_roles: Vec<NrbacRole>,
    /// Organisations where the user holds a role.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub nhsid_user_orgs: Vec<Organisation>,
    /// Organisation roles.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub nhsid_org_roles: Vec<Organisation>,
    /// Professional memberships by organisation.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub nhsid_org_memberships: Vec<Organisation>,
    /// Everything else (profile extras, professional ids, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserInfo {
    /// Professional registration ids present (`gmc_id` → `GMC123`, …).
    pub fn professional_ids(&self) -> Vec<(&'static str, &str)> {
        PROFESSIONAL_ID_CLAIMS
            .iter()
            .filter_map(|k| self.extra.get(*k).and_then(Value::as_str).map(|v| (*k, v)))
            .collect()
    }
}

/// Deserialises one object or an array of them into a `Vec` (cis2.md §8.3: ForgeRock may send either).
fn one_or_many<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(serde::de::Error::custom))
            .collect(),
        v @ Value::Object(_) => Ok(vec![serde_json::from_value(v).map_err(serde::de::Error::custom)?]),
        _ => Err(serde::de::Error::custom(
            "expected an object or an array of objects",
        )),
    }
}
