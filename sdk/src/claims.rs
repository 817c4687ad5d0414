//! The CIS2 claims model: ID-token claims, userinfo, national RBAC roles, organisations, assurance levels and
//! selected-role resolution. Shape quirks (levels as string or integer, one object or an array) are absorbed
//! here, once, on parsing; the mock IdP serialises the same types.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::time::UnixTime;

/// A NIST SP 800-63 assurance level as CIS2 sends it: `"3"` or `3` (cis2.md §8.3). Serialised as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssuranceLevel(pub u8);

impl Serialize for AssuranceLevel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl AssuranceLevel {
    /// A level from an integer: 1, 2 or 3 only.
    pub fn new(level: u8) -> Option<Self> {
        (1..=3).contains(&level).then_some(Self(level))
    }

    /// A level from CIS2's string form: exactly `"1"`, `"2"` or `"3"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1" | "2" | "3" => s.parse().ok().and_then(Self::new),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for AssuranceLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .and_then(AssuranceLevel::new)
                .ok_or_else(|| serde::de::Error::custom("assurance level must be 1, 2 or 3")),
            Value::String(s) => AssuranceLevel::parse(&s)
                .ok_or_else(|| serde::de::Error::custom("assurance level must be \"1\", \"2\" or \"3\"")),
            _ => Err(serde::de::Error::custom(
                "assurance level must be a string or an integer",
            )),
        }
    }
}

/// Parses an assurance level from a claim value (string or integer); `None` when it is neither.
pub(crate) fn assurance_level(v: &Value) -> Option<u8> {
    AssuranceLevel::deserialize(v).ok().map(|l| l.0)
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

/// `aud` as a string or an array of strings.
fn string_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(vec![s]),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(serde::de::Error::custom("aud members must be strings")),
            })
            .collect(),
        _ => Err(serde::de::Error::custom(
            "aud must be a string or an array of strings",
        )),
    }
}

fn aud_as_sent<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    match aud {
        [one] => s.serialize_str(one),
        many => many.serialize(s),
    }
}

/// The claims of a validated CIS2 ID token (OIDC Core §2 plus CIS2's own, cis2.md §8.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// Issuer, exactly as the token wrote it.
    pub iss: String,
    /// Subject: the user's 12-digit CIS UUID.
    pub sub: String,
    /// Audiences.
    #[serde(deserialize_with = "string_or_many", serialize_with = "aud_as_sent")]
    pub aud: Vec<String>,
    /// Authorized party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Expiry.
    pub exp: UnixTime,
    /// Issued at.
    pub iat: UnixTime,
    /// When the user last authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<UnixTime>,
    /// The login's nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Authentication context class (`AAL3_ANY`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Authentication methods (`["N3_SMARTCARD"]`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The CIS2 session id, for back-channel logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Identity assurance level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_assurance_level: Option<AssuranceLevel>,
    /// Authentication assurance level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_assurance_level: Option<AssuranceLevel>,
    /// The role profile chosen at sign-in (with the `selectedrole` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_roleid: Option<String>,
    /// `at_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// Claims not modelled above (ForgeRock's `auditTrackingId`, `tokenName`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IdTokenClaims {
    /// Claims with the required members set and every optional one empty (what a provider or a test fills in).
    pub fn new(iss: String, sub: String, aud: Vec<String>, exp: UnixTime, iat: UnixTime) -> Self {
        Self {
            iss,
            sub,
            aud,
            azp: None,
            exp,
            iat,
            auth_time: None,
            nonce: None,
            acr: None,
            amr: Vec::new(),
            sid: None,
            id_assurance_level: None,
            authentication_assurance_level: None,
            selected_roleid: None,
            at_hash: None,
            extra: Map::new(),
        }
    }

    /// Builds the claims from a payload whose registered claims [`crate::TokenValidator`] already checked, moving
    /// values out instead of re-walking them through serde (`#[serde(flatten)]` buffers everything; this is the
    /// hot path of every sign-in).
    pub(crate) fn from_checked_map(mut m: Map<String, Value>) -> Result<Self, crate::error::TokenError> {
        use crate::error::TokenError;
        fn string(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<String>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(TokenError::InvalidClaim {
                    claim: k,
                    expected: "a string",
                }),
            }
        }
        fn time(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<UnixTime>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(Value::Number(n)) => {
                    n.as_u64()
                        .map(|t| Some(UnixTime::from_secs(t)))
                        .ok_or(TokenError::InvalidClaim {
                            claim: k,
                            expected: "a non-negative integer NumericDate",
                        })
                }
                Some(_) => Err(TokenError::InvalidClaim {
                    claim: k,
                    expected: "a non-negative integer NumericDate",
                }),
            }
        }
        fn level(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<AssuranceLevel>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(v) => {
                    assurance_level(&v)
                        .map(|l| Some(AssuranceLevel(l)))
                        .ok_or(TokenError::InvalidClaim {
                            claim: k,
                            expected: "an assurance level 1-3",
                        })
                }
            }
        }
        let missing = |claim| TokenError::MissingClaim { claim };
        let aud = match m.remove("aud") {
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(TokenError::InvalidClaim {
                        claim: "aud",
                        expected: "strings",
                    }),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(missing("aud")),
        };
        let amr = match m.remove("amr") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(TokenError::InvalidClaim {
                        claim: "amr",
                        expected: "an array of strings",
                    }),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(TokenError::InvalidClaim {
                    claim: "amr",
                    expected: "an array of strings",
                });
            }
        };
        Ok(Self {
            iss: string(&mut m, "iss")?.ok_or(missing("iss"))?,
            sub: string(&mut m, "sub")?.ok_or(missing("sub"))?,
            aud,
            azp: string(&mut m, "azp")?,
            exp: time(&mut m, "exp")?.ok_or(missing("exp"))?,
            iat: time(&mut m, "iat")?.ok_or(missing("iat"))?,
            auth_time: time(&mut m, "auth_time")?,
            nonce: string(&mut m, "nonce")?,
            acr: string(&mut m, "acr")?,
            amr,
            sid: string(&mut m, "sid")?,
            id_assurance_level: level(&mut m, "id_assurance_level")?,
            authentication_assurance_level: level(&mut m, "authentication_assurance_level")?,
            selected_roleid: string(&mut m, "selected_roleid")?,
            at_hash: string(&mut m, "at_hash")?,
            extra: m,
        })
    }
}

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

