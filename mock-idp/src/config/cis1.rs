//! `[cis1]`: the CIS1 emulation (GAS and the SSB role assertion, `crate::cis1`). `docs/cis1.md` says which
//! of these settings stand for an inferred ([I]) or unknown ([?]) fact of cis2.md §14.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// What `GET /saml/RoleAssertion` answers for a ticket whose CIS1 session is not live (ended, expired, never
/// issued). cis2.md §14.4 only says `samlp:Success` comes "only while the SSO session is alive" ([?]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoleAssertionFailure {
    /// `200` with a SAML 1.1 `samlp:Response` whose status is `samlp:Requester` / `samlp:RequestDenied` and
    /// a `samlp:StatusMessage`, and no assertion (the default).
    #[default]
    SamlStatus,
    /// `403` with the same document.
    Http403,
}

/// `[cis1]` in TOML, `CIS2_MOCK_CIS1_*` in the environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Cis1Config {
    /// `sso_session_time` (and `sso_max_session_time`) in GAS answers. Read as **minutes** (OpenAM's unit for
    /// session times, \[I\]): a CIS1 session ends this long after sign-in on the mock's clock. Default 600
    /// (ten hours, the value seen in INT).
    pub session_time_minutes: u64,
    /// Most CIS1 sessions kept at once; the oldest ends first. Default 10,000.
    pub max_sessions: usize,
    /// How long a GAS challenge (from `authactivate`) may be answered (seconds). Single use. Default 120.
    pub challenge_lifetime_secs: u64,
    /// `gas_version` in GAS answers. Default `5.2.7`.
    pub gas_version: String,
    /// `sso_domain` in GAS answers. Default `.nis.nhs.uk`.
    pub sso_domain: String,
    /// `ssbMode` in role assertions: `0` live, `1` training. Default 0.
    pub ssb_mode: u8,
    /// Whether GAS answers carry `<!DOCTYPE USER SYSTEM "<base>/login/dtd">` after the XML declaration, as a
    /// captured INT answer did. Default false (§14.3's example has none, and strict parsers refuse DTDs).
    pub gas_doctype: bool,
    /// Whether GAS signs cards in while the card mode is `smartcard_connect`. Default false: Smartcard
    /// Connect "only works with CIS2 Authentication, not CIS1" (the migration page), so there is no Identity
    /// Agent to talk to GAS.
    pub gas_under_smartcard_connect: bool,
    /// The failure shape of `GET /saml/RoleAssertion` for a dead ticket.
    pub role_assertion_failure: RoleAssertionFailure,
}

impl Default for Cis1Config {
    fn default() -> Self {
        Self {
            session_time_minutes: 600,
            max_sessions: 10_000,
            challenge_lifetime_secs: 120,
            gas_version: "5.2.7".into(),
            sso_domain: ".nis.nhs.uk".into(),
            ssb_mode: 0,
            gas_doctype: false,
            gas_under_smartcard_connect: false,
            role_assertion_failure: RoleAssertionFailure::SamlStatus,
        }
    }
}

impl Cis1Config {
    /// `CIS2_MOCK_CIS1_SESSION_TIME_MINUTES`, `_MAX_SESSIONS`, `_CHALLENGE_LIFETIME_SECS`, `_GAS_VERSION`,
    /// `_SSO_DOMAIN`, `_SSB_MODE`, `_GAS_DOCTYPE`, `_GAS_UNDER_SMARTCARD_CONNECT`, `_ROLE_ASSERTION_FAILURE`
    /// (`saml_status` / `http403`). `name` is the variable without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, v: &str) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(k: &str, v: &str) -> Result<T, ConfigError> {
            v.parse()
                .map_err(|_| ConfigError(format!("{k}={v:?} is not a number")))
        }
        let flag = |v: &str| v != "0" && !v.eq_ignore_ascii_case("false");
        match name {
            "CIS1_SESSION_TIME_MINUTES" => self.session_time_minutes = num(key, v)?,
            "CIS1_MAX_SESSIONS" => self.max_sessions = num(key, v)?,
            "CIS1_CHALLENGE_LIFETIME_SECS" => self.challenge_lifetime_secs = num(key, v)?,
            "CIS1_GAS_VERSION" => self.gas_version = v.to_owned(),
            "CIS1_SSO_DOMAIN" => self.sso_domain = v.to_owned(),
            "CIS1_SSB_MODE" => self.ssb_mode = num(key, v)?,
            "CIS1_GAS_DOCTYPE" => self.gas_doctype = flag(v),
            "CIS1_GAS_UNDER_SMARTCARD_CONNECT" => self.gas_under_smartcard_connect = flag(v),
            "CIS1_ROLE_ASSERTION_FAILURE" => {
                self.role_assertion_failure = match v {
                    "saml_status" => RoleAssertionFailure::SamlStatus,
                    "http403" => RoleAssertionFailure::Http403,
                    _ => return Err(ConfigError(format!("{key}={v:?}: saml_status or http403"))),
                }
            }
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env() {
        let mut c = Cis1Config::default();
        c.apply_env("K", "CIS1_SESSION_TIME_MINUTES", "5").unwrap();
        c.apply_env("K", "CIS1_ROLE_ASSERTION_FAILURE", "http403")
            .unwrap();
        c.apply_env("K", "CIS1_GAS_DOCTYPE", "true").unwrap();
        assert_eq!(c.session_time_minutes, 5);
        assert_eq!(c.role_assertion_failure, RoleAssertionFailure::Http403);
        assert!(c.gas_doctype);
        assert!(c.apply_env("K", "CIS1_NOPE", "1").is_err());
        assert!(c.apply_env("K", "CIS1_SSB_MODE", "x").is_err());
    }
}
