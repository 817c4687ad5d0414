//! `cis2-migrate check` with the conformance part: the back-channel logout and role scenarios run against the
//! seeded-defect RP, and a back-channel logout defect shows in the migration report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use cis2_conformance::migrate::conformance::{options, run};
use cis2_conformance::migrate::{Level, MigrateConfig, check, render_text};
use cis2_conformance::{RpConfig, Suite, Verdict};
use support::defect_rp::{self, Defect, DefectRpConfig};

const CLIENT: &str = "200000000078.apps.supplier";
const SECRET: &str = "migrate-check-secret-0123456789abcdef";

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

[probe]
url = "{rp}/me"
status = 200
role_json_pointer = "/role"

[client]
client_id = "{CLIENT}"
client_secret = "{SECRET}"

[features]
backchannel_logout = true
role_selection = true

[idp]
port = 0
"#
    )
}

const MIGRATE: &str = r#"
[app]
name = "seeded-defect RP"
[cis1]
attributes = ["uid", "ssbSessionRoleUid", "nhsJobRoleCode"]
[cis2]
redirect_uris = ["https://app.example/callback"]
backchannel_logout_uri = "https://app.example/backchannel-logout"
auth_method = "private_key_jwt"
jwks_uri = "https://app.example/jwks"
"#;

async fn migrate_report(defects: &[Defect]) -> cis2_conformance::migrate::MigrateReport {
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let placeholder = RpConfig::parse(&rp_toml("http://127.0.0.1:9"), "rp.toml").unwrap();
    let mut suite = Suite::start(placeholder, Some(key)).await.unwrap();
    let mut cfg = DefectRpConfig::new(suite.issuer(), CLIENT, SECRET);
    for d in defects {
        cfg = cfg.with(*d);
    }
    let rp = defect_rp::start(cfg).await.unwrap();
    let rp_cfg = RpConfig::parse(&rp_toml(&rp.base_url), "rp.toml").unwrap();
    let opts = options(&rp_cfg);
    suite.set_rp(rp_cfg).unwrap();
    let result = run(&suite, &opts).await;
    rp.shutdown().await;
    let cfg = MigrateConfig::parse(MIGRATE, "migrate.toml").unwrap();
    let today = time::Date::from_calendar_date(2026, time::Month::June, 1).unwrap();
    check(&cfg, today, Some(result))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_correct_rp_passes_the_backchannel_and_role_scenarios() {
    let report = migrate_report(&[]).await;
    let c = report.conformance.as_ref().unwrap();
    assert!(c.totals.passed >= 5, "{}", render_text(&report));
    assert_eq!(c.totals.required_not_passed, 0, "{}", render_text(&report));
    assert!(
        c.scenarios
            .iter()
            .all(|s| s.id.starts_with("backchannel-logout.") || s.id.starts_with("roles.")),
        "other groups ran"
    );
    assert!(
        c.scenarios
            .iter()
            .any(|s| s.id == "roles.selected-role-used" && s.verdict == Verdict::Pass)
    );
    assert!(!report.findings.iter().any(|f| f.id.starts_with("conformance.")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backchannel_logout_defect_is_reported() {
    let report = migrate_report(&[Defect::BclIgnoresSid]).await;
    let text = render_text(&report);
    eprintln!("{text}");
    let c = report.conformance.as_ref().unwrap();
    let by_sid = c
        .scenarios
        .iter()
        .find(|s| s.id == "backchannel-logout.by-sid")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(by_sid.verdict, Verdict::Fail, "{text}");
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "conformance.backchannel-logout.by-sid")
        .unwrap_or_else(|| panic!("no finding:\n{text}"));
    assert_eq!(f.level, Level::Missing);
    assert!(report.totals.missing >= 1);
    assert!(text.contains("FAIL    backchannel-logout.by-sid"), "{text}");
}
