//! The SSB role assertion (cis2.md §14.4): `GET /saml/RoleAssertion?token=<ticket>` answers SAML 1.1 with
//! `samlp:Success` only while the CIS1 session lives. Shape as SpineCore's `saml_example.md`: the response,
//! an assertion whose Conditions run from 3 minutes before to 1 minute after the issue instant, the subject
//! with an inner assertion carrying the ticket and `AuthenticationInstant`, then the header block
//! (`ssbAssertionVersion`), the person block and one job-role block per role, each opening with
//! `nhsIdCode`, attribute namespace `http://www.syntegra.com`, empty attributes left out. Written with
//! quick-xml's `Writer`; every value escaped.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::Deserialize;

use super::gas::org_name;
use super::signin::origin;
use crate::cis1_sessions::Cis1Session;
use crate::config::cis1::RoleAssertionFailure;
use crate::state::{AppState, lock};
use crate::users::User;

const SAMLP: &str = "urn:oasis:names:tc:SAML:1.0:protocol";
const SAML: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
/// The attribute namespace of every SSB attribute.
pub(crate) const SYNTEGRA: &str = "http://www.syntegra.com";

/// `2018-06-28T14:30:51Z` from UNIX seconds (UTC, proleptic Gregorian).
pub(crate) fn instant(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn assertion_id() -> String {
    let mut b = [0u8; 20];
    OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A small wrapper over quick-xml's writer (writing to a `Vec` cannot fail).
struct Doc(Writer<Vec<u8>>);

impl Doc {
    fn new() -> Self {
        Doc(Writer::new_with_indent(Vec::new(), b' ', 4))
    }
    fn tag<'a>(name: &'a str, attrs: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut s = BytesStart::new(name);
        for a in attrs {
            s.push_attribute(*a);
        }
        s
    }
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = self.0.write_event(Event::Start(Self::tag(name, attrs)));
    }
    fn end(&mut self, name: &str) {
        let _ = self.0.write_event(Event::End(BytesEnd::new(name)));
    }
    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = self.0.write_event(Event::Empty(Self::tag(name, attrs)));
    }
    fn text_el(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let _ = self
            .0
            .write_event(Event::Text(BytesText::from_escaped(partial_escape(text))));
        self.end(name);
    }
    /// One `saml:Attribute`, left out when it has no non-empty value.
    fn attribute<S: AsRef<str>>(&mut self, name: &str, values: &[S]) {
        let values: Vec<&str> = values
            .iter()
            .map(AsRef::as_ref)
            .filter(|v| !v.trim().is_empty())
            .collect();
        if values.is_empty() {
            return;
        }
        self.start(
            "saml:Attribute",
            &[("AttributeName", name), ("AttributeNamespace", SYNTEGRA)],
        );
        for v in values {
            self.text_el("saml:AttributeValue", &[], v);
        }
        self.end("saml:Attribute");
    }
    fn finish(self) -> String {
        String::from_utf8(self.0.into_inner()).unwrap_or_default()
    }
}

fn subject(d: &mut Doc, name_id: &str) {
    d.start("saml:Subject", &[]);
    d.text_el("saml:NameIdentifier", &[("NameQualifier", "o=nhs")], name_id);
    d.start("saml:SubjectConfirmation", &[]);
    d.text_el("saml:ConfirmationMethod", &[], "urn:com:sun:identity");
}

/// The success document for a live session.
pub(crate) fn success(st: &AppState, s: &Cis1Session, user: &User) -> String {
    let now = st.0.clock.now().as_secs();
    let issued = instant(now);
    let not_before = instant(now.saturating_sub(180));
    let not_after = instant(now.saturating_add(60));
    let auth = instant(s.auth_time.as_secs());
    let issuer = origin(st).to_owned();
    let name_id = format!("uid={},ou=People,o=nhs", user.uid);
    let (outer_id, inner_id) = (assertion_id(), assertion_id());
    let mut d = Doc::new();
    d.start(
        "samlp:Response",
        &[
            ("xmlns:samlp", SAMLP),
            ("ResponseID", "null"),
            ("InResponseTo", "null"),
            ("MajorVersion", "1"),
            ("MinorVersion", "1"),
            ("IssueInstant", &issued),
            ("Recipient", &s.client_ip),
        ],
    );
    d.start("samlp:Status", &[]);
    d.empty("samlp:StatusCode", &[("Value", "samlp:Success")]);
    d.end("samlp:Status");
    d.start(
        "saml:Assertion",
        &[
            ("xmlns:saml", SAML),
            ("MajorVersion", "1"),
            ("MinorVersion", "1"),
            ("AssertionID", &outer_id),
            ("Issuer", &issuer),
            ("IssueInstant", &issued),
        ],
    );
    let conditions = [
        ("NotBefore", not_before.as_str()),
        ("NotOnOrAfter", not_after.as_str()),
    ];
    d.empty("saml:Conditions", &conditions);
    d.start("saml:AttributeStatement", &[]);
    subject(&mut d, &name_id);
    d.start("saml:SubjectConfirmationData", &[]);
    d.start(
        "saml:Assertion",
        &[
            ("MajorVersion", "1"),
            ("MinorVersion", "1"),
            ("AssertionID", &inner_id),
            ("Issuer", &issuer),
            ("IssueInstant", &issued),
        ],
    );
    d.empty("saml:Conditions", &conditions);
    d.start(
        "saml:AuthenticationStatement",
        &[
            ("AuthenticationInstant", &auth),
            ("AuthenticationMethod", "urn:com:sun:identity:ExtendedLoginModule"),
        ],
    );
    subject(&mut d, &name_id);
    d.text_el("saml:SubjectConfirmationData", &[], &s.ticket);
    d.end("saml:SubjectConfirmation");
    d.end("saml:Subject");
    d.empty("saml:SubjectLocality", &[("IPAddress", &s.client_ip)]);
    d.end("saml:AuthenticationStatement");
    d.end("saml:Assertion");
    d.end("saml:SubjectConfirmationData");
    d.end("saml:SubjectConfirmation");
    d.end("saml:Subject");
    attributes(&mut d, s, user);
    d.end("saml:AttributeStatement");
    d.end("saml:Assertion");
    d.end("samlp:Response");
    d.finish()
}

