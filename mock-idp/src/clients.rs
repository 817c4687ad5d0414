//! Relying-party registrations, shaped like a CIS2 Connection Manager configuration (cis2.md §15.2) plus the
//! mock's own switches (PKCE rules, signed userinfo, claim-shape quirks).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Client authentication methods at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthMethodName {
    /// `client_secret_post`.
    ClientSecretPost,
    /// `client_secret_basic`.
    ClientSecretBasic,
    /// `private_key_jwt`.
    PrivateKeyJwt,
    /// `client_secret_jwt`: an HS256 assertion keyed with the client secret.
    ClientSecretJwt,
}

impl AuthMethodName {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethodName::ClientSecretPost => "client_secret_post",
            AuthMethodName::ClientSecretBasic => "client_secret_basic",
            AuthMethodName::PrivateKeyJwt => "private_key_jwt",
            AuthMethodName::ClientSecretJwt => "client_secret_jwt",
        }
    }
}

/// Claim-shape quirks CIS2 has been seen to show (\[I\] in cis2.md §8.3), switchable per client.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Quirks {
    /// Send `id_assurance_level`, `authentication_assurance_level` and `idassurancelevel` as integers
    /// instead of strings.
    pub levels_as_integer: bool,
    /// Send one-element role and organisation lists as a single object instead of an array.
    pub single_object_lists: bool,
}

/// A registered client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Client {
    /// `client_id`, e.g. `999999999999.apps.national`.
    pub client_id: String,
    /// Display name.
    #[serde(default)]
    pub client_name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Registered redirect URIs, matched exactly (string equality).
    pub redirect_uris: Vec<String>,
    /// Where logout tokens are POSTed.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// URIs `endSession` may redirect to after logout.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// How the client authenticates at the token endpoint.
    pub token_endpoint_auth_method: AuthMethodName,
    /// The secret, for the `client_secret_*` methods.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The client's JWKS URL (private_key_jwt).
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// An inline JWKS document (private_key_jwt), used when `jwks_uri` is not set.
    #[serde(default)]
    pub jwks: Option<Value>,
    /// The algorithm private_key_jwt assertions must use (`RS256`, `RS512`, …). Default RS256.
    /// (client_secret_jwt assertions are always HS256.)
    #[serde(default = "default_alg")]
    pub jwks_uri_signing_algorithm: String,
    /// Refuse authorization requests without PKCE.
    #[serde(default)]
    pub require_pkce: bool,
    /// Accept `code_challenge_method=plain` (refused by default).
    #[serde(default)]
    pub allow_plain_pkce: bool,
    /// Answer userinfo with a signed JWT (`application/jwt`) instead of JSON.
    #[serde(default)]
    pub userinfo_signed: bool,
    /// Claim-shape quirks.
    #[serde(default)]
    pub quirks: Quirks,
    /// Also accept the issuer identifier as a client assertion's `aud` (what openid-client and oauth4webapi
    /// send by default, and RFC 7523bis recommends). Off: only the token endpoint, as CIS2 RPs send it
    /// (cis2.md §6; what CIS2 itself accepts is unconfirmed).
    #[serde(default)]
    pub accept_issuer_audience: bool,
    /// The Connection Manager team that owns this registration, when it was made through `/api/configs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
}

fn default_alg() -> String {
    "RS256".to_owned()
}

impl Client {
    /// A client with defaults for everything else (RS256 assertions, PKCE optional, JSON userinfo, no
    /// quirks). Set `client_secret`, `jwks`/`jwks_uri` and the rest on the result.
    pub fn new(client_id: impl Into<String>, redirect_uris: Vec<String>, method: AuthMethodName) -> Self {
        Self {
            client_id: client_id.into(),
            client_name: String::new(),
            description: String::new(),
            redirect_uris,
            backchannel_logout_uri: None,
            post_logout_redirect_uris: Vec::new(),
            token_endpoint_auth_method: method,
            client_secret: None,
            jwks_uri: None,
            jwks: None,
            jwks_uri_signing_algorithm: default_alg(),
            require_pkce: false,
            allow_plain_pkce: false,
            userinfo_signed: false,
            quirks: Quirks::default(),
            accept_issuer_audience: false,
            team_id: None,
        }
    }

    /// Checks a registration before it is stored.
    pub fn check(&self) -> Result<(), String> {
        cis2_sdk::ClientId::new(self.client_id.clone()).map_err(|e| e.to_string())?;
        if self.redirect_uris.is_empty() {
            return Err("redirect_uris must not be empty".into());
        }
        for u in &self.redirect_uris {
            let parsed = url::Url::parse(u).map_err(|e| format!("redirect_uri {u:?}: {e}"))?;
            if parsed.fragment().is_some() {
                return Err(format!("redirect_uri {u:?} has a fragment"));
            }
        }
        if let Some(u) = &self.backchannel_logout_uri {
            url::Url::parse(u).map_err(|e| format!("backchannel_logout_uri {u:?}: {e}"))?;
        }
        cis2_sdk::Algorithm::from_name(&self.jwks_uri_signing_algorithm).ok_or_else(|| {
            format!(
                "jwks_uri_signing_algorithm {:?} is not supported",
                self.jwks_uri_signing_algorithm
            )
        })?;
        match self.token_endpoint_auth_method {
            AuthMethodName::ClientSecretPost
            | AuthMethodName::ClientSecretBasic
            | AuthMethodName::ClientSecretJwt => {
                if self.client_secret.as_deref().is_none_or(str::is_empty) {
                    return Err("client_secret is required for the client_secret_* methods".into());
                }
            }
            AuthMethodName::PrivateKeyJwt => {
                if self.jwks_uri.is_none() && self.jwks.is_none() {
                    return Err("private_key_jwt needs jwks_uri or jwks".into());
                }
                if let Some(j) = &self.jwks {
                    let obj = j.as_object().ok_or("jwks must be a JSON object")?;
                    cis2_sdk::JwkSet::from_document(obj).map_err(|e| format!("jwks: {e}"))?;
                }
            }
        }
        Ok(())
    }
}

/// The demo client seeded on first start.
pub fn demo_client() -> Client {
    Client {
        client_id: "999999999999.apps.national".to_owned(),
        client_name: "Demo client".to_owned(),
        description: "Seeded demo client (client_secret_post)".to_owned(),
        redirect_uris: vec![
            "http://localhost:8080/auth/callback".to_owned(),
            "http://127.0.0.1:8080/auth/callback".to_owned(),
        ],
        backchannel_logout_uri: None,
        post_logout_redirect_uris: vec!["http://localhost:8080/".to_owned()],
        token_endpoint_auth_method: AuthMethodName::ClientSecretPost,
        client_secret: Some("demo-secret".to_owned()),
        jwks_uri: None,
        jwks: None,
        jwks_uri_signing_algorithm: default_alg(),
        require_pkce: false,
        allow_plain_pkce: false,
        userinfo_signed: false,
        quirks: Quirks::default(),
        accept_issuer_audience: false,
        team_id: None,
    }
}
