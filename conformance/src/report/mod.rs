//! The three reports a run writes: the HTML evidence pack an onboarding assessor reads (`report.html`),
//! JUnit XML for CI (`junit.xml`) and the machine-readable JSON report (`report.json`, the
//! [`RunReport`] as it is; its schema is [`json_schema`], committed as `docs/report-schema.json`).
//!
//! Every renderer works only from [`RunReport`], which has no secret fields, so nothing secret can reach
//! a report.

mod html;
mod json;
mod junit;

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::RunReport;

pub use html::render_html;
pub use json::render_json;
pub use junit::render_junit;

/// File name of the HTML evidence pack inside the report directory.
pub const HTML_FILE: &str = "report.html";
/// File name of the JUnit XML report inside the report directory.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the JSON report inside the report directory.
pub const JSON_FILE: &str = "report.json";

/// Where [`write_all`] put the reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPaths {
    /// The HTML evidence pack (`report.html`).
    pub html: PathBuf,
    /// The JUnit XML report (`junit.xml`).
    pub junit: PathBuf,
    /// The JSON report (`report.json`).
    pub json: PathBuf,
}

/// Why a report could not be written; every variant names the path concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report directory could not be created.
    #[error("cannot create the report directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A report file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The JUnit XML report could not be rendered.
    #[error("cannot render {}: {source}", path.display())]
    Junit {
        /// The file it was meant for.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The JSON report could not be rendered.
    #[error("cannot render {}: {source}", path.display())]
    Json {
        /// The file it was meant for.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
}

/// Writes `report.html`, `junit.xml` and `report.json` into `dir`, creating it (and its parents) if it is
/// missing; existing files of those names are replaced. All three are rendered before any is written, so a
/// rendering error leaves the directory as it was.
///
/// # Errors
///
/// [`ReportError`] naming the directory or file that could not be created, rendered or written.
pub fn write_all(report: &RunReport, dir: &Path) -> Result<ReportPaths, ReportError> {
    let paths = ReportPaths {
        html: dir.join(HTML_FILE),
        junit: dir.join(JUNIT_FILE),
        json: dir.join(JSON_FILE),
    };
    let html = render_html(report);
    let junit = render_junit(report).map_err(|source| ReportError::Junit {
        path: paths.junit.clone(),
        source,
    })?;
    let json = render_json(report).map_err(|source| ReportError::Json {
        path: paths.json.clone(),
        source,
    })?;
    fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    for (path, contents) in [(&paths.html, html), (&paths.junit, junit), (&paths.json, json)] {
        fs::write(path, contents).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(paths)
}

/// The JSON Schema of the JSON report (`schema_for!(RunReport)`), as committed in
/// `conformance/docs/report-schema.json` and printed by `cis2-conformance schema`.
pub fn json_schema() -> serde_json::Value {
    schemars::schema_for!(RunReport).to_value()
}
