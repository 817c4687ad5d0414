//! `rp.toml`: the relying party under test. Unknown keys are refused (a typo must not silently switch a
//! scenario off), and every check names the field and the fix.

use std::path::Path;

use serde::Deserialize;

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or a key/type the suite does not know (the message names the line and the key).
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The parser's words, with the line.
        message: String,
    },
    /// A field holds a value the suite cannot use.
    #[error("{path}: `{field}`: {problem}. Fix: {fix}")]
    Invalid {
        /// The file.
        path: String,
        /// The field (`rp.start_url`, `probe`, ...).
        field: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        fix: String,
    },
}

impl ConfigError {
    /// `field` in `path` holds a value that cannot be used.
    pub(crate) fn invalid(path: &str, field: &str, problem: String, fix: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            field: field.into(),
            problem,
            fix: fix.into(),
        }
    }
}

/// Reads the TOML file at `path` as `T` (whose serde attributes refuse unknown keys); returns the value and
/// the path as errors name it. Shared by `rp.toml` and `migrate.toml`.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, String), ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
    Ok((parse_toml(&text, &shown)?, shown))
}

/// Parses a TOML document as `T`; `path` names it in errors, with the parser's line and key.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, path: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.into(),
        message: e.to_string().trim_end().replace('\n', "\n  "),
    })
}

/// Checks that `field` holds an absolute http(s) URL with a host (and no fragment when `no_fragment`);
/// `example` is the fix's example URL.
pub(crate) fn check_http_url(
    path: &str,
    field: &str,
    v: &str,
    example: &str,
    no_fragment: bool,
) -> Result<(), ConfigError> {
    let bad = |problem: String, fix: String| ConfigError::invalid(path, field, problem, fix);
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            if no_fragment && u.fragment().is_some() {
                Err(bad(
                    format!("{v:?} has a fragment"),
                    "remove the #... part".into(),
                ))
            } else {
                Ok(())
            }
        }
        Ok(_) => Err(bad(
            format!("{v:?} is not an http(s) URL"),
            format!("use an http(s) URL such as {example}"),
        )),
        Err(e) => Err(bad(
            format!("{v:?} is not a URL ({e})"),
            format!("use an absolute URL such as {example}"),
        )),
    }
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RpConfig {
    /// The RP's URLs.
    pub rp: RpSection,
    /// How to tell whether a browser is signed in.
    pub probe: ProbeConfig,
    /// The client registered for the RP at the suite's IdP.
    pub client: ClientSection,
    /// What the RP claims to support.
    #[serde(default)]
    pub features: Features,
    /// The suite's IdP (the issuer the RP is configured with).
    #[serde(default)]
    pub idp: IdpSection,
}

/// `[rp]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RpSection {
    /// A name for the reports.
    #[serde(default = "default_name")]
    pub name: String,
    /// Opening this URL in a browser starts a CIS2 sign-in (the RP redirects to the IdP).
    pub start_url: String,
    /// Registered redirect URIs (exact strings).
    pub redirect_uris: Vec<String>,
    /// The back-channel logout URI, when `features.backchannel_logout`.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// Local sign-out.
    #[serde(default)]
    pub sign_out: Option<Action>,
    /// Starts a sign-in that asks for role selection (`selectedrole`, `prompt=login`).
    #[serde(default)]
    pub change_role_url: Option<String>,
    /// Starts a step-up sign-in to AAL3.
    #[serde(default)]
    pub step_up_url: Option<String>,
    /// Starts a sign-in whose authorization request carries `max_age`, when `features.max_age` (default:
    /// `start_url`).
    #[serde(default)]
    pub max_age_url: Option<String>,
    /// Where the RP sends the browser after CIS2 end-session.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
}

fn default_name() -> String {
    "relying party under test".into()
}

/// A URL and the method that triggers it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Action {
    /// The URL.
    pub url: String,
    /// `GET` or `POST` (an empty form).
    #[serde(default = "default_method")]
    pub method: String,
}

fn default_method() -> String {
    "GET".into()
}

/// `[probe]`: one request whose answer says whether the browser is signed in. Exactly one condition.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProbeConfig {
    /// The URL the signed-in browser requests (with its cookies).
    pub url: String,
    /// Signed in when the status is this one.
    #[serde(default)]
    pub status: Option<u16>,
    /// Signed in when the body contains this text.
    #[serde(default)]
    pub text_present: Option<String>,
    /// Signed in when the body does not contain this text (and the status is 2xx).
    #[serde(default)]
    pub text_absent: Option<String>,
    /// Signed in when the JSON body holds `true` (or a non-empty string/number) at this JSON pointer.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// Optional: where the probe's JSON shows the selected role's `person_roleid` (for the role scenarios).
    #[serde(default)]
    pub role_json_pointer: Option<String>,
    /// Optional: a page that answers 2xx only to an AAL3 session (for the step-up scenarios).
    #[serde(default)]
    pub aal3_url: Option<String>,
}

