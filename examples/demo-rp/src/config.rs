//! The demo's configuration: embedded defaults (the local mock IdP), then a TOML file (`--config <file>` or
//! `DEMO_CONFIG`), then environment variables. Every setting is listed in `demo-rp.example.toml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

/// The mock IdP's issuer on `localhost` (WebAuthn refuses IP addresses as RP IDs), as `scripts/start` runs it.
pub const MOCK_ISSUER: &str =
    "http://localhost:9000/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare";

/// The client id the demo registers at the mock IdP (a supplier-style id; the mock's seeded
/// `999999999999.apps.national` client is left alone).
pub const DEMO_CLIENT_ID: &str = "200000000001.apps.supplier";

/// How the demo authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `private_key_jwt` (what CIS2 recommends): a key from `private_key_pem`, or one generated once into
    /// `data_dir/rp-key.pem`.
    #[default]
    PrivateKeyJwt,
    /// `client_secret_post` with `client_secret`.
    ClientSecret,
}

/// Everything the demo needs. Field names are the TOML keys.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Issuer string, byte for byte (`CIS2_ISSUER`). Ignored when `environment` is set.
    pub issuer: String,
    /// A published CIS2 environment instead of `issuer`: `integration` or `production` (`CIS2_ENV`).
    pub environment: Option<String>,
    /// Registered client id (`CIS2_CLIENT_ID`).
    pub client_id: String,
    /// The demo's own origin as the browser sees it (`DEMO_PUBLIC_URL`; default `http://localhost:<port>`).
    pub public_url: Option<String>,
    /// The registered redirect URI (`CIS2_REDIRECT_URI`; default `<public_url>/auth/callback`).
    pub redirect_uri: Option<String>,
    /// `private_key_jwt` or `client_secret` (`CIS2_AUTH_METHOD`).
    pub auth_method: AuthMethod,
    /// Client secret for `client_secret` (`CIS2_CLIENT_SECRET`).
    pub client_secret: Option<String>,
    /// PKCS#8 PEM private key for `private_key_jwt` (`CIS2_PRIVATE_KEY_PEM`); default: generated once into
    /// `data_dir/rp-key.pem`.
    pub private_key_pem: Option<PathBuf>,
    /// The client-assertion algorithm, the `jwks_uri_signing_algorithm` registered for the client
    /// (`CIS2_SIGNING_ALG`; default RS256).
    pub signing_alg: String,
    /// A PEM file of extra root CA certificates to trust for calls to the issuer, besides the system's roots
    /// (`CIS2_CA_FILE`): the mock IdP's `ca.pem` when it serves HTTPS. Default none.
    pub ca_file: Option<PathBuf>,
    /// Address to listen on (`DEMO_BIND`; default 127.0.0.1).
    pub bind: String,
    /// Port to listen on (`DEMO_PORT`; default 8080, 0 picks a free one).
    pub port: u16,
    /// Shared Redis session store (`DEMO_REDIS_URL`); default: in memory.
    pub redis_url: Option<String>,
    /// Key prefix in Redis (`DEMO_REDIS_PREFIX`).
    pub redis_prefix: Option<String>,
    /// Register the demo at the mock IdP's admin API on start (`DEMO_REGISTER`; default true, false when
    /// `environment` is set).
    pub register_with_mock: Option<bool>,
    /// The mock's admin API (`CIS2_MOCK_ADMIN_URL`; default: the issuer's origin + `/admin/api`).
    pub mock_admin_url: Option<String>,
    /// The back-channel logout URI to register at the mock (`DEMO_BACKCHANNEL_LOGOUT_URI`; default
    /// `<public_url>/auth/backchannel-logout`). Another instance's URI shows logout crossing instances.
    pub backchannel_logout_uri: Option<String>,
    /// Dual-run mode: CIS1 sign-in through the Identity Agent beside CIS2, with the cut-over switch on the page
    /// (`DEMO_DUAL_RUN`; default false).
    pub dual_run: bool,
    /// The CIS1 SSB origin that answers `/saml/RoleAssertion` (`CIS1_SSB_URL`; default the issuer's origin,
    /// where cis2-mock-idp emulates it).
    pub cis1_ssb_url: Option<String>,
    /// The Identity Agent's Ticket API origin as the browser reaches it (`CIS1_IDENTITY_AGENT_URL`; default the
    /// issuer's origin: cis2-mock-idp's virtual Identity Agent).
    pub identity_agent_url: Option<String>,
    /// How often a CIS1 session is checked with the SSB again, in seconds (`DEMO_CIS1_RECHECK_SECS`; default 60).
    pub cis1_recheck_secs: u64,
    /// Where the generated key lives (`DEMO_DATA_DIR`; default `.cis2-dev/demo`).
    pub data_dir: PathBuf,
    /// The built cis2-browser package served at `/pkg/` (`DEMO_PKG_DIR`; default `wasm/pkg`).
    pub pkg_dir: PathBuf,
    /// nhsuk-frontend's `dist/nhsuk` served at `/assets/` (`DEMO_NHSUK_DIR`).
    pub nhsuk_dir: PathBuf,
}

fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

impl Default for Config {
    fn default() -> Self {
        Self {
            issuer: MOCK_ISSUER.into(),
            environment: None,
            client_id: DEMO_CLIENT_ID.into(),
            public_url: None,
            redirect_uri: None,
            auth_method: AuthMethod::PrivateKeyJwt,
            client_secret: None,
            private_key_pem: None,
            signing_alg: "RS256".into(),
            ca_file: None,
            bind: "127.0.0.1".into(),
            port: 8080,
            redis_url: None,
            redis_prefix: None,
            register_with_mock: None,
            mock_admin_url: None,
            backchannel_logout_uri: None,
            dual_run: false,
            cis1_ssb_url: None,
            identity_agent_url: None,
            cis1_recheck_secs: 60,
            data_dir: PathBuf::from(".cis2-dev/demo"),
            pkg_dir: repo_path("wasm/pkg"),
            nhsuk_dir: repo_path("mock-idp/assets/node_modules/nhsuk-frontend/dist/nhsuk"),
        }
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, Error> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::Config(format!(
            "{name}: expected true or false, got {v:?}"
        ))),
    }
}

impl Config {
    /// Defaults, then the TOML file `path` (if any), then the environment.
    pub fn load(path: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Self, Error> {
        let mut c = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| Error::Config(format!("reading {}: {e}", p.display())))?;
                Self::from_toml(&text)?
            }
            None => Self::default(),
        };
        c.apply_env(env)?;
        Ok(c)
    }

    /// Parses a TOML document over the defaults.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| Error::Config(format!("config file: {e}")))
    }

    /// Applies the environment variables named on each field.
    pub fn apply_env(&mut self, env: impl IntoIterator<Item = (String, String)>) -> Result<(), Error> {
        for (k, v) in env {
            let some = || Some(v.clone());
            match k.as_str() {
                "CIS2_ISSUER" => self.issuer = v,
                "CIS2_ENV" => self.environment = some(),
                "CIS2_CLIENT_ID" => self.client_id = v,
                "DEMO_PUBLIC_URL" => self.public_url = some(),
                "CIS2_REDIRECT_URI" => self.redirect_uri = some(),
                "CIS2_AUTH_METHOD" => {
                    self.auth_method = match v.as_str() {
                        "private_key_jwt" => AuthMethod::PrivateKeyJwt,
                        "client_secret" | "client_secret_post" => AuthMethod::ClientSecret,
                        _ => {
                            return Err(Error::Config(format!(
                                "CIS2_AUTH_METHOD: expected private_key_jwt or client_secret, got {v:?}"
                            )));
                        }
                    }
                }
                "CIS2_CLIENT_SECRET" => self.client_secret = some(),
                "CIS2_PRIVATE_KEY_PEM" => self.private_key_pem = Some(PathBuf::from(v)),
                "CIS2_SIGNING_ALG" => self.signing_alg = v,
                "CIS2_CA_FILE" => self.ca_file = Some(PathBuf::from(v)),
                "DEMO_BIND" => self.bind = v,
                "DEMO_PORT" => {
                    self.port = v
                        .parse()
                        .map_err(|_| Error::Config(format!("DEMO_PORT: not a port: {v:?}")))?;
                }
                "DEMO_REDIS_URL" => self.redis_url = some(),
                "DEMO_REDIS_PREFIX" => self.redis_prefix = some(),
                "DEMO_REGISTER" => self.register_with_mock = Some(parse_bool(&k, &v)?),
                "CIS2_MOCK_ADMIN_URL" => self.mock_admin_url = some(),
                "DEMO_BACKCHANNEL_LOGOUT_URI" => self.backchannel_logout_uri = some(),
                "DEMO_DUAL_RUN" => self.dual_run = parse_bool(&k, &v)?,
                "CIS1_SSB_URL" => self.cis1_ssb_url = some(),
                "CIS1_IDENTITY_AGENT_URL" => self.identity_agent_url = some(),
                "DEMO_CIS1_RECHECK_SECS" => {
                    self.cis1_recheck_secs = v.parse().map_err(|_| {
                        Error::Config(format!("DEMO_CIS1_RECHECK_SECS: not a number of seconds: {v:?}"))
                    })?;
                }
                "DEMO_DATA_DIR" => self.data_dir = PathBuf::from(v),
                "DEMO_PKG_DIR" => self.pkg_dir = PathBuf::from(v),
                "DEMO_NHSUK_DIR" => self.nhsuk_dir = PathBuf::from(v),
                _ => {}
            }
        }
        Ok(())
    }

    /// The demo's origin, given the port it actually listens on.
    pub fn public_url(&self, port: u16) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}"))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The redirect URI, given the port it actually listens on.
    pub fn redirect_uri(&self, port: u16) -> String {
        self.redirect_uri
            .clone()
            .unwrap_or_else(|| format!("{}/auth/callback", self.public_url(port)))
    }

    /// Whether to register at the mock's admin API on start.
    pub fn registers_with_mock(&self) -> bool {
        self.register_with_mock.unwrap_or(self.environment.is_none())
    }

    /// The issuer's origin (`scheme://host:port`).
    pub fn issuer_origin(&self) -> Result<String, Error> {
        let issuer = url::Url::parse(&self.issuer)
            .map_err(|e| Error::Config(format!("issuer {:?}: {e}", self.issuer)))?;
        Ok(issuer.origin().ascii_serialization())
    }

    /// The CIS1 SSB origin (dual-run).
    pub fn ssb_url(&self) -> Result<String, Error> {
        match &self.cis1_ssb_url {
            Some(u) => Ok(u.trim_end_matches('/').to_owned()),
            None => self.issuer_origin(),
        }
    }

    /// The Identity Agent's origin as the browser reaches it (dual-run).
    pub fn identity_agent_url(&self) -> Result<String, Error> {
        match &self.identity_agent_url {
            Some(u) => Ok(u.trim_end_matches('/').to_owned()),
            None => self.issuer_origin(),
        }
    }

    /// The mock's admin API base URL.
    pub fn mock_admin_url(&self) -> Result<String, Error> {
        if let Some(u) = &self.mock_admin_url {
            return Ok(u.trim_end_matches('/').to_owned());
        }
        Ok(format!("{}/admin/api", self.issuer_origin()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_toml_and_defaults() {
        let toml =
            "client_id = \"969567331415.apps.national\"\nport = 8443\nauth_method = \"client_secret\"\n";
        let mut c = Config::from_toml(toml).unwrap();
        assert_eq!(c.client_id, "969567331415.apps.national");
        assert_eq!(c.auth_method, AuthMethod::ClientSecret);
        assert_eq!(c.issuer, MOCK_ISSUER);
        c.apply_env([
            ("CIS2_ENV".to_owned(), "integration".to_owned()),
            ("DEMO_PORT".to_owned(), "9999".to_owned()),
        ])
        .unwrap();
        assert_eq!(c.port, 9999);
        assert!(!c.registers_with_mock());
        assert_eq!(c.redirect_uri(9999), "http://localhost:9999/auth/callback");
        assert_eq!(c.mock_admin_url().unwrap(), "http://localhost:9000/admin/api");
        assert!(Config::from_toml("nonsense = 1").is_err());
    }

    #[test]
    fn the_example_file_parses_to_the_defaults() {
        let c = Config::from_toml(include_str!("../demo-rp.example.toml")).unwrap();
        let d = Config::default();
        assert_eq!(c.issuer, d.issuer);
        assert_eq!(c.client_id, d.client_id);
        assert_eq!(c.port, d.port);
        assert_eq!(c.data_dir, d.data_dir);
        assert!(c.registers_with_mock());
    }
}
