//! [`Cis2AuthBuilder`]: issuer or environment, client registration, store, timeouts; `build()` discovers the
//! provider.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use cis2_sdk::{
    ClientId, ClientSecret, Environment, IssuerUrl, LoginOptions, RedirectUrl, SigningKey, ValidationPolicy,
};

use crate::auth::{Cis2Auth, Credentials, Inner, Settings, discovery_cache, jwks_cache};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::http_client::HttpClient;
use crate::keys::KeyState;
use crate::store::{PendingLimits, SessionStore};
use cis2_reqwest::HttpSettings;

/// Where the provider is: a published environment or an issuer URL.
#[derive(Debug, Clone)]
pub enum IssuerSource {
    /// A CIS2 environment preset.
    Environment(Environment),
    /// An issuer identifier (the mock IdP, a test provider).
    Issuer(IssuerUrl),
}

impl From<Environment> for IssuerSource {
    fn from(e: Environment) -> Self {
        IssuerSource::Environment(e)
    }
}

impl From<IssuerUrl> for IssuerSource {
    fn from(i: IssuerUrl) -> Self {
        IssuerSource::Issuer(i)
    }
}

impl Cis2Auth {
    /// Starts a builder for `issuer`: an [`cis2_sdk::Environment`] preset or an [`IssuerUrl`].
    pub fn builder(issuer: impl Into<IssuerSource>) -> Cis2AuthBuilder {
        Cis2AuthBuilder::new(issuer.into())
    }
}

/// Builds a [`Cis2Auth`]. Settings that take strings are checked at [`Self::build`], which reports the first
/// problem.
#[derive(Debug)]
#[must_use]
pub struct Cis2AuthBuilder {
    issuer: IssuerSource,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    secret: Option<ClientSecret>,
    secret_jwt: bool,
    key: Option<SigningKey>,
    next_key: Option<SigningKey>,
    store: Option<SessionStore>,
    clock: Arc<dyn Clock>,
    policy: Option<ValidationPolicy>,
    login_defaults: LoginOptions,
    idle_timeout: Duration,
    absolute_timeout: Duration,
    mount_path: String,
    default_return_to: String,
    post_logout_redirect_uri: Option<String>,
    end_session_on_logout: bool,
    events_check_interval: Duration,
    http: HttpSettings,
    key_publish_lead: Duration,
    pending_limits: PendingLimits,
    key_retire_grace: Duration,
    userinfo: bool,
    discovery_attempts: u32,
    #[cfg(feature = "cis1")]
    cis1: Option<crate::cis1::settings::Cis1Settings>,
}

impl Cis2AuthBuilder {
    pub(crate) fn new(issuer: IssuerSource) -> Self {
        Self {
            issuer,
            client_id: None,
            redirect_uri: None,
            secret: None,
            secret_jwt: false,
            key: None,
            next_key: None,
            store: None,
            clock: Arc::new(SystemClock),
            policy: None,
            login_defaults: LoginOptions::default(),
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            mount_path: "/auth".into(),
            default_return_to: "/".into(),
            post_logout_redirect_uri: None,
            end_session_on_logout: false,
            events_check_interval: Duration::from_secs(15),
            http: HttpSettings::default(),
            key_publish_lead: crate::keys::PROVIDER_KEY_CACHE,
            pending_limits: PendingLimits::default(),
            key_retire_grace: crate::keys::PROVIDER_KEY_CACHE,
            userinfo: true,
            discovery_attempts: 4,
            #[cfg(feature = "cis1")]
            cis1: None,
        }
    }

    /// The registered client id (e.g. `969567331415.apps.national`).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The registered redirect URI: the full URL of the router's `/callback` (e.g.
    /// `https://rp.example/auth/callback`). Its scheme decides the cookies' `Secure` flag and its origin is the
    /// RP's own origin (logout CSRF check).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Authenticate with `private_key_jwt` (what CIS2 recommends). Its public half is served at `/jwks`.
    pub fn private_key_jwt(mut self, key: SigningKey) -> Self {
        self.key = Some(key);
        self
    }

    /// A next key published from the start (see [`Cis2Auth::stage_next_key`]).
    pub fn next_signing_key(mut self, key: SigningKey) -> Self {
        self.next_key = Some(key);
        self
    }

