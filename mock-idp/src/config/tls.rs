//! `[tls]`: the HTTPS listener, its local CA, and whom the mock's own outbound calls trust (the listener and
//! the certificates are `crate::tls`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// `[tls]` in TOML, `CIS2_MOCK_TLS_*` in the environment.
///
/// With `enabled`, the mock also serves HTTPS (TLS 1.2 and 1.3 only, rustls) on `port`, with a server
/// certificate for `localhost`, `127.0.0.1`, `::1`, the issuer's host and `hosts`, signed by a local CA whose
/// certificate is written to `ca_dir` as `ca.pem` (the RP trusts that file). The default issuer becomes
/// `https://localhost:<port>` + the realm path, with the port written out even when it is 443. The plain
/// HTTP listener (`port` at the top level) stays, for the admin API and existing tooling.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TlsConfig {
    /// Serve HTTPS. Default false.
    pub enabled: bool,
    /// The HTTPS port; 0 picks a free one. Default 443 (the port CIS2's issuer names).
    pub port: u16,
    /// When `port` cannot be bound (taken, or no privilege for a port below 1024), bind a free port instead
    /// and put that port in the default issuer (logged at `warn`). Default true; false makes it a start-up
    /// error.
    pub fallback_port: bool,
    /// Where the CA lives: `ca.pem` (the certificate an RP trusts) and `ca-key.pem` (its private key, mode
    /// 0600). Both are reused when present, so an RP told to trust `ca.pem` once keeps trusting it across
    /// restarts. Default: the data directory; without one, a fresh directory under the system temp dir,
    /// removed at shutdown.
    pub ca_dir: Option<PathBuf>,
    /// Extra names (DNS names or IP addresses) for the server certificate. Default empty.
    pub hosts: Vec<String>,
    /// A PEM file of extra CA certificates the mock's outbound calls (back-channel logout POSTs, client
    /// `jwks_uri` fetches) trust besides the system roots, for RPs with a private CA. Those calls use TLS 1.2
    /// or newer whatever this says. Default none.
    pub extra_root_ca_file: Option<PathBuf>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            port: 443,
            fallback_port: true,
            ca_dir: None,
            hosts: Vec::new(),
            extra_root_ca_file: None,
        }
    }
}

fn flag(v: &str) -> bool {
    v == "1" || v.eq_ignore_ascii_case("true")
}

impl TlsConfig {
    /// `CIS2_MOCK_TLS_ENABLED`, `CIS2_MOCK_TLS_PORT`, `CIS2_MOCK_TLS_FALLBACK_PORT` (`1`/`true`),
    /// `CIS2_MOCK_TLS_CA_DIR`, `CIS2_MOCK_TLS_HOSTS` (comma-separated), `CIS2_MOCK_TLS_EXTRA_ROOT_CA_FILE`.
    /// `name` is the variable without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "TLS_ENABLED" => self.enabled = flag(value),
            "TLS_PORT" => {
                self.port = value
                    .parse()
                    .map_err(|_| ConfigError(format!("{key}={value:?} is not a port")))?
            }
            "TLS_FALLBACK_PORT" => self.fallback_port = flag(value),
            "TLS_CA_DIR" => self.ca_dir = Some(PathBuf::from(value)),
            "TLS_HOSTS" => {
                self.hosts = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "TLS_EXTRA_ROOT_CA_FILE" => self.extra_root_ca_file = Some(PathBuf::from(value)),
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;

    #[test]
    fn tls_from_toml_and_env() {
        let mut c = Config::from_toml("[tls]\nenabled = true\nport = 8443\nca_dir = \"/tmp/ca\"\n").unwrap();
        assert!(c.tls.enabled);
        assert_eq!(c.tls.port, 8443);
        assert!(c.tls.fallback_port);
        c.apply_env([
            ("CIS2_MOCK_TLS_PORT".to_owned(), "0".to_owned()),
            ("CIS2_MOCK_TLS_HOSTS".to_owned(), "idp.test, 10.0.0.1".to_owned()),
            ("CIS2_MOCK_TLS_FALLBACK_PORT".to_owned(), "false".to_owned()),
        ])
        .unwrap();
        assert_eq!(c.tls.port, 0);
        assert_eq!(c.tls.hosts, ["idp.test", "10.0.0.1"]);
        assert!(!c.tls.fallback_port);
        assert!(Config::from_toml("[tls]\nprot = 1\n").is_err());
        assert_eq!(Config::default().tls.port, 443);
        assert!(!Config::default().tls.enabled);
    }
}
