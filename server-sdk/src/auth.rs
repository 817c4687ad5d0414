//! [`Cis2Auth`]: the one concrete, cloneable handle an app keeps in its axum state.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use cis2_sdk::{
    CachePolicy, Cis2Client, ClientAuth, ClientConfig, ClientId, ClientSecret, IssuerUrl, JwkSet,
    LoginOptions, ProviderMetadata, RedirectUrl, SigningKey, TokenError, UnixTime, ValidationPolicy, limits,
};
use http::HeaderMap;

use crate::clock::Clock;
use crate::error::Error;
use crate::http_client::HttpClient;
use crate::keys::KeyState;
use crate::refresh::Refreshing;
use crate::store::{
    EndReason, PendingLimits, SessionEvent, SessionRecord, SessionStore, SignInPath, hash_key,
};

/// Name of the session cookie over plain http (local development): an opaque random id (HttpOnly,
/// SameSite=Lax, Path=/).
pub const SESSION_COOKIE: &str = "cis2_session";
/// Name of the session cookie when the redirect URI is https. The `__Host-` prefix makes browsers refuse the
/// cookie unless it is Secure, has Path=/ and no Domain, so no sibling subdomain can set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-cis2_session";
/// Name of the short-lived login-binding cookie over plain http (HttpOnly, SameSite=Lax, Path = the directory of
/// the callback path, 10 min).
pub const BINDING_COOKIE: &str = "cis2_login";
/// Name of the login-binding cookie when the redirect URI is https: `__Secure-` (its path is the kit's routes,
/// not `/`, so `__Host-` cannot apply).
pub const SECURE_BINDING_COOKIE: &str = "__Secure-cis2_login";

/// How the RP authenticates to the token endpoint.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// `client_secret_post`.
    Secret(ClientSecret),
    /// `client_secret_jwt`: an HS256 assertion keyed with the secret.
    SecretJwt(ClientSecret),
    Keys(Arc<RwLock<KeyState>>),
}

impl Settings {
    /// The session cookie's name: [`SECURE_SESSION_COOKIE`] when cookies are Secure.
    pub(crate) fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The login-binding cookie's name: [`SECURE_BINDING_COOKIE`] when cookies are Secure.
    pub(crate) fn binding_cookie(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_BINDING_COOKIE
        } else {
            BINDING_COOKIE
        }
    }
}

/// Settings the builder fixed.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) issuer: IssuerUrl,
    pub(crate) client_id: ClientId,
    pub(crate) redirect_uri: RedirectUrl,
    pub(crate) policy: Option<ValidationPolicy>,
    pub(crate) login_defaults: LoginOptions,
    pub(crate) idle_timeout: Duration,
    pub(crate) absolute_timeout: Duration,
    pub(crate) mount_path: String,
    pub(crate) secure_cookies: bool,
    pub(crate) pending_limits: PendingLimits,
    /// Where the login-binding cookie is sent: the directory of the callback path (`/auth` for
    /// `/auth/callback`), so `/login` sees it too and every tab of a browser shares one binding.
    pub(crate) binding_cookie_path: String,
    /// `scheme://host[:port]` of the redirect URI: the RP's own origin.
    pub(crate) origin: String,
    pub(crate) default_return_to: String,
    pub(crate) post_logout_redirect_uri: Option<String>,
    pub(crate) end_session_on_logout: bool,
    pub(crate) events_check_interval: Duration,
    pub(crate) userinfo: bool,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) settings: Settings,
    pub(crate) http: HttpClient,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) store: SessionStore,
    pub(crate) credentials: Credentials,
    pub(crate) client: Refreshing<Cis2Client>,
    pub(crate) jwks: Refreshing<Arc<JwkSet>>,
    /// Dual-run with CIS1, when configured.
    #[cfg(feature = "cis1")]
    pub(crate) cis1: Option<crate::cis1::settings::Cis1Runtime>,
}

/// The CIS2 relying-party kit: configuration, provider metadata and key caches, the session store. Cheap to
/// clone (`Arc` inside), `Send + Sync`, no type parameters: put it in axum state.
#[derive(Clone, Debug)]
pub struct Cis2Auth(pub(crate) Arc<Inner>);

/// The result of looking a browser's session up.
#[derive(Debug)]
pub(crate) enum SessionLookup {
    /// A live session.
    Active(Box<SessionRecord>),
    /// The cookie named a session that just ended for this reason.
    Ended(EndReason),
    /// No cookie, or no such session.
    Missing,
}

/// A fresh session or binding id: 32 random bytes, base64url (43 characters).
pub(crate) fn random_id() -> String {
    cis2_sdk::random_token(&mut rand::rngs::OsRng, 32)
}

/// The value of cookie `name` in the request, if exactly present.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

