//! CIS2 claims for JS: the signed-in user from `/session`, the national RBAC roles and organisations. The rules
//! (`S:G:R` role-code parts, role titles, assurance levels, ACR → AAL) come from `cis2_sdk`; this file only
//! exposes them with camelCase names. Roles and organisations are held in this crate's own small types rather
//! than the sdk's `NrbacRole` / `Organisation`, whose `extra: Map<String, Value>` would bring serde_json's
//! `Value` (its drop code) into the browser build for members the package never exposes.

use std::rc::Rc;

use cis2_sdk::bff::keys;
use cis2_sdk::claims::{AssuranceLevel, RoleCode};
#[cfg(test)]
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use js_sys::{Array, Object};

use crate::js::{get, get_string, get_strings, opt_str, set, set_str};

/// The `user` object of `/session` (bff-protocol.md), with the sdk's `AssuranceLevel`. Native tests read it with
/// serde_json; the browser reads it from the object `Response.json()` made ([`read_user`]), so no JSON parser
/// or serde deserializer ships.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(Deserialize))]
pub(crate) struct UserWire {
    pub(crate) sub: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) name: Option<String>,
    #[cfg_attr(test, serde(default))]
    pub(crate) roles: Vec<Role>,
    #[cfg_attr(test, serde(default))]
    pub(crate) organisations: Vec<Org>,
    #[cfg_attr(test, serde(default))]
    pub(crate) selected_role: Option<Role>,
    #[cfg_attr(test, serde(default))]
    pub(crate) selected_organisation: Option<Org>,
    #[cfg_attr(test, serde(default))]
    pub(crate) aal: Option<AssuranceLevel>,
    #[cfg_attr(test, serde(default))]
    pub(crate) id_assurance_level: Option<AssuranceLevel>,
    #[cfg_attr(test, serde(default))]
    pub(crate) acr: Option<String>,
    #[cfg_attr(test, serde(default))]
    pub(crate) amr: Vec<String>,
}

/// An assurance level as CIS2 sends it: `3` or `"3"`, 1 to 3 (the rule of `cis2_sdk::claims::AssuranceLevel`'s
/// deserializer, which this crate cannot call without shipping serde's error formatting; see the report's
/// request for `AssuranceLevel::new`).
fn read_level(v: &JsValue) -> Option<AssuranceLevel> {
    match (v.as_f64(), v.as_string()) {
        (Some(n), _) if n.fract() == 0.0 && (0.0..=255.0).contains(&n) => AssuranceLevel::new(n as u8),
        (_, Some(s)) => AssuranceLevel::parse(&s),
        _ => None,
    }
}

/// One `nhsid_nrbac_roles` element: the members of the sdk's `NrbacRole` that the JS `Role` exposes.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(Deserialize))]
pub(crate) struct Role {
    pub(crate) person_roleid: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) person_orgid: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) org_code: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) role_code: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) role_name: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) activities: Vec<String>,
    #[cfg_attr(test, serde(default))]
    pub(crate) activity_codes: Vec<String>,
    #[cfg_attr(test, serde(default))]
    pub(crate) workgroups: Vec<String>,
    #[cfg_attr(test, serde(default))]
    pub(crate) workgroups_codes: Vec<String>,
}

impl Role {
    /// Whether this role grants an activity (`cis2_sdk::claims::grants_activity`).
    pub(crate) fn has_activity(&self, code: &str) -> bool {
        cis2_sdk::claims::grants_activity(&self.activity_codes, code)
    }

    /// The parts of `role_code`, when it has the `S:G:R` shape (`cis2_sdk::claims::RoleCode::parse`).
    pub(crate) fn role_code_parts(&self) -> Option<RoleCode<'_>> {
        RoleCode::parse(&self.role_code)
    }

    /// The national RBAC role code (`R8000`), if `role_code` has the usual shape.
    pub(crate) fn job_role(&self) -> Option<&str> {
        self.role_code_parts().map(|p| p.job_role)
    }

    /// The last segment of `role_name` without quotes (`cis2_sdk::claims::role_title`).
    pub(crate) fn role_title(&self) -> &str {
        cis2_sdk::claims::role_title(&self.role_name)
    }
}

/// One organisation entry: the members of the sdk's `Organisation` that the JS `Organisation` exposes.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(Deserialize))]
pub(crate) struct Org {
    pub(crate) org_code: String,
    #[cfg_attr(test, serde(default))]
    pub(crate) org_name: String,
}

