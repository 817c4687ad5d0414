//! The reports written from a sample run holding all four verdicts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashMap;

use cis2_conformance::model::RunReport;
use cis2_conformance::report::{self, ReportError};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::json;

const NASTY: &str = "RP said <script>alert(1)</script> & \"quoted\" 'single'\nsecond line\u{1}";

fn scenario(id: &str, group: &str, verdict: &str, required: bool, reason: &str) -> serde_json::Value {
    json!({
        "id": id,
        "group": group,
        "title": format!("title of {id}"),
        "proves": format!("what {id} proves"),
        "catalogue": ["CS-14", "BCL-03"],
        "required": required,
        "verdict": verdict,
        "reason": reason,
        "decided_by": [format!("probe: decided {id}"), "mock: no userinfo request"],
        "steps": [
            { "at_ms": 0, "actor": "browser A", "what": "GET http://127.0.0.1:8080/auth/login → 302" },
            { "at_ms": 1234, "actor": "idp", "what": format!("token response for {id}") }
        ],
        "tokens": [{
            "label": "id_token (faulty)",
            "header": { "alg": "RS512", "kid": "k1" },
            "claims": { "iss": "https://idp.test", "nonce": "n-123" }
        }],
        "duration_ms": 1500
    })
}

fn sample() -> RunReport {
    let value = json!({
        "schema_version": cis2_conformance::model::REPORT_SCHEMA_VERSION,
        "suite_version": "0.1.0",
        "started_at": "2025-01-02T03:04:05Z",
        "wall_ms": 65432,
        "issuer": "http://127.0.0.1:9999/openam/oauth2/realms/root/realms/NHSIdentity/Healthcare",
        "rp": {
            "name": "Example GP system",
            "start_url": "http://127.0.0.1:8080/auth/login",
            "probe": "GET /me answers 200 when signed in",
            "redirect_uris": ["http://127.0.0.1:8080/auth/callback"],
            "backchannel_logout_uri": "http://127.0.0.1:8080/auth/backchannel-logout",
            "client_id": "conformance-client-1",
            "auth_method": "private_key_jwt",
            "features": ["backchannel_logout", "role_selection"]
        },
        "totals": {
            "total": 5, "passed": 2, "failed": 1, "skipped": 1, "errors": 1, "required_not_passed": 2
        },
        "results": [
            scenario("id-token.happy-path", "id-token", "pass", true, "signed in as expected"),
            scenario("id-token.nonce-mismatch", "id-token", "fail", true, NASTY),
            scenario("bcl.logout-token", "backchannel-logout", "error", true, "control sign-in failed"),
            scenario("step-up.aal3", "step-up", "skipped", false, "RP does not claim step_up"),
            scenario("bcl.sid-only", "backchannel-logout", "pass", false, "session ended")
        ]
    });
    serde_json::from_value(value).unwrap()
}

#[test]
fn write_all_creates_the_directory_and_all_three_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested").join("out");
    let paths = report::write_all(&sample(), &dir).unwrap();
    assert_eq!(paths.html, dir.join("report.html"));
    assert_eq!(paths.junit, dir.join("junit.xml"));
    assert_eq!(paths.json, dir.join("report.json"));
    for p in [&paths.html, &paths.junit, &paths.json] {
        assert!(std::fs::metadata(p).unwrap().len() > 0, "{}", p.display());
    }
    // Writing again replaces the files.
    report::write_all(&sample(), &dir).unwrap();
}

#[test]
fn write_all_names_the_path_that_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let dir = file.join("reports");
    let err = report::write_all(&sample(), &dir).unwrap_err();
    assert!(
        matches!(&err, ReportError::CreateDir { path, .. } if *path == dir),
        "{err:?}"
    );
    assert!(err.to_string().contains(&dir.display().to_string()), "{err}");
}

#[test]
fn html_shows_counts_header_and_links() {
    let html = report::render_html(&sample());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for (id, n) in [
        ("count-total", 5),
        ("count-passed", 2),
        ("count-failed", 1),
        ("count-errors", 1),
        ("count-skipped", 1),
    ] {
        assert!(html.contains(&format!("id=\"{id}\">{n}</td>")), "{id}");
    }
    assert!(html.contains("class=\"num alert\" id=\"count-required-not-passed\">2</td>"));
    assert!(html.contains("Outcome: NOT PASSED"));
    for fact in [
        "0.1.0",
        "2025-01-02T03:04:05Z",
        "1 min 5.432 s",
        "conformance-client-1",
        "private_key_jwt",
    ] {
        assert!(html.contains(fact), "{fact}");
    }
    assert!(html.contains("<code>backchannel_logout</code>") && html.contains("<code>role_selection</code>"));
    // Every scenario has a section and the not-passed list links to the fail and the error only.
    for id in [
        "id-token.happy-path",
        "id-token.nonce-mismatch",
        "bcl.logout-token",
        "step-up.aal3",
        "bcl.sid-only",
    ] {
        assert!(html.contains(&format!("id=\"scenario-{id}\"")), "{id}");
    }
    let not_passed = &html[html.find("id=\"not-passed\"").unwrap()..html.find("id=\"scenarios\"").unwrap()];
    assert!(not_passed.contains("href=\"#scenario-id-token.nonce-mismatch\""));
    assert!(not_passed.contains("href=\"#scenario-bcl.logout-token\""));
    assert!(!not_passed.contains("happy-path") && !not_passed.contains("step-up.aal3"));
    // Evidence: steps, decided_by, catalogue, pretty-printed token claims; failed evidence is open.
    assert!(html.contains("+1234 ms") && html.contains("probe: decided id-token.nonce-mismatch"));
    assert!(html.contains("<code>BCL-03</code>") && html.contains("what step-up.aal3 proves"));
    assert!(html.contains("&quot;nonce&quot;: &quot;n-123&quot;"));
    assert!(html.contains("<details open>"));
    assert!(html.contains("class=\"badge fail\"") && html.contains("class=\"badge error\""));
}

