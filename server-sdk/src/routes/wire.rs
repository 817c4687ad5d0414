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

/// The one structured event every sign-in writes (target `cis2_server::sign_in`), so a supplier can watch a
/// CIS1 → CIS2 migration: `path` (`cis2` or `cis1`), `uid`, `org` (the selected role's ODS code, empty when
/// none), `aal`. Never a ticket or token.
pub(crate) fn log_sign_in(rec: &crate::store::SessionRecord) {
    tracing::info!(
        target: "cis2_server::sign_in",
        path = rec.path.as_str(),
        uid = %rec.sub,
        org = selected_org(&rec.user),
        aal = ?rec.aal,
        has_sid = rec.sid.is_some(),
        "signed in"
    );
}

/// The selected role's organisation (ODS code), or `""`.
pub(crate) fn selected_org(user: &cis2_sdk::Cis2User) -> &str {
    match user.selected_role() {
        cis2_sdk::RoleSelection::Selected { role, .. } => &role.org_code,
        _ => "",
    }
}
