//! The SSB SAML 1.1 RoleAssertion (cis2.md §14.4): [`parse_role_assertion`] into [`RoleAssertion`].

use roxmltree::Node;

use super::error::Cis1Error;
use super::ticket::SsoTicket;
use super::time::parse_datetime;
use super::xml;
use crate::time::UnixTime;

/// SAML 1.x protocol namespace (`samlp:`).
pub const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:1.0:protocol";
/// SAML 1.x assertion namespace (`saml:`).
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
/// The `AttributeNamespace` of every SSB attribute.
pub const SYNTEGRA_NS: &str = "http://www.syntegra.com";
/// The only `ssbAssertionVersion` read.
pub const SSB_ASSERTION_VERSION: &str = "1.1";

/// Person-block attributes (one value each).
pub(crate) const PERSON_ATTRIBUTES: [&str; 5] = ["cn", "uid", "nhsOcsPrCode", "ssbSessionRoleUid", "ssbMode"];
/// Job-role attributes that hold one value; `nhsIdCode` opens the block.
pub(crate) const ROLE_SINGLE_ATTRIBUTES: [&str; 5] = [
    "nhsIdCode",
    "o",
    "nhsJobRole",
    "nhsJobRoleCode",
    "uniqueIdentifier",
];
/// Job-role attributes that hold a list.
pub(crate) const ROLE_LIST_ATTRIBUTES: [&str; 6] = [
    "nhsBusinessFunctions",
    "nhsBusinessFunctionsCodes",
    "nhsAreaOfWork",
    "nhsAreaOfWorkCodes",
    "nhsWorkGroups",
    "nhsWorkGroupsCodes",
];

/// A parsed `samlp:Response` from `GET /saml/RoleAssertion?token=`. Parsing checks shape only; call
/// [`RoleAssertion::check`] before trusting it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RoleAssertion {
    /// The status.
    pub status: SamlStatus,
    /// The assertion; present when the status is success.
    pub assertion: Option<SsbAssertion>,
}

/// `samlp:Status/samlp:StatusCode/@Value`, its QName prefix resolved by namespace URI.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SamlStatus {
    /// The value as sent (`samlp:Success`).
    pub value: String,
    /// The namespace URI its prefix is bound to.
    pub namespace: Option<String>,
    /// The local part (`Success`).
    pub local: String,
}

impl SamlStatus {
    /// `{urn:oasis:names:tc:SAML:1.0:protocol}Success`, whatever the prefix.
    pub fn is_success(&self) -> bool {
        self.namespace.as_deref() == Some(SAMLP_NS) && self.local == "Success"
    }
}

/// One `saml:Attribute` of the syntegra namespace: its name and values in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsbAttribute {
    /// `AttributeName`.
    pub name: String,
    /// The `AttributeValue`s, trimmed.
    pub values: Vec<String>,
}

/// `ssbMode`: whether the user authenticated for training or live care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SsbMode {
    /// `0`: live (clinical care).
    Live,
    /// `1`: training only.
    Training,
}

/// The person block.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsbPerson {
    /// `cn`, the full name (omitted when empty).
    pub cn: Option<String>,
    /// `uid`, the user's 12-digit UUID.
    pub uid: String,
    /// `nhsOcsPrCode`.
    pub nhs_ocs_pr_code: Option<String>,
    /// `ssbSessionRoleUid`: the selected role profile.
    pub ssb_session_role_uid: String,
    /// `ssbMode`.
    pub ssb_mode: Option<SsbMode>,
    /// Attributes of the person block not listed above (kept under their CIS1 names).
    pub other: Vec<SsbAttribute>,
}

/// One job-role block: the attributes from one `nhsIdCode` to the next, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SsbJobRole {
    /// The attributes, `nhsIdCode` first.
    pub attributes: Vec<SsbAttribute>,
}

impl SsbJobRole {
    /// The values of an attribute.
    pub fn values(&self, name: &str) -> &[String] {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map_or(&[], |a| &a.values)
    }

    /// The first value of an attribute.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values(name).first().map(String::as_str)
    }

    /// `nhsIdCode`: the ODS code.
    pub fn nhs_id_code(&self) -> &str {
        self.value("nhsIdCode").unwrap_or_default()
    }

    /// `uniqueIdentifier`: the role-profile UID.
    pub fn unique_identifier(&self) -> &str {
        self.value("uniqueIdentifier").unwrap_or_default()
    }
}

