//! CIS1 (issue #13 §2): GAS validate responses and SSB RoleAssertions read into the CIS2 user model, the
//! RoleAssertion checks, ticket encoding, and strictness. Fixtures in `testdata/cis1/` follow cis2.md §14.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::time::Duration;

use cis2_sdk::cis1::*;
use cis2_sdk::{RoleSelection, UnixTime};

const ASSERTION: &str = include_str!("../../testdata/cis1/role-assertion.xml");
const FAILURE: &str = include_str!("../../testdata/cis1/role-assertion-failure.xml");
const GAS: &str = include_str!("../../testdata/cis1/gas-authvalidate.xml");
const UID: &str = "555008640100";
const TICKET: &str = "AQIC5wM2LY4SfcwrRGMHiyxMR3suYWqcF+B1j56GJ4xGut4=@AAJTSQACMDE=#";
/// 2018-06-28T14:30:51Z, the fixture's IssueInstant.
const ISSUED: u64 = 1_530_196_251;

fn at(secs: u64) -> AssertionExpectations<'static> {
    AssertionExpectations::new(UID, UnixTime::from_secs(secs))
}

fn parse(doc: &str) -> Result<RoleAssertion, Cis1Error> {
    parse_role_assertion(doc.as_bytes())
}

fn checked(doc: &str) -> Result<SsbAssertion, Cis1Error> {
    validate_role_assertion(doc.as_bytes(), &at(ISSUED))
}

/// The fixture with its first `from` replaced.
fn edit(from: &str, to: &str) -> String {
    assert!(ASSERTION.contains(from), "fixture lacks {from}");
    ASSERTION.replacen(from, to, 1)
}

fn attribute(name: &str, value: &str) -> String {
    format!(
        "<saml:Attribute AttributeName=\"{name}\" AttributeNamespace=\"http://www.syntegra.com\"><saml:AttributeValue>{value}</saml:AttributeValue></saml:Attribute>"
    )
}

// --- RoleAssertion: parse and map every documented attribute ---

#[test]
fn role_assertion_parses_the_documented_shape() {
    let a = checked(ASSERTION).unwrap();
    assert_eq!(a.issuer, "http://ssb.cis1.test:8080");
    assert_eq!(a.issue_instant, UnixTime::from_secs(ISSUED));
    assert_eq!(a.not_before, UnixTime::from_secs(ISSUED - 180), "−3 min");
    assert_eq!(a.not_on_or_after, UnixTime::from_secs(ISSUED + 60), "+1 min");
    assert_eq!(a.subject_uid, UID);
    assert!(a.ticket.as_ref().unwrap().ct_eq(TICKET));
    assert_eq!(a.authentication_instant, Some(UnixTime::from_secs(ISSUED - 507)));
    assert_eq!(a.person.cn.as_deref(), Some("RA_A00394 RA A"));
    assert_eq!(a.person.nhs_ocs_pr_code.as_deref(), Some("G1234567"));
    assert_eq!(a.person.ssb_session_role_uid, "555008642106");
    assert_eq!(a.person.ssb_mode, Some(SsbMode::Live));
    assert_eq!(a.roles.len(), 2);
    assert_eq!(
        a.roles[0].attributes[0].name, "nhsIdCode",
        "nhsIdCode opens each block"
    );
    assert_eq!(a.roles[1].unique_identifier(), "555008642106");
    assert_eq!(
        a.roles[1].value("nhsJobRoleCode"),
        Some("S8000:G8000:R8003"),
        "order inside a block is free"
    );
}

