//! The options JS passes to `signIn`, `changeRole` / `stepUp` and `signOut`, and the navigations to the
//! backend.

use wasm_bindgen::prelude::*;

use crate::client::state::Inner;
use crate::error::{Error, ErrorCode, Result};
use crate::js::{get, get_string, opt_bool, options_object};
use crate::text::cat;
use cis2_sdk::bff::LoginQuery;

/// `signOut` options.
#[derive(Debug, Default)]
pub(super) struct SignOutOptions {
    /// `endSession`: also end the CIS2 session.
    pub(super) end_session: Option<bool>,
    /// `redirect`: go to the `end_session_url` the backend returns (default true).
    pub(super) redirect: Option<bool>,
}

/// Reads `signOut` options.
pub(super) fn sign_out_options(v: Option<JsValue>) -> Result<SignOutOptions> {
    const WHAT: &str = "signOut options";
    let o = options_object(WHAT, v)?;
    Ok(SignOutOptions {
        end_session: opt_bool(&o, "endSession", WHAT)?,
        redirect: opt_bool(&o, "redirect", WHAT)?,
    })
}

/// `acr`: one string (space-separated values allowed) or an array of strings.
pub(super) fn acr_values(o: &JsValue) -> Result<Vec<String>> {
    let v = get(o, "acr");
    if crate::js::absent(&v) {
        return Ok(Vec::new());
    }
    let mut values = Vec::new();
    if let Some(s) = v.as_string() {
        for part in s.split(' ') {
            values.push(part.to_owned());
        }
        return Ok(values);
    }
    let bad = || {
        Error::new(
            ErrorCode::InvalidOptions,
            "signIn options: acr must be a string or an array of strings",
        )
    };
    if !js_sys::Array::is_array(&v) {
        return Err(bad());
    }
    for a in v.unchecked_into::<js_sys::Array>().iter() {
        values.push(a.as_string().ok_or_else(bad)?);
    }
    Ok(values)
}

/// The page's path, query and fragment: the default `returnTo`.
pub(super) fn current_path() -> Result<String> {
    let location: JsValue = crate::fetch::location()?.into();
    let path = get_string(&location, "pathname").unwrap_or_else(|| "/".to_owned());
    let search = get_string(&location, "search").unwrap_or_default();
    let hash = get_string(&location, "hash").unwrap_or_default();
    Ok(cat(&[&path, &search, &hash]))
}

/// The query for `changeRole` / `stepUp`: only `returnTo`, defaulting to the current path.
pub(super) fn return_only(options: Option<JsValue>) -> Result<LoginQuery> {
    let return_to = match options.as_ref().map(|o| get(o, "returnTo")) {
        Some(v) if v.is_undefined() || v.is_null() => None,
        Some(v) => Some(
            v.as_string()
                .ok_or_else(|| Error::new(ErrorCode::InvalidOptions, "returnTo must be a string"))?,
        ),
        None => None,
    };
    let mut query = LoginQuery::default();
    query.return_to = Some(return_to.map_or_else(current_path, Ok)?);
    Ok(query)
}

/// Sends the page to `{baseUrl}{route}` with `query`.
pub(super) fn navigate(inner: &Inner, route: &str, query: &LoginQuery) -> std::result::Result<(), JsValue> {
    let url = query.url(&inner.config.base, route).map_err(Error::from)?;
    crate::fetch::location()?
        .assign(&url)
        .map_err(|e| Error::new(ErrorCode::Network, "navigation failed").with_details(e))?;
    Ok(())
}
