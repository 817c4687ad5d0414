//! The one concrete client: configuration plus discovered metadata, with every flow step as a method.

use std::sync::Arc;
use std::time::Duration;

use rand_core::CryptoRngCore;
use serde_json::Map;

use crate::claims::{IdTokenClaims, UserInfo};
use crate::discovery::ProviderMetadata;
use crate::error::{CallbackError, ConfigError, Error, OAuthError, OAuthErrorCode};
use crate::flow::{
    Callback, LoginOptions, PendingLogin, PendingWire, Prompt, VerifiedCallback, new_secrets, pkce_challenge,
    random_token,
};
use crate::http::{HttpRequest, HttpResponse, form_encode, limits};
use crate::issuer::{ClientId, IssuerUrl, RedirectUrl};
use crate::jwks::JwkSet;
use crate::secret::{AccessToken, ClientSecret};
use crate::signer::SigningKey;
use crate::time::UnixTime;
use crate::token::TokenResponse;
use crate::validation::{IdTokenExpectations, LogoutToken, TokenValidator, ValidationPolicy};

/// How the client authenticates at the token endpoint. CIS2 accepts confidential clients only.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_secret_post`: id and secret in the form body.
    ClientSecretPost(ClientSecret),
    /// `client_secret_basic`: HTTP Basic with form-encoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic(ClientSecret),
    /// `private_key_jwt` (RFC 7523): an assertion signed with this key, whose public half the RP publishes.
    PrivateKeyJwt(SigningKey),
    /// `client_secret_jwt` (RFC 7523 §2.2, OIDC Core §9): an assertion signed HS256 with the client secret.
    /// The secret never travels; CIS2 documents this method (cis2.md §6).
    ClientSecretJwt(ClientSecret),
}

/// Whom a client assertion (private_key_jwt, client_secret_jwt) names as `aud`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssertionAudience {
    /// The token endpoint exactly as discovered, `:443` included: what CIS2 RPs send (cis2.md §6).
    #[default]
    TokenEndpoint,
    /// The issuer identifier, as FAPI 2 and RFC 7523bis ask (catalogue CS-56).
    Issuer,
}

/// Lifetime of client assertions (CIS2 RPs use 3–5 min; kit: 2 min).
pub const ASSERTION_LIFETIME: Duration = Duration::from_secs(120);
/// How long a pending login may wait for its callback.
pub const PENDING_LOGIN_MAX_AGE: Duration = Duration::from_secs(600);

/// Everything known before discovery: who we are and how we check tokens.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    issuer: IssuerUrl,
    client_id: ClientId,
    redirect_uri: RedirectUrl,
    auth: ClientAuth,
    policy: ValidationPolicy,
    assertion_audience: AssertionAudience,
}

impl ClientConfig {
    /// A configuration for `client_id` at `issuer`, redirecting to `redirect_uri`, with default (strict)
    /// validation using RustCrypto.
    pub fn new(issuer: IssuerUrl, client_id: ClientId, redirect_uri: RedirectUrl, auth: ClientAuth) -> Self {
        Self {
            issuer,
            client_id,
            redirect_uri,
            auth,
            policy: ValidationPolicy::new(crate::crypto::Crypto::default()),
            assertion_audience: AssertionAudience::default(),
        }
    }

    /// Replaces the validation policy.
    pub fn with_policy(mut self, policy: ValidationPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Chooses the client-assertion audience.
    pub fn with_assertion_audience(mut self, aud: AssertionAudience) -> Self {
        self.assertion_audience = aud;
        self
    }

    /// The issuer.
    pub fn issuer(&self) -> &IssuerUrl {
        &self.issuer
    }

    /// The client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The validation policy.
    pub fn policy(&self) -> &ValidationPolicy {
        &self.policy
    }

    /// The private_key_jwt signing key, if that is the method.
    pub fn signing_key(&self) -> Option<&SigningKey> {
        match &self.auth {
            ClientAuth::PrivateKeyJwt(k) => Some(k),
            _ => None,
        }
    }

    /// The discovery request for this issuer.
    pub fn discovery_request(&self) -> Result<HttpRequest, Error> {
        crate::discovery::discovery_request(&self.issuer)
    }

    /// Checks a discovery response for this issuer and pinned algorithms.
    pub fn parse_discovery(&self, resp: &HttpResponse) -> Result<ProviderMetadata, Error> {
        ProviderMetadata::from_response(&self.issuer, resp, self.policy.allowed_algorithms())
    }
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    metadata: ProviderMetadata,
    validator: TokenValidator,
}

/// A CIS2 relying-party client: configuration plus checked provider metadata. `Clone + Send + Sync`, cheap to
/// clone, no type parameters: it goes straight into axum state.
#[derive(Clone, Debug)]
pub struct Cis2Client(Arc<Inner>);

impl Cis2Client {
    /// Combines a configuration with metadata that [`ClientConfig::parse_discovery`] checked.
    pub fn new(config: ClientConfig, metadata: ProviderMetadata) -> Result<Self, Error> {
        if metadata.issuer != config.issuer {
            return Err(ConfigError::InvalidOption {
                setting: "metadata",
                reason: "metadata is for another issuer".into(),
            }
            .into());
        }
        let validator = TokenValidator::new(
            config.issuer.clone(),
            config.client_id.clone(),
            config.policy.clone(),
        );
        Ok(Self(Arc::new(Inner {
            config,
            metadata,
            validator,
        })))
    }