/// `[client]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClientSection {
    /// The client id the RP is configured with.
    pub client_id: String,
    /// `client_secret_post` (default) or `private_key_jwt`.
    #[serde(default = "default_auth")]
    pub auth_method: String,
    /// The secret for `client_secret_post`.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The RP's JWKS for `private_key_jwt`.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// The assertion algorithm for `private_key_jwt` (default RS256).
    #[serde(default)]
    pub signing_alg: Option<String>,
}

fn default_auth() -> String {
    "client_secret_post".into()
}

/// `[features]`: scenarios for a feature the RP does not claim are skipped, not failed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Features {
    /// Back-channel logout (`rp.backchannel_logout_uri`).
    #[serde(default)]
    pub backchannel_logout: bool,
    /// Role selection (`rp.change_role_url`).
    #[serde(default)]
    pub role_selection: bool,
    /// Step-up to AAL3 (`rp.step_up_url`, `rp.aal3_url`).
    #[serde(default)]
    pub step_up: bool,
    /// CIS2 end-session on sign-out.
    #[serde(default)]
    pub end_session: bool,
    /// The RP sends `max_age` (from `rp.max_age_url`, else `rp.start_url`) and so must check `auth_time`.
    #[serde(default)]
    pub max_age: bool,
    /// The RP registers for signed userinfo (`application/jwt`).
    #[serde(default)]
    pub signed_userinfo: bool,
}

/// `[idp]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct IdpSection {
    /// The port the suite's IdP listens on (127.0.0.1). The RP's issuer setting names it; 0 picks a free
    /// port (for tests that start the RP after the suite).
    #[serde(default = "default_port")]
    pub port: u16,
    /// Scenarios run at once (default 8).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// The longest the suite waits for any one answer or event, in seconds (default 10).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Serve the IdP over HTTPS (TLS 1.2/1.3) with the suite's own CA, so the issuer is real-shaped:
    /// `https://localhost:443/openam/...`, the port written out as CIS2's is. The RP must trust the CA file
    /// (`ca_dir`/`ca.pem`, printed at start and recorded in the reports). Default false.
    #[serde(default)]
    pub tls: bool,
    /// The HTTPS port (default 443). When it cannot be bound (taken, or no privilege), the suite uses a free
    /// port and says so; the issuer then names that port, and the scenarios about an explicit `:443` are
    /// skipped.
    #[serde(default)]
    pub tls_port: Option<u16>,
    /// Where the suite's CA lives (`ca.pem` for the RP to trust, `ca-key.pem`), kept across runs so the RP
    /// is configured once. Default `cis2-conformance-ca` in the current directory.
    #[serde(default)]
    pub ca_dir: Option<std::path::PathBuf>,
}

fn default_port() -> u16 {
    9400
}

/// The one condition a probe checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeRule {
    /// Status equals.
    Status(u16),
    /// Body contains.
    TextPresent(String),
    /// Body lacks (on a 2xx).
    TextAbsent(String),
    /// JSON pointer is truthy.
    JsonPointer(String),
}

impl ProbeConfig {
    /// The single rule (checked by [`RpConfig::check`]).
    pub fn rule(&self) -> Option<ProbeRule> {
        match (
            self.status,
            &self.text_present,
            &self.text_absent,
            &self.json_pointer,
        ) {
            (Some(s), None, None, None) => Some(ProbeRule::Status(s)),
            (None, Some(t), None, None) => Some(ProbeRule::TextPresent(t.clone())),
            (None, None, Some(t), None) => Some(ProbeRule::TextAbsent(t.clone())),
            (None, None, None, Some(p)) => Some(ProbeRule::JsonPointer(p.clone())),
            _ => None,
        }
    }

    /// The probe in words, for reports.
    pub fn describe(&self) -> String {
        let rule = match self.rule() {
            Some(ProbeRule::Status(s)) => format!("status is {s}"),
            Some(ProbeRule::TextPresent(t)) => format!("the body contains {t:?}"),
            Some(ProbeRule::TextAbsent(t)) => format!("the body is 2xx without {t:?}"),
            Some(ProbeRule::JsonPointer(p)) => format!("JSON {p} is true"),
            None => "(invalid)".into(),
        };
        format!("GET {}: signed in when {rule}", self.url)
    }
}