#[test]
fn role_assertion_maps_every_documented_attribute() {
    let user = checked(ASSERTION).unwrap().to_user(&Cis1Mapping::default());
    // uid → sub = uid = nhsid_useruid [C]
    assert_eq!(user.sub(), UID);
    let info = user.userinfo.as_ref().unwrap();
    assert_eq!(info.uid.as_deref(), Some(UID));
    assert_eq!(info.nhsid_useruid.as_deref(), Some(UID));
    // cn → name [I]
    assert_eq!(user.name(), Some("RA_A00394 RA A"));
    // ssbSessionRoleUid → selected_roleid [I]
    assert_eq!(user.selected_role_id(), Some("555008642106"));
    let RoleSelection::Selected { role, organisation } = user.selected_role() else {
        panic!("selected role expected, got {:?}", user.selected_role());
    };
    // uniqueIdentifier → person_roleid; nhsJobRoleCode → role_code [C]; nhsJobRole → role_name [C]
    assert_eq!(role.person_roleid, "555008642106");
    assert_eq!(role.role_code, "S8000:G8000:R8003");
    assert_eq!(role.job_role(), Some("R8003"));
    assert_eq!(
        role.role_name,
        "\"Clinical\":\"Clinical Provision\":\"Health Professional Access Role\""
    );
    assert_eq!(role.role_title(), "Health Professional Access Role");
    // nhsIdCode → org_code; o → nhsid_user_orgs[].org_name
    assert_eq!(role.org_code, "B81012");
    assert_eq!(
        organisation.unwrap().org_name,
        "STIRLING MEDICAL CENTRE (S KUMAR)"
    );
    assert_eq!(user.organisations().len(), 1, "one organisation per ODS code");
    // business functions, areas of work, workgroups
    assert_eq!(
        role.activities,
        ["Manage Detailed Health Records", "Claim Subject Access Request"]
    );
    assert_eq!(role.activity_codes, ["B0286", "B0264"]);
    assert!(user.has_activity("B0264"));
    assert!(user.has_role_code("R8003"));
    assert_eq!(role.aow, ["General Practice"]);
    assert_eq!(role.aow_codes, ["AOW001"]);
    assert_eq!(role.workgroups, ["GP Team A"]);
    assert_eq!(role.workgroups_codes, ["WG1001"]);
    // person_orgid has no CIS1 source [?]
    assert_eq!(role.person_orgid, "");
    // the other role, & unescaped
    assert_eq!(
        user.roles()[0].role_name,
        "\"Admin & Clerical\":\"Admin\":\"Demographic Administrator\""
    );
    assert_eq!(user.roles()[0].activity_codes, ["B0085"]);
    // ssbMode [?]: not mapped by default; nhsOcsPrCode (not in §14.5) kept under its CIS1 name
    assert!(!info.extra.contains_key("ssbMode"));
    assert_eq!(info.extra["nhsOcsPrCode"], "G1234567");
    // smartcard over HSCN → amr/acr [I]; times
    assert_eq!(user.id_token.iss, CIS1_ISSUER);
    assert_eq!(user.id_token.amr, ["N3_SMARTCARD"]);
    assert_eq!(user.id_token.acr.as_deref(), Some("AAL3_ANY"));
    assert_eq!(user.aal(), Some(3));
    assert_eq!(user.id_token.iat, UnixTime::from_secs(ISSUED));
    assert_eq!(user.id_token.exp, UnixTime::from_secs(ISSUED + 60));
    assert_eq!(user.id_token.auth_time, Some(UnixTime::from_secs(ISSUED - 507)));
}

#[test]
fn inferred_rows_are_overridable_and_confirmed_rows_are_not() {
    let mapping = Cis1Mapping::default()
        .with_target(Cis1Attribute::Cn, Cis2Target::Extra("display_name".into()))
        .unwrap()
        .with_target(Cis1Attribute::NhsBusinessFunctions, Cis2Target::Drop)
        .unwrap()
        .with_target(Cis1Attribute::O, Cis2Target::Extra("org_name".into()))
        .unwrap()
        .with_target(Cis1Attribute::SsbMode, Cis2Target::Extra("ssb_mode".into()))
        .unwrap()
        .with_smartcard_context(
            vec!["N3_SMARTCARD".into(), "pin".into()],
            Some("AAL3_SMARTCARD".into()),
        );
    let user = checked(ASSERTION).unwrap().to_user(&mapping);
    let info = user.userinfo.as_ref().unwrap();
    assert_eq!(info.name, None);
    assert_eq!(
        user.name(),
        Some("RA_A00394 RA A"),
        "display_name is read by Cis2User::name"
    );
    assert_eq!(info.extra["ssb_mode"], "0");
    let role = &user.roles()[1];
    assert!(role.activities.is_empty());
    assert_eq!(role.activity_codes, ["B0286", "B0264"]);
    assert_eq!(role.extra["org_name"], "STIRLING MEDICAL CENTRE (S KUMAR)");
    assert_eq!(user.organisations()[0].org_name, "");
    assert_eq!(user.id_token.acr.as_deref(), Some("AAL3_SMARTCARD"));

    for confirmed in [
        Cis1Attribute::Uid,
        Cis1Attribute::NhsJobRoleCode,
        Cis1Attribute::NhsJobRole,
    ] {
        assert_eq!(
            Cis1Mapping::default().with_target(confirmed, Cis2Target::Drop),
            Err(MappingError::Confirmed(confirmed))
        );
    }
    assert!(
        Cis1Mapping::default()
            .with_target(Cis1Attribute::Smartcard, Cis2Target::Extra("x".into()))
            .is_err()
    );
    let dropped = Cis1Mapping::default()
        .with_target(Cis1Attribute::Smartcard, Cis2Target::Drop)
        .unwrap();
    let user = checked(ASSERTION).unwrap().to_user(&dropped);
    assert!(user.id_token.amr.is_empty() && user.id_token.acr.is_none());
}