/// Header block, person block, one job-role block per role.
fn attributes(d: &mut Doc, s: &Cis1Session, user: &User) {
    d.attribute("ssbAssertionVersion", &["1.1"]);
    d.attribute("cn", &[user.name()]);
    d.attribute("uid", &[user.uid.as_str()]);
    let ocs = user
        .professional_ids
        .get("nhsOcsPrCode")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    d.attribute("nhsOcsPrCode", &[ocs]);
    d.attribute("ssbSessionRoleUid", &[s.selected_roleid.as_deref().unwrap_or("")]);
    d.attribute("ssbMode", &[s.ssb_mode.to_string()]);
    for r in &user.roles {
        d.attribute("nhsIdCode", &[r.org_code.as_str()]);
        d.attribute("o", &[org_name(user, &r.org_code).unwrap_or_default()]);
        d.attribute("nhsBusinessFunctions", &r.activities);
        d.attribute("nhsBusinessFunctionsCodes", &r.activity_codes);
        d.attribute("nhsJobRole", &[r.role_name.as_str()]);
        d.attribute("uniqueIdentifier", &[r.person_roleid.as_str()]);
        d.attribute("nhsJobRoleCode", &[r.role_code.as_str()]);
        d.attribute("nhsAreaOfWork", &r.aow);
        d.attribute("nhsAreaOfWorkCodes", &r.aow_codes);
        d.attribute("nhsWorkGroups", &r.workgroups);
        d.attribute("nhsWorkGroupsCodes", &r.workgroups_codes);
    }
}

/// The failure document: `samlp:Requester` / `samlp:RequestDenied` and a message, no assertion.
pub(crate) fn failure(st: &AppState, message: &str) -> String {
    let issued = instant(st.0.clock.now().as_secs());
    let mut d = Doc::new();
    d.start(
        "samlp:Response",
        &[
            ("xmlns:samlp", SAMLP),
            ("ResponseID", "null"),
            ("InResponseTo", "null"),
            ("MajorVersion", "1"),
            ("MinorVersion", "1"),
            ("IssueInstant", &issued),
        ],
    );
    d.start("samlp:Status", &[]);
    d.start("samlp:StatusCode", &[("Value", "samlp:Requester")]);
    d.empty("samlp:StatusCode", &[("Value", "samlp:RequestDenied")]);
    d.end("samlp:StatusCode");
    d.text_el("samlp:StatusMessage", &[], message);
    d.end("samlp:Status");
    d.end("samlp:Response");
    d.finish()
}

/// The role assertion for `ticket`: `Ok` with the success document while its session lives, else `Err` with
/// the failure document.
pub(crate) fn assertion_for(st: &AppState, ticket: &str) -> Result<String, String> {
    let now = st.0.clock.now();
    let session = lock(&st.0.cis1).live(ticket, now).cloned();
    let Some(s) = session else {
        return Err(failure(st, "Invalid or expired SSO token"));
    };
    match st.user(&s.uid) {
        Some(user) => Ok(success(st, &s, &user)),
        None => Err(failure(st, "The session's user no longer exists")),
    }
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `RoleAssertion` query.
#[derive(Deserialize)]
pub(super) struct Token {
    token: Option<String>,
}

/// `GET /saml/RoleAssertion?token=<url-encoded ticket>`.
pub(super) async fn role_assertion(
    State(st): State<AppState>,
    q: Result<Query<Token>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let token = match q {
        Ok(Query(Token { token: Some(t) })) if !t.trim().is_empty() => t,
        _ => {
            return xml(
                StatusCode::BAD_REQUEST,
                failure(
                    &st,
                    "The token query parameter is required (the URL-encoded SSO ticket)",
                ),
            );
        }
    };
    match assertion_for(&st, &token) {
        Ok(doc) => xml(StatusCode::OK, doc),
        Err(doc) => {
            let status = match st.0.config.cis1.role_assertion_failure {
                RoleAssertionFailure::Http403 => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            xml(status, doc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::instant;

    #[test]
    fn instants() {
        assert_eq!(instant(0), "1970-01-01T00:00:00Z");
        assert_eq!(instant(1_530_196_251), "2018-06-28T14:30:51Z");
        assert_eq!(instant(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(instant(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
