//! `[webauthn]`: the RP ID, extra origins and ceremony timeout (the ceremonies are `crate::webauthn`).

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// `[webauthn]` in TOML, `CIS2_MOCK_WEBAUTHN_*` in the environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WebauthnConfig {
    /// The RP ID. Default: the issuer's host (must be a domain name such as `localhost`, not an IP).
    pub rp_id: Option<String>,
    /// Origins accepted besides the issuer's own (e.g. `https://idp.example:8443`); exact matches only. They
    /// also get credentialed CORS on the ceremony endpoints (`{realm}/webauthn/{register,login}/*`).
    pub origins: Vec<String>,
    /// How long a ceremony stays valid (seconds). Default 300 (WebAuthn L3 recommends 300–600).
    pub ceremony_timeout_secs: u64,
}

impl Default for WebauthnConfig {
    fn default() -> Self {
        Self {
            rp_id: None,
            origins: Vec::new(),
            ceremony_timeout_secs: 300,
        }
    }
}

impl WebauthnConfig {
    /// `CIS2_MOCK_WEBAUTHN_RP_ID`, `CIS2_MOCK_WEBAUTHN_ORIGINS` (comma-separated),
    /// `CIS2_MOCK_WEBAUTHN_CEREMONY_TIMEOUT_SECS`. `name` is the variable without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "WEBAUTHN_RP_ID" => self.rp_id = Some(value.to_owned()),
            "WEBAUTHN_ORIGINS" => {
                self.origins = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "WEBAUTHN_CEREMONY_TIMEOUT_SECS" => {
                self.ceremony_timeout_secs = value
                    .parse()
                    .map_err(|_| ConfigError(format!("{key}={value:?} is not a number")))?
            }
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }
}