/// The outcome of resolving the selected role (cis2.md §8.7).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RoleSelection<'a> {
    /// `selected_roleid` names one of the user's roles.
    Selected {
        /// The role.
        role: &'a NrbacRole,
        /// Its organisation, from `nhsid_user_orgs`, when listed there.
        organisation: Option<&'a Organisation>,
    },
    /// The user has no roles at all.
    NoRoles,
    /// No role was selected (no `selected_roleid` in the ID token or userinfo).
    NotSelected,
    /// `selected_roleid` names a role the user's role list does not contain.
    UnknownRole {
        /// The id that was sent.
        selected_roleid: &'a str,
    },
}

/// A signed-in CIS2 user: the validated ID token plus (optionally) userinfo whose `sub` matched it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cis2User {
    /// The ID token's claims.
    pub id_token: IdTokenClaims,
    /// Userinfo, when fetched.
    pub userinfo: Option<UserInfo>,
}

impl Cis2User {
    /// Combines the parts. Only [`crate::Cis2Client`] checks `sub` equality; use it rather than this for
    /// untrusted userinfo.
    pub fn new(id_token: IdTokenClaims, userinfo: Option<UserInfo>) -> Self {
        Self { id_token, userinfo }
    }

    /// The user's id (`sub`).
    pub fn sub(&self) -> &str {
        &self.id_token.sub
    }

    /// Display name, from userinfo when present.
    pub fn name(&self) -> Option<&str> {
        self.userinfo.as_ref().and_then(|u| {
            u.name
                .as_deref()
                .or(u.extra.get("display_name").and_then(Value::as_str))
        })
    }

    /// All national RBAC roles.
    pub fn roles(&self) -> &[NrbacRole] {
        self.userinfo.as_ref().map_or(&[], |u| &u.nhsid_nrbac_roles)
    }

    /// Organisations where the user holds a role.
    pub fn organisations(&self) -> &[Organisation] {
        self.userinfo.as_ref().map_or(&[], |u| &u.nhsid_user_orgs)
    }

    /// The selected role id: from the ID token, else from userinfo.
    pub fn selected_role_id(&self) -> Option<&str> {
        self.id_token
            .selected_roleid
            .as_deref()
            .or_else(|| self.userinfo.as_ref().and_then(|u| u.selected_roleid.as_deref()))
    }

    /// Resolves the selected role: `selected_roleid` → `nhsid_nrbac_roles[].person_roleid` → `nhsid_user_orgs`.
    pub fn selected_role(&self) -> RoleSelection<'_> {
        let Some(id) = self.selected_role_id() else {
            return if self.roles().is_empty() {
                RoleSelection::NoRoles
            } else {
                RoleSelection::NotSelected
            };
        };
        match self.roles().iter().find(|r| r.person_roleid == id) {
            Some(role) => RoleSelection::Selected {
                role,
                organisation: self.organisations().iter().find(|o| o.org_code == role.org_code),
            },
            None if self.roles().is_empty() => RoleSelection::NoRoles,
            None => RoleSelection::UnknownRole { selected_roleid: id },
        }
    }

    /// Whether the selected role grants the activity (`has_activity("B0420")`). No selected role: false.
    pub fn has_activity(&self, code: &str) -> bool {
        matches!(self.selected_role(), RoleSelection::Selected { role, .. } if role.has_activity(code))
    }

    /// Whether the selected role has this national RBAC job role (`R8000`) or full code.
    pub fn has_role_code(&self, code: &str) -> bool {
        matches!(self.selected_role(), RoleSelection::Selected { role, .. }
            if role.role_code == code || role.job_role() == Some(code))
    }

    /// The authentication assurance level this sign-in reached (see [`crate::acr::effective_aal`]).
    pub fn aal(&self) -> Option<u8> {
        crate::acr::effective_aal(
            self.id_token.acr.as_deref(),
            self.id_token.authentication_assurance_level.map(|l| l.0),
        )
    }

    /// The identity assurance level (ID token, else userinfo).
    pub fn id_assurance_level(&self) -> Option<u8> {
        self.id_token
            .id_assurance_level
            .or_else(|| self.userinfo.as_ref().and_then(|u| u.idassurancelevel))
            .map(|l| l.0)
    }
}

#[cfg(test)]
mod tests;
