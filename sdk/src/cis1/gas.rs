//! The GAS `POST /login/authvalidate` answer (cis2.md §14.3): [`parse_gas_validate`] into [`GasSession`].

use roxmltree::Node;

use super::error::Cis1Error;
use super::ticket::SsoTicket;
use super::xml;

/// One `nhsjobroleN` of a GAS validate response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GasRole {
    /// `N` of `nhsjobroleN`.
    pub index: u32,
    /// `id`: the role-profile UID.
    pub id: String,
    /// `orgcode`: the ODS code.
    pub orgcode: String,
    /// The organisation name: the text before `, "`.
    pub org_name: String,
    /// The job-role path: the text from the first `"` (`"Admin & Clerical":"Admin":"Demographic Administrator"`).
    pub role_name: String,
}

/// A parsed GAS validate response: the SSO session and the user's roles. The user's uid is not in it (it
/// came from the card), so mapping it to a user takes the uid as an argument.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GasSession {
    /// `cn`: the user's name.
    pub cn: String,
    /// The `nhsjobroleN` entries, ordered by `N`.
    pub roles: Vec<GasRole>,
    /// `sso_ticket`.
    pub sso_ticket: SsoTicket,
    /// `sso_session_time`, seconds.
    pub sso_session_time: u64,
    /// `sso_max_session_time`, seconds, when sent.
    pub sso_max_session_time: Option<u64>,
    /// `sso_logout_url`.
    pub sso_logout_url: String,
    /// `sso_domain`, when sent.
    pub sso_domain: Option<String>,
    /// Every other `gpPARAM` (`gas_version`, `sso_keep_alive`, `auth_method`, `app_url`, `service`, …) by name,
    /// in document order.
    pub other: Vec<(String, String)>,
}

/// Parses a GAS validate response (`<gpOBJECT>` of `<gpPARAM name="…">` entries) strictly: no namespace, only
/// `gpPARAM` children, each name once; `cn`, `sso_ticket`, `sso_session_time` and `sso_logout_url` required;
/// each `nhsjobroleN` with `id`, `orgcode` and the text `ORG NAME, "type":"subtype":"role"`.
pub fn parse_gas_validate(body: &[u8]) -> Result<GasSession, Cis1Error> {
    let doc = xml::parse(body)?;
    let root = doc.root_element();
    if !xml::is(root, None, "gpOBJECT") {
        return Err(Cis1Error::UnexpectedElement {
            expected: "gpOBJECT",
            found: xml::qualified(root),
        });
    }
    let mut cn = None;
    let mut ticket = None;
    let mut session_time = None;
    let mut max_session_time = None;
    let mut logout_url = None;
    let mut domain = None;
    let mut roles: Vec<GasRole> = Vec::new();
    let mut other: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for param in root.children().filter(Node::is_element) {
        if !xml::is(param, None, "gpPARAM") {
            return Err(Cis1Error::UnexpectedElement {
                expected: "gpPARAM",
                found: xml::qualified(param),
            });
        }
        let name = param.attribute("name").ok_or(Cis1Error::MissingXmlAttribute {
            element: "gpPARAM",
            attribute: "name",
        })?;
        if seen.contains(&name) {
            return Err(Cis1Error::Duplicate(name.to_owned()));
        }
        seen.push(name);
        let text = xml::leaf_text(param, "gpPARAM")?;
        match name {
            "cn" => cn = Some(text),
            "sso_ticket" => ticket = Some(SsoTicket::new(text)),
            "sso_session_time" => session_time = Some(seconds(&text, "sso_session_time")?),
            "sso_max_session_time" => max_session_time = Some(seconds(&text, "sso_max_session_time")?),
            "sso_logout_url" => logout_url = Some(text),
            "sso_domain" => domain = Some(text),
            _ => match name.strip_prefix("nhsjobrole") {
                Some(n) => roles.push(role(param, n, &text)?),
                None => other.push((name.to_owned(), text)),
            },
        }
    }
    roles.sort_by_key(|r| r.index);
    let sso_ticket = ticket.ok_or(Cis1Error::Missing("sso_ticket"))?;
    if sso_ticket.secret().is_empty() {
        return Err(Cis1Error::Missing("sso_ticket"));
    }
    Ok(GasSession {
        cn: cn.ok_or(Cis1Error::Missing("cn"))?,
        roles,
        sso_ticket,
        sso_session_time: session_time.ok_or(Cis1Error::Missing("sso_session_time"))?,
        sso_max_session_time: max_session_time,
        sso_logout_url: logout_url.ok_or(Cis1Error::Missing("sso_logout_url"))?,
        sso_domain: domain,
        other,
    })
}

fn seconds(text: &str, field: &'static str) -> Result<u64, Cis1Error> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Cis1Error::InvalidValue {
            field,
            reason: "not a whole number of seconds",
        });
    }
    text.parse().map_err(|_| Cis1Error::InvalidValue {
        field,
        reason: "too large",
    })
}

fn role(param: Node<'_, '_>, n: &str, text: &str) -> Result<GasRole, Cis1Error> {
    let invalid = |reason| Cis1Error::InvalidValue {
        field: "nhsjobroleN",
        reason,
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("the name is not nhsjobrole followed by digits"));
    }
    let index = n.parse().map_err(|_| invalid("index too large"))?;
    let field = |attribute| {
        param
            .attribute(attribute)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(Cis1Error::MissingXmlAttribute {
                element: "gpPARAM nhsjobroleN",
                attribute,
            })
    };
    let (org_name, role_name) = text
        .split_once(", \"")
        .ok_or(invalid("text is not ORG NAME, \"type\":\"subtype\":\"role\""))?;
    let role_name = format!("\"{role_name}");
    if !role_name.ends_with('"') || role_name.len() < 2 {
        return Err(invalid("the job-role path does not end with a quote"));
    }
    Ok(GasRole {
        index,
        id: field("id")?,
        orgcode: field("orgcode")?,
        org_name: org_name.trim().to_owned(),
        role_name,
    })
}
