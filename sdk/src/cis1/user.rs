//! Mapping CIS1 documents into the CIS2 user model ([`Cis2User`], [`NrbacRole`], [`Organisation`]) through
//! [`Cis1Mapping`].

use serde_json::{Map, Value};

use super::gas::GasSession;
use super::mapping::{Cis1Attribute, Cis1Mapping, Cis2Target, saml_row};
use super::saml::{SsbAssertion, SsbAttribute, SsbJobRole, SsbMode};
use crate::claims::{Cis2User, IdTokenClaims, NrbacRole, Organisation, UserInfo};
use crate::time::UnixTime;

/// The `iss` of every user mapped from CIS1, so a CIS1 sign-in is never mistaken for a CIS2 ID token. (The
/// SSB's own issuer is [`SsbAssertion::issuer`].)
pub const CIS1_ISSUER: &str = "urn:cis2-kit:cis1";

fn json_value(values: &[String]) -> Value {
    match values {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    }
}

fn first(values: &[String]) -> String {
    values.first().cloned().unwrap_or_default()
}

/// Puts one job-role value where the mapping says; `o` is collected by the caller (it feeds organisations).
fn put_role_value(role: &mut NrbacRole, attribute: Cis1Attribute, values: &[String], mapping: &Cis1Mapping) {
    match mapping.target(attribute) {
        Cis2Target::Drop => {}
        Cis2Target::Extra(key) => {
            role.extra.insert(key.clone(), json_value(values));
        }
        Cis2Target::Default => match attribute {
            Cis1Attribute::UniqueIdentifier => role.person_roleid = first(values),
            Cis1Attribute::NhsJobRoleCode => role.role_code = first(values),
            Cis1Attribute::NhsJobRole => role.role_name = first(values),
            Cis1Attribute::NhsIdCode => role.org_code = first(values),
            Cis1Attribute::NhsBusinessFunctions => role.activities = values.to_vec(),
            Cis1Attribute::NhsBusinessFunctionsCodes => role.activity_codes = values.to_vec(),
            Cis1Attribute::NhsAreaOfWork => role.aow = values.to_vec(),
            Cis1Attribute::NhsAreaOfWorkCodes => role.aow_codes = values.to_vec(),
            Cis1Attribute::NhsWorkGroups => role.workgroups = values.to_vec(),
            Cis1Attribute::NhsWorkGroupsCodes => role.workgroups_codes = values.to_vec(),
            _ => {}
        },
    }
}

/// Adds `org_code` → `org_name` to the organisations once.
fn add_organisation(
    orgs: &mut Vec<Organisation>,
    org_code: &str,
    org_name: Option<&str>,
    mapping: &Cis1Mapping,
) {
    if org_code.is_empty() || orgs.iter().any(|o| o.org_code == org_code) {
        return;
    }
    let org_name = match mapping.target(Cis1Attribute::O) {
        Cis2Target::Default => org_name.unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    orgs.push(Organisation {
        org_code: org_code.to_owned(),
        org_name,
        person_orgid: None,
        extra: Map::new(),
    });
}

fn saml_role(block: &SsbJobRole, mapping: &Cis1Mapping) -> NrbacRole {
    let mut role = NrbacRole::default();
    for SsbAttribute { name, values } in &block.attributes {
        match saml_row(name) {
            Some(row) if row.attribute == Cis1Attribute::O => {
                if let Cis2Target::Extra(key) = mapping.target(Cis1Attribute::O) {
                    role.extra.insert(key.clone(), json_value(values));
                }
            }
            Some(row) => put_role_value(&mut role, row.attribute, values, mapping),
            // Not in the table: kept under its CIS1 name.
            None => {
                role.extra.insert(name.clone(), json_value(values));
            }
        }
    }
    role
}

/// Person values: `cn`, the selected role and `ssbMode` go where the mapping says.
struct Person<'a> {
    uid: &'a str,
    cn: Option<&'a str>,
    selected: Option<&'a str>,
    ssb_mode: Option<SsbMode>,
}