impl RpConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let (c, shown): (Self, String) = read_toml(path)?;
        c.check(&shown)?;
        Ok(c)
    }

    /// Parses and checks a document; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, ConfigError> {
        let c: Self = parse_toml(text, path)?;
        c.check(path)?;
        Ok(c)
    }

    /// The checks serde cannot express.
    pub fn check(&self, path: &str) -> Result<(), ConfigError> {
        let bad = |field: &str, problem: String, fix: &str| ConfigError::invalid(path, field, problem, fix);
        let url_field =
            |field: &str, v: &str| check_http_url(path, field, v, "http://127.0.0.1:8080/login", false);
        url_field("rp.start_url", &self.rp.start_url)?;
        url_field("probe.url", &self.probe.url)?;
        if self.rp.redirect_uris.is_empty() {
            return Err(bad(
                "rp.redirect_uris",
                "is empty".into(),
                "list the RP's callback URL(s), exactly as the RP sends them",
            ));
        }
        for u in &self.rp.redirect_uris {
            url_field("rp.redirect_uris", u)?;
        }
        for (field, v) in [
            ("rp.backchannel_logout_uri", &self.rp.backchannel_logout_uri),
            ("rp.change_role_url", &self.rp.change_role_url),
            ("rp.step_up_url", &self.rp.step_up_url),
            ("rp.max_age_url", &self.rp.max_age_url),
            ("probe.aal3_url", &self.probe.aal3_url),
        ] {
            if let Some(v) = v {
                url_field(field, v)?;
            }
        }
        if let Some(a) = &self.rp.sign_out {
            url_field("rp.sign_out.url", &a.url)?;
            if !matches!(a.method.as_str(), "GET" | "POST") {
                return Err(bad(
                    "rp.sign_out.method",
                    format!("{:?} is not GET or POST", a.method),
                    "write \"GET\" or \"POST\"",
                ));
            }
        }
        if self.probe.rule().is_none() {
            return Err(bad(
                "probe",
                "needs exactly one of status, text_present, text_absent, json_pointer".into(),
                "keep one condition, e.g. status = 200 for a /me endpoint that answers 401 when signed out",
            ));
        }
        if let Some(p) = &self.probe.json_pointer
            && !p.is_empty()
            && !p.starts_with('/')
        {
            return Err(bad(
                "probe.json_pointer",
                format!("{p:?} does not start with '/'"),
                "write a JSON pointer such as /authenticated",
            ));
        }
        if self.client.client_id.trim().is_empty() {
            return Err(bad(
                "client.client_id",
                "is empty".into(),
                "run `cis2-conformance init` for a fresh id, or set the RP's",
            ));
        }
        match self.client.auth_method.as_str() {
            "client_secret_post" | "client_secret_basic" => {
                if self.client.client_secret.as_deref().unwrap_or("").is_empty() {
                    return Err(bad(
                        "client.client_secret",
                        "is missing for a client_secret_* method".into(),
                        "set the secret the RP sends",
                    ));
                }
            }
            "private_key_jwt" => match &self.client.jwks_uri {
                Some(u) => url_field("client.jwks_uri", u)?,
                None => {
                    return Err(bad(
                        "client.jwks_uri",
                        "is missing for private_key_jwt".into(),
                        "set the URL where the RP publishes its public keys",
                    ));
                }
            },
            other => {
                return Err(bad(
                    "client.auth_method",
                    format!("{other:?} is not supported"),
                    "use client_secret_post, client_secret_basic or private_key_jwt (CIS2 accepts confidential clients only)",
                ));
            }
        }
        let needs = |on: bool, field: &str, v: bool, feature: &str| -> Result<(), ConfigError> {
            if on && !v {
                Err(bad(
                    field,
                    format!("is missing but features.{feature} is true"),
                    &format!("set {field}, or set features.{feature} = false"),
                ))
            } else {
                Ok(())
            }
        };
        let f = &self.features;
        needs(
            f.backchannel_logout,
            "rp.backchannel_logout_uri",
            self.rp.backchannel_logout_uri.is_some(),
            "backchannel_logout",
        )?;
        needs(
            f.role_selection,
            "rp.change_role_url",
            self.rp.change_role_url.is_some(),
            "role_selection",
        )?;
        needs(
            f.step_up,
            "rp.step_up_url",
            self.rp.step_up_url.is_some(),
            "step_up",
        )?;
        needs(
            f.step_up,
            "probe.aal3_url",
            self.probe.aal3_url.is_some(),
            "step_up",
        )?;
        needs(
            f.end_session,
            "rp.sign_out",
            self.rp.sign_out.is_some(),
            "end_session",
        )?;
        if self.idp.concurrency == Some(0) {
            return Err(bad("idp.concurrency", "is 0".into(), "use 1 or more (default 8)"));
        }
        if self.idp.timeout_secs == Some(0) {
            return Err(bad(
                "idp.timeout_secs",
                "is 0".into(),
                "use 1 or more (default 10)",
            ));
        }
        Ok(())
    }

    /// The features the RP claims, by name.
    pub fn feature_names(&self) -> Vec<String> {
        let f = &self.features;
        [
            (f.backchannel_logout, "backchannel_logout"),
            (f.role_selection, "role_selection"),
            (f.step_up, "step_up"),
            (f.end_session, "end_session"),
            (f.signed_userinfo, "signed_userinfo"),
            (f.max_age, "max_age"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| (*n).to_owned())
        .collect()
    }
}
