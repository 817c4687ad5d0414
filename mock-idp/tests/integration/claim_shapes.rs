//! The seeded users cover every CIS2 claim shape (issue #14 item 8): each one signs in, userinfo carries the
//! shape, and the sdk parses it into its typed user without error. Users created through the admin API need
//! 12-digit UIDs.

use cis2_sdk::{Cis2User, LoginOptions, RoleSelection, UserInfo};
use serde_json::{Value, json};

use crate::common::*;

const CLIENT: &str = "100000000140.apps.supplier";

fn all_scopes() -> LoginOptions {
    [
        "nhsperson",
        "email",
        "associatedorgs",
        "nationalrbacaccess",
        "professionalmemberships",
        "organisationalmemberships",
        "selectedrole",
    ]
    .into_iter()
    .fold(LoginOptions::default(), LoginOptions::scope)
}

/// Signs `uid` in with every scope; the raw userinfo JSON and the sdk's typed user.
async fn sign_in(h: &Harness, uid: &str) -> (Value, Cis2User) {
    let rp = h.rp(CLIENT, post_auth()).await;
    // A fresh browser each time: no single sign-on from an earlier user.
    let login = rp.login(h, &browser(), &all_scopes(), uid, "smartcard").await;
    let done = rp.finish(h, &login).await.unwrap();
    let id = done.id_token.as_ref().unwrap().clone();
    assert_eq!(id.sub, uid);
    let req = rp
        .client
        .userinfo_request(&done.tokens.access_token)
        .unwrap()
        .unwrap();
    let raw: Value = serde_json::from_slice(h.send(req).await.body()).unwrap();
    let info: UserInfo = rp.userinfo(h, &done).await.unwrap();
    (raw, Cis2User::new(id, Some(info)))
}

async fn harness() -> Harness {
    let h = start().await;
    h.register(secret_client(CLIENT, "client_secret_post")).await;
    h
}

#[tokio::test]
async fn workgroups_and_areas_of_work() {
    let h = harness().await;
    let (raw, user) = sign_in(&h, "555000000004").await;
    let role = &raw["nhsid_nrbac_roles"][0];
    assert_eq!(
        role["workgroups"],
        json!(["AUG 2017 WKGP", "CAR-384", "mavissupport"])
    );
    assert_eq!(role["workgroups_codes"][0], "655694018104");
    assert_eq!(role["aow_codes"][0], "P0020:Q0300:T0640");
    let RoleSelection::Selected { role, organisation } = user.selected_role() else {
        panic!("{:?}", user.selected_role());
    };
    assert!(role.workgroups.iter().any(|w| w == "mavissupport"));
    assert_eq!(role.workgroups.len(), role.workgroups_codes.len());
    assert_eq!(
        role.aow,
        [
            "\"Pathology\":\"Pathology\":\"Phlebotomy\"",
            "\"Pathology\":\"Pathology\":\"Histopathology\""
        ]
    );
    assert_eq!(role.aow_codes.len(), 2);
    assert_eq!(organisation.map(|o| o.org_code.as_str()), Some("RBA"));
}

#[tokio::test]
async fn every_professional_id() {
    let h = harness().await;
    let (raw, user) = sign_in(&h, "555000000005").await;
    let ids = user.userinfo.as_ref().unwrap().professional_ids();
    let keys: Vec<&str> = ids.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, cis2_sdk::claims::PROFESSIONAL_ID_CLAIMS);
    assert_eq!(raw["gphc_id"], "GPhC123");
    assert_eq!(raw["consultant_id"], "TestConsultant");
    let memberships = &user.userinfo.as_ref().unwrap().nhsid_org_memberships;
    assert_eq!(memberships[0].extra["gnc"], "GNC123");
    assert!(user.has_role_code("R8001"));
}

#[tokio::test]
async fn one_object_lists() {
    let h = harness().await;
    let (raw, user) = sign_in(&h, "555000000006").await;
    for k in [
        "nhsid_nrbac_roles",
        "nhsid_user_orgs",
        "nhsid_org_roles",
        "nhsid_org_memberships",
    ] {
        assert!(raw[k].is_object(), "{k} is sent as one object: {}", raw[k]);
    }
    assert_eq!(user.roles().len(), 1);
    assert_eq!(user.organisations().len(), 1);
    assert!(user.has_activity("B0420"));
    assert!(matches!(user.selected_role(), RoleSelection::Selected { .. }));
    // Other users still get arrays from the same client.
    let (raw, _) = sign_in(&h, "656005750108").await;
    assert!(raw["nhsid_nrbac_roles"].is_array());
}

#[tokio::test]
async fn many_roles_no_roles_and_ra() {
    let h = harness().await;
    let (raw, user) = sign_in(&h, "555000000007").await;
    assert_eq!(raw["nhsid_nrbac_roles"].as_array().unwrap().len(), 6);
    assert_eq!(user.roles().len(), 6);
    assert_eq!(user.organisations().len(), 3);
    let RoleSelection::Selected { role, organisation } = user.selected_role() else {
        panic!("{:?}", user.selected_role());
    };
    assert!(organisation.is_some_and(|o| o.org_code == role.org_code));

    let (raw, user) = sign_in(&h, "555000000002").await;
    assert!(
        raw.get("nhsid_nrbac_roles").is_none(),
        "no roles: the claim is left out"
    );
    assert_eq!(user.selected_role(), RoleSelection::NoRoles);

    let (_, user) = sign_in(&h, "555000000003").await;
    assert!(user.has_role_code("R5080"), "Registration Authority Manager");
    assert!(user.has_activity("B0062"));
}

#[tokio::test]
async fn admin_api_users_need_12_digit_uids() {
    let h = start().await;
    for (body, field) in [
        (json!({ "uid": "abc" }), "uid"),
        (json!({ "uid": "12345678901" }), "uid"),
        (json!({ "uid": "1234567890123" }), "uid"),
        (
            json!({ "uid": "600000000200", "roles": [{ "person_roleid": "r1" }] }),
            "person_roleid",
        ),
        (
            json!({ "uid": "600000000200", "roles": [{ "person_roleid": "600000000201", "person_orgid": "org" }] }),
            "person_orgid",
        ),
    ] {
        let r = h.admin_post("/users", body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
        let e = r.json_value().await;
        let text = e["error_description"].as_str().unwrap();
        assert!(
            text.contains(field) && text.contains("12-digit"),
            "{body}: {text}"
        );
    }
    let r = h
        .http
        .put(h.admin("/users/abc"))
        .json_body(&json!({ "uid": "abc" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = h.admin_post("/users", json!({ "uid": "600000000200" })).await;
    assert_eq!(r.status(), 201);
    let r = h
        .admin_post("/users/600000000200/roles", json!({ "person_roleid": "x" }))
        .await;
    assert_eq!(r.status(), 400);
    assert!(
        r.json_value().await["error_description"]
            .as_str()
            .unwrap()
            .contains("person_roleid")
    );
}
