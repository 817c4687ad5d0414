//! `cis2-migrate check`: the golden report (a fixed migrate.toml and a fixed date → committed JSON and
//! terminal text), the committed JSON Schema, bad input and the registration findings. When the report
//! changes on purpose, regenerate the committed files and review the diff:
//!
//! ```sh
//! CIS2_UPDATE_GOLDEN=1 cargo test -p cis2-conformance --test migrate
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;

use cis2_conformance::migrate::{
    InputError, Level, MigrateConfig, check, init, json_schema, render_html, render_json, render_text,
};
use time::{Date, Month};

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(sub)
}

fn day() -> Date {
    Date::from_calendar_date(2026, Month::June, 1).unwrap()
}

fn updating() -> bool {
    std::env::var_os("CIS2_UPDATE_GOLDEN").is_some()
}

/// Compares `actual` with the committed file (writing it first when updating).
fn golden(path: PathBuf, actual: &str) {
    if updating() {
        std::fs::write(&path, actual).unwrap();
    }
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    assert!(
        committed == actual,
        "{} is out of date; if the change is intended, regenerate it with\n  \
         CIS2_UPDATE_GOLDEN=1 cargo test -p cis2-conformance --test migrate\nand review the diff.\n\
         --- actual ---\n{actual}",
        path.display()
    );
}

fn golden_report() -> cis2_conformance::migrate::MigrateReport {
    let cfg = MigrateConfig::load(&dir("tests/golden/migrate.toml")).unwrap();
    check(&cfg, day(), None)
}