#[test]
fn the_mapping_table_is_section_14_5() {
    assert_eq!(MAPPING.len(), 18);
    let marks: Vec<(&str, &str)> = MAPPING
        .iter()
        .filter_map(|r| r.saml.map(|s| (s, r.certainty.mark())))
        .collect();
    assert_eq!(
        marks,
        [
            ("uid", "[C]"),
            ("cn", "[I]"),
            ("ssbSessionRoleUid", "[I]"),
            ("uniqueIdentifier", "[I]"),
            ("nhsJobRoleCode", "[C]"),
            ("nhsJobRole", "[C]"),
            ("nhsIdCode", "[I]"),
            ("o", "[I]"),
            ("nhsBusinessFunctions", "[I]"),
            ("nhsBusinessFunctionsCodes", "[I]"),
            ("nhsAreaOfWork", "[I]"),
            ("nhsAreaOfWorkCodes", "[I]"),
            ("nhsWorkGroups", "[I]"),
            ("nhsWorkGroupsCodes", "[I]"),
            ("ssbMode", "[?]"),
        ]
    );
    for row in &MAPPING {
        assert_eq!(
            mapping_row(row.attribute),
            row,
            "every attribute has exactly its row"
        );
        assert_eq!(row.overridable(), row.certainty != Certainty::Confirmed);
    }
    assert_eq!(
        mapping_row(Cis1Attribute::PersonOrgId).certainty,
        Certainty::Unknown
    );
    assert_eq!(
        mapping_row(Cis1Attribute::SsoSessionTime).gas,
        Some("sso_session_time")
    );
    assert_eq!(
        mapping_row(Cis1Attribute::Smartcard).certainty,
        Certainty::Inferred
    );
}

// --- RoleAssertion checks ---

#[test]
fn check_refuses_a_failed_status() {
    let parsed = parse(FAILURE).unwrap();
    assert!(parsed.assertion.is_none());
    let err = parsed.check(&at(ISSUED)).unwrap_err();
    assert_eq!(
        err,
        AssertionCheckError::Status {
            actual: "samlp:Responder".into()
        }
    );
    assert_eq!(err.code(), "cis1.check.status");
    // Success spelt with another prefix bound to the protocol namespace is success; the samlp prefix bound
    // elsewhere is not.
    let other_prefix = ASSERTION.replacen(
        "<samlp:StatusCode Value=\"samlp:Success\"/>",
        "<samlp:StatusCode xmlns:p=\"urn:oasis:names:tc:SAML:1.0:protocol\" Value=\"p:Success\"/>",
        1,
    );
    assert!(checked(&other_prefix).is_ok());
    let rebound = ASSERTION.replacen(
        "<samlp:StatusCode Value=\"samlp:Success\"/>",
        "<s:StatusCode xmlns:s=\"urn:oasis:names:tc:SAML:1.0:protocol\" xmlns:samlp=\"urn:example:not-saml\" Value=\"samlp:Success\"/>",
        1,
    );
    assert_eq!(
        checked(&rebound).unwrap_err(),
        Cis1Error::Check(AssertionCheckError::Status {
            actual: "samlp:Success".into()
        })
    );
}

