//! `migrate.toml`: the supplier's app as it is on CIS1 and as it will be registered on CIS2. Unknown keys are
//! refused (a typo must not silently drop a check), and every check names the field and the fix, as
//! `rp.toml` does (`crate::config`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::names;

/// Why a `migrate.toml` cannot be used: the same shape as `rp.toml`'s errors (read, syntax, a field with
/// the fix).
pub type InputError = crate::config::ConfigError;

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MigrateConfig {
    /// The app.
    pub app: AppSection,
    /// What the app reads from CIS1 today.
    pub cis1: Cis1Section,
    /// The planned CIS2 registration.
    pub cis2: Cis2Section,
    /// The app's smartcard users.
    #[serde(default)]
    pub users: UsersSection,
    /// The conformance suite's back-channel logout and role scenarios, when the app can be reached.
    #[serde(default)]
    pub conformance: Option<ConformanceSection>,
}

/// `[app]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AppSection {
    /// A name for the report.
    pub name: String,
    /// Whether the app signs prescriptions (EPS): signing moves to the Digital Signature Service.
    #[serde(default)]
    pub prescribing: bool,
}

/// `[cis1]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Cis1Section {
    /// The CIS1 attributes the app reads: SSB RoleAssertion names (`uid`, `nhsJobRoleCode`, ...), GAS
    /// `sso_session_time`, or `smartcard`.
    pub attributes: Vec<String>,
    /// Role codes the app checks (`S8000:G8000:R8003`).
    #[serde(default)]
    pub role_codes: Vec<String>,
    /// B-code activities the app checks (`B0264`).
    #[serde(default)]
    pub activities: Vec<String>,
    /// Workgroup codes the app checks.
    #[serde(default)]
    pub workgroups: Vec<String>,
}

/// `[cis2]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Cis2Section {
    /// Redirect URIs to register (exact strings).
    pub redirect_uris: Vec<String>,
    /// The back-channel logout URI to register.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// `private_key_jwt`, `client_secret_post` or `client_secret_basic`.
    pub auth_method: String,
    /// Where the app publishes its public keys (for `private_key_jwt`).
    #[serde(default)]
    pub jwks_uri: Option<String>,
}

/// `[users]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UsersSection {
    /// The smartcards in use, by series and client software.
    #[serde(default)]
    pub cards: Vec<CardGroup>,
}

/// One `[[users.cards]]` entry: `count` cards of one series used through one client.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CardGroup {
    /// The card series: 4, 5, 6, 8, 9 or 10.
    pub series: u8,
    /// How many users hold such a card.
    pub count: u32,
    /// `identity_agent` or `smartcard_connect`.
    pub client: String,
}

/// `[conformance]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConformanceSection {
    /// The `rp.toml` describing the running app (relative to `migrate.toml`).
    pub rp_config: PathBuf,
}

/// The client software a card is used through.
pub(super) const CLIENTS: [&str; 2] = ["identity_agent", "smartcard_connect"];

/// Card series the tool knows (cis2.md §11; series 4/5/6 are deprecated).
pub(super) const SERIES: [u8; 6] = [4, 5, 6, 8, 9, 10];

/// Token endpoint authentication methods CIS2 accepts for a registration.
pub const AUTH_METHODS: [&str; 4] = [
    "private_key_jwt",
    "client_secret_jwt",
    "client_secret_post",
    "client_secret_basic",
];

impl MigrateConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let (c, shown): (Self, String) = crate::config::read_toml(path)?;
        c.check(&shown)?;
        Ok(c)
    }

    /// Parses and checks a document; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, InputError> {
        let c: Self = crate::config::parse_toml(text, path)?;
        c.check(path)?;
        Ok(c)
    }

    /// The checks serde cannot express. Weak but well-formed registrations are findings, not errors.
    pub fn check(&self, path: &str) -> Result<(), InputError> {
        let bad = |field: &str, problem: String, fix: String| InputError::invalid(path, field, problem, fix);
        if self.app.name.trim().is_empty() {
            return Err(bad("app.name", "is empty".into(), "name the app".into()));
        }
        for a in &self.cis1.attributes {
            if names::attribute(a).is_none() {
                return Err(bad(
                    "cis1.attributes",
                    format!("{a:?} is not a CIS1 attribute"),
                    format!("use one of {}", names::all().join(", ")),
                ));
            }
        }
        for r in &self.cis1.role_codes {
            if !is_role_code(r) {
                return Err(bad(
                    "cis1.role_codes",
                    format!("{r:?} is not a role code"),
                    "write the full S:G:R code as CIS1's nhsJobRoleCode has it, e.g. \"S8000:G8000:R8003\""
                        .into(),
                ));
            }
        }
        for b in &self.cis1.activities {
            if !is_b_code(b) {
                return Err(bad(
                    "cis1.activities",
                    format!("{b:?} is not a B-code"),
                    "write the activity code as CIS1's nhsBusinessFunctionsCodes has it, e.g. \"B0264\""
                        .into(),
                ));
            }
        }
        if let Some(w) = self.cis1.workgroups.iter().find(|w| w.trim().is_empty()) {
            return Err(bad(
                "cis1.workgroups",
                format!("{w:?} is empty"),
                "write each workgroup code as CIS1's nhsWorkGroupsCodes has it".into(),
            ));
        }
        let url = |field: &str, v: &str| {
            crate::config::check_http_url(path, field, v, "https://app.example.nhs.uk/auth/callback", true)
        };
        for u in &self.cis2.redirect_uris {
            url("cis2.redirect_uris", u)?;
        }
        if let Some(u) = &self.cis2.backchannel_logout_uri {
            url("cis2.backchannel_logout_uri", u)?;
        }
        if let Some(u) = &self.cis2.jwks_uri {
            url("cis2.jwks_uri", u)?;
        }
        if !AUTH_METHODS.contains(&self.cis2.auth_method.as_str()) {
            return Err(bad(
                "cis2.auth_method",
                format!(
                    "{:?} is not a CIS2 client authentication method",
                    self.cis2.auth_method
                ),
                format!(
                    "use one of {} (private_key_jwt is preferred)",
                    AUTH_METHODS.join(", ")
                ),
            ));
        }
        for (i, g) in self.users.cards.iter().enumerate() {
            if !SERIES.contains(&g.series) {
                return Err(bad(
                    &format!("users.cards[{i}].series"),
                    format!("{} is not a smartcard series", g.series),
                    "use 4, 5, 6, 8, 9 or 10 (the number printed on the card)".into(),
                ));
            }
            if !CLIENTS.contains(&g.client.as_str()) {
                return Err(bad(
                    &format!("users.cards[{i}].client"),
                    format!("{:?} is not a smartcard client", g.client),
                    "use \"identity_agent\" or \"smartcard_connect\"".into(),
                ));
            }
        }
        if let Some(c) = &self.conformance
            && c.rp_config.as_os_str().is_empty()
        {
            return Err(bad(
                "conformance.rp_config",
                "is empty".into(),
                "name the app's rp.toml (`cis2-conformance init` writes one), or remove [conformance]".into(),
            ));
        }
        Ok(())
    }
}

/// `S<digits>:G<digits>:R<digits>`.
fn is_role_code(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 3
        && parts.iter().zip(['S', 'G', 'R']).all(|(p, c)| {
            p.strip_prefix(c)
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// `B` and four digits.
fn is_b_code(s: &str) -> bool {
    s.len() == 5 && s.starts_with('B') && s[1..].bytes().all(|b| b.is_ascii_digit())
}