fn build_user(
    person: Person<'_>,
    roles: Vec<NrbacRole>,
    orgs: Vec<Organisation>,
    mut extra: Map<String, Value>,
    times: (UnixTime, UnixTime, Option<UnixTime>),
    mapping: &Cis1Mapping,
) -> Cis2User {
    let (iat, exp, auth_time) = times;
    let mut name = None;
    if let Some(cn) = person.cn {
        match mapping.target(Cis1Attribute::Cn) {
            Cis2Target::Default => name = Some(cn.to_owned()),
            Cis2Target::Extra(key) => {
                extra.insert(key.clone(), Value::String(cn.to_owned()));
            }
            Cis2Target::Drop => {}
        }
    }
    let mut selected_roleid = None;
    if let Some(selected) = person.selected {
        match mapping.target(Cis1Attribute::SsbSessionRoleUid) {
            Cis2Target::Default => selected_roleid = Some(selected.to_owned()),
            Cis2Target::Extra(key) => {
                extra.insert(key.clone(), Value::String(selected.to_owned()));
            }
            Cis2Target::Drop => {}
        }
    }
    if let (Some(mode), Cis2Target::Extra(key)) = (person.ssb_mode, mapping.target(Cis1Attribute::SsbMode)) {
        let v = match mode {
            SsbMode::Live => "0",
            SsbMode::Training => "1",
        };
        extra.insert(key.clone(), Value::String(v.to_owned()));
    }
    let mut claims = IdTokenClaims::new(
        CIS1_ISSUER.to_owned(),
        person.uid.to_owned(),
        Vec::new(),
        exp,
        iat,
    );
    claims.auth_time = auth_time;
    claims.amr = mapping.smartcard_amr().to_vec();
    claims.acr = mapping.smartcard_acr().map(str::to_owned);
    claims.selected_roleid = selected_roleid.clone();
    let userinfo = UserInfo {
        sub: person.uid.to_owned(),
        nhsid_useruid: Some(person.uid.to_owned()),
        uid: Some(person.uid.to_owned()),
        name,
        selected_roleid,
        nhsid_nrbac_roles: roles,
        nhsid_user_orgs: orgs,
        extra,
        ..UserInfo::default()
    };
    Cis2User::new(claims, Some(userinfo))
}

impl SsbAssertion {
    /// The user and roles this assertion describes, in the CIS2 model, through `mapping`. The result's ID-token
    /// part is synthesised, not a validated CIS2 token: `iss` is [`CIS1_ISSUER`], `aud` is empty, `iat` is the
    /// issue instant, `exp` is `NotOnOrAfter`, `auth_time` the `AuthenticationInstant`, `amr`/`acr` the
    /// mapping's smartcard context. Call [`super::RoleAssertion::check`] first.
    pub fn to_user(&self, mapping: &Cis1Mapping) -> Cis2User {
        let mut roles = Vec::with_capacity(self.roles.len());
        let mut orgs: Vec<Organisation> = Vec::new();
        for block in &self.roles {
            let role = saml_role(block, mapping);
            add_organisation(&mut orgs, &role.org_code, block.value("o"), mapping);
            roles.push(role);
        }
        let mut extra = Map::new();
        if let Some(ocs) = &self.person.nhs_ocs_pr_code {
            extra.insert("nhsOcsPrCode".to_owned(), Value::String(ocs.clone()));
        }
        for SsbAttribute { name, values } in &self.person.other {
            extra.insert(name.clone(), json_value(values));
        }
        let person = Person {
            uid: &self.person.uid,
            cn: self.person.cn.as_deref(),
            selected: Some(&self.person.ssb_session_role_uid),
            ssb_mode: self.person.ssb_mode,
        };
        let times = (
            self.issue_instant,
            self.not_on_or_after,
            self.authentication_instant,
        );
        build_user(person, roles, orgs, extra, times, mapping)
    }
}

impl GasSession {
    /// The user and roles of this GAS session, in the CIS2 model, through `mapping`. GAS does not send the
    /// uid (it is the card's) nor the selected role (chosen afterwards through `RoleSelectionGP.jsp`), so both
    /// are arguments. GAS roles carry no `role_code` or activities: read a RoleAssertion for those. `iat` and
    /// `auth_time` are `now`; `exp` is `now + sso_session_time` (the [I] session row; `now` when overridden).
    pub fn to_user(
        &self,
        uid: &str,
        selected_roleid: Option<&str>,
        now: UnixTime,
        mapping: &Cis1Mapping,
    ) -> Cis2User {
        let mut roles = Vec::with_capacity(self.roles.len());
        let mut orgs: Vec<Organisation> = Vec::new();
        for gas in &self.roles {
            let mut role = NrbacRole::default();
            put_role_value(
                &mut role,
                Cis1Attribute::UniqueIdentifier,
                std::slice::from_ref(&gas.id),
                mapping,
            );
            put_role_value(
                &mut role,
                Cis1Attribute::NhsIdCode,
                std::slice::from_ref(&gas.orgcode),
                mapping,
            );
            put_role_value(
                &mut role,
                Cis1Attribute::NhsJobRole,
                std::slice::from_ref(&gas.role_name),
                mapping,
            );
            if let Cis2Target::Extra(key) = mapping.target(Cis1Attribute::O) {
                role.extra
                    .insert(key.clone(), Value::String(gas.org_name.clone()));
            }
            add_organisation(&mut orgs, &role.org_code, Some(&gas.org_name), mapping);
            roles.push(role);
        }
        let mut extra = Map::new();
        let exp = match mapping.target(Cis1Attribute::SsoSessionTime) {
            Cis2Target::Default => now.saturating_add(std::time::Duration::from_secs(self.sso_session_time)),
            Cis2Target::Extra(key) => {
                extra.insert(key.clone(), Value::from(self.sso_session_time));
                now
            }
            Cis2Target::Drop => now,
        };
        let person = Person {
            uid,
            cn: Some(&self.cn),
            selected: selected_roleid,
            ssb_mode: None,
        };
        build_user(person, roles, orgs, extra, (now, exp, Some(now)), mapping)
    }
}
