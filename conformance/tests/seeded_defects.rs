//! The suite catches broken RPs: against the seeded-defect RP, every scenario passes with no defect, and
//! each defect fails (at least) the scenarios that name it. Prints the defect → caught-by table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use cis2_conformance::{Quiet, RpConfig, RunOptions, Suite, Verdict};
use support::defect_rp::{self, Defect, DefectRpConfig};

const CLIENT: &str = "200000000077.apps.supplier";
const SECRET: &str = "seeded-defects-secret-0123456789abcdef";

fn rp_toml(rp: &str) -> String {
    format!(
        r#"
[rp]
name = "seeded-defect RP"
start_url = "{rp}/login"
redirect_uris = ["{rp}/callback"]
backchannel_logout_uri = "{rp}/backchannel-logout"
sign_out = {{ url = "{rp}/logout", method = "POST" }}
change_role_url = "{rp}/change-role"
step_up_url = "{rp}/step-up"
max_age_url = "{rp}/login-recent"

[probe]
url = "{rp}/me"
status = 200
role_json_pointer = "/role"
aal3_url = "{rp}/aal3"

[client]
client_id = "{CLIENT}"
client_secret = "{SECRET}"

[features]
backchannel_logout = true
role_selection = true
step_up = true
max_age = true

[idp]
port = 0
"#
    )
}

/// The scenarios each defect must fail.
fn expected(d: Defect) -> &'static [&'static str] {
    match d {
        Defect::NonceNotChecked => &["id-token.nonce-mismatch", "id-token.missing-nonce"],
        Defect::AlgNoneAccepted => &["id-token.alg-none"],
        Defect::SignatureNotVerified => &["id-token.bad-signature"],
        Defect::ExpIgnored => &["id-token.expired"],
        Defect::AnyAudAccepted => &["id-token.wrong-aud"],
        Defect::IssuerNormalised => &["id-token.iss-scheme-case", "id-token.iss-dot-segment"],
        Defect::NoRefetchOnUnknownKid => &["jwks.key-rotation"],
        Defect::JwksMergedOnRefetch => &["jwks.removed-key"],
        Defect::RefetchEveryToken => &["jwks.cached"],
        Defect::StaleAuthTimeAccepted => &[
            "roles.stale-auth-time",
            "step-up.stale-auth-time",
            "roles.missing-auth-time",
            "step-up.missing-auth-time",
        ],
        Defect::MaxAgeIgnored => &[
            "id-token.max-age-stale-auth-time",
            "id-token.max-age-missing-auth-time",
        ],
        Defect::Aal2AcceptedForStepUp => &["step-up.acr-aal2"],
        Defect::BclIgnoresSid => &["backchannel-logout.by-sid"],
        Defect::BclReplayAccepted => &["backchannel-logout.jti-replay"],
        Defect::BclUnsignedAccepted => &["backchannel-logout.alg-none"],
        Defect::LogoutKeepsServerSession => &["sign-out.server-side"],
        Defect::StateNotBound => &["code-flow.state-other-browser"],
        Defect::RoleFromFirstProfile => &["roles.selected-role-used"],
        Defect::UserinfoSubNotCompared => &["userinfo.sub-mismatch"],
        Defect::IatMissingAccepted => &["id-token.missing-iat"],
    }
}

/// Runs the whole suite against the RP with `defects`; returns the ids that did not pass (skips aside).
async fn not_passed(defects: &[Defect]) -> (BTreeSet<String>, usize) {
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let placeholder = rp_toml("http://127.0.0.1:9");
    let mut suite = Suite::start(RpConfig::parse(&placeholder, "rp.toml").unwrap(), Some(key))
        .await
        .unwrap();
    let mut cfg = DefectRpConfig::new(suite.issuer(), CLIENT, SECRET);
    for d in defects {
        cfg = cfg.with(*d);
    }
    let rp = defect_rp::start(cfg).await.unwrap();
    suite
        .set_rp(RpConfig::parse(&rp_toml(&rp.base_url), "rp.toml").unwrap())
        .unwrap();
    let report = suite.run(&RunOptions::default(), &Quiet).await;
    rp.shutdown().await;
    let bad = report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .map(|r| format!("{} ({:?}: {})", r.id, r.verdict, r.reason))
        .collect();
    (bad, report.totals.passed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_no_defect_every_scenario_passes() {
    let (bad, passed) = not_passed(&[]).await;
    assert!(
        bad.is_empty(),
        "the correct RP did not pass:\n{}",
        bad.iter().cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(passed >= 80, "only {passed} scenarios passed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_seeded_defect_fails_the_scenarios_that_name_it() {
    let mut table = Vec::new();
    let mut missed = Vec::new();
    for d in Defect::ALL {
        let (bad, _) = not_passed(&[d]).await;
        let ids: BTreeSet<&str> = bad.iter().map(|b| b.split(' ').next().unwrap_or("")).collect();
        for want in expected(d) {
            if !ids.contains(want) {
                missed.push(format!("{d}: {want} passed"));
            }
        }
        table.push(format!(
            "| `{d}` | {} |",
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    eprintln!(
        "| Defect | Scenarios that failed |\n|---|---|\n{}",
        table.join("\n")
    );
    assert!(
        missed.is_empty(),
        "defects the suite missed:\n{}",
        missed.join("\n")
    );
}
