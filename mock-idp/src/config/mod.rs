//! Configuration: embedded defaults, then a TOML file, then `CIS2_MOCK_*` environment variables, then flags.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub(crate) mod admin;
pub(crate) mod bridge;
pub(crate) mod cis1;
pub(crate) mod connection_manager;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod tls;
pub(crate) mod webauthn;

use crate::authenticators::Aal2Any;
use crate::cards::CardMode;
use admin::AdminConfig;
use bridge::BridgeConfig;
use cis1::Cis1Config;
pub use connection_manager::{CmTeam, ConnectionManagerConfig, DEFAULT_CM_SECRET, DEFAULT_CM_TEAM_ID};
pub use discovery::DiscoveryOverrides;
use error::ConfigError;
use tls::TlsConfig;
use webauthn::WebauthnConfig;

/// Everything the mock can be told at start-up. Every field has a default, so an empty file is valid.
///
/// TOML keys are the field names; environment variables are `CIS2_MOCK_` + the upper-cased field name
/// (`CIS2_MOCK_PORT`, `CIS2_MOCK_ISSUER`, `CIS2_MOCK_DATA_DIR`, ...).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// Address to bind. Default `127.0.0.1`.
    pub bind: IpAddr,
    /// Port to bind; 0 picks a free one. Default 0 for the library, 9000 for the binary.
    pub port: u16,
    /// The issuer string, used byte for byte (keep an explicit `:443` if you want one). Default
    /// `http://127.0.0.1:<port>` + the CIS2 realm path.
    pub issuer: Option<String>,
    /// The issuer's path when `issuer` is not set, e.g. `/openam/oauth2/realms/root/realms/oidc` (the
    /// documented dev realm). Default: CIS2's Healthcare realm path. With `issuer` set, its path is the realm.
    pub realm: Option<String>,
    /// Where SQLite and keys live. `None`: an in-memory database (nothing survives a restart).
    pub data_dir: Option<PathBuf>,
    /// Authorization code lifetime (seconds). Default 60 (ASVS L3).
    pub code_lifetime_secs: u64,
    /// ID token lifetime (seconds). Default 600.
    pub id_token_lifetime_secs: u64,
    /// Access token lifetime (seconds). Default 3600.
    pub access_token_lifetime_secs: u64,
    /// SSO session lifetime (seconds). Default 8 hours.
    pub session_lifetime_secs: u64,
    /// How long a rotated-out signing key stays in the JWKS (seconds). Default 24 hours.
    pub key_grace_period_secs: u64,
    /// Longest lifetime accepted for a private_key_jwt assertion (seconds). Default 300.
    pub max_assertion_lifetime_secs: u64,
    /// Back-channel logout attempts per delivery (first try included). Default 4.
    pub backchannel_logout_attempts: u32,
    /// Delay before the first back-channel logout retry, doubled each time (milliseconds). Default 1000.
    pub backchannel_logout_retry_ms: u64,
    /// Timeout for back-channel logout POSTs and client `jwks_uri` fetches (milliseconds). Default 5000.
    pub http_timeout_ms: u64,
    /// Smartcard middleware emulated: `identity_agent` (removal ends sessions) or `smartcard_connect`.
    pub card_mode: CardMode,
    /// What `AAL2_ANY` means: `at_least_aal2` (default) or `aal2_only` (cis2.md §9.2's reading, \[I\]).
    /// Switchable at run time through `PUT /admin/api/acr`.
    pub aal2_any: Aal2Any,
    /// Seed the published test users and the demo client into an empty database. Default true.
    pub seed: bool,
    /// The virtual smartcard bridge (NHS Port Service emulation and card-reader events), `[bridge]` in TOML,
    /// `CIS2_MOCK_BRIDGE_*` in the environment. Off by default.
    pub bridge: BridgeConfig,
    /// WebAuthn (RP ID, extra origins, ceremony timeout), `[webauthn]` in TOML, `CIS2_MOCK_WEBAUTHN_*`.
    pub webauthn: WebauthnConfig,
    /// Who may use the admin API (bearer token, extra `Host` names), `[admin]` in TOML,
    /// `CIS2_MOCK_ADMIN_*` in the environment.
    pub admin: AdminConfig,
    /// The CIS1 emulation (GAS, SSB role assertion), `[cis1]` in TOML, `CIS2_MOCK_CIS1_*` in the environment.
    pub cis1: Cis1Config,
    /// The HTTPS listener and its local CA, and the trust of the mock's outbound calls, `[tls]` in TOML,
    /// `CIS2_MOCK_TLS_*` in the environment. HTTPS is off by default.
    pub tls: TlsConfig,
    /// Most sign-ins in progress (`/authorize` requests waiting for the login or role page) kept at once; the
    /// oldest goes first. Default 10,000.
    pub max_interactions: usize,
    /// Most authorization codes kept at once (each is also dropped at the end of its lifetime); the oldest goes
    /// first. Default 10,000.
    pub max_codes: usize,
    /// Most SSO sessions kept at once; the oldest ends first (back-channel logout, reason `evicted`).
    /// Default 10,000.
    pub max_sso_sessions: usize,
    /// Overrides of the discovery document (`[discovery]`, see [`DiscoveryOverrides`]); changeable at run
    /// time through `PUT /admin/api/discovery`. Default: none.
    pub discovery: DiscoveryOverrides,
    /// The Connection Manager API (`[connection_manager]`, see [`ConnectionManagerConfig`]).
    pub connection_manager: ConnectionManagerConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            issuer: None,
            realm: None,
            data_dir: None,
            code_lifetime_secs: 60,
            id_token_lifetime_secs: 600,
            access_token_lifetime_secs: 3600,
            session_lifetime_secs: 8 * 3600,
            key_grace_period_secs: 24 * 3600,
            max_assertion_lifetime_secs: 300,
            backchannel_logout_attempts: 4,
            backchannel_logout_retry_ms: 1000,
            http_timeout_ms: 5000,
            card_mode: CardMode::IdentityAgent,
            aal2_any: Aal2Any::AtLeastAal2,
            seed: true,
            bridge: Default::default(),
            webauthn: Default::default(),
            admin: Default::default(),
            cis1: Default::default(),
            tls: Default::default(),
            max_interactions: 10_000,
            max_codes: 10_000,
            max_sso_sessions: 10_000,
            discovery: DiscoveryOverrides::default(),
            connection_manager: ConnectionManagerConfig::default(),
        }
    }
}

