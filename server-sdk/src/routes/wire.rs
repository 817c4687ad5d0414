//! What the route handlers share: the no-store header and query parsing that refuses repeated parameters.

use http::{HeaderValue, header};

/// Parses a query or form string, refusing duplicated parameters.
pub(crate) fn unique_pairs(raw: &str) -> Result<Vec<(String, String)>, crate::error::ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(crate::error::ApiError::bad_request(format!(
                "parameter {k} appears more than once"
            )));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

pub(crate) fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}
