//! The JSON report, its schema (`docs/migrate-report-schema.json`) and writing the report files.

use std::fs;
use std::path::{Path, PathBuf};

use super::html::render_html;
use super::model::MigrateReport;

/// File name of the HTML report inside the report directory.
pub const HTML_FILE: &str = "migrate-report.html";
/// File name of the JSON report inside the report directory.
pub const JSON_FILE: &str = "migrate-report.json";

/// The JSON report: `report` pretty-printed, with a trailing newline.
///
/// # Errors
///
/// The serializer's error; in practice none, as every field is plain data.
pub fn render_json(report: &MigrateReport) -> Result<String, serde_json::Error> {
    let mut out = serde_json::to_string_pretty(report)?;
    out.push('\n');
    Ok(out)
}

/// The JSON Schema of the JSON report, as committed in `conformance/docs/migrate-report-schema.json` and
/// printed by `cis2-migrate schema`.
pub fn json_schema() -> serde_json::Value {
    schemars::schema_for!(MigrateReport).to_value()
}

/// Writes the HTML and JSON reports into `dir` (created if missing); both are rendered before either is
/// written. Returns their paths; the error names the path concerned.
pub fn write_all(report: &MigrateReport, dir: &Path) -> Result<(PathBuf, PathBuf), String> {
    let html_path = dir.join(HTML_FILE);
    let json_path = dir.join(JSON_FILE);
    let html = render_html(report);
    let json = render_json(report).map_err(|e| format!("cannot render {}: {e}", json_path.display()))?;
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (path, contents) in [(&html_path, html), (&json_path, json)] {
        fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok((html_path, json_path))
}
