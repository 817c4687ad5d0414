//! Token endpoint responses (RFC 6749 §5.1, OIDC Core §3.1.3.3) with the catalogue's shape checks (IDT-14).

use serde_json::{Map, Value};

use crate::error::{Error, ProviderError};
use crate::http::{HttpResponse, limits};
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// A successful token response.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenResponse {
    /// `access_token`.
    pub access_token: AccessToken,
    /// `id_token`, required because `openid` is always requested.
    pub id_token: IdToken,
    /// `expires_in`, when sent (its absence means "unknown", catalogue CS-50).
    pub expires_in: Option<u64>,
    /// `refresh_token`, when sent.
    pub refresh_token: Option<RefreshToken>,
    /// `scope`, when sent (absent: the requested scope, CS-50).
    pub scope: Option<String>,
    /// Other members (ForgeRock may add `sid`, `nonce`, …).
    pub extra: Map<String, Value>,
}

fn shape(member: &'static str, reason: &str) -> Error {
    ProviderError::TokenResponse {
        member,
        reason: reason.to_owned(),
    }
    .into()
}

impl TokenResponse {
    /// Parses a token endpoint response. 4xx/5xx with an OAuth error body become [`crate::ErrorKind::OAuth`].
    pub fn from_response(resp: &HttpResponse) -> Result<Self, Error> {
        let mut obj = crate::http::json_body(resp, "token response", limits::TOKEN)?;
        let mut take_str = |member: &'static str, required: bool| -> Result<Option<String>, Error> {
            match obj.remove(member) {
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
                Some(Value::String(_)) => Err(shape(member, "is empty")),
                Some(_) => Err(shape(member, "is not a string")),
                None if required => Err(shape(member, "is missing")),
                None => Ok(None),
            }
        };
        let access_token = take_str("access_token", true)?.map(AccessToken::new);
        let token_type = take_str("token_type", true)?;
        let id_token = take_str("id_token", true)?.map(IdToken::new);
        let refresh_token = take_str("refresh_token", false)?.map(RefreshToken::new);
        let scope = take_str("scope", false)?;
        if !token_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
        {
            return Err(shape("token_type", "is not Bearer"));
        }
        let expires_in = match obj.remove("expires_in") {
            None => None,
            Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
            // Some servers send a numeric string; RFC 6749 says number. Refuse anything else.
            Some(_) => return Err(shape("expires_in", "is not a non-negative integer")),
        };
        match (access_token, id_token) {
            (Some(access_token), Some(id_token)) => Ok(Self {
                access_token,
                id_token,
                expires_in,
                refresh_token,
                scope,
                extra: obj,
            }),
            _ => Err(shape("access_token", "is missing")),
        }
    }
}
