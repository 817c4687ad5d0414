//! The JSON report: the [`RunReport`] as it is, pretty-printed.

use crate::model::RunReport;

/// Renders the JSON report: `report` pretty-printed, with a trailing newline. It deserializes back into
/// an equal [`RunReport`] and conforms to [`super::json_schema`].
///
/// # Errors
///
/// The serializer's error; in practice none, as every field is plain data.
pub fn render_json(report: &RunReport) -> Result<String, serde_json::Error> {
    let mut out = serde_json::to_string_pretty(report)?;
    out.push('\n');
    Ok(out)
}