impl Cis2Auth {
    /// The current sdk client (provider metadata and client authentication). Starts a background discovery
    /// refresh when the sdk's policy says one is due.
    pub async fn client(&self) -> Result<Cis2Client, Error> {
        let inner = &self.0;
        let lookup = inner.client.get(&*inner.clock, || self.fetch_client()).await?;
        if lookup.refresh_due {
            let me = self.clone();
            tokio::spawn(async move { me.0.client.refresh(&*me.0.clock, || me.fetch_client()).await });
        }
        let client = lookup.value;
        // A key rotation since this client was built: rebuild with the current key.
        if let Credentials::Keys(keys) = &inner.credentials {
            let stale = {
                let guard = keys.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                client.config().signing_key().map(SigningKey::kid) != Some(guard.current.kid())
            };
            if stale {
                return self.build_client(client.metadata().clone());
            }
        }
        Ok(client)
    }

    pub(crate) fn build_client(&self, metadata: ProviderMetadata) -> Result<Cis2Client, Error> {
        let s = &self.0.settings;
        let auth = match &self.0.credentials {
            Credentials::Secret(secret) => ClientAuth::ClientSecretPost(secret.clone()),
            Credentials::SecretJwt(secret) => ClientAuth::ClientSecretJwt(secret.clone()),
            Credentials::Keys(keys) => ClientAuth::PrivateKeyJwt(read_keys(keys).current),
        };
        let mut config = ClientConfig::new(
            s.issuer.clone(),
            s.client_id.clone(),
            s.redirect_uri.clone(),
            auth,
        );
        if let Some(p) = &s.policy {
            config = config.with_policy(p.clone());
        }
        Ok(Cis2Client::new(config, metadata)?)
    }

    pub(crate) async fn fetch_client(&self) -> Result<Cis2Client, Error> {
        let probe = self.build_client_config();
        let resp = self
            .0
            .http
            .send(probe.discovery_request()?, "discovery", limits::DISCOVERY)
            .await?;
        let metadata = probe.parse_discovery(&resp)?;
        self.build_client(metadata)
    }

    /// A configuration for discovery only (checks the issuer and pinned algorithms).
    pub(crate) fn build_client_config(&self) -> ClientConfig {
        let s = &self.0.settings;
        let auth = ClientAuth::ClientSecretPost(ClientSecret::new(""));
        let config = ClientConfig::new(
            s.issuer.clone(),
            s.client_id.clone(),
            s.redirect_uri.clone(),
            auth,
        );
        match &s.policy {
            Some(p) => config.with_policy(p.clone()),
            None => config,
        }
    }

    async fn fetch_jwks(&self, client: &Cis2Client) -> Result<Arc<JwkSet>, Error> {
        let resp = self
            .0
            .http
            .send(client.jwks_request()?, "jwks", limits::JWKS)
            .await?;
        Ok(Arc::new(cis2_sdk::jwks_from_response(&resp)?))
    }

    /// Runs an sdk validation with the provider's keys: from the cache per the sdk's policy; on an unknown `kid`
    /// one refetch (under the cooldown) and one retry. While the JWKS endpoint is down, the last good keys serve.
    pub(crate) async fn with_jwks<T>(
        &self,
        client: &Cis2Client,
        validate: impl Fn(&JwkSet) -> Result<T, cis2_sdk::Error>,
    ) -> Result<T, Error> {
        let inner = &self.0;
        let lookup = inner.jwks.get(&*inner.clock, || self.fetch_jwks(client)).await?;
        if lookup.refresh_due {
            let me = self.clone();
            let client = client.clone();
            tokio::spawn(async move { me.0.jwks.refresh(&*me.0.clock, || me.fetch_jwks(&client)).await });
        }
        match validate(&lookup.value) {
            Err(e) if matches!(e.token_error(), Some(TokenError::NoMatchingKey { .. })) => {
                match inner
                    .jwks
                    .refetch_on_miss(&*inner.clock, || self.fetch_jwks(client))
                    .await
                {
                    Ok(Some(fresh)) => {
                        tracing::info!("unknown kid: refetched the provider JWKS");
                        Ok(validate(&fresh)?)
                    }
                    Ok(None) => {
                        tracing::warn!("unknown kid: JWKS refetch suppressed by the cooldown");
                        Err(e.into())
                    }
                    Err(fetch) => {
                        tracing::warn!(error = %fetch, "unknown kid: the JWKS refetch failed");
                        Err(e.into())
                    }
                }
            }
            other => Ok(other?),
        }
    }

    /// The session store.
    pub fn store(&self) -> &SessionStore {
        &self.0.store
    }

    /// The current time on the kit's clock.
    pub fn now(&self) -> UnixTime {
        self.0.clock.now()
    }

    /// Publishes the next private_key_jwt key in the RP JWKS (step 1 of a rollover; see [`Self::rotate_keys`]).
    pub fn stage_next_key(&self, next: SigningKey) -> Result<(), Error> {
        let Credentials::Keys(keys) = &self.0.credentials else {
            return Err(Error::Config("key rollover needs private_key_jwt".into()));
        };
        let now = self.now();
        write_keys(keys, |k| k.stage(next, now))
    }

