//! CIS1 attributes and authorisation checks → CIS2 claims, all read from `cis2_sdk::cis1::MAPPING`.

use cis2_sdk::cis1::{Certainty as SdkCertainty, Cis1Attribute, MappingRow, mapping_row};

use super::input::Cis1Section;
use super::model::{AttributeMapping, AuthorisationCheck, Certainty, CheckKind, Finding, Level};
use super::names;

/// The attribute rows, in the order `migrate.toml` lists them (duplicates once).
pub(super) fn attributes(cis1: &Cis1Section) -> Vec<AttributeMapping> {
    let mut seen = Vec::new();
    cis1.attributes
        .iter()
        .filter_map(|a| names::attribute(a))
        .filter(|r| {
            let fresh = !seen.contains(&r.attribute);
            seen.push(r.attribute);
            fresh
        })
        .map(attribute_mapping)
        .collect()
}

fn attribute_mapping(r: &MappingRow) -> AttributeMapping {
    AttributeMapping {
        cis1: names::name(r).unwrap_or_default().into(),
        gas: r.gas.map(Into::into),
        cis2: r.cis2.map(Into::into),
        certainty: r.certainty.into(),
        mark: r.certainty.mark().into(),
        note: r.note.into(),
    }
}

/// The role codes, activities and workgroups the app checks, with the row that carries each.
pub(super) fn authorisation(cis1: &Cis1Section) -> Vec<AuthorisationCheck> {
    let groups = [
        (
            CheckKind::RoleCode,
            Cis1Attribute::NhsJobRoleCode,
            &cis1.role_codes,
        ),
        (
            CheckKind::Activity,
            Cis1Attribute::NhsBusinessFunctionsCodes,
            &cis1.activities,
        ),
        (
            CheckKind::Workgroup,
            Cis1Attribute::NhsWorkGroupsCodes,
            &cis1.workgroups,
        ),
    ];
    let mut out = Vec::new();
    for (kind, attribute, values) in groups {
        let row = mapping_row(attribute);
        for v in values {
            out.push(AuthorisationCheck {
                kind,
                value: v.clone(),
                cis1: names::name(row).unwrap_or_default().into(),
                cis2: row.cis2.unwrap_or("(none)").into(),
                certainty: row.certainty.into(),
                mark: row.certainty.mark().into(),
            });
        }
    }
    out
}

/// The scopes that release the claims the app needs (`cis2_sdk::scopes::for_claim`), `openid` first.
pub(super) fn scopes(attributes: &[AttributeMapping], checks: &[AuthorisationCheck]) -> Vec<String> {
    let claims = attributes
        .iter()
        .filter_map(|a| a.cis2.as_deref())
        .chain(checks.iter().map(|c| c.cis2.as_str()));
    let mut out = vec!["openid".to_owned()];
    for claim in claims {
        let scope = cis2_sdk::scopes::for_claim(claim);
        if let Some(s) = scope
            && !out.iter().any(|o| o == s)
        {
            out.push(s.to_owned());
        }
    }
    out
}

/// What the mapping means for the app: attributes with no CIS2 counterpart or an unknown mapping, the
/// inferred rows to verify, and the smartcard assumption.
pub(super) fn findings(
    cis1: &Cis1Section,
    attributes: &[AttributeMapping],
    checks: &[AuthorisationCheck],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in attributes {
        let row = names::attribute(&a.cis1);
        match (row.map(|r| r.certainty), &a.cis2) {
            (_, None) => out.push(Finding::new(
                &format!("mapping.no-counterpart.{}", a.cis1),
                Level::Missing,
                format!("`{}` has no CIS2 counterpart {} ({})", a.cis1, a.mark, a.note),
                "remove the app's use of it, or derive the value another way before the cut-over",
            )),
            (Some(SdkCertainty::Unknown), Some(claim)) => out.push(Finding::new(
                &format!("mapping.unknown.{}", a.cis1),
                Level::Weak,
                format!("`{}` → `{claim}` is unknown {}", a.cis1, a.mark),
                "verify the claim against the INT environment before relying on it",
            )),
            _ => {}
        }
    }
    let inferred: Vec<String> = attributes
        .iter()
        .filter(|a| a.certainty == Certainty::Inferred)
        .map(|a| format!("`{}`", a.cis1))
        .chain(
            checks
                .iter()
                .filter(|c| c.certainty == Certainty::Inferred)
                .map(|c| format!("`{}`", c.value)),
        )
        .collect();
    if !inferred.is_empty() {
        out.push(Finding::new(
            "mapping.inferred",
            Level::Note,
            format!(
                "{} mapping(s) are inferred [I], not confirmed: {}",
                inferred.len(),
                inferred.join(", ")
            ),
            "compare CIS1 and CIS2 values for the same test users in INT (cis2_sdk::cis1::Cis1Mapping overrides [I] rows)",
        ));
    }
    if cis1.attributes.iter().any(|a| a == "smartcard") {
        out.push(Finding::new(
            "mapping.smartcard-assumed",
            Level::Weak,
            "the app assumes every sign-in used a smartcard; CIS2 also signs users in with other authenticators",
            "request acr_values=AAL3_ANY where a smartcard-level sign-in is needed and check `acr`/`amr` in the ID token",
        ));
    }
    out
}
