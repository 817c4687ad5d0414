//! The authorization-code flow: authorization requests, pending-login state, callbacks, the back-channel
//! logout request body.

use std::time::Duration;

use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use crate::error::{CallbackError, ConfigError, LogoutRequestError};
use crate::jose::b64url_encode;
use crate::secret::{AuthorizationCode, CsrfState, Nonce, PkceVerifier};
use crate::time::UnixTime;

/// Scopes CIS2 defines (cis2.md §8.1).
pub mod scopes {
    /// Mandatory.
    pub const OPENID: &str = "openid";
    /// `name`, `family_name`, `given_name`, `uid`.
    pub const PROFILE: &str = "profile";
    /// `email`.
    pub const EMAIL: &str = "email";
    /// Basic NHS profile (`nhsid_useruid`, `idassurancelevel`, …).
    pub const NHSPERSON: &str = "nhsperson";
    /// `nhsid_user_orgs`.
    pub const ASSOCIATED_ORGS: &str = "associatedorgs";
    /// `nhsid_nrbac_roles`.
    pub const NATIONAL_RBAC_ACCESS: &str = "nationalrbacaccess";
    /// Professional registration ids.
    pub const PROFESSIONAL_MEMBERSHIPS: &str = "professionalmemberships";
    /// `nhsid_org_memberships`.
    pub const ORGANISATIONAL_MEMBERSHIPS: &str = "organisationalmemberships";
    /// Role selection after authentication (needs `prompt=login`).
    pub const SELECTED_ROLE: &str = "selectedrole";
    /// Role change for Identity Agent users.
    pub const CHANGED_ROLE: &str = "changedrole";

    /// The scope an RP must request for CIS2 to release `claim` (cis2.md §8.1). `claim` may be a path
    /// into it (`nhsid_nrbac_roles[].role_code`, `sub = uid = nhsid_useruid`: the leading claim name
    /// decides). `None` for the `openid` scope's own ID-token claims (`sub`, `acr`, …; `openid` is always
    /// sent) and for claims no known scope releases (`nhsid_org_roles`).
    ///
    /// ```
    /// use cis2_sdk::scopes;
    /// assert_eq!(scopes::for_claim("nhsid_nrbac_roles[].role_code"), Some(scopes::NATIONAL_RBAC_ACCESS));
    /// assert_eq!(scopes::for_claim("selected_roleid"), Some(scopes::SELECTED_ROLE));
    /// assert_eq!(scopes::for_claim("sub"), None);
    /// ```
    pub fn for_claim(claim: &str) -> Option<&'static str> {
        let name = claim
            .trim_start()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        match name {
            "name" | "family_name" | "given_name" | "uid" => Some(PROFILE),
            "email" => Some(EMAIL),
            "nhsid_useruid" | "title" | "idassurancelevel" | "initials" | "middle_names" | "display_name" => {
                Some(NHSPERSON)
            }
            "nhsid_user_orgs" => Some(ASSOCIATED_ORGS),
            "nhsid_nrbac_roles" => Some(NATIONAL_RBAC_ACCESS),
            "nhsid_org_memberships" => Some(ORGANISATIONAL_MEMBERSHIPS),
            "selected_roleid" => Some(SELECTED_ROLE),
            // Key names [C]; which scope releases them [I] (cis2.md §8.1).
            n if crate::claims::PROFESSIONAL_ID_CLAIMS.contains(&n) => Some(PROFESSIONAL_MEMBERSHIPS),
            _ => None,
        }
    }
}

/// `prompt` values CIS2 documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Prompt {
    /// `prompt=login`: re-authenticate.
    Login,
}

/// What to ask for in one login.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginOptions {
    /// Scopes; `openid` is always sent.
    pub scopes: Vec<String>,
    /// `acr_values` (sent on every request, cis2.md §9.4). Default `AAL3_ANY`.
    pub acr_values: Vec<String>,
    /// `prompt`.
    pub prompt: Option<Prompt>,
    /// `max_age`.
    pub max_age: Option<Duration>,
    /// Ask CIS2 to run role selection (`selectedrole` scope, which needs `prompt=login`).
    pub select_role: bool,
    /// `login_hint`.
    pub login_hint: Option<String>,
}