/// One `nhsid_nrbac_roles` element; `None` without a string `person_roleid` (the sdk's one required field).
pub(crate) fn read_role(v: &JsValue) -> Option<Role> {
    Some(Role {
        person_roleid: get_string(v, "person_roleid")?,
        person_orgid: get_string(v, "person_orgid").unwrap_or_default(),
        org_code: get_string(v, "org_code").unwrap_or_default(),
        role_code: get_string(v, "role_code").unwrap_or_default(),
        role_name: get_string(v, "role_name").unwrap_or_default(),
        activities: get_strings(v, "activities"),
        activity_codes: get_strings(v, "activity_codes"),
        workgroups: get_strings(v, "workgroups"),
        workgroups_codes: get_strings(v, "workgroups_codes"),
    })
}

/// One organisation entry; `None` without a string `org_code`.
pub(crate) fn read_organisation(v: &JsValue) -> Option<Org> {
    Some(Org {
        org_code: get_string(v, "org_code")?,
        org_name: get_string(v, "org_name").unwrap_or_default(),
    })
}

fn read_list<T>(v: &JsValue, key: &str, read: fn(&JsValue) -> Option<T>) -> Vec<T> {
    // Plain loops rather than iterator adapters here and below: fewer generic instances in the browser build.
    let mut out = Vec::new();
    let list = get(v, key);
    if js_sys::Array::is_array(&list) {
        for x in list.unchecked_into::<js_sys::Array>().iter() {
            if let Some(item) = read(&x) {
                out.push(item);
            }
        }
    }
    out
}

/// Reads the `user` object; `None` without a string `sub`.
pub(crate) fn read_user(v: &JsValue) -> Option<UserWire> {
    Some(UserWire {
        sub: get_string(v, keys::SUB)?,
        name: get_string(v, keys::NAME),
        roles: read_list(v, keys::ROLES, read_role),
        organisations: read_list(v, keys::ORGANISATIONS, read_organisation),
        selected_role: read_role(&get(v, keys::SELECTED_ROLE)),
        selected_organisation: read_organisation(&get(v, keys::SELECTED_ORGANISATION)),
        aal: read_level(&get(v, keys::AAL)),
        id_assurance_level: read_level(&get(v, keys::ID_ASSURANCE_LEVEL)),
        acr: get_string(v, keys::ACR),
        amr: get_strings(v, keys::AMR),
    })
}

impl UserWire {
    /// The AAL the sign-in reached: the backend's `aal`, combined with what `acr` guarantees
    /// (`cis2_sdk::acr::effective_aal`: the lower of the two; an unknown `acr` guarantees nothing).
    pub(crate) fn effective_aal(&self) -> Option<u8> {
        cis2_sdk::acr::effective_aal(self.acr.as_deref(), self.aal.map(|l| l.0))
    }
}

/// A role as a plain JS object (`Role` in the TypeScript declarations), with the sdk's derived values.
pub(crate) fn role_js(r: &Role) -> JsValue {
    let o = Object::new();
    set_str(&o, "personRoleId", &r.person_roleid);
    set_str(&o, "personOrgId", &r.person_orgid);
    set_str(&o, "orgCode", &r.org_code);
    set_str(&o, "roleCode", &r.role_code);
    set_str(&o, "roleName", &r.role_name);
    set_str(&o, "roleTitle", r.role_title());
    // One `RoleCode::parse` for both members (what `job_role()` would parse again).
    let parts = r.role_code_parts();
    set(&o, "jobRole", &opt_str(parts.as_ref().map(|p| p.job_role)));
    let parts = match parts {
        Some(p) => {
            let po = Object::new();
            set_str(&po, "staffGroup", p.staff_group);
            set_str(&po, "jobGroup", p.job_group);
            set_str(&po, "jobRole", p.job_role);
            po.into()
        }
        None => JsValue::NULL,
    };
    set(&o, "roleCodeParts", &parts);
    set(&o, "activityCodes", &strings_js(&r.activity_codes));
    set(&o, "activities", &strings_js(&r.activities));
    set(&o, "workgroups", &strings_js(&r.workgroups));
    set(&o, "workgroupCodes", &strings_js(&r.workgroups_codes));
    o.into()
}

/// An organisation as a plain JS object (`Organisation`).
pub(crate) fn organisation_js(org: &Org) -> JsValue {
    let o = Object::new();
    set_str(&o, "orgCode", &org.org_code);
    set_str(&o, "orgName", &org.org_name);
    o.into()
}

