//! `[connection_manager]`: the mock's Connection Manager API (cis2.md §15.2), served under `/api`.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// A team's `SecretAuth` secret and the team ids it may manage.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CmTeam {
    /// The secret sent as `Authorization: SecretAuth <secret>`. Never serialised.
    #[serde(skip_serializing, default)]
    pub secret: String,
    /// The team ids `POST /api/auth` answers with (the token may manage these).
    pub team_ids: Vec<String>,
}

impl CmTeam {
    /// A team entry.
    pub fn new(secret: impl Into<String>, team_ids: Vec<String>) -> Self {
        Self {
            secret: secret.into(),
            team_ids,
        }
    }
}

impl std::fmt::Debug for CmTeam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CmTeam")
            .field("secret", &"[redacted]")
            .field("team_ids", &self.team_ids)
            .finish()
    }
}

/// The seeded team's secret.
pub const DEFAULT_CM_SECRET: &str = "cm-secret";
/// The seeded team id.
pub const DEFAULT_CM_TEAM_ID: &str = "mock-team";

/// `[connection_manager]` in TOML, `CIS2_MOCK_CM_*` in the environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ConnectionManagerConfig {
    /// Serve `/api/auth` and `/api/configs/…`. Default on.
    pub enabled: bool,
    /// Teams and their secrets. Default: one team, `mock-team`, secret `cm-secret`.
    pub teams: Vec<CmTeam>,
    /// Lifetime of the access tokens `POST /api/auth` issues (\[I\]: CIS2's is not documented). Default 3600.
    pub token_lifetime_secs: u64,
    /// Accept `token_endpoint_auth_method: client_secret_basic` in configurations. Connection Manager offers
    /// only `client_secret_post` and `private_key_jwt` (cis2.md §6, §15.2), so this is off by default.
    pub dangerous_allow_client_secret_basic: bool,
}

impl Default for ConnectionManagerConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            teams: vec![CmTeam::new(
                DEFAULT_CM_SECRET,
                vec![DEFAULT_CM_TEAM_ID.to_owned()],
            )],
            token_lifetime_secs: 3600,
            dangerous_allow_client_secret_basic: false,
        }
    }
}

fn flag(v: &str) -> bool {
    v != "0" && !v.eq_ignore_ascii_case("false")
}

impl ConnectionManagerConfig {
    /// `CIS2_MOCK_CM_ENABLED`, `CIS2_MOCK_CM_TOKEN_LIFETIME_SECS`,
    /// `CIS2_MOCK_CM_DANGEROUS_ALLOW_CLIENT_SECRET_BASIC`, and `CIS2_MOCK_CM_SECRET` with
    /// `CIS2_MOCK_CM_TEAM_IDS` (comma-separated), which replace the first team. `name` is the variable
    /// without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "CM_ENABLED" => self.enabled = flag(value),
            "CM_TOKEN_LIFETIME_SECS" => {
                self.token_lifetime_secs = value
                    .parse()
                    .map_err(|_| ConfigError(format!("{key}={value:?} is not a number")))?
            }
            "CM_DANGEROUS_ALLOW_CLIENT_SECRET_BASIC" => {
                self.dangerous_allow_client_secret_basic = flag(value)
            }
            "CM_SECRET" | "CM_TEAM_IDS" => {
                if self.teams.is_empty() {
                    self.teams.push(CmTeam::new("", Vec::new()));
                }
                if let Some(t) = self.teams.first_mut() {
                    if name == "CM_SECRET" {
                        t.secret = value.to_owned();
                    } else {
                        t.team_ids = value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect();
                    }
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
    fn env_and_redaction() {
        let mut c = ConnectionManagerConfig::default();
        c.apply_env("CIS2_MOCK_CM_SECRET", "CM_SECRET", "t0ps3cret")
            .unwrap();
        c.apply_env("CIS2_MOCK_CM_TEAM_IDS", "CM_TEAM_IDS", "a, b,")
            .unwrap();
        c.apply_env(
            "CIS2_MOCK_CM_DANGEROUS_ALLOW_CLIENT_SECRET_BASIC",
            "CM_DANGEROUS_ALLOW_CLIENT_SECRET_BASIC",
            "1",
        )
        .unwrap();
        assert_eq!(c.teams[0].team_ids, ["a", "b"]);
        assert!(c.dangerous_allow_client_secret_basic);
        let debug = format!("{c:?}");
        assert!(!debug.contains("t0ps3cret"), "{debug}");
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("t0ps3cret"), "{json}");
        assert!(c.apply_env("CIS2_MOCK_CM_NOPE", "CM_NOPE", "1").is_err());
        assert!(
            c.apply_env("CIS2_MOCK_CM_TOKEN_LIFETIME_SECS", "CM_TOKEN_LIFETIME_SECS", "x")
                .is_err()
        );
    }

    #[test]
    fn toml_teams() {
        let c = crate::config::Config::from_toml(
            "[connection_manager]\ntoken_lifetime_secs = 60\n[[connection_manager.teams]]\nsecret = \"s\"\nteam_ids = [\"t1\", \"t2\"]\n",
        )
        .unwrap();
        let cm = c.connection_manager;
        assert_eq!(cm.token_lifetime_secs, 60);
        assert_eq!(cm.teams.len(), 1);
        assert_eq!(cm.teams[0].secret, "s");
        assert_eq!(cm.teams[0].team_ids, ["t1", "t2"]);
        assert!(cm.enabled && !cm.dangerous_allow_client_secret_basic);
        assert!(crate::config::Config::from_toml("[connection_manager]\nnope = 1\n").is_err());
    }
}