    /// Authenticate with `client_secret_post`.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(ClientSecret::new(secret.into()));
        self.secret_jwt = false;
        self
    }

    /// Authenticate with `client_secret_jwt`: an HS256 client assertion keyed with the secret, which itself
    /// never travels (a documented CIS2 method, cis2.md §6).
    pub fn client_secret_jwt(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(ClientSecret::new(secret.into()));
        self.secret_jwt = true;
        self
    }

    /// The session store (default: in-memory).
    pub fn session_store(mut self, store: SessionStore) -> Self {
        self.store = Some(store);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The sdk validation policy (default: the sdk's strict defaults, with signatures verified by aws-lc).
    pub fn validation_policy(mut self, policy: ValidationPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The login options every sign-in starts from (scopes, `acr_values`…). They are a floor: `/login` query
    /// parameters may only make a sign-in stricter ([`cis2_sdk::bff::LoginQuery::apply_to`]).
    pub fn login_options(mut self, options: LoginOptions) -> Self {
        self.login_defaults = options;
        self
    }

    /// Idle timeout (default 30 min): a session unused this long ends with `idle_timeout`.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Absolute timeout (default 12 h): a session this old ends with `expired`.
    pub fn absolute_timeout(mut self, d: Duration) -> Self {
        self.absolute_timeout = d;
        self
    }

    /// Where the app nests [`Cis2Auth::router`] (default `/auth`): used for login redirects from extractors.
    pub fn mount_path(mut self, path: impl Into<String>) -> Self {
        self.mount_path = path.into().trim_end_matches('/').to_owned();
        self
    }

    /// Where to land after login or logout when no `return_to` is given (default `/`).
    pub fn default_return_to(mut self, path: impl Into<String>) -> Self {
        self.default_return_to = path.into();
        self
    }

    /// Also end the CIS2 session on logout (redirect to `end_session_endpoint` with `id_token_hint`), landing
    /// on `post_logout_redirect_uri` if given. Off by default (cis2.md §10.3).
    pub fn end_session_on_logout(mut self, yes: bool, post_logout_redirect_uri: Option<String>) -> Self {
        self.end_session_on_logout = yes;
        self.post_logout_redirect_uri = post_logout_redirect_uri;
        self
    }

    /// How often an open `/events` stream re-checks its session's timeouts (default 15 s).
    pub fn events_check_interval(mut self, d: Duration) -> Self {
        self.events_check_interval = d;
        self
    }

    /// Outgoing HTTP timeouts (and extra trusted roots). Replaces earlier
    /// [`extra_root_certificate_pem`](Self::extra_root_certificate_pem) calls; call that after this one.
    pub fn http_settings(mut self, s: HttpSettings) -> Self {
        self.http = s;
        self
    }

    /// Trusts the root CA certificate(s) in `pem` (PEM text) for calls to the provider, besides the system's
    /// roots: for a provider whose certificate a private CA signs, such as `cis2-mock-idp` over HTTPS (its
    /// `ca.pem`) or a test environment behind an organisation's CA. Certificate and host-name checks stay on;
    /// [`build`](Self::build) refuses text that holds no certificate.
    pub fn extra_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.http = self.http.extra_root_certificate_pem(pem);
        self
    }

    /// Bounds on pending logins (started, not completed), per browser and in total (defaults 10 and 10,000); the
    /// oldest go first. Every unauthenticated `/login` stores one for ten minutes.
    pub fn pending_login_limits(mut self, limits: PendingLimits) -> Self {
        self.pending_limits = limits;
        self
    }

    /// How long a staged key must have been published before [`Cis2Auth::rotate_keys`] (default one hour: the
    /// longest a provider is expected to cache the RP's JWKS).
    pub fn key_publish_lead(mut self, d: Duration) -> Self {
        self.key_publish_lead = d;
        self
    }

    /// How long a retired key stays in the RP JWKS (default 1 h).
    pub fn key_retire_grace(mut self, d: Duration) -> Self {
        self.key_retire_grace = d;
        self
    }

    /// Whether to call userinfo after the ID token (default true; roles come from userinfo).
    pub fn userinfo(mut self, yes: bool) -> Self {
        self.userinfo = yes;
        self
    }

    /// Discovery attempts at build time, with backoff (default 4).
    pub fn discovery_attempts(mut self, n: u32) -> Self {
        self.discovery_attempts = n.max(1);
        self
    }

    /// Dual-run: also accept CIS1 Identity Agent tickets at `{mount_path}/cis1`, checked through the SSB
    /// RoleAssertion and re-checked every `recheck_every`, with the cut-over switch in `settings` (see
    /// `docs/src/dual-run.md`). Off unless called.
    #[cfg(feature = "cis1")]
    pub fn cis1(mut self, settings: crate::cis1::settings::Cis1Settings) -> Self {
        self.cis1 = Some(settings);
        self
    }

    /// Checks the settings and fetches discovery (retrying with backoff), ready to serve.
    pub async fn build(self) -> Result<Cis2Auth, Error> {
        let issuer = match self.issuer {
            IssuerSource::Environment(e) => e.issuer().map_err(cis2_sdk::Error::from)?,
            IssuerSource::Issuer(i) => i,
        };
        let client_id = ClientId::new(
            self.client_id
                .ok_or_else(|| Error::Config("client_id is required".into()))?,
        )
        .map_err(cis2_sdk::Error::from)?;
        let redirect_uri = RedirectUrl::new(
            self.redirect_uri
                .ok_or_else(|| Error::Config("redirect_uri is required".into()))?,
        )
        .map_err(cis2_sdk::Error::from)?;
        let credentials = match (self.key, self.secret) {
            (Some(key), None) => {
                let mut state = KeyState::new(key, self.key_publish_lead, self.key_retire_grace);
                if let Some(next) = self.next_key {
                    state.stage(next, self.clock.now())?;
                }
                Credentials::Keys(Arc::new(RwLock::new(state)))
            }
            (None, Some(secret)) if self.secret_jwt => Credentials::SecretJwt(secret),
            (None, Some(secret)) => Credentials::Secret(secret),
            _ => {
                return Err(Error::Config(
                    "set exactly one of private_key_jwt, client_secret and client_secret_jwt".into(),
                ));
            }
        };
        if !self.mount_path.starts_with('/') && !self.mount_path.is_empty() {
            return Err(Error::Config("mount_path must start with /".into()));
        }
        if cis2_sdk::bff::validate_return_to(&self.default_return_to).is_err() {
            return Err(Error::Config(
                "default_return_to must be a same-origin relative path".into(),
            ));
        }
        #[cfg(feature = "cis1")]
        if let Some(c) = &self.cis1 {
            cis2_sdk::cis1::role_assertion_url(&c.ssb_base_url, &cis2_sdk::cis1::SsoTicket::new("probe"))
                .map_err(|e| Error::Config(format!("CIS1: {e}")))?;
        }
        let url = redirect_uri.url();
        let origin = url.origin().ascii_serialization();
        let settings = Settings {
            secure_cookies: url.scheme() == "https",
            pending_limits: self.pending_limits,
            binding_cookie_path: match url.path().rsplit_once('/') {
                Some((dir, _)) if !dir.is_empty() => dir.to_owned(),
                _ => "/".to_owned(),
            },
            origin,
            issuer,
            client_id,
            redirect_uri,
            // aws-lc verifies RSA several times faster than RustCrypto (see the sdk's validation benchmark);
            // the choice is explicit, never made by feature unification.
            policy: Some(
                self.policy
                    .unwrap_or_else(|| ValidationPolicy::new(cis2_sdk::Crypto::aws_lc())),
            ),
            login_defaults: self.login_defaults,
            idle_timeout: self.idle_timeout,
            absolute_timeout: self.absolute_timeout,
            mount_path: self.mount_path,
            default_return_to: self.default_return_to,
            post_logout_redirect_uri: self.post_logout_redirect_uri,
            end_session_on_logout: self.end_session_on_logout,
            events_check_interval: self.events_check_interval,
            userinfo: self.userinfo,
        };
        let auth = Cis2Auth(Arc::new(Inner {
            settings,
            http: HttpClient::new(self.http)?,
            clock: self.clock,
            store: self.store.unwrap_or_default(),
            credentials,
            client: discovery_cache(),
            jwks: jwks_cache(),
            #[cfg(feature = "cis1")]
            cis1: self.cis1.map(crate::cis1::settings::Cis1Runtime::new),
        }));
        // Discovery with retry and backoff (catalogue REL-05); the sdk checks the document (CS-08 issuer).
        let mut delay = Duration::from_millis(250);
        let mut attempt = 1;
        let client = loop {
            match auth.fetch_client().await {
                Ok(c) => break c,
                Err(e) if attempt < self.discovery_attempts => {
                    tracing::warn!(attempt, code = e.code(), error = %e, "discovery failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        auth.0.client.seed(client, auth.now());
        Ok(auth)
    }
}
