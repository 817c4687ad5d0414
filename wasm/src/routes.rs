//! The backend routes of bff-protocol.md, relative to `baseUrl` (default `/auth`), and their query strings.

use crate::return_to::{ReturnToError, validate_return_to};

/// The contract's route paths.
pub(crate) const LOGIN: &str = "/login";
pub(crate) const CHANGE_ROLE: &str = "/change-role";
pub(crate) const STEP_UP: &str = "/step-up";
pub(crate) const LOGOUT: &str = "/logout";
pub(crate) const SESSION: &str = "/session";
pub(crate) const EVENTS: &str = "/events";

/// `baseUrl` without trailing slashes (`"/auth/"` → `"/auth"`, `"/"` → `""`).
pub(crate) fn normalise_base(base: &str) -> String {
    base.trim().trim_end_matches('/').to_owned()
}

/// Percent-encodes everything outside RFC 3986's unreserved set.
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// What a `/login` navigation asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LoginParams {
    /// ACR values, sent space-separated.
    pub(crate) acr: Vec<String>,
    /// `prompt=login`.
    pub(crate) prompt_login: bool,
    /// `max_age` in seconds.
    pub(crate) max_age: Option<u64>,
    /// `select_role=true`.
    pub(crate) select_role: bool,
    /// Where to come back to.
    pub(crate) return_to: Option<String>,
}

/// `{base}{route}?…` with only the parameters that are set; `return_to` is validated first.
pub(crate) fn navigation_url(base: &str, route: &str, p: &LoginParams) -> Result<String, ReturnToError> {
    let mut query: Vec<(&str, String)> = Vec::new();
    let mut acr = String::new();
    for a in &p.acr {
        let a = a.trim();
        if a.is_empty() {
            continue;
        }
        if !acr.is_empty() {
            acr.push(' ');
        }
        acr.push_str(a);
    }
    if !acr.is_empty() {
        query.push(("acr_values", acr));
    }
    if p.prompt_login {
        query.push(("prompt", "login".to_owned()));
    }
    if let Some(m) = p.max_age {
        query.push(("max_age", crate::text::uint(m)));
    }
    if p.select_role {
        query.push(("select_role", "true".to_owned()));
    }
    if let Some(r) = &p.return_to {
        query.push(("return_to", validate_return_to(r)?.to_owned()));
    }
    let mut url = crate::text::cat(&[&normalise_base(base), route]);
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(k);
        url.push('=');
        url.push_str(&encode_component(v));
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
