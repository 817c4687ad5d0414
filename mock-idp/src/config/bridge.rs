//! `[bridge]`: the virtual smartcard bridge's settings (the bridge itself is `crate::bridge`).

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// The NHS Port Service's published loopback ports (cis2.md §12.1).
pub const PUBLISHED_PORTS: [u16; 5] = [43487, 44213, 45031, 46478, 48853];

/// Bridge settings (`[bridge]` in TOML; `CIS2_MOCK_BRIDGE_<FIELD>` in the environment, lists comma-separated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct BridgeConfig {
    /// Start the bridge with the mock. Default false.
    pub enabled: bool,
    /// Port Service ports to bind (0: a free one). Default `[0]`. Ignored when `published_ports` is set.
    pub ports: Vec<u16>,
    /// Bind the five published Port Service ports instead of `ports` (the real browser code probes those).
    /// Default false.
    pub published_ports: bool,
    /// The Credential Management port that `GetPortNumber` reports (0: a free one). Default 0.
    pub cm_port: u16,
    /// Web origins allowed to call the bridge with credentials. An entry is an exact origin
    /// (`https://rp.example`) or `scheme://host:*` for any port of that host (and no port).
    /// Default `["http://localhost:*", "http://127.0.0.1:*"]`.
    pub allowed_origins: Vec<String>,
    /// The reader name carried by card events. Default `cis2-mock-idp Virtual Reader 0`.
    pub reader_name: String,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            ports: vec![0],
            published_ports: false,
            cm_port: 0,
            allowed_origins: vec!["http://localhost:*".to_owned(), "http://127.0.0.1:*".to_owned()],
            reader_name: "cis2-mock-idp Virtual Reader 0".to_owned(),
        }
    }
}

fn flag(v: &str) -> bool {
    !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no"))
}

impl BridgeConfig {
    /// The Port Service ports to bind: the five published ones when `published_ports` is set, else `ports`
    /// (an empty list means one ephemeral port).
    pub fn port_service_ports(&self) -> Vec<u16> {
        if self.published_ports {
            PUBLISHED_PORTS.to_vec()
        } else if self.ports.is_empty() {
            vec![0]
        } else {
            self.ports.clone()
        }
    }

    /// Whether a web origin (the `Origin` header, byte for byte) is allow-listed.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        origin_listed(&self.allowed_origins, origin)
    }

    /// Applies one `CIS2_MOCK_BRIDGE_*` variable (`name` without the `CIS2_MOCK_` prefix).
    pub(crate) fn apply_env(&mut self, var: &str, name: &str, v: &str) -> Result<(), ConfigError> {
        let port = |s: &str| {
            s.trim()
                .parse::<u16>()
                .map_err(|_| ConfigError(format!("{var}={v:?}: {s:?} is not a port")))
        };
        match name {
            "BRIDGE_ENABLED" => self.enabled = flag(v),
            "BRIDGE_PUBLISHED_PORTS" => self.published_ports = flag(v),
            "BRIDGE_PORTS" => {
                self.ports = v
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(port)
                    .collect::<Result<_, _>>()?
            }
            "BRIDGE_CM_PORT" => self.cm_port = port(v)?,
            "BRIDGE_ALLOWED_ORIGINS" => {
                self.allowed_origins = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "BRIDGE_READER_NAME" => self.reader_name = v.to_owned(),
            _ => return Err(ConfigError(format!("unknown variable {var}"))),
        }
        Ok(())
    }
}

/// Whether `origin` matches an allow-list entry: `*`, the exact origin, or `scheme://host:*` (any port of that
/// host, and no port).
pub(crate) fn origin_listed(patterns: &[String], origin: &str) -> bool {
    patterns.iter().any(|pattern| {
        if pattern == "*" || pattern == origin {
            return true;
        }
        let Some(prefix) = pattern.strip_suffix(":*") else {
            return false;
        };
        match origin.strip_prefix(prefix) {
            Some("") => true,
            Some(rest) => rest
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())),
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ports_only_when_asked() {
        let c = BridgeConfig::default();
        assert!(!c.enabled);
        assert_eq!(c.port_service_ports(), vec![0]);
        let c = crate::config::Config::from_toml("[bridge]\nenabled = true\nports = [0, 0]\n").unwrap();
        assert_eq!(c.bridge.port_service_ports(), vec![0, 0]);
        let c = crate::config::Config::from_toml(
            "[bridge]\nenabled = true\npublished_ports = true\nports = [9]\n",
        )
        .unwrap();
        assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
        assert!(crate::config::Config::from_toml("[bridge]\nnope = 1\n").is_err());
    }

    #[test]
    fn env_variables() {
        let mut c = crate::config::Config::default();
        c.apply_env(
            [
                ("CIS2_MOCK_BRIDGE_ENABLED", "true"),
                ("CIS2_MOCK_BRIDGE_PORTS", "43487, 0"),
                ("CIS2_MOCK_BRIDGE_CM_PORT", "43485"),
                (
                    "CIS2_MOCK_BRIDGE_ALLOWED_ORIGINS",
                    "https://rp.example,http://localhost:*",
                ),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap();
        assert!(c.bridge.enabled);
        assert_eq!(c.bridge.port_service_ports(), vec![43487, 0]);
        assert_eq!(c.bridge.cm_port, 43485);
        assert!(c.bridge.origin_allowed("https://rp.example"));
        c.apply_env([("CIS2_MOCK_BRIDGE_PUBLISHED_PORTS".to_owned(), "1".to_owned())])
            .unwrap();
        assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
        for bad in [("CIS2_MOCK_BRIDGE_PORTS", "x"), ("CIS2_MOCK_BRIDGE_NOPE", "1")] {
            assert!(
                c.apply_env([(bad.0.to_owned(), bad.1.to_owned())]).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn origin_patterns() {
        let c = BridgeConfig::default();
        for ok in [
            "http://localhost:3000",
            "http://localhost",
            "http://127.0.0.1:8080",
        ] {
            assert!(c.origin_allowed(ok), "{ok}");
        }
        for no in [
            "https://localhost:3000",
            "http://localhost.evil.example",
            "http://localhost:3000.evil.example",
            "http://localhost:",
            "http://127.0.0.1:80x",
            "null",
            "https://rp.example",
        ] {
            assert!(!c.origin_allowed(no), "{no}");
        }
    }
}
