//! The query of the backend's sign-in routes, and the rule that a page may only make a sign-in stricter.

use std::borrow::Cow;
use std::time::Duration;

use crate::acr::{acr_level, at_least_as_strict};
use crate::bff::return_to::{ReturnToError, validate_return_to};
use crate::flow::{LoginOptions, Prompt};

/// The longest query the sign-in routes accept, in bytes.
pub const MAX_LOGIN_QUERY_LEN: usize = 4096;
/// The largest `max_age` accepted, in seconds (one year): larger values mean nothing to CIS2 and would only
/// risk overflow further on.
pub const MAX_AGE_LIMIT_SECS: u64 = 366 * 24 * 60 * 60;
/// The longest `login_hint` accepted, in bytes.
const MAX_LOGIN_HINT_LEN: usize = 256;

/// What a page asks of `GET {base}/login` (also `/change-role` and `/step-up`). The backend's configured
/// [`LoginOptions`] are the floor: [`LoginQuery::apply_to`] lets the query make the request stricter, never
/// weaker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginQuery {
    /// `acr_values`, space-separated on the wire; known CIS2 values only, each once.
    pub acr_values: Vec<String>,
    /// `prompt=login`: authenticate again.
    pub prompt_login: bool,
    /// `max_age`, in seconds.
    pub max_age: Option<u64>,
    /// `select_role=true`: run CIS2 role selection.
    pub select_role: bool,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// Where to land afterwards: a same-origin relative path ([`validate_return_to`]).
    pub return_to: Option<String>,
}

/// Why a sign-in query was refused (answer 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginQueryError {
    /// The query is longer than [`MAX_LOGIN_QUERY_LEN`].
    #[error("The sign-in request is too long ({len} bytes; at most {MAX_LOGIN_QUERY_LEN}).")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A parameter appears more than once.
    #[error("The parameter {name} appears more than once.")]
    Duplicate {
        /// The parameter.
        name: String,
    },
    /// `return_to` is not a same-origin relative path.
    #[error("The return address is refused: {0}.")]
    ReturnTo(#[from] ReturnToError),
    /// An `acr_values` entry is not a CIS2 ACR value.
    #[error("{value:?} is not a CIS2 authentication level (acr_values).")]
    UnknownAcr {
        /// The value.
        value: String,
    },
    /// `acr_values` asks for less than the backend's configured minimum.
    #[error(
        "The sign-in level {requested} is weaker than this service's minimum ({floor}); a page may only ask for a stricter sign-in."
    )]
    WeakerAcr {
        /// What the query asked for.
        requested: String,
        /// The configured floor.
        floor: String,
    },
    /// `prompt` is neither `login` nor empty.
    #[error("prompt must be login (got {value:?}).")]
    InvalidPrompt {
        /// The value.
        value: String,
    },
    /// `max_age` is not whole seconds, or above [`MAX_AGE_LIMIT_SECS`].
    #[error("max_age must be whole seconds up to {MAX_AGE_LIMIT_SECS} (got {value:?}).")]
    InvalidMaxAge {
        /// The value.
        value: String,
    },
    /// `select_role` is not a boolean.
    #[error("select_role must be true or false (got {value:?}).")]
    InvalidSelectRole {
        /// The value.
        value: String,
    },
    /// `login_hint` is too long.
    #[error("login_hint is longer than {MAX_LOGIN_HINT_LEN} bytes.")]
    LoginHintTooLong,
}