fn strings_js(v: &[String]) -> JsValue {
    let out = Array::new();
    for s in v {
        out.push(&JsValue::from_str(s));
    }
    out.into()
}

/// The signed-in CIS2 user, as the backend reported it. No tokens: the backend keeps those. Roles and
/// organisations are plain objects; the checks (`hasActivity`, `hasRoleCode`, `meetsAal`) apply the sdk's rules.
#[wasm_bindgen(js_name = SessionUser)]
#[derive(Clone, Debug)]
pub struct SessionUser {
    inner: Rc<UserWire>,
}

impl SessionUser {
    pub(crate) fn new(inner: Rc<UserWire>) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen(js_class = SessionUser)]
impl SessionUser {
    /// The user's CIS2 id (`sub`, the 12-digit UUID).
    #[wasm_bindgen(getter)]
    pub fn sub(&self) -> String {
        self.inner.sub.clone()
    }

    /// Display name, when the backend sent one.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> Option<String> {
        self.inner.name.clone()
    }

    /// All the user's national RBAC role profiles.
    #[wasm_bindgen(getter, unchecked_return_type = "Role[]")]
    pub fn roles(&self) -> JsValue {
        let out = Array::new();
        for r in &self.inner.roles {
            out.push(&role_js(r));
        }
        out.into()
    }

    /// Organisations where the user holds a role.
    #[wasm_bindgen(getter, unchecked_return_type = "Organisation[]")]
    pub fn organisations(&self) -> JsValue {
        let out = Array::new();
        for o in &self.inner.organisations {
            out.push(&organisation_js(o));
        }
        out.into()
    }

    /// The role chosen at sign-in, or `undefined`.
    #[wasm_bindgen(getter, js_name = selectedRole, unchecked_return_type = "Role | undefined")]
    pub fn selected_role(&self) -> JsValue {
        self.inner
            .selected_role
            .as_ref()
            .map_or(JsValue::UNDEFINED, role_js)
    }

    /// The selected role's organisation, or `undefined`.
    #[wasm_bindgen(getter, js_name = selectedOrganisation, unchecked_return_type = "Organisation | undefined")]
    pub fn selected_organisation(&self) -> JsValue {
        self.inner
            .selected_organisation
            .as_ref()
            .map_or(JsValue::UNDEFINED, organisation_js)
    }

    /// Authentication assurance level reached (1–3): the backend's `aal`, never above what `acr` guarantees.
    #[wasm_bindgen(getter)]
    pub fn aal(&self) -> Option<u8> {
        self.inner.effective_aal()
    }

    /// Identity assurance level (1–3).
    #[wasm_bindgen(getter, js_name = idAssuranceLevel)]
    pub fn id_assurance_level(&self) -> Option<u8> {
        self.inner.id_assurance_level.map(|l| l.0)
    }

    /// The ACR value of the sign-in (`AAL3_ANY`, …).
    #[wasm_bindgen(getter)]
    pub fn acr(&self) -> Option<String> {
        self.inner.acr.clone()
    }

    /// Authentication methods (`["N3_SMARTCARD"]`, …).
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn amr(&self) -> JsValue {
        strings_js(&self.inner.amr)
    }

    /// Whether the selected role grants an activity (B-code such as `"B0420"`). No selected role: `false`.
    #[wasm_bindgen(js_name = hasActivity)]
    pub fn has_activity(&self, code: &str) -> bool {
        self.inner
            .selected_role
            .as_ref()
            .is_some_and(|r| r.has_activity(code))
    }

    /// Whether the selected role has this national RBAC job role (`"R8000"`) or full code (`"S8000:G8000:R8000"`).
    #[wasm_bindgen(js_name = hasRoleCode)]
    pub fn has_role_code(&self, code: &str) -> bool {
        self.inner
            .selected_role
            .as_ref()
            .is_some_and(|r| r.role_code == code || r.job_role() == Some(code))
    }

    /// Whether the sign-in reached at least this AAL (e.g. `meetsAal(3)` before a sensitive action; if not,
    /// call `stepUp()`).
    #[wasm_bindgen(js_name = meetsAal)]
    pub fn meets_aal(&self, level: u8) -> bool {
        self.aal().is_some_and(|a| a >= level)
    }
}

/// The AAL a CIS2 ACR value guarantees (`acrLevel("AAL3_ANY") === 3`), or `undefined` for an unknown value.
#[wasm_bindgen(js_name = acrLevel)]
pub fn acr_level(acr: &str) -> Option<u8> {
    cis2_sdk::acr::acr_level(acr)
}