impl Default for LoginOptions {
    fn default() -> Self {
        Self {
            scopes: [
                scopes::OPENID,
                scopes::PROFILE,
                scopes::NATIONAL_RBAC_ACCESS,
                scopes::ASSOCIATED_ORGS,
            ]
            .map(str::to_owned)
            .to_vec(),
            acr_values: vec!["AAL3_ANY".to_owned()],
            prompt: None,
            max_age: None,
            select_role: false,
            login_hint: None,
        }
    }
}

impl LoginOptions {
    /// Sets `acr_values`.
    pub fn acr_values(mut self, acr: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.acr_values = acr.into_iter().map(Into::into).collect();
        self
    }

    /// Requests role selection.
    pub fn select_role(mut self, yes: bool) -> Self {
        self.select_role = yes;
        self
    }

    /// Sets `prompt`.
    pub fn prompt(mut self, prompt: Option<Prompt>) -> Self {
        self.prompt = prompt;
        self
    }

    /// Sets `max_age`.
    pub fn max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// Adds a scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        self
    }

    /// The scopes and prompt actually sent, after the CIS2 rules (openid first; `selectedrole` with `prompt=login`).
    pub(crate) fn effective(&self) -> Result<(Vec<String>, Option<Prompt>), ConfigError> {
        let mut scopes = vec![scopes::OPENID.to_owned()];
        for s in &self.scopes {
            if s.is_empty() || s.contains(' ') {
                return Err(ConfigError::InvalidOption {
                    setting: "scopes",
                    reason: format!("{s:?} is not a scope"),
                });
            }
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        let mut prompt = self.prompt;
        if self.select_role {
            if !scopes.iter().any(|s| s == scopes::SELECTED_ROLE) {
                scopes.push(scopes::SELECTED_ROLE.to_owned());
            }
            prompt = Some(Prompt::Login);
        }
        for acr in &self.acr_values {
            if crate::acr::acr_level(acr).is_none() {
                return Err(ConfigError::InvalidOption {
                    setting: "acr_values",
                    reason: format!("{acr:?} is not a CIS2 ACR value"),
                });
            }
        }
        Ok((scopes, prompt))
    }
}

/// The server-side state of one login between the redirect and the callback.
///
/// # Security
/// It holds the PKCE verifier and nonce. **Keep it server-side** (or in an encrypted, authenticated cookie),
/// bound to the browser that started the login; it serialises only through [`Self::to_server_side_json`].
#[derive(Clone, Debug)]
pub struct PendingLogin(pub(crate) PendingWire);

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PendingWire {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: CsrfState,
    pub(crate) nonce: Nonce,
    pub(crate) pkce_verifier: PkceVerifier,
    pub(crate) created_at: UnixTime,
    pub(crate) acr_values: Vec<String>,
    pub(crate) max_age_secs: Option<u64>,
    pub(crate) prompt_login: bool,
    pub(crate) scopes: Vec<String>,
}

impl PendingLogin {
    /// The `state` value, to key the pending login in a server-side store.
    pub fn state(&self) -> &CsrfState {
        &self.0.state
    }

    /// When the login started.
    pub fn created_at(&self) -> UnixTime {
        self.0.created_at
    }

    /// The ACR values requested.
    pub fn acr_values(&self) -> &[String] {
        &self.0.acr_values
    }

    /// Serialises for a server-side store.
    ///
    /// # Security
    /// The JSON contains the PKCE verifier and nonce. Store it only server-side, or encrypted and
    /// authenticated; never in a URL or a readable cookie.
    pub fn to_server_side_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// Reads what [`Self::to_server_side_json`] wrote.
    pub fn from_server_side_json(json: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(json)
            .map(PendingLogin)
            .map_err(|e| ConfigError::InvalidOption {
                setting: "pending login",
                reason: e.to_string(),
            })
    }
}