impl LoginQuery {
    /// Parses the query string (without `?`). Duplicated parameters, unknown ACR values, an unsafe `return_to`
    /// and out-of-range numbers are refused; unknown parameters are ignored.
    pub fn parse(query: &str) -> Result<LoginQuery, LoginQueryError> {
        if query.len() > MAX_LOGIN_QUERY_LEN {
            return Err(LoginQueryError::TooLong { len: query.len() });
        }
        let mut q = LoginQuery::default();
        let mut seen: Vec<Cow<'_, str>> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if seen.contains(&k) {
                return Err(LoginQueryError::Duplicate { name: k.into_owned() });
            }
            match &*k {
                "return_to" => q.return_to = Some(validate_return_to(&v)?.to_owned()),
                "acr_values" => {
                    for a in v.split(' ').filter(|a| !a.is_empty()) {
                        if acr_level(a).is_none() {
                            return Err(LoginQueryError::UnknownAcr { value: a.to_owned() });
                        }
                        if !q.acr_values.iter().any(|seen| seen == a) {
                            q.acr_values.push(a.to_owned());
                        }
                    }
                }
                "prompt" => match &*v {
                    "login" => q.prompt_login = true,
                    "" => {}
                    _ => {
                        return Err(LoginQueryError::InvalidPrompt {
                            value: v.into_owned(),
                        });
                    }
                },
                "max_age" => match v.parse::<u64>() {
                    Ok(secs) if secs <= MAX_AGE_LIMIT_SECS => q.max_age = Some(secs),
                    _ => {
                        return Err(LoginQueryError::InvalidMaxAge {
                            value: v.into_owned(),
                        });
                    }
                },
                "select_role" | "selectedrole" => match &*v {
                    "true" | "1" => q.select_role = true,
                    "false" | "0" => {}
                    _ => {
                        return Err(LoginQueryError::InvalidSelectRole {
                            value: v.into_owned(),
                        });
                    }
                },
                "login_hint" if v.len() > MAX_LOGIN_HINT_LEN => {
                    return Err(LoginQueryError::LoginHintTooLong);
                }
                "login_hint" => q.login_hint = Some(v.into_owned()),
                _ => {}
            }
            seen.push(k);
        }
        Ok(q)
    }

    /// The query string (without `?`; empty when nothing is set), `return_to` checked first. ACR values are
    /// trimmed and empty ones dropped ([`LoginQuery::parse`] drops repeats).
    pub fn to_query(&self) -> Result<String, ReturnToError> {
        let mut out = String::new();
        let mut acr = String::new();
        for a in &self.acr_values {
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
            append_pair(&mut out, "acr_values", &acr);
        }
        if self.prompt_login {
            append_pair(&mut out, "prompt", "login");
        }
        if let Some(m) = self.max_age {
            append_pair(&mut out, "max_age", &crate::bff::digits::decimal(m));
        }
        if self.select_role {
            append_pair(&mut out, "select_role", "true");
        }
        if let Some(h) = &self.login_hint {
            append_pair(&mut out, "login_hint", h);
        }
        if let Some(r) = &self.return_to {
            append_pair(&mut out, "return_to", validate_return_to(r)?);
        }
        Ok(out)
    }

    /// `{base}{route}?{query}`: the URL a page navigates to. `base` is where the backend's routes are mounted
    /// (`/auth`, or an absolute URL); trailing slashes are ignored.
    pub fn url(&self, base: &str, route: &str) -> Result<String, ReturnToError> {
        let query = self.to_query()?;
        let mut url = String::from(base.trim().trim_end_matches('/'));
        url.push_str(route);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        Ok(url)
    }

    /// The options to send to CIS2: `floor` (the backend's configured options, already raised for the route
    /// by [`LoginRoute::floor`]) made stricter by this query. ACR values may only ask for a level at least as
    /// strict as the floor's (an error otherwise, rather than a silent downgrade); `prompt=login` and role
    /// selection can be switched on, never off; `max_age` can only shorten.
    pub fn apply_to(&self, floor: &LoginOptions) -> Result<LoginOptions, LoginQueryError> {
        let mut options = floor.clone();
        if !self.acr_values.is_empty() {
            // CIS2 may satisfy any one requested value, so each must be at least as strict as some floor value.
            for requested in &self.acr_values {
                let allowed = floor.acr_values.is_empty()
                    || floor.acr_values.iter().any(|f| at_least_as_strict(requested, f));
                if !allowed {
                    return Err(LoginQueryError::WeakerAcr {
                        requested: requested.clone(),
                        floor: floor.acr_values.join(" "),
                    });
                }
            }
            options.acr_values = self.acr_values.clone();
        }
        if self.prompt_login {
            options.prompt = Some(Prompt::Login);
        }
        if self.select_role {
            options.select_role = true;
        }
        if let Some(secs) = self.max_age {
            let asked = Duration::from_secs(secs);
            options.max_age = Some(floor.max_age.map_or(asked, |f| f.min(asked)));
        }
        if self.login_hint.is_some() {
            options.login_hint.clone_from(&self.login_hint);
        }
        Ok(options)
    }
}

/// The backend's three ways into a sign-in, each with the contract's fixed additions to the configured options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginRoute {
    /// `GET /login`: the configured options.
    Login,
    /// `GET /change-role`: CIS2 role selection (which implies `prompt=login`).
    ChangeRole,
    /// `GET /step-up`: authenticate again at AAL3 (`AAL3_ANY` unless the configured floor is already AAL3).
    StepUp,
}

impl LoginRoute {
    /// The route's path ([`routes`](crate::bff::routes)).
    pub const fn path(self) -> &'static str {
        match self {
            LoginRoute::Login => crate::bff::routes::LOGIN,
            LoginRoute::ChangeRole => crate::bff::routes::CHANGE_ROLE,
            LoginRoute::StepUp => crate::bff::routes::STEP_UP,
        }
    }

    /// The configured options raised as the route requires.
    pub fn floor(self, configured: &LoginOptions) -> LoginOptions {
        let mut options = configured.clone();
        match self {
            LoginRoute::Login => {}
            LoginRoute::ChangeRole => options.select_role = true,
            LoginRoute::StepUp => {
                if crate::acr::requested_level(&options.acr_values).is_none_or(|l| l < 3) {
                    options.acr_values = vec!["AAL3_ANY".to_owned()];
                }
                options.prompt = Some(Prompt::Login);
            }
        }
        options
    }
}

/// Appends `&key=value` (no `&` first), the value percent-encoded outside RFC 3986's unreserved set. By hand
/// rather than `url::form_urlencoded::Serializer`, which adds about 1.7 KB gzip to the browser build for the same
/// result; [`LoginQuery::parse`] reads it back with `form_urlencoded`.
fn append_pair(out: &mut String, key: &str, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
    out.push('=');
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}