/// The `saml:Assertion` of a successful RoleAssertion.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SsbAssertion {
    /// `Issuer`.
    pub issuer: String,
    /// `IssueInstant`.
    pub issue_instant: UnixTime,
    /// `Conditions/@NotBefore` (issue instant − 3 min on the real SSB).
    pub not_before: UnixTime,
    /// `Conditions/@NotOnOrAfter` (issue instant + 1 min on the real SSB).
    pub not_on_or_after: UnixTime,
    /// The uid of `Subject/NameIdentifier` (`uid=<uid>,ou=People,o=nhs`).
    pub subject_uid: String,
    /// The ticket of the inner AuthenticationStatement, when present.
    pub ticket: Option<SsoTicket>,
    /// `AuthenticationInstant` of the inner AuthenticationStatement, when present.
    pub authentication_instant: Option<UnixTime>,
    /// The person block.
    pub person: SsbPerson,
    /// The job-role blocks, in document order.
    pub roles: Vec<SsbJobRole>,
}

/// Parses a RoleAssertion body strictly (see the [module docs](super)). Shape only: no check of status, time,
/// subject or selected role; that is [`RoleAssertion::check`].
pub fn parse_role_assertion(body: &[u8]) -> Result<RoleAssertion, Cis1Error> {
    let doc = xml::parse(body)?;
    let root = doc.root_element();
    if !xml::is(root, Some(SAMLP_NS), "Response") {
        return Err(unexpected("{urn:oasis:names:tc:SAML:1.0:protocol}Response", root));
    }
    let status = xml::only_child(root, Some(SAMLP_NS), "Status", "samlp:Status")?
        .ok_or(Cis1Error::MissingElement("samlp:Status"))?;
    let code = xml::only_child(status, Some(SAMLP_NS), "StatusCode", "samlp:StatusCode")?
        .ok_or(Cis1Error::MissingElement("samlp:StatusCode"))?;
    let value = attr(code, "Value", "samlp:StatusCode")?;
    let (prefix, local) = match value.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, value),
    };
    let status = SamlStatus {
        value: value.to_owned(),
        namespace: code.lookup_namespace_uri(prefix).map(str::to_owned),
        local: local.to_owned(),
    };
    let assertion = match xml::only_child(root, Some(SAML_NS), "Assertion", "saml:Assertion")? {
        Some(a) => Some(assertion(a)?),
        None if status.is_success() => return Err(Cis1Error::MissingElement("saml:Assertion")),
        None => None,
    };
    Ok(RoleAssertion { status, assertion })
}

fn unexpected(expected: &'static str, found: Node<'_, '_>) -> Cis1Error {
    Cis1Error::UnexpectedElement {
        expected,
        found: xml::qualified(found),
    }
}

fn attr<'a>(node: Node<'a, '_>, name: &'static str, element: &'static str) -> Result<&'a str, Cis1Error> {
    node.attribute(name).ok_or(Cis1Error::MissingXmlAttribute {
        element,
        attribute: name,
    })
}

fn instant(node: Node<'_, '_>, name: &'static str, element: &'static str) -> Result<UnixTime, Cis1Error> {
    parse_datetime(attr(node, name, element)?).ok_or(Cis1Error::InvalidValue {
        field: name,
        reason: "not an xsd:dateTime with a time zone",
    })
}

fn required<'a, 'i>(
    parent: Node<'a, 'i>,
    local: &str,
    label: &'static str,
) -> Result<Node<'a, 'i>, Cis1Error> {
    xml::only_child(parent, Some(SAML_NS), local, label)?.ok_or(Cis1Error::MissingElement(label))
}

/// `uid=<uid>,ou=People,o=nhs` → `<uid>`.
fn subject_uid(subject: Node<'_, '_>) -> Result<String, Cis1Error> {
    let name_id = required(subject, "NameIdentifier", "saml:NameIdentifier")?;
    let text = xml::leaf_text(name_id, "saml:NameIdentifier")?;
    text.strip_prefix("uid=")
        .and_then(|rest| rest.strip_suffix(",ou=People,o=nhs"))
        .filter(|uid| !uid.is_empty() && !uid.contains([',', '=']))
        .map(str::to_owned)
        .ok_or(Cis1Error::InvalidValue {
            field: "saml:NameIdentifier",
            reason: "not uid=<uid>,ou=People,o=nhs",
        })
}

