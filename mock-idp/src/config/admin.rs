//! `[admin]`: who may use the admin API (the checks themselves are `crate::admin::guard`).

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// `[admin]` in TOML, `CIS2_MOCK_ADMIN_*` in the environment (lists comma-separated).
///
/// The admin API (`/admin/api`) and page (`/admin`) always check `Host` (DNS rebinding), refuse cross-site
/// browser requests and require `Content-Type: application/json` on request bodies; these settings widen the
/// `Host` allow-list and add a bearer token.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AdminConfig {
    /// When set, every admin request needs `Authorization: Bearer <token>` (401 otherwise). Default unset:
    /// the admin API is open to anyone who can reach the socket, which is why the mock warns when it binds a
    /// non-loopback address without one. Never serialised (`GET /admin/api/config` leaves it out) and shown
    /// as `[redacted]` by `Debug`.
    #[serde(skip_serializing)]
    pub token: Option<String>,
    /// Extra `Host` names (without port, e.g. `mock-idp` for a container name) accepted besides `localhost`,
    /// IP addresses and the issuer's host. Default empty.
    pub allowed_hosts: Vec<String>,
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("allowed_hosts", &self.allowed_hosts)
            .finish()
    }
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl AdminConfig {
    /// `CIS2_MOCK_ADMIN_TOKEN` (empty: unset) and `CIS2_MOCK_ADMIN_ALLOWED_HOSTS` (comma-separated). `name` is
    /// the variable without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "ADMIN_TOKEN" => self.token = Some(value.to_owned()).filter(|t| !t.is_empty()),
            "ADMIN_ALLOWED_HOSTS" => self.allowed_hosts = list(value),
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }

    /// The token, if one is set and not empty.
    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref().filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_redaction() {
        let mut c = AdminConfig::default();
        c.apply_env("CIS2_MOCK_ADMIN_TOKEN", "ADMIN_TOKEN", "t0ps3cret")
            .unwrap();
        c.apply_env(
            "CIS2_MOCK_ADMIN_ALLOWED_HOSTS",
            "ADMIN_ALLOWED_HOSTS",
            "mock-idp, idp.test,",
        )
        .unwrap();
        assert_eq!(c.token(), Some("t0ps3cret"));
        assert_eq!(c.allowed_hosts, ["mock-idp", "idp.test"]);
        let debug = format!("{c:?}");
        assert!(!debug.contains("t0ps3cret"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        let json = serde_json::to_string(&c).unwrap();
        assert!(!json.contains("t0ps3cret"), "{json}");
        c.apply_env("CIS2_MOCK_ADMIN_TOKEN", "ADMIN_TOKEN", "").unwrap();
        assert_eq!(c.token(), None);
        assert!(c.apply_env("CIS2_MOCK_ADMIN_NOPE", "ADMIN_NOPE", "1").is_err());
    }
}