#[test]
fn check_enforces_the_conditions_window_with_leeway() {
    let parsed = parse(ASSERTION).unwrap();
    let leeway = AssertionExpectations::DEFAULT_LEEWAY.as_secs();
    assert!(parsed.check(&at(ISSUED - 180)).is_ok(), "NotBefore itself");
    assert!(
        parsed.check(&at(ISSUED - 180 - leeway)).is_ok(),
        "within leeway before"
    );
    assert_eq!(
        parsed.check(&at(ISSUED - 181 - leeway)).unwrap_err(),
        AssertionCheckError::NotYetValid {
            not_before: UnixTime::from_secs(ISSUED - 180),
            now: UnixTime::from_secs(ISSUED - 181 - leeway),
            leeway_secs: leeway,
        }
    );
    assert!(
        parsed.check(&at(ISSUED + 59 + leeway)).is_ok(),
        "within leeway after"
    );
    let late = parsed.check(&at(ISSUED + 60 + leeway)).unwrap_err();
    assert!(matches!(late, AssertionCheckError::Expired { .. }), "{late:?}");
    assert_eq!(late.code(), "cis1.check.expired");
    let strict = at(ISSUED + 60).leeway(Duration::ZERO);
    assert!(
        matches!(parsed.check(&strict), Err(AssertionCheckError::Expired { .. })),
        "NotOnOrAfter is exclusive"
    );
}

#[test]
fn check_refuses_another_users_assertion() {
    let parsed = parse(ASSERTION).unwrap();
    let err = parsed
        .check(&AssertionExpectations::new(
            "555008640999",
            UnixTime::from_secs(ISSUED),
        ))
        .unwrap_err();
    assert_eq!(
        err,
        AssertionCheckError::SubjectMismatch {
            expected: "555008640999".into(),
            actual: UID.into()
        }
    );
}

#[test]
fn check_refuses_a_selected_role_the_user_does_not_hold() {
    let doc = edit(
        "<saml:AttributeValue>555008642106</saml:AttributeValue>",
        "<saml:AttributeValue>999999999999</saml:AttributeValue>",
    );
    let err = parse(&doc).unwrap().check(&at(ISSUED)).unwrap_err();
    assert_eq!(
        err,
        AssertionCheckError::UnknownSelectedRole {
            selected: "999999999999".into(),
            roles: vec!["887389426511".into(), "555008642106".into()],
        }
    );
}

// --- RoleAssertion strictness ---