fn assertion(node: Node<'_, '_>) -> Result<SsbAssertion, Cis1Error> {
    let issuer = attr(node, "Issuer", "saml:Assertion")?.to_owned();
    let issue_instant = instant(node, "IssueInstant", "saml:Assertion")?;
    let conditions = required(node, "Conditions", "saml:Conditions")?;
    let not_before = instant(conditions, "NotBefore", "saml:Conditions")?;
    let not_on_or_after = instant(conditions, "NotOnOrAfter", "saml:Conditions")?;
    let statement = required(node, "AttributeStatement", "saml:AttributeStatement")?;
    let subject = required(statement, "Subject", "saml:Subject")?;
    let subject_uid = subject_uid(subject)?;
    let (ticket, authentication_instant) = inner_authentication(subject, &subject_uid)?;
    let mut version = None;
    let mut person = PersonBuilder::default();
    let mut roles: Vec<SsbJobRole> = Vec::new();
    for child in statement.children().filter(Node::is_element) {
        if xml::is(child, Some(SAML_NS), "Subject") {
            continue;
        }
        if !xml::is(child, Some(SAML_NS), "Attribute") {
            return Err(unexpected(
                "{urn:oasis:names:tc:SAML:1.0:assertion}Attribute",
                child,
            ));
        }
        let attribute = ssb_attribute(child)?;
        if attribute.name == "ssbAssertionVersion" {
            let v = single(attribute)?;
            if version.replace(v).is_some() {
                return Err(Cis1Error::Duplicate("ssbAssertionVersion".to_owned()));
            }
        } else if attribute.name == "nhsIdCode" {
            roles.push(SsbJobRole {
                attributes: vec![one_value(attribute)?],
            });
        } else if let Some(role) = roles.last_mut() {
            add_role_attribute(role, attribute)?;
        } else {
            person.add(attribute)?;
        }
    }
    match version {
        Some(v) if v == SSB_ASSERTION_VERSION => {}
        Some(v) => return Err(Cis1Error::UnsupportedVersion(v)),
        None => return Err(Cis1Error::Missing("ssbAssertionVersion")),
    }
    if roles.iter().any(|r| r.value("uniqueIdentifier").is_none()) {
        return Err(Cis1Error::Missing("uniqueIdentifier"));
    }
    let person = person.build()?;
    if person.uid != subject_uid {
        return Err(Cis1Error::InvalidValue {
            field: "uid",
            reason: "differs from the subject's uid",
        });
    }
    Ok(SsbAssertion {
        issuer,
        issue_instant,
        not_before,
        not_on_or_after,
        subject_uid,
        ticket,
        authentication_instant,
        person,
        roles,
    })
}

/// The inner `Subject/SubjectConfirmation/SubjectConfirmationData/Assertion/AuthenticationStatement`: its
/// `AuthenticationInstant` and ticket, when the SSB sends them (§14.4 documents them; older SSBs are unknown).
fn inner_authentication(
    subject: Node<'_, '_>,
    outer_uid: &str,
) -> Result<(Option<SsoTicket>, Option<UnixTime>), Cis1Error> {
    let Some(confirmation) = xml::only_child(
        subject,
        Some(SAML_NS),
        "SubjectConfirmation",
        "saml:SubjectConfirmation",
    )?
    else {
        return Ok((None, None));
    };
    let Some(data) = xml::only_child(
        confirmation,
        Some(SAML_NS),
        "SubjectConfirmationData",
        "saml:SubjectConfirmationData",
    )?
    else {
        return Ok((None, None));
    };
    let Some(inner) = xml::only_child(data, Some(SAML_NS), "Assertion", "saml:Assertion")? else {
        return Ok((None, None));
    };
    let Some(statement) = xml::only_child(
        inner,
        Some(SAML_NS),
        "AuthenticationStatement",
        "saml:AuthenticationStatement",
    )?
    else {
        return Ok((None, None));
    };
    let at = instant(statement, "AuthenticationInstant", "saml:AuthenticationStatement")?;
    let subject = required(statement, "Subject", "saml:Subject")?;
    if subject_uid(subject)? != outer_uid {
        return Err(Cis1Error::InvalidValue {
            field: "saml:AuthenticationStatement",
            reason: "its subject differs from the assertion's",
        });
    }
    let ticket = match xml::only_child(
        subject,
        Some(SAML_NS),
        "SubjectConfirmation",
        "saml:SubjectConfirmation",
    )?
    .map(|c| {
        xml::only_child(
            c,
            Some(SAML_NS),
            "SubjectConfirmationData",
            "saml:SubjectConfirmationData",
        )
    })
    .transpose()?
    .flatten()
    {
        Some(d) => Some(SsoTicket::new(xml::leaf_text(d, "saml:SubjectConfirmationData")?)),
        None => None,
    };
    Ok((ticket, Some(at)))
}