impl Config {
    /// Parses TOML text (missing keys take their defaults; unknown keys are refused).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let c: Self = toml::from_str(text).map_err(|e| ConfigError(format!("config: {e}")))?;
        c.discovery.check()?;
        Ok(c)
    }

    /// Reads a TOML file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        Self::from_toml(&text)
    }

    /// Applies `CIS2_MOCK_*` variables from `vars` (pass `std::env::vars()`).
    pub fn apply_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(k: &str, v: &str) -> Result<T, ConfigError> {
            v.parse()
                .map_err(|_| ConfigError(format!("{k}={v:?} is not a number")))
        }
        for (k, v) in vars {
            let Some(name) = k.strip_prefix("CIS2_MOCK_") else {
                continue;
            };
            match name {
                "BIND" => {
                    self.bind = v
                        .parse()
                        .map_err(|_| ConfigError(format!("{k}={v:?} is not an IP")))?
                }
                "PORT" => self.port = num(&k, &v)?,
                "ISSUER" => self.issuer = Some(v),
                "REALM" => self.realm = Some(v),
                "DATA_DIR" => self.data_dir = Some(PathBuf::from(v)),
                "CODE_LIFETIME_SECS" => self.code_lifetime_secs = num(&k, &v)?,
                "ID_TOKEN_LIFETIME_SECS" => self.id_token_lifetime_secs = num(&k, &v)?,
                "ACCESS_TOKEN_LIFETIME_SECS" => self.access_token_lifetime_secs = num(&k, &v)?,
                "SESSION_LIFETIME_SECS" => self.session_lifetime_secs = num(&k, &v)?,
                "KEY_GRACE_PERIOD_SECS" => self.key_grace_period_secs = num(&k, &v)?,
                "MAX_ASSERTION_LIFETIME_SECS" => self.max_assertion_lifetime_secs = num(&k, &v)?,
                "BACKCHANNEL_LOGOUT_ATTEMPTS" => self.backchannel_logout_attempts = num(&k, &v)?,
                "BACKCHANNEL_LOGOUT_RETRY_MS" => self.backchannel_logout_retry_ms = num(&k, &v)?,
                "HTTP_TIMEOUT_MS" => self.http_timeout_ms = num(&k, &v)?,
                "CARD_MODE" => {
                    self.card_mode = CardMode::parse(&v).ok_or_else(|| ConfigError(format!("{k}={v:?}")))?
                }
                "AAL2_ANY" => {
                    self.aal2_any = Aal2Any::parse(&v)
                        .ok_or_else(|| ConfigError(format!("{k}={v:?}: at_least_aal2 or aal2_only")))?
                }
                "MAX_INTERACTIONS" => self.max_interactions = num(&k, &v)?,
                "MAX_CODES" => self.max_codes = num(&k, &v)?,
                "MAX_SSO_SESSIONS" => self.max_sso_sessions = num(&k, &v)?,
                "SEED" => self.seed = v != "0" && !v.eq_ignore_ascii_case("false"),
                b if b.starts_with("BRIDGE_") => self.bridge.apply_env(&k, b, &v)?,
                w if w.starts_with("WEBAUTHN_") => self.webauthn.apply_env(&k, w, &v)?,
                a if a.starts_with("ADMIN_") => self.admin.apply_env(&k, a, &v)?,
                c if c.starts_with("CIS1_") => self.cis1.apply_env(&k, c, &v)?,
                t if t.starts_with("TLS_") => self.tls.apply_env(&k, t, &v)?,
                m if m.starts_with("CM_") => self.connection_manager.apply_env(&k, m, &v)?,
                "CONFIG" | "LOG" => {}
                _ => return Err(ConfigError(format!("unknown variable {k}"))),
            }
        }
        Ok(())
    }

    /// The socket address to bind.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_then_env() {
        let mut c = Config::from_toml(
            "port = 9100\nissuer = \"https://idp.example:443/x\"\ncard_mode = \"smartcard_connect\"\n",
        )
        .unwrap();
        assert_eq!(c.port, 9100);
        assert_eq!(c.card_mode, CardMode::SmartcardConnect);
        c.apply_env([
            ("CIS2_MOCK_PORT".to_owned(), "9200".to_owned()),
            ("PATH".to_owned(), "/bin".to_owned()),
        ])
        .unwrap();
        assert_eq!(c.port, 9200);
        c.apply_env([("CIS2_MOCK_AAL2_ANY".to_owned(), "aal2_only".to_owned())])
            .unwrap();
        assert_eq!(c.aal2_any, Aal2Any::Aal2Only);
        assert!(
            c.apply_env([("CIS2_MOCK_AAL2_ANY".to_owned(), "any".to_owned())])
                .is_err()
        );
        assert!(
            c.apply_env([("CIS2_MOCK_NOPE".to_owned(), "1".to_owned())])
                .is_err()
        );
        assert!(Config::from_toml("nope = 1").is_err());
        let example = Config::from_toml(include_str!("../../cis2-mock-idp.example.toml")).unwrap();
        assert_eq!(example.port, 9000);
    }
}
