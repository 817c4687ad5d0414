//! Seeded users that each carry one further CIS2 claim shape (issue #14 item 8): workgroups and areas of work,
//! every professional id cis2.md §8.1 lists, lists sent as one object, and many roles. The older seeds in
//! `crate::seeds` keep their uids and shapes (other crates' tests depend on them).

use cis2_sdk::NrbacRole;
use cis2_sdk::claims::PROFESSIONAL_ID_CLAIMS;
use serde_json::Value;

use crate::authenticators::AuthMethod;
use crate::users::{
    ADMIN_NAME, CP_NAME, GP_NAME, NURSE_NAME, RA_NAME, User, org, role, user, with_activities,
};

/// Workgroups / areas of work (cis2.md §8.4 example values).
const WORKGROUPS_UID: &str = "555000000004";
/// Every professional id and an organisation membership with `gnc`.
const PROFESSIONAL_UID: &str = "555000000005";
/// One role, one organisation, sent as single objects rather than arrays.
const ONE_OBJECT_UID: &str = "555000000006";
/// Six roles across three organisations.
const MANY_ROLES_UID: &str = "555000000007";

/// The example values of cis2.md §8.4 for each professional id claim.
fn professional_value(claim: &str) -> &'static str {
    match claim {
        "gmc_id" => "GMC123",
        "gdc_id" => "GDC123",
        "gmp_id" => "GMP123",
        "nmc_id" => "NMC123",
        "rcn_id" => "RCN123",
        "gphc_id" => "GPhC123",
        "gdp_id" => "GDP123",
        _ => "TestConsultant",
    }
}

fn with_workgroups(mut r: NrbacRole, groups: &[(&str, &str)], aow: &[(&str, &str)]) -> NrbacRole {
    r.workgroups = groups.iter().map(|(n, _)| (*n).to_owned()).collect();
    r.workgroups_codes = groups.iter().map(|(_, c)| (*c).to_owned()).collect();
    r.aow = aow.iter().map(|(n, _)| (*n).to_owned()).collect();
    r.aow_codes = aow.iter().map(|(_, c)| (*c).to_owned()).collect();
    r
}

/// The claim-shape users, appended to the seeds.
pub(crate) fn shape_users() -> Vec<User> {
    let aal3 = AuthMethod::ALL;
    let rba = || org("RBA", "SOMERSET NHS FOUNDATION TRUST", Some("555000000402"));
    let x09 = || org("X09", "NHS CONNECTING FOR HEALTH", Some("555000000502"));

    let workgroups = user(
        WORKGROUPS_UID,
        "Wren",
        "Workgroups",
        "Workgroups and areas of work on a Clinical Practitioner role, AAL3",
        &aal3,
        vec![with_workgroups(
            with_activities(
                role(
                    "555000000401",
                    "555000000402",
                    "RBA",
                    "S8000:G8000:R8000",
                    CP_NAME,
                ),
                &[("Manage Workgroups", "B0100")],
            ),
            &[
                ("AUG 2017 WKGP", "655694018104"),
                ("CAR-384", "555653032105"),
                ("mavissupport", "555000000490"),
            ],
            &[
                ("\"Pathology\":\"Pathology\":\"Phlebotomy\"", "P0020:Q0300:T0640"),
                (
                    "\"Pathology\":\"Pathology\":\"Histopathology\"",
                    "P0020:Q0300:T0630",
                ),
            ],
        )],
        vec![rba()],
    );

    let mut professional = user(
        PROFESSIONAL_UID,
        "Petra",
        "Professional",
        "Every professional id (gmc_id … consultant_id), a membership with gnc, AAL3",
        &aal3,
        vec![role(
            "555000000501",
            "555000000502",
            "X09",
            "S8000:G8000:R8001",
            NURSE_NAME,
        )],
        vec![x09()],
    );
    for claim in PROFESSIONAL_ID_CLAIMS {
        professional
            .professional_ids
            .insert(claim.to_owned(), Value::from(professional_value(claim)));
    }
    for m in &mut professional.org_memberships {
        m.extra.insert("gnc".into(), "GNC123".into());
    }

    let mut one_object = user(
        ONE_OBJECT_UID,
        "Olly",
        "Oneobject",
        "One role and one organisation, each sent as a single object (not an array), AAL3",
        &aal3,
        vec![with_activities(
            role(
                "555000000601",
                "555000000602",
                "X09",
                "S0010:G0020:R0260",
                GP_NAME,
            ),
            &[("Independent Prescribing", "B0420")],
        )],
        vec![org("X09", "NHS CONNECTING FOR HEALTH", Some("555000000602"))],
    );
    one_object.single_object_lists = true;

    let y51 = "THE NORTH MIDLANDS AND EAST PROGRAMME FOR IT (NMEPFIT)";
    let many = user(
        MANY_ROLES_UID,
        "Mani",
        "Manyroles",
        "Six roles across three organisations, AAL3",
        &aal3,
        vec![
            role(
                "555000000701",
                "555000000711",
                "X09",
                "S8000:G8000:R8000",
                CP_NAME,
            ),
            role(
                "555000000702",
                "555000000711",
                "X09",
                "S8000:G8000:R8001",
                NURSE_NAME,
            ),
            role(
                "555000000703",
                "555000000712",
                "RBA",
                "S8000:G8000:R8008",
                ADMIN_NAME,
            ),
            with_activities(
                role(
                    "555000000704",
                    "555000000712",
                    "RBA",
                    "S0010:G0020:R0260",
                    GP_NAME,
                ),
                &[("Independent Prescribing", "B0420")],
            ),
            with_activities(
                role(
                    "555000000705",
                    "555000000713",
                    "Y51",
                    "S0080:G0450:R5080",
                    RA_NAME,
                ),
                &[("Local System Administration", "B0062")],
            ),
            role(
                "555000000706",
                "555000000713",
                "Y51",
                "S8000:G8000:R8015",
                "\"Admin & Clerical\":\"Admin and Clerical\":\"Systems Support Access Role\"",
            ),
        ],
        vec![
            org("X09", "NHS CONNECTING FOR HEALTH", Some("555000000711")),
            org("RBA", "SOMERSET NHS FOUNDATION TRUST", Some("555000000712")),
            org("Y51", y51, Some("555000000713")),
        ],
    );
    vec![workgroups, professional, one_object, many]
}