fn ssb_attribute(node: Node<'_, '_>) -> Result<SsbAttribute, Cis1Error> {
    let name = attr(node, "AttributeName", "saml:Attribute")?.to_owned();
    let namespace = attr(node, "AttributeNamespace", "saml:Attribute")?;
    if namespace != SYNTEGRA_NS {
        return Err(Cis1Error::WrongAttributeNamespace {
            name,
            found: namespace.to_owned(),
        });
    }
    let mut values = Vec::new();
    for child in node.children().filter(Node::is_element) {
        if !xml::is(child, Some(SAML_NS), "AttributeValue") {
            return Err(unexpected(
                "{urn:oasis:names:tc:SAML:1.0:assertion}AttributeValue",
                child,
            ));
        }
        values.push(xml::leaf_text(child, "saml:AttributeValue")?);
    }
    if values.is_empty() {
        return Err(Cis1Error::InvalidValue {
            field: "saml:Attribute",
            reason: "has no AttributeValue (empty attributes are omitted, not sent empty)",
        });
    }
    Ok(SsbAttribute { name, values })
}

fn one_value(attribute: SsbAttribute) -> Result<SsbAttribute, Cis1Error> {
    if attribute.values.len() > 1 {
        return Err(Cis1Error::Duplicate(attribute.name));
    }
    Ok(attribute)
}

fn single(attribute: SsbAttribute) -> Result<String, Cis1Error> {
    let mut attribute = one_value(attribute)?;
    Ok(attribute.values.pop().unwrap_or_default())
}

fn add_role_attribute(role: &mut SsbJobRole, attribute: SsbAttribute) -> Result<(), Cis1Error> {
    if PERSON_ATTRIBUTES.contains(&attribute.name.as_str()) {
        return Err(Cis1Error::Misplaced {
            name: attribute.name,
            reason: "a person attribute inside a job-role block",
        });
    }
    if role.attributes.iter().any(|a| a.name == attribute.name) {
        return Err(Cis1Error::Duplicate(attribute.name));
    }
    let attribute = if ROLE_SINGLE_ATTRIBUTES.contains(&attribute.name.as_str()) {
        one_value(attribute)?
    } else {
        attribute
    };
    role.attributes.push(attribute);
    Ok(())
}

#[derive(Default)]
struct PersonBuilder {
    cn: Option<String>,
    uid: Option<String>,
    ocs: Option<String>,
    role: Option<String>,
    mode: Option<SsbMode>,
    other: Vec<SsbAttribute>,
}

impl PersonBuilder {
    fn add(&mut self, attribute: SsbAttribute) -> Result<(), Cis1Error> {
        fn set(slot: &mut Option<String>, attribute: SsbAttribute) -> Result<(), Cis1Error> {
            let name = attribute.name.clone();
            if slot.replace(single(attribute)?).is_some() {
                return Err(Cis1Error::Duplicate(name));
            }
            Ok(())
        }
        match attribute.name.as_str() {
            "cn" => set(&mut self.cn, attribute),
            "uid" => set(&mut self.uid, attribute),
            "nhsOcsPrCode" => set(&mut self.ocs, attribute),
            "ssbSessionRoleUid" => set(&mut self.role, attribute),
            "ssbMode" => {
                let mode = match single(attribute)?.as_str() {
                    "0" => SsbMode::Live,
                    "1" => SsbMode::Training,
                    _ => {
                        return Err(Cis1Error::InvalidValue {
                            field: "ssbMode",
                            reason: "neither 0 (live) nor 1 (training)",
                        });
                    }
                };
                if self.mode.replace(mode).is_some() {
                    return Err(Cis1Error::Duplicate("ssbMode".to_owned()));
                }
                Ok(())
            }
            name if ROLE_SINGLE_ATTRIBUTES.contains(&name) || ROLE_LIST_ATTRIBUTES.contains(&name) => {
                Err(Cis1Error::Misplaced {
                    name: attribute.name,
                    reason: "a job-role attribute before the first nhsIdCode",
                })
            }
            _ => {
                if self.other.iter().any(|a| a.name == attribute.name) {
                    return Err(Cis1Error::Duplicate(attribute.name));
                }
                self.other.push(attribute);
                Ok(())
            }
        }
    }

    fn build(self) -> Result<SsbPerson, Cis1Error> {
        Ok(SsbPerson {
            cn: self.cn,
            uid: self.uid.ok_or(Cis1Error::Missing("uid"))?,
            nhs_ocs_pr_code: self.ocs,
            ssb_session_role_uid: self.role.ok_or(Cis1Error::Missing("ssbSessionRoleUid"))?,
            ssb_mode: self.mode,
            other: self.other,
        })
    }
}