    /// Signs with the staged key from now on (step 2). Refused until it has been published for the builder's
    /// `key_publish_lead` (default one hour), so the provider can always find the key an assertion names (REL-16).
    pub fn rotate_keys(&self) -> Result<(), Error> {
        let Credentials::Keys(keys) = &self.0.credentials else {
            return Err(Error::Config("key rollover needs private_key_jwt".into()));
        };
        let now = self.now();
        let key = write_keys(keys, |k| k.rotate(now))?;
        tracing::info!(kid = key.kid(), "RP signing key rotated");
        Ok(())
    }

    /// The RP's public JWKS document as `/jwks` serves it.
    pub fn jwks_document(&self) -> Result<serde_json::Value, Error> {
        match &self.0.credentials {
            Credentials::Keys(keys) => {
                let now = self.now();
                write_keys(keys, |k| k.publish(now))
            }
            Credentials::Secret(_) | Credentials::SecretJwt(_) => Ok(serde_json::json!({ "keys": [] })),
        }
    }

    /// Ends the given sessions and tells every instance's connected browsers why. Returns how many ended.
    pub(crate) async fn end_sessions(&self, keys: &[String], reason: EndReason) -> Result<usize, Error> {
        let backend = self.0.store.backend();
        let now = self.now();
        let mut ended = Vec::new();
        for key in keys {
            // The reason first: whoever finds the session gone from now on learns why.
            backend
                .put_tombstone(key, reason, now, now.saturating_add(crate::store::EXPIRED_GRACE))
                .await?;
            if backend.remove_session(key).await?.is_some() {
                ended.push(key.clone());
            }
        }
        if !ended.is_empty() {
            backend
                .publish(&SessionEvent {
                    sessions: ended.clone(),
                    reason,
                })
                .await?;
        }
        Ok(ended.len())
    }

    /// Finds the browser's session by its cookie, applying the idle and absolute timeouts; with `touch`, records
    /// activity (at most every `idle_timeout / 20`, to spare the store a write per request).
    pub(crate) async fn lookup_session(
        &self,
        headers: &HeaderMap,
        touch: bool,
    ) -> Result<SessionLookup, Error> {
        let Some(id) = cookie_value(headers, self.0.settings.session_cookie()) else {
            return Ok(SessionLookup::Missing);
        };
        self.lookup_key(&hash_key(&[&id]), touch).await
    }

    pub(crate) async fn lookup_key(&self, key: &str, touch: bool) -> Result<SessionLookup, Error> {
        let now = self.now();
        let s = &self.0.settings;
        let Some(mut rec) = self.0.store.backend().get_session(key, now).await? else {
            return Ok(match self.0.store.backend().tombstone(key, now).await? {
                Some(reason) => SessionLookup::Ended(reason),
                None => SessionLookup::Missing,
            });
        };
        let reason = EndReason::from_deadlines(
            now,
            Some(rec.absolute_deadline),
            Some(rec.last_seen.saturating_add(s.idle_timeout)),
        );
        if let Some(reason) = reason {
            self.end_sessions(&[rec.key.clone()], reason).await?;
            return Ok(SessionLookup::Ended(reason));
        }
        // A CIS1 session is trusted for `recheck_every`, then its ticket is checked with the SSB again.
        if rec.path == SignInPath::Cis1 {
            #[cfg(feature = "cis1")]
            let ended = self.recheck_cis1(&mut rec).await?;
            #[cfg(not(feature = "cis1"))]
            let ended = Some(EndReason::SignedOut);
            if let Some(reason) = ended {
                self.end_sessions(&[rec.key.clone()], reason).await?;
                return Ok(SessionLookup::Ended(reason));
            }
        }
        let interval = (s.idle_timeout / 20).max(Duration::from_secs(1));
        if touch && now.duration_since(rec.last_seen) >= interval {
            rec.last_seen = now;
            if !self.0.store.backend().touch_session(&rec, now).await? {
                // Ended by another request (logout) since we read it.
                return Ok(match self.0.store.backend().tombstone(key, now).await? {
                    Some(reason) => SessionLookup::Ended(reason),
                    None => SessionLookup::Missing,
                });
            }
        }
        Ok(SessionLookup::Active(Box::new(rec)))
    }

    /// Where the kit's router is nested (e.g. `/auth`).
    pub(crate) fn mount_path(&self) -> &str {
        &self.0.settings.mount_path
    }

    /// The login URL for a navigation, returning to `return_to`, with extra query pairs.
    pub(crate) fn login_url(&self, return_to: &str, extra: &[(&str, &str)]) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("return_to", return_to);
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        format!("{}/login?{}", self.mount_path(), q.finish())
    }
}

fn read_keys(keys: &RwLock<KeyState>) -> KeyState {
    keys.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn write_keys<R>(keys: &RwLock<KeyState>, f: impl FnOnce(&mut KeyState) -> R) -> R {
    let mut guard = keys.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut guard)
}

pub(crate) fn jwks_cache() -> Refreshing<Arc<JwkSet>> {
    Refreshing::new("provider JWKS", CachePolicy::JWKS)
}

pub(crate) fn discovery_cache() -> Refreshing<Cis2Client> {
    Refreshing::new("provider discovery", CachePolicy::DISCOVERY)
}