    /// The same client with another token-endpoint authentication (e.g. after an RP key rotation), keeping the
    /// checked metadata.
    pub fn with_client_auth(&self, auth: ClientAuth) -> Self {
        let mut config = self.0.config.clone();
        config.auth = auth;
        Self(Arc::new(Inner {
            config,
            metadata: self.0.metadata.clone(),
            validator: self.0.validator.clone(),
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.0.config
    }

    /// The provider metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.0.metadata
    }

    /// The token validator (for logout tokens and signed userinfo).
    pub fn validator(&self) -> &TokenValidator {
        &self.0.validator
    }

    /// The JWKS request.
    pub fn jwks_request(&self) -> Result<HttpRequest, Error> {
        self.0.metadata.jwks_request()
    }

    /// Starts a login: the authorization URL to redirect the browser to, and the pending state to keep
    /// server-side (keyed by its `state`, bound to the browser).
    pub fn start_login(
        &self,
        options: &LoginOptions,
        rng: &mut impl CryptoRngCore,
        now: UnixTime,
    ) -> Result<(url::Url, PendingLogin), Error> {
        let (scopes, prompt) = options.effective()?;
        let (state, nonce, pkce_verifier) = new_secrets(rng);
        let mut url = self.0.metadata.authorization_endpoint.url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code");
            q.append_pair("client_id", self.0.config.client_id.as_str());
            q.append_pair("redirect_uri", self.0.config.redirect_uri.as_str());
            q.append_pair("scope", &scopes.join(" "));
            q.append_pair("state", state.secret());
            q.append_pair("nonce", nonce.secret());
            q.append_pair("code_challenge", &pkce_challenge(pkce_verifier.secret()));
            q.append_pair("code_challenge_method", "S256");
            if !options.acr_values.is_empty() {
                q.append_pair("acr_values", &options.acr_values.join(" "));
            }
            if prompt == Some(Prompt::Login) {
                q.append_pair("prompt", "login");
            }
            if let Some(m) = options.max_age {
                q.append_pair("max_age", &m.as_secs().to_string());
            }
            if let Some(h) = &options.login_hint {
                q.append_pair("login_hint", h);
            }
        }
        let pending = PendingLogin(PendingWire {
            issuer: self.0.config.issuer.as_str().to_owned(),
            client_id: self.0.config.client_id.as_str().to_owned(),
            redirect_uri: self.0.config.redirect_uri.as_str().to_owned(),
            state,
            nonce,
            pkce_verifier,
            created_at: now,
            acr_values: options.acr_values.clone(),
            max_age_secs: options.max_age.map(|d| d.as_secs()),
            prompt_login: prompt == Some(Prompt::Login),
            scopes,
        });
        Ok((url, pending))
    }

    /// Checks a callback against the pending login of this browser: `state` (constant time), an `error=`
    /// response, the RFC 9207 `iss` parameter, `client_id`, the pending login's age, and that a code came.
    pub fn verify_callback(
        &self,
        pending: &PendingLogin,
        cb: &Callback,
        now: UnixTime,
    ) -> Result<VerifiedCallback, Error> {
        let p = &pending.0;
        if p.issuer != self.0.config.issuer.as_str() || p.client_id != self.0.config.client_id.as_str() {
            // Mix-up (catalogue FLOW-09): the pending login belongs to another issuer or client.
            return Err(CallbackError::IssuerMismatch {
                expected: self.0.config.issuer.to_string(),
                actual: Some(p.issuer.clone()),
            }
            .into());
        }
        let state = cb
            .state
            .as_deref()
            .ok_or(CallbackError::MissingParameter { name: "state" })?;
        if !p.state.ct_eq(state) {
            return Err(CallbackError::StateMismatch.into());
        }
        let age = now.duration_since(p.created_at);
        if age > PENDING_LOGIN_MAX_AGE {
            return Err(CallbackError::PendingLoginExpired {
                started: p.created_at,
                now,
                max_age_secs: PENDING_LOGIN_MAX_AGE.as_secs(),
            }
            .into());
        }
        match (
            &cb.iss,
            self.0.metadata.authorization_response_iss_parameter_supported,
        ) {
            (Some(iss), _) if iss != &p.issuer => {
                return Err(CallbackError::IssuerMismatch {
                    expected: p.issuer.clone(),
                    actual: Some(iss.clone()),
                }
                .into());
            }
            (None, true) => {
                return Err(CallbackError::IssuerMismatch {
                    expected: p.issuer.clone(),
                    actual: None,
                }
                .into());
            }
            _ => {}
        }
        if let Some(error) = &cb.error {
            return Err(OAuthError {
                code: OAuthErrorCode::parse(error),
                description: cb.error_description.clone(),
                status: None,
            }
            .into());
        }
        if let Some(cid) = &cb.client_id
            && cid != &p.client_id
        {
            return Err(CallbackError::ClientIdMismatch {
                expected: p.client_id.clone(),
                actual: cid.clone(),
            }
            .into());
        }
        let code = cb
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or(CallbackError::MissingParameter { name: "code" })?;
        Ok(VerifiedCallback {
            code: crate::secret::AuthorizationCode::new(code),
        })
    }

    /// The token request for a verified callback, with client authentication (a fresh assertion `jti` every
    /// call, so retries never reuse one).
    pub fn token_request(
        &self,
        pending: &PendingLogin,
        cb: &VerifiedCallback,
        rng: &mut impl CryptoRngCore,
        now: UnixTime,
    ) -> Result<HttpRequest, Error> {
        let p = &pending.0;
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", "authorization_code".into()),
            ("code", cb.code.secret().to_owned()),
            ("redirect_uri", p.redirect_uri.clone()),
            ("code_verifier", p.pkce_verifier.secret().to_owned()),
        ];
        let mut basic = None;
        match &self.0.config.auth {
            ClientAuth::ClientSecretPost(secret) => {
                form.push(("client_id", self.0.config.client_id.as_str().to_owned()));
                form.push(("client_secret", secret.secret().to_owned()));
            }
            ClientAuth::ClientSecretBasic(secret) => {
                use base64::Engine as _;
                let user = form_encode([("", self.0.config.client_id.as_str())]);
                let pass = form_encode([("", secret.secret())]);
                let creds = format!(
                    "{}:{}",
                    user.trim_start_matches('='),
                    pass.trim_start_matches('=')
                );
                basic = Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(creds)
                ));
            }
            ClientAuth::PrivateKeyJwt(_) | ClientAuth::ClientSecretJwt(_) => {
                form.push(("client_id", self.0.config.client_id.as_str().to_owned()));
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push(("client_assertion", self.configured_assertion(rng, now)?));
            }
        }
        let body = form_encode(form.iter().map(|(k, v)| (*k, v.as_str())));
        let mut req = http::Request::post(self.0.metadata.token_endpoint.as_str())
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "application/json");
        if let Some(b) = basic {
            req = req.header(http::header::AUTHORIZATION, b);
        }
        req.body(body.into_bytes()).map_err(|e| {
            ConfigError::InvalidOption {
                setting: "token request",
                reason: e.to_string(),
            }
            .into()
        })
    }

    /// A private_key_jwt assertion: `iss` = `sub` = client id, `aud` = the token endpoint exactly as discovered
    /// (or the issuer, per [`AssertionAudience`]), unique `jti`, `iat`, short `exp`, `kid` of the key.
    pub fn client_assertion(
        &self,
        key: &SigningKey,
        rng: &mut impl CryptoRngCore,
        now: UnixTime,
    ) -> Result<String, Error> {
        let claims = self.assertion_claims(rng, now);
        Ok(key.sign_jwt(Some("JWT"), &Map::new(), &claims, rng)?)
    }

    /// A client_secret_jwt assertion: the same claims as [`Self::client_assertion`], signed HS256 with
    /// `secret` (header `{"alg":"HS256","typ":"JWT"}`).
    pub fn client_secret_assertion(
        &self,
        secret: &ClientSecret,
        rng: &mut impl CryptoRngCore,
        now: UnixTime,
    ) -> Result<String, Error> {
        let claims = self.assertion_claims(rng, now);
        Ok(crate::hs256::sign(secret.secret().as_bytes(), &claims)?)
    }

    /// The assertion for the configured JWT method (private_key_jwt or client_secret_jwt).
    fn configured_assertion(&self, rng: &mut impl CryptoRngCore, now: UnixTime) -> Result<String, Error> {
        match &self.0.config.auth {
            ClientAuth::ClientSecretJwt(secret) => self.client_secret_assertion(secret, rng, now),
            ClientAuth::PrivateKeyJwt(key) => self.client_assertion(key, rng, now),
            ClientAuth::ClientSecretPost(_) | ClientAuth::ClientSecretBasic(_) => {
                Err(ConfigError::InvalidOption {
                    setting: "client_auth",
                    reason: "the method sends no client assertion".into(),
                }
                .into())
            }
        }
    }

    /// `iss` = `sub` = client id, `aud` per [`AssertionAudience`], a fresh `jti`, `iat`, `exp`.
    fn assertion_claims(
        &self,
        rng: &mut impl CryptoRngCore,
        now: UnixTime,
    ) -> Map<String, serde_json::Value> {
        let aud = match self.0.config.assertion_audience {
            AssertionAudience::TokenEndpoint => self.0.metadata.token_endpoint.as_str(),
            AssertionAudience::Issuer => self.0.config.issuer.as_str(),
        };
        let cid = self.0.config.client_id.as_str();
        let mut claims = Map::new();
        claims.insert("iss".into(), cid.into());
        claims.insert("sub".into(), cid.into());
        claims.insert("aud".into(), aud.into());
        claims.insert("jti".into(), random_token(rng, 24).into());
        claims.insert("iat".into(), now.as_secs().into());
        claims.insert(
            "exp".into(),
            now.saturating_add(ASSERTION_LIFETIME).as_secs().into(),
        );
        claims
    }

    /// Parses the token response.
    pub fn parse_token_response(&self, resp: &HttpResponse) -> Result<TokenResponse, Error> {
        TokenResponse::from_response(resp)
    }

    /// Validates the ID token of a token response against the pending login: signature, `iss`, `aud`, `azp`,
    /// times, `nonce`, `auth_time` after `max_age`/`prompt=login`, `acr` and assurance levels, `at_hash`.
    pub fn validate_login(
        &self,
        pending: &PendingLogin,
        tokens: &TokenResponse,
        jwks: &JwkSet,
        now: UnixTime,
    ) -> Result<IdTokenClaims, Error> {
        let p = &pending.0;
        let expect = IdTokenExpectations {
            nonce: &p.nonce,
            max_age: p.max_age_secs.map(Duration::from_secs),
            prompt_login_at: p.prompt_login.then_some(p.created_at),
            acr_values: &p.acr_values,
            access_token: Some(&tokens.access_token),
        };
        Ok(self
            .0
            .validator
            .validate_id_token(tokens.id_token.secret(), jwks, &expect, now)?)
    }

    /// The userinfo request (`Authorization: Bearer`), or `None` when discovery lists no userinfo endpoint.
    pub fn userinfo_request(&self, access_token: &AccessToken) -> Option<Result<HttpRequest, Error>> {
        let endpoint = self.0.metadata.userinfo_endpoint.as_ref()?;
        Some(
            http::Request::get(endpoint.as_str())
                .header(
                    http::header::AUTHORIZATION,
                    format!("Bearer {}", access_token.secret()),
                )
                .header(http::header::ACCEPT, "application/json, application/jwt")
                .body(Vec::new())
                .map_err(|e| {
                    ConfigError::InvalidOption {
                        setting: "userinfo request",
                        reason: e.to_string(),
                    }
                    .into()
                }),
        )
    }

    /// Parses userinfo (JSON, or a signed JWT validated on the one path) and checks its `sub` against the ID
    /// token's (OIDC Core §5.3.2).
    pub fn parse_userinfo(
        &self,
        resp: &HttpResponse,
        id_token: &IdTokenClaims,
        jwks: &JwkSet,
        now: UnixTime,
    ) -> Result<UserInfo, Error> {
        if resp.status() == http::StatusCode::OK && crate::http::is_jwt(resp) {
            if resp.body().len() > limits::USERINFO {
                return Err(crate::error::HttpError::BodyTooLarge {
                    what: "userinfo",
                    limit: limits::USERINFO,
                    actual: resp.body().len(),
                }
                .into());
            }
            let token =
                std::str::from_utf8(resp.body()).map_err(|_| crate::error::TokenError::Malformed {
                    reason: "userinfo JWT is not UTF-8".into(),
                })?;
            return Ok(self
                .0
                .validator
                .validate_signed_userinfo(token.trim(), jwks, &id_token.sub, now)?);
        }
        let obj = crate::http::json_body(resp, "userinfo", limits::USERINFO)?;
        Ok(crate::validation::userinfo_from_map(obj, &id_token.sub)?)
    }

    /// Validates a back-channel logout token.
    pub fn validate_logout_token(
        &self,
        token: &str,
        jwks: &JwkSet,
        now: UnixTime,
    ) -> Result<LogoutToken, Error> {
        Ok(self.0.validator.validate_logout_token(token, jwks, now)?)
    }

    /// The RP-initiated logout URL (`end_session_endpoint?id_token_hint=…`), when the provider has one.
    pub fn end_session_url(
        &self,
        id_token_hint: &str,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Option<url::Url> {
        let mut url = self.0.metadata.end_session_endpoint.as_ref()?.url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("id_token_hint", id_token_hint);
            q.append_pair("client_id", self.0.config.client_id.as_str());
            if let Some(p) = post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", p);
            }
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        Some(url)
    }
}