fn refused(doc: &str) -> Cis1Error {
    match parse(doc) {
        Ok(p) => panic!("accepted: {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn refuses_a_job_role_without_nhs_id_code() {
    // The first block's nhsIdCode removed: its attributes now precede every nhsIdCode.
    let first = attribute("nhsIdCode", "B81012");
    let pretty = "<saml:Attribute AttributeName=\"nhsIdCode\" AttributeNamespace=\"http://www.syntegra.com\">\n        <saml:AttributeValue>B81012</saml:AttributeValue>\n      </saml:Attribute>";
    let doc = edit(pretty, "");
    assert!(
        matches!(refused(&doc), Cis1Error::Misplaced { ref name, .. } if name == "o"),
        "{first}"
    );
    // The second block's nhsIdCode removed: its attributes run into the first block.
    let i = ASSERTION.rfind(pretty).unwrap();
    let doc = format!("{}{}", &ASSERTION[..i], &ASSERTION[i + pretty.len()..]);
    assert!(matches!(refused(&doc), Cis1Error::Duplicate(ref n) if n == "nhsJobRoleCode"));
}

#[test]
fn refuses_missing_or_misplaced_person_values() {
    let doc = edit(
        "AttributeName=\"ssbSessionRoleUid\"",
        "AttributeName=\"ssbSessionRoleUidX\"",
    );
    assert_eq!(refused(&doc), Cis1Error::Missing("ssbSessionRoleUid"));
    let doc = edit(
        "AttributeName=\"uniqueIdentifier\"",
        "AttributeName=\"uniqueIdentifierX\"",
    );
    assert_eq!(refused(&doc), Cis1Error::Missing("uniqueIdentifier"));
    let doc = edit(
        "</saml:AttributeStatement>",
        &format!("{}</saml:AttributeStatement>", attribute("cn", "X")),
    );
    assert!(matches!(refused(&doc), Cis1Error::Misplaced { .. }));
    let doc = edit(
        "<saml:AttributeValue>1.1</saml:AttributeValue>",
        "<saml:AttributeValue>2.0</saml:AttributeValue>",
    );
    assert_eq!(refused(&doc), Cis1Error::UnsupportedVersion("2.0".into()));
    let doc = edit(">0</saml:AttributeValue>", ">2</saml:AttributeValue>");
    assert!(matches!(
        refused(&doc),
        Cis1Error::InvalidValue { field: "ssbMode", .. }
    ));
    let doc = edit(
        "<saml:AttributeValue>555008640100</saml:AttributeValue>",
        "<saml:AttributeValue>555008640101</saml:AttributeValue>",
    );
    assert!(matches!(
        refused(&doc),
        Cis1Error::InvalidValue { field: "uid", .. }
    ));
    let doc = edit(
        "uid=555008640100,ou=People,o=nhs",
        "cn=555008640100,ou=People,o=nhs",
    );
    assert!(matches!(
        refused(&doc),
        Cis1Error::InvalidValue {
            field: "saml:NameIdentifier",
            ..
        }
    ));
    let doc = edit(
        "NotOnOrAfter=\"2018-06-28T14:31:51Z\"",
        "NotOnOrAfter=\"2018-06-28 14:31:51\"",
    );
    assert!(matches!(
        refused(&doc),
        Cis1Error::InvalidValue {
            field: "NotOnOrAfter",
            ..
        }
    ));
    let doc = edit(
        "<saml:Conditions NotBefore=\"2018-06-28T14:27:51Z\" NotOnOrAfter=\"2018-06-28T14:31:51Z\"/>\n    <saml:AttributeStatement>",
        "<saml:AttributeStatement>",
    );
    assert_eq!(refused(&doc), Cis1Error::MissingElement("saml:Conditions"));
}

#[test]
fn refuses_wrong_namespaces() {
    // Attribute namespace
    let doc = edit(
        "AttributeName=\"cn\" AttributeNamespace=\"http://www.syntegra.com\"",
        "AttributeName=\"cn\" AttributeNamespace=\"http://www.example.com\"",
    );
    assert_eq!(
        refused(&doc),
        Cis1Error::WrongAttributeNamespace {
            name: "cn".into(),
            found: "http://www.example.com".into()
        }
    );
    // SAML 2.0 protocol namespace under the usual prefix
    let doc = edit(
        "xmlns:samlp=\"urn:oasis:names:tc:SAML:1.0:protocol\"",
        "xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"",
    );
    assert!(matches!(refused(&doc), Cis1Error::UnexpectedElement { .. }));
    // The assertion namespace under another prefix is fine; an assertion in the wrong namespace is missing.
    let renamed = ASSERTION
        .replace("saml:", "a:")
        .replace("xmlns:saml=", "xmlns:a=");
    assert!(validate_role_assertion(renamed.as_bytes(), &at(ISSUED)).is_ok());
    let doc = edit(
        "xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\"",
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"",
    );
    assert_eq!(refused(&doc), Cis1Error::MissingElement("saml:Assertion"));
    // No namespace at all: unbound prefix, not well-formed.
    let doc = edit(" xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\"", "");
    assert!(matches!(refused(&doc), Cis1Error::Xml(_)));
}

#[test]
fn refuses_doctype_entities_huge_and_deep_input() {
    let doctype = format!(
        "<!DOCTYPE r [<!ENTITY x \"y\">]>{}",
        ASSERTION.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    );
    assert_eq!(refused(&doctype), Cis1Error::Doctype);
    assert_eq!(
        refused("<!DOCTYPE samlp:Response><samlp:Response/>"),
        Cis1Error::Doctype
    );
    let laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>";
    assert_eq!(refused(laughs), Cis1Error::Doctype);
    assert_eq!(
        parse_gas_validate(laughs.as_bytes()).unwrap_err(),
        Cis1Error::Doctype
    );
    let undeclared = edit("RA_A00394 RA A", "&xxe;");
    assert!(matches!(refused(&undeclared), Cis1Error::Xml(_)));

    let huge = edit("RA_A00394 RA A", &"A".repeat(MAX_DOCUMENT_BYTES));
    assert!(matches!(
        refused(&huge),
        Cis1Error::TooLarge {
            limit: MAX_DOCUMENT_BYTES,
            ..
        }
    ));
    let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
    assert_eq!(refused(&deep), Cis1Error::TooDeep { limit: MAX_DEPTH });
    assert_eq!(
        parse_gas_validate(deep.as_bytes()).unwrap_err(),
        Cis1Error::TooDeep { limit: MAX_DEPTH }
    );
    let very_deep = format!("{}{}", "<a>".repeat(40_000), "</a>".repeat(40_000));
    assert!(parse(&very_deep).is_err());
    let many = format!("<r>{}</r>", "<a/>".repeat(50_000));
    assert!(parse(&many).is_err());
    assert_eq!(
        parse_role_assertion(b"\xff\xfe<r/>").unwrap_err(),
        Cis1Error::NotUtf8
    );
    assert!(matches!(refused(""), Cis1Error::Xml(_)));
}

// --- GAS ---

#[test]
fn gas_validate_parses_and_maps() {
    let gas = parse_gas_validate(GAS.as_bytes()).unwrap();
    assert_eq!(gas.cn, "RA_A00394 RA A");
    assert!(gas.sso_ticket.ct_eq(TICKET));
    assert_eq!(gas.sso_session_time, 600);
    assert_eq!(gas.sso_max_session_time, Some(600));
    assert_eq!(
        gas.sso_logout_url,
        "https://gas.nis1.national.ncrs.nhs.uk/login/authlogout"
    );
    assert_eq!(gas.sso_domain.as_deref(), Some(".nis.nhs.uk"));
    assert!(gas.other.iter().any(|(k, v)| k == "gas_version" && v == "5.2.7"));
    assert_eq!(gas.roles.len(), 2);
    assert_eq!(gas.roles[1].id, "555008642106");
    assert_eq!(gas.roles[1].orgcode, "B81012");
    assert_eq!(gas.roles[1].org_name, "STIRLING MEDICAL CENTRE (S KUMAR)");
    assert_eq!(
        gas.roles[1].role_name,
        "\"Admin & Clerical\":\"Management - A & C\":\"Registration Authority Manager\""
    );

    let now = UnixTime::from_secs(ISSUED);
    let user = gas.to_user(UID, Some("555008642106"), now, &Cis1Mapping::default());
    assert_eq!(user.sub(), UID);
    assert_eq!(user.name(), Some("RA_A00394 RA A"));
    assert_eq!(
        user.id_token.exp,
        UnixTime::from_secs(ISSUED + 600),
        "sso_session_time"
    );
    let RoleSelection::Selected { role, organisation } = user.selected_role() else {
        panic!()
    };
    assert_eq!(role.role_title(), "Registration Authority Manager");
    assert_eq!(role.org_code, "B81012");
    assert_eq!(
        organisation.unwrap().org_name,
        "STIRLING MEDICAL CENTRE (S KUMAR)"
    );
    assert_eq!(
        gas.to_user(UID, None, now, &Cis1Mapping::default())
            .selected_role(),
        RoleSelection::NotSelected
    );

    // The same user and roles from GAS and from the SSB.
    let saml = checked(ASSERTION).unwrap().to_user(&Cis1Mapping::default());
    let ids = |u: &cis2_sdk::Cis2User| {
        u.roles()
            .iter()
            .map(|r| (r.person_roleid.clone(), r.org_code.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&user), ids(&saml));
    assert_eq!(user.organisations(), saml.organisations());
}

#[test]
fn gas_validate_refuses_malformed_objects() {
    let bad = |doc: &str| parse_gas_validate(doc.as_bytes()).unwrap_err();
    let edit = |from: &str, to: &str| {
        assert!(GAS.contains(from), "fixture lacks {from}");
        GAS.replacen(from, to, 1)
    };
    assert_eq!(
        bad(&edit("name=\"sso_ticket\"", "name=\"sso_tickets\"")),
        Cis1Error::Missing("sso_ticket")
    );
    assert_eq!(
        bad(&edit("name=\"cn\"", "name=\"gas_version\"")),
        Cis1Error::Duplicate("gas_version".into())
    );
    assert!(matches!(
        bad(&edit(
            ">600</gpPARAM>\n <gpPARAM name=\"sso_keep_alive\"",
            ">ten</gpPARAM>\n <gpPARAM name=\"sso_keep_alive\""
        )),
        Cis1Error::InvalidValue {
            field: "sso_session_time",
            ..
        }
    ));
    assert!(matches!(
        bad(&edit(" orgcode=\"B81012\"", "")),
        Cis1Error::MissingXmlAttribute {
            attribute: "orgcode",
            ..
        }
    ));
    assert!(matches!(
        bad(&edit("name=\"nhsjobrole0\"", "name=\"nhsjobroleX\"")),
        Cis1Error::InvalidValue {
            field: "nhsjobroleN",
            ..
        }
    ));
    assert!(matches!(
        bad(&edit("(S KUMAR), \"Admin", "(S KUMAR) Admin")),
        Cis1Error::InvalidValue {
            field: "nhsjobroleN",
            ..
        }
    ));
    assert!(matches!(
        bad(&edit("<gpOBJECT>", "<gpOBJECT xmlns=\"urn:x\">")),
        Cis1Error::UnexpectedElement { .. }
    ));
    assert!(matches!(
        bad(
            &edit("<gpPARAM name=\"gas_version\">", "<other name=\"gas_version\">")
                .replace("5.2.7</gpPARAM>", "5.2.7</other>")
        ),
        Cis1Error::UnexpectedElement { .. }
    ));
    assert!(matches!(bad(&edit("</gpOBJECT>", "")), Cis1Error::Xml(_)));
    assert!(matches!(
        bad("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:1.0:protocol\"/>"),
        Cis1Error::UnexpectedElement { .. }
    ));
}

// --- Tickets ---

#[test]
fn tickets_are_url_encoded_for_role_assertion() {
    let ticket = SsoTicket::new(TICKET);
    assert_eq!(
        ticket.url_encoded(),
        "AQIC5wM2LY4SfcwrRGMHiyxMR3suYWqcF%2BB1j56GJ4xGut4%3D%40AAJTSQACMDE%3D%23"
    );
    let req = role_assertion_request("https://sbapi.nis1.national.ncrs.nhs.uk", &ticket).unwrap();
    assert_eq!(req.method(), "GET");
    let uri = req.uri().to_string();
    assert_eq!(
        uri,
        "https://sbapi.nis1.national.ncrs.nhs.uk/saml/RoleAssertion?token=AQIC5wM2LY4SfcwrRGMHiyxMR3suYWqcF%2BB1j56GJ4xGut4%3D%40AAJTSQACMDE%3D%23"
    );
    // The query decodes back to the ticket.
    let url = url::Url::parse(&uri).unwrap();
    let (k, v) = url.query_pairs().next().unwrap();
    assert_eq!((k.as_ref(), v.as_ref()), ("token", TICKET));
    assert!(url.fragment().is_none());
    assert_eq!(
        role_assertion_url("http://mock:9000/", &ticket).unwrap(),
        format!(
            "http://mock:9000/saml/RoleAssertion?token={}",
            ticket.url_encoded()
        )
    );
    for bad in ["ftp://x", "https://x/path", "https://x/?q=1", "not a url"] {
        assert!(role_assertion_url(bad, &ticket).is_err(), "{bad}");
    }
    assert_eq!(format!("{ticket:?}"), "SsoTicket([redacted])");
}

#[test]
fn role_assertion_response_needs_200() {
    let ok = http::Response::builder()
        .status(200)
        .body(ASSERTION.as_bytes().to_vec())
        .unwrap();
    assert!(parse_role_assertion_response(&ok).unwrap().status.is_success());
    let gone = http::Response::builder().status(500).body(Vec::new()).unwrap();
    assert_eq!(
        parse_role_assertion_response(&gone).unwrap_err(),
        Cis1Error::HttpStatus(500)
    );
}
