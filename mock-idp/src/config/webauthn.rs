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
    /// Registering a credential needs a session at the credential's level (NIST SP 800-63B §6.1.2.1): a
    /// security key (AAL3) an AAL3 session, a passkey (AAL2) an AAL2 one; otherwise `403
    /// insufficient_assurance`. Default true; `false` lets any signed-in session register (an AAL1 password
    /// session could then add an AAL3 key: only for test set-ups that need it).
    pub registration_needs_level: bool,
}

impl Default for WebauthnConfig {
    fn default() -> Self {
        Self {
            rp_id: None,
            origins: Vec::new(),
            ceremony_timeout_secs: 300,
            registration_needs_level: true,
        }
    }
}

impl WebauthnConfig {
    /// `CIS2_MOCK_WEBAUTHN_RP_ID`, `CIS2_MOCK_WEBAUTHN_ORIGINS` (comma-separated),
    /// `CIS2_MOCK_WEBAUTHN_CEREMONY_TIMEOUT_SECS`, `CIS2_MOCK_WEBAUTHN_REGISTRATION_NEEDS_LEVEL` (`1`/`true`).
    /// `name` is the variable without `CIS2_MOCK_`.
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
            "WEBAUTHN_REGISTRATION_NEEDS_LEVEL" => {
                self.registration_needs_level = value == "1" || value.eq_ignore_ascii_case("true")
            }
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }
}
