//! The mock's CIS1 answers read by `cis2-sdk`'s CIS1 parser (one format, two independent sides): the SSB
//! role assertion checks and maps to the same user and roles the mock holds; GAS's gpOBJECT parses; a
//! role assertion after logout parses as a refusal.

use cis2_mock_idp::Cis1SignIn;
use cis2_sdk::cis1::{AssertionExpectations, Cis1Mapping, parse_role_assertion};

use crate::common::start;

const MULTI: &str = "555000000001";

#[tokio::test]
async fn the_sdk_reads_the_mocks_role_assertion_as_the_same_user() {
    let h = start().await;
    let st = h.idp.state();
    let user = st.user(MULTI).expect("seeded user");
    let second = user.roles[1].person_roleid.clone();
    let session = st
        .start_cis1_session(Cis1SignIn::new(MULTI, user.passcode.clone()).with_role(second.clone()))
        .expect("CIS1 sign-in");
    let xml = st.cis1_role_assertion(&session.ticket).expect("assertion");
    let now = cis2_sdk::Clock::now(st.clock());
    let parsed = parse_role_assertion(xml.as_bytes()).expect("the sdk parses the mock's assertion");
    let assertion = parsed
        .check(&AssertionExpectations::new(MULTI, now))
        .expect("status, Conditions window and subject pass");
    let mapped = assertion.to_user(&Cis1Mapping::default());
    assert_eq!(mapped.sub(), MULTI);
    let ids: Vec<&str> = mapped.roles().iter().map(|r| r.person_roleid.as_str()).collect();
    let want: Vec<&str> = user.roles.iter().map(|r| r.person_roleid.as_str()).collect();
    assert_eq!(ids, want, "one job-role block per role, in order");
    for (m, u) in mapped.roles().iter().zip(&user.roles) {
        assert_eq!(m.org_code, u.org_code);
        assert_eq!(m.role_code, u.role_code);
    }
    match mapped.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, .. } => assert_eq!(role.person_roleid, second),
        other => panic!("the role chosen at PIN entry is the selected one: {other:?}"),
    }

    // After logout the mock refuses, and the sdk reads the refusal as a failed status.
    assert!(st.end_cis1_session(&session.ticket));
    let after = st.cis1_role_assertion(&session.ticket).unwrap_or_else(|e| e);
    let refused = parse_role_assertion(after.as_bytes()).expect("a refusal is still a SAML response");
    assert!(refused.check(&AssertionExpectations::new(MULTI, now)).is_err());
}
