//! [`Cis2User`]: a signed-in user, and the resolution of their selected role ([`RoleSelection`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::claims::id_token::IdTokenClaims;
use crate::claims::roles::{NrbacRole, Organisation};
use crate::claims::userinfo::UserInfo;

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
