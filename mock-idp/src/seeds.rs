//! The seed data: the published NHS mock users (cis2.md §16.2) and a few more shapes (several roles across
//! organisations, no roles, an RA manager), then one user per further claim shape (`crate::seed_shapes`).

use crate::authenticators::AuthMethod;
use crate::users::{
    ADMIN_NAME, CP_NAME, GP_NAME, NURSE_NAME, RA_NAME, User, org, role, user, with_activities,
};

/// The seeded users.
pub fn seed_users() -> Vec<User> {
    use AuthMethod::{Nhsmail, Passkey, Password, Totp};
    let aal3 = AuthMethod::ALL;
    let aal2 = [Passkey, Totp, Nhsmail, Password];
    let aal1 = [Password];
    let x09 = || vec![org("X09", "NHS CONNECTING FOR HEALTH", Some("656005753107"))];
    let gp = |rid: &str| {
        with_activities(
            role(rid, "656005753107", "X09", "S0010:G0020:R0260", GP_NAME),
            &[("Independent Prescribing", "B0420")],
        )
    };
    let cp = |rid: &str| {
        with_activities(
            role(rid, "656005753107", "X09", "S8000:G8000:R8000", CP_NAME),
            &[
                ("Manage Workgroups", "B0100"),
                ("Independent Prescribing", "B0420"),
            ],
        )
    };
    let adm = |rid: &str| {
        with_activities(
            role(rid, "656005753107", "X09", "S8000:G8000:R8008", ADMIN_NAME),
            &[("Manage Allergies", "B0028")],
        )
    };
    let mut gp_user = user(
        "656005750108",
        "Gina",
        "Practitioner",
        "R0260 General Medical Practitioner, AAL3",
        &aal3,
        vec![gp("656005754108")],
        x09(),
    );
    gp_user.professional_ids.insert("gmc_id".into(), "GMC123".into());
    let mut multi = user(
        "555000000001",
        "Morgan",
        "Multirole",
        "Three roles across two organisations, AAL3",
        &aal3,
        vec![
            cp("555000000101"),
            with_activities(
                role(
                    "555000000102",
                    "555000000201",
                    "RBA",
                    "S8000:G8000:R8001",
                    NURSE_NAME,
                ),
                &[("Perform Prescription Preparation", "B0278")],
            ),
            role(
                "555000000103",
                "555000000201",
                "RBA",
                "S8000:G8000:R8008",
                ADMIN_NAME,
            ),
        ],
        vec![
            org("X09", "NHS CONNECTING FOR HEALTH", Some("656005753107")),
            org("RBA", "SOMERSET NHS FOUNDATION TRUST", Some("555000000201")),
        ],
    );
    multi.middle_names = Some("Alex".into());
    let mut ra = user(
        "555000000003",
        "Rae",
        "Manager",
        "Registration Authority manager, AAL3",
        &aal3,
        vec![with_activities(
            role(
                "555000000301",
                "656005753107",
                "X09",
                "S0080:G0450:R5080",
                RA_NAME,
            ),
            &[
                ("Manage Workgroup Membership", "B0090"),
                ("Local System Administration", "B0062"),
            ],
        )],
        x09(),
    );
    ra.title = Some("Mx".into());
    let mut no_roles = user(
        "555000000002",
        "Nora",
        "Noroles",
        "No roles at all, AAL3",
        &aal3,
        vec![],
        vec![],
    );
    no_roles.title = Some("Ms".into());
    let mut aal1 = user(
        "656005750110",
        "Alan",
        "Userpass",
        "No roles, password only (AAL1)",
        &aal1,
        vec![],
        vec![],
    );
    aal1.id_assurance_level = 3;
    vec![
        gp_user,
        user(
            "656005750107",
            "Clara",
            "Clinician",
            "R8000 Clinical Practitioner, AAL3",
            &aal3,
            vec![cp("656005754107")],
            x09(),
        ),
        user(
            "656005750104",
            "Adam",
            "Support",
            "R8008 Admin/Clinical Support, AAL3",
            &aal3,
            vec![adm("656005754104")],
            x09(),
        ),
        user(
            "656005750111",
            "Greg",
            "Totp",
            "R0260 General Medical Practitioner, AAL2",
            &aal2,
            vec![gp("656005754111")],
            x09(),
        ),
        user(
            "656005750109",
            "Carla",
            "Totp",
            "R8000 Clinical Practitioner, AAL2",
            &aal2,
            vec![cp("656005754109")],
            x09(),
        ),
        user(
            "656005750112",
            "Abby",
            "Totp",
            "R8008 Admin/Clinical Support, AAL2",
            &aal2,
            vec![adm("656005754112")],
            x09(),
        ),
        aal1,
        multi,
        no_roles,
        ra,
    ]
    .into_iter()
    .chain(crate::seed_shapes::shape_users())
    .collect()
}