#[test]
fn html_is_self_contained_and_escapes_text() {
    let html = report::render_html(&sample());
    assert!(html.contains("RP said &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"));
    let lower = html.to_lowercase();
    for forbidden in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!lower.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("Content-Security-Policy") && html.contains("<style>"));
}

#[test]
fn html_of_a_passing_run_says_so() {
    let mut value = serde_json::to_value(sample()).unwrap();
    value["results"] = json!([scenario("a.b", "a", "pass", true, "fine")]);
    value["totals"] =
        json!({ "total": 1, "passed": 1, "failed": 0, "skipped": 0, "errors": 0, "required_not_passed": 0 });
    value["rp"]["features"] = json!([]);
    value["rp"]["backchannel_logout_uri"] = json!(null);
    let html = report::render_html(&serde_json::from_value(value).unwrap());
    assert!(html.contains("Outcome: PASSED") && html.contains("Every scenario that ran passed."));
    assert!(html.contains("id=\"count-required-not-passed\">0</td>") && !html.contains("alert\""));
}

/// Attributes of every element, in document order, as (name, attributes).
fn elements(xml: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                        (key, a.unescape_value().unwrap().into_owned())
                    })
                    .collect();
                out.push((name, attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn junit_parses_back_with_the_right_counts() {
    let xml = report::render_junit(&sample()).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let els = elements(&xml);
    let count = |name: &str| els.iter().filter(|(n, _)| n == name).count();
    assert_eq!(count("testsuites"), 1);
    assert_eq!(count("testsuite"), 3, "one per group");
    assert_eq!(count("testcase"), 5);
    assert_eq!(count("failure"), 1);
    assert_eq!(count("error"), 1);
    assert_eq!(count("skipped"), 1);
    let root = &els[0].1;
    assert_eq!(els[0].0, "testsuites");
    for (k, v) in [
        ("tests", "5"),
        ("failures", "1"),
        ("errors", "1"),
        ("skipped", "1"),
        ("time", "7.500"),
    ] {
        assert_eq!(root[k], v, "{k}");
    }
    let suites: Vec<_> = els
        .iter()
        .filter(|(n, _)| n == "testsuite")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(suites[0]["name"], "id-token");
    assert_eq!(
        (suites[0]["tests"].as_str(), suites[0]["failures"].as_str()),
        ("2", "1")
    );
    assert_eq!(suites[1]["name"], "backchannel-logout");
    assert_eq!(
        (suites[1]["tests"].as_str(), suites[1]["errors"].as_str()),
        ("2", "1")
    );
    assert_eq!(
        (suites[2]["name"].as_str(), suites[2]["skipped"].as_str()),
        ("step-up", "1")
    );
    let case = els
        .iter()
        .find(|(n, a)| n == "testcase" && a["name"].starts_with("id-token.nonce"))
        .unwrap();
    assert_eq!(
        case.1["name"],
        "id-token.nonce-mismatch: title of id-token.nonce-mismatch"
    );
    assert_eq!(
        (case.1["classname"].as_str(), case.1["time"].as_str()),
        ("id-token", "1.500")
    );
    // The reason survives escaping; the control character XML cannot hold becomes U+FFFD.
    let failure = els.iter().find(|(n, _)| n == "failure").unwrap();
    assert_eq!(failure.1["message"], NASTY.replace('\u{1}', "\u{fffd}"));
    assert_eq!(failure.1["type"], "required");
    assert!(!xml.contains('\u{1}'));
}

#[test]
fn junit_failure_body_holds_the_evidence() {
    let xml = report::render_junit(&sample()).unwrap();
    let start = xml.find("<failure").unwrap();
    let body = &xml[start..xml[start..].find("</failure>").unwrap() + start];
    assert!(body.contains("Decided by:\n"));
    assert!(body.contains("  - probe: decided id-token.nonce-mismatch"));
    assert!(body.contains("  +1234 ms  [idp]  token response for id-token.nonce-mismatch"));
    assert!(body.contains("report.html#scenario-id-token.nonce-mismatch"));
    assert!(body.contains("&lt;script&gt;"));
    assert!(
        xml.contains("<system-out>"),
        "a pass carries its evidence in system-out"
    );
}

#[test]
fn json_round_trips_into_a_run_report() {
    let original = sample();
    let text = report::render_json(&original).unwrap();
    assert!(text.ends_with("}\n") && text.contains("\n  \"schema_version\": 1,"));
    let back: RunReport = serde_json::from_str(&text).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&original).unwrap()
    );
    assert_eq!(back.totals, original.totals);

    let tmp = tempfile::tempdir().unwrap();
    let paths = report::write_all(&original, tmp.path()).unwrap();
    let from_file: RunReport = serde_json::from_slice(&std::fs::read(&paths.json).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(from_file).unwrap(),
        serde_json::to_value(&original).unwrap()
    );
}

#[test]
fn a_report_without_secrets_renders_and_the_model_has_no_secret_fields() {
    let report = sample();
    let tmp = tempfile::tempdir().unwrap();
    let paths = report::write_all(&report, tmp.path()).unwrap();
    let html = std::fs::read_to_string(paths.html).unwrap();
    assert!(html.contains("conformance-client-1"));
    // The model itself has nowhere to put a secret: no property of the schema is named like one.
    let schema = report::json_schema().to_string().to_lowercase();
    for word in [
        "\"client_secret\"",
        "\"password\"",
        "\"private_key\"",
        "\"secret\"",
        "\"jwk\"",
    ] {
        assert!(!schema.contains(word), "{word}");
    }
}