/// A random URL-safe string (base64url, no padding) of `bytes` bytes from `rng`: the one way the kit makes
/// `state`, nonces, PKCE verifiers, `jti`s, session and binding ids, and the mock's codes and tokens.
pub fn random_token(rng: &mut impl CryptoRngCore, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
    b64url_encode(buf)
}

/// RFC 7636 §4.2: `BASE64URL(SHA256(verifier))`.
pub fn pkce_challenge(verifier: &str) -> String {
    b64url_encode(Sha256::digest(verifier.as_bytes()))
}

/// New `state`, `nonce` and PKCE verifier: 32 random bytes each (verifier: 43 characters, RFC 7636 §4.1).
pub(crate) fn new_secrets(rng: &mut impl CryptoRngCore) -> (CsrfState, Nonce, PkceVerifier) {
    (
        CsrfState::new(random_token(rng, 32)),
        Nonce::new(random_token(rng, 32)),
        PkceVerifier::new(random_token(rng, 32)),
    )
}

/// Parameters accepted on the redirect (RFC 6749 §4.1.2, RFC 9207 `iss`, ForgeRock's `client_id`/`scope`).
const CALLBACK_PARAMS: [&str; 9] = [
    "code",
    "state",
    "iss",
    "scope",
    "client_id",
    "session_state",
    "error",
    "error_description",
    "error_uri",
];

/// A parsed authorization callback, not yet checked against a pending login.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `iss` (RFC 9207).
    pub iss: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

impl Callback {
    /// Parses the callback query. Refuses duplicated parameters and any parameter a code-flow response does
    /// not carry (`id_token`, `access_token`, … — catalogue IDT-13, FUZ-06).
    pub fn parse(query: &str) -> Result<Self, CallbackError> {
        let pairs =
            crate::http::form_pairs(query).map_err(|name| CallbackError::DuplicateParameter { name })?;
        let mut cb = Callback {
            code: None,
            state: None,
            iss: None,
            client_id: None,
            error: None,
            error_description: None,
        };
        for (k, v) in pairs {
            if !CALLBACK_PARAMS.contains(&k.as_str()) {
                return Err(CallbackError::UnexpectedParameter { name: k });
            }
            match k.as_str() {
                "code" => cb.code = Some(v),
                "state" => cb.state = Some(v),
                "iss" => cb.iss = Some(v),
                "client_id" => cb.client_id = Some(v),
                "error" => cb.error = Some(v),
                "error_description" => cb.error_description = Some(v),
                _ => {}
            }
        }
        Ok(cb)
    }
}

/// A callback that matched its pending login: the code to exchange.
#[derive(Debug)]
pub struct VerifiedCallback {
    pub(crate) code: AuthorizationCode,
}

impl VerifiedCallback {
    /// The authorization code.
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }
}

/// Reads the `logout_token` from a back-channel logout POST (BCL §2.5): POST only, form-encoded, at most
/// 64 KiB, exactly one `logout_token`; other fields are ignored.
pub fn backchannel_logout_token(
    method: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, LogoutRequestError> {
    if method != "POST" {
        return Err(LogoutRequestError::MethodNotAllowed {
            method: method.to_owned(),
        });
    }
    let essence = content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    if essence.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(LogoutRequestError::UnsupportedContentType {
            actual: content_type.map(str::to_owned),
        });
    }
    let limit = crate::http::limits::LOGOUT_BODY;
    if body.len() > limit {
        return Err(LogoutRequestError::BodyTooLarge {
            limit,
            actual: body.len(),
        });
    }
    let text = std::str::from_utf8(body).map_err(|_| LogoutRequestError::Malformed)?;
    let mut token = None;
    for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
        if k == "logout_token" {
            if token.is_some() {
                return Err(LogoutRequestError::DuplicateLogoutToken);
            }
            token = Some(v.into_owned());
        }
    }
    token
        .filter(|t| !t.is_empty())
        .ok_or(LogoutRequestError::MissingLogoutToken)
}
