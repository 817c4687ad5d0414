//! The committed JSON Schema of the JSON report (`conformance/docs/report-schema.json`) must match the
//! model. When the model changes on purpose, regenerate it:
//!
//! ```sh
//! cargo run -p cis2-conformance -- schema > conformance/docs/report-schema.json
//! # or, without the CLI:
//! CIS2_UPDATE_REPORT_SCHEMA=1 cargo test -p cis2-conformance --test report_schema
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("report-schema.json")
}

#[test]
fn committed_schema_matches_the_model() {
    let generated = cis2_conformance::report::json_schema();
    let path = committed_path();
    if std::env::var_os("CIS2_UPDATE_REPORT_SCHEMA").is_some() {
        let mut text = serde_json::to_string_pretty(&generated).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert!(
        committed == generated,
        "{} is out of date with conformance/src/model.rs; regenerate it with\n  \
         cargo run -p cis2-conformance -- schema > conformance/docs/report-schema.json\n\
         (or CIS2_UPDATE_REPORT_SCHEMA=1 cargo test -p cis2-conformance --test report_schema)\n\
         and review the diff: a field renamed or removed is an incompatible change that needs \
         REPORT_SCHEMA_VERSION bumped.",
        path.display()
    );
}

#[test]
fn schema_describes_the_run_report() {
    let schema = cis2_conformance::report::json_schema();
    assert_eq!(schema["title"], "RunReport");
    let props = schema["properties"].as_object().unwrap();
    for field in [
        "schema_version",
        "suite_version",
        "started_at",
        "wall_ms",
        "issuer",
        "rp",
        "totals",
        "results",
    ] {
        assert!(props.contains_key(field), "{field}");
    }
}