#[test]
fn golden_report_json_and_text() {
    let report = golden_report();
    golden(
        dir("tests/golden/migrate-report.json"),
        &render_json(&report).unwrap(),
    );
    golden(dir("tests/golden/migrate-report.txt"), &render_text(&report));
    assert_eq!(report.days_left, 272);
    // The JSON reads back into the same report.
    let back: cis2_conformance::migrate::MigrateReport =
        serde_json::from_str(&render_json(&report).unwrap()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn committed_schema_matches_the_model() {
    let generated = json_schema();
    let path = dir("docs/migrate-report-schema.json");
    if updating() || std::env::var_os("CIS2_UPDATE_REPORT_SCHEMA").is_some() {
        let mut text = serde_json::to_string_pretty(&generated).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        committed == generated,
        "{} is out of date; regenerate it with\n  cargo run -p cis2-conformance --bin cis2-migrate -- schema > \
         conformance/docs/migrate-report-schema.json",
        path.display()
    );
}

#[test]
fn days_left_counts_from_the_given_date() {
    let cfg = MigrateConfig::parse(init::TEMPLATE, "migrate.toml").unwrap();
    let on = |y, m, d| check(&cfg, Date::from_calendar_date(y, m, d).unwrap(), None);
    assert_eq!(on(2027, Month::February, 28).days_left, 0);
    assert_eq!(on(2027, Month::February, 27).days_left, 1);
    assert_eq!(on(2027, Month::March, 2).days_left, -2);
    assert!(render_text(&on(2027, Month::March, 2)).contains("2 days past the day"));
}

#[test]
fn the_template_parses_and_has_nothing_missing() {
    let cfg = MigrateConfig::parse(init::TEMPLATE, "migrate.toml").unwrap();
    let report = check(&cfg, day(), None);
    assert_eq!(report.totals.missing, 0, "{}", render_text(&report));
}

const GOOD: &str = r#"
[app]
name = "App"
[cis1]
attributes = ["uid"]
[cis2]
redirect_uris = ["https://app.example/cb"]
backchannel_logout_uri = "https://app.example/bcl"
auth_method = "private_key_jwt"
jwks_uri = "https://app.example/jwks"
"#;

fn ids(text: &str) -> Vec<(String, Level)> {
    let cfg = MigrateConfig::parse(text, "migrate.toml").unwrap();
    check(&cfg, day(), None)
        .findings
        .into_iter()
        .map(|f| (f.id, f.level))
        .collect()
}

#[test]
fn a_good_registration_has_no_registration_findings() {
    assert!(ids(GOOD).is_empty(), "{:?}", ids(GOOD));
}

#[test]
fn each_weak_or_missing_registration_is_reported() {
    let cases = [
        (
            "auth_method = \"private_key_jwt\"",
            "auth_method = \"client_secret_post\"",
            "registration.client-secret",
            Level::Weak,
        ),
        (
            "auth_method = \"private_key_jwt\"",
            "auth_method = \"client_secret_basic\"",
            "registration.client-secret",
            Level::Weak,
        ),
        (
            "backchannel_logout_uri = \"https://app.example/bcl\"",
            "",
            "registration.no-backchannel-logout",
            Level::Missing,
        ),
        (
            "https://app.example/bcl",
            "http://app.example/bcl",
            "registration.backchannel-logout-http",
            Level::Missing,
        ),
        (
            "https://app.example/cb",
            "http://app.example/cb",
            "registration.redirect-uri-http",
            Level::Missing,
        ),
        (
            "[\"https://app.example/cb\"]",
            "[]",
            "registration.no-redirect-uri",
            Level::Missing,
        ),
        (
            "jwks_uri = \"https://app.example/jwks\"",
            "",
            "registration.no-jwks-uri",
            Level::Missing,
        ),
        (
            "https://app.example/jwks",
            "http://app.example/jwks",
            "registration.jwks-uri-http",
            Level::Missing,
        ),
    ];
    for (from, to, id, level) in cases {
        let text = GOOD.replace(from, to);
        let found = ids(&text);
        assert!(
            found.contains(&(id.to_owned(), level)),
            "{id} ({level:?}) not reported for {from:?} → {to:?}: {found:?}"
        );
    }
}

#[test]
fn http_on_loopback_is_not_weak() {
    for uri in [
        "http://127.0.0.1:8400/cb",
        "http://localhost:8400/cb",
        "http://[::1]:8400/cb",
    ] {
        let text = GOOD.replace("https://app.example/cb", uri);
        assert!(ids(&text).is_empty(), "{uri}: {:?}", ids(&text));
    }
}

#[test]
fn smartcard_users_are_counted() {
    let report = golden_report();
    let s = &report.smartcards;
    assert_eq!(s.cards, 175);
    assert_eq!(s.need_smartcard_connect, 135);
    assert_eq!(s.series_10_on_identity_agent, 12);
    assert_eq!(s.deprecated_series, 3);
    assert_eq!(s.on_smartcard_connect, 40);
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "smartcards.deprecated-series",
        "smartcards.series-10-identity-agent",
        "smartcards.identity-agent",
        "smartcards.removal-unseen",
        "smartcards.smartcard-connect-no-removal",
        "mapping.no-counterpart.ssbMode",
        "mapping.smartcard-assumed",
        "prescribing.digital-signature-service",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn the_mapping_is_the_sdk_table() {
    let report = golden_report();
    for a in &report.attributes {
        let row = cis2_sdk::cis1::MAPPING
            .iter()
            .find(|r| r.cis2.map(String::from) == a.cis2 && r.note == a.note)
            .unwrap_or_else(|| panic!("{} is not a row of cis2_sdk::cis1::MAPPING", a.cis1));
        assert_eq!(row.certainty.mark(), a.mark);
    }
    let job = cis2_sdk::cis1::saml_row("nhsJobRoleCode").unwrap();
    assert!(
        report
            .authorisation
            .iter()
            .any(|c| Some(c.cis2.as_str()) == job.cis2)
    );
}

fn err(text: &str) -> String {
    let e = MigrateConfig::parse(text, "migrate.toml").unwrap_err();
    e.to_string()
}

#[test]
fn a_typo_names_the_key() {
    let msg = err(&GOOD.replace("auth_method", "auth_methd"));
    assert!(
        msg.contains("auth_methd") && msg.contains("migrate.toml"),
        "{msg}"
    );
    let msg = err(&GOOD.replace("[cis1]", "[cis1]\nrole_code = [\"S8000:G8000:R8003\"]"));
    assert!(msg.contains("role_code"), "{msg}");
}

#[test]
fn a_missing_field_is_named() {
    let msg = err(&GOOD.replace("auth_method = \"private_key_jwt\"", ""));
    assert!(
        msg.contains("missing field") && msg.contains("auth_method"),
        "{msg}"
    );
    let msg = err(&GOOD.replace("name = \"App\"", ""));
    assert!(msg.contains("missing field") && msg.contains("name"), "{msg}");
}

#[test]
fn invalid_values_name_the_field_and_the_fix() {
    for (from, to, field) in [
        ("[\"uid\"]", "[\"uuid\"]", "`cis1.attributes`"),
        ("[cis1]", "[cis1]\nrole_codes = [\"R8003\"]", "`cis1.role_codes`"),
        ("[cis1]", "[cis1]\nactivities = [\"0264\"]", "`cis1.activities`"),
        ("\"private_key_jwt\"", "\"mtls\"", "`cis2.auth_method`"),
        ("https://app.example/cb", "not a url", "`cis2.redirect_uris`"),
        (
            "https://app.example/jwks",
            "ftp://app.example/jwks",
            "`cis2.jwks_uri`",
        ),
        (
            "[app]",
            "[[users.cards]]\nseries = 7\ncount = 1\nclient = \"identity_agent\"\n[app]",
            "`users.cards[0].series`",
        ),
        (
            "[app]",
            "[[users.cards]]\nseries = 9\ncount = 1\nclient = \"ia\"\n[app]",
            "`users.cards[0].client`",
        ),
    ] {
        let text = GOOD.replace(from, to);
        let e = MigrateConfig::parse(&text, "migrate.toml").unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, InputError::Invalid { .. }), "{field}: {msg}");
        assert!(msg.contains(field) && msg.contains("Fix:"), "{field}: {msg}");
    }
    let msg = err(&GOOD.replace("[\"uid\"]", "[\"uuid\"]"));
    assert!(
        msg.contains("nhsJobRoleCode") && msg.contains("sso_session_time"),
        "{msg}"
    );
}

#[test]
fn the_html_is_self_contained_and_escaped() {
    let text = GOOD.replace("name = \"App\"", "name = \"<script>alert(1)</script>\"");
    let cfg = MigrateConfig::parse(&text, "migrate.toml").unwrap();
    let html = render_html(&check(&cfg, day(), None));
    assert!(!html.contains("<script>"), "unescaped");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(html.contains("Content-Security-Policy"));
    let html = render_html(&golden_report());
    assert!(html.contains("nhsid_nrbac_roles[].role_code") && html.contains("[?]"));
}
