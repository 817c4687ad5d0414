//! Client authentication, shared by the token, introspection and revocation endpoints: `client_secret_post`,
//! `client_secret_basic`, and the two assertion methods, `private_key_jwt` and `client_secret_jwt`, whose
//! assertions the sdk validates (the `aud` the token endpoint, or also the issuer when the client's
//! `accept_issuer_audience` switch is on; each `jti` used once, `exp` checked). Also the form-body parsing
//! those endpoints share.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use cis2_sdk::{
    AssertionKey, ClientId, ClientSecret, IssuerUrl, JwkSet, OAuthErrorCode, TokenValidator, ValidationPolicy,
};

use crate::clients::{AuthMethodName, Client};
use crate::errors::{bad_request, invalid_client, oauth_json};
use crate::state::{AppState, lock};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An `application/x-www-form-urlencoded` body whose parameters each appear once (RFC 6749 §3.2).
pub(super) struct Form(Vec<(String, String)>);

impl Form {
    /// Checks the content type and refuses repeated parameters.
    pub(super) fn parse(headers: &HeaderMap, body: &str) -> Result<Self, Response> {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        {
            return Err(bad_request(
                OAuthErrorCode::InvalidRequest,
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(bad_request(
                    OAuthErrorCode::InvalidRequest,
                    format!("parameter {k} is repeated"),
                ));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Self(pairs))
    }

    /// A parameter's value.
    pub(super) fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

/// A client that authenticated, and the `jti` of its assertion (for the request log).
pub(super) struct Authenticated {
    pub(super) client: Client,
    pub(super) assertion_jti: Option<String>,
}

fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| ());
    Some(decoded.and_then(|d| {
        let s = String::from_utf8(d).map_err(|_| ())?;
        let (u, p) = s.split_once(':').ok_or(())?;
        let dec = |x: &str| {
            url::form_urlencoded::parse(format!("x={x}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Ok((dec(u).ok_or(())?, dec(p).ok_or(())?))
    }))
}

fn secret_ok(client: &Client, given: &str) -> bool {
    client
        .client_secret
        .as_deref()
        .is_some_and(|s| ClientSecret::new(s).ct_eq(given))
}

async fn client_jwks(st: &AppState, client: &Client) -> Result<JwkSet, String> {
    if let Some(uri) = &client.jwks_uri {
        let resp =
            st.0.http
                .get(uri)
                .header(header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| format!("jwks_uri: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("jwks_uri answered {}", resp.status()));
        }
        let body = resp.bytes().await.map_err(|e| format!("jwks_uri: {e}"))?;
        return JwkSet::parse(&body).map_err(|e| format!("jwks_uri: {e}"));
    }
    match client.jwks.as_ref().and_then(|j| j.as_object()) {
        Some(doc) => JwkSet::from_document(doc).map_err(|e| format!("jwks: {e}")),
        None => Err("no JWKS registered".into()),
    }
}

/// Authenticates the client of a token, introspection or revocation request, exactly one method per request.
pub(super) async fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Authenticated, Response> {
    let basic = basic_credentials(headers);
    let post_secret = form.get("client_secret");
    let assertion = form.get("client_assertion");
    let used = [basic.is_some(), post_secret.is_some(), assertion.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if used > 1 {
        return Err(bad_request(
            OAuthErrorCode::InvalidRequest,
            "more than one client authentication method",
        ));
    }
    let form_client = form.get("client_id");
    let plain = |client: Client| Authenticated {
        client,
        assertion_jti: None,
    };
    if let Some(creds) = basic {
        let Ok((id, secret)) = creds else {
            return Err(invalid_client("malformed Basic credentials", true));
        };
        if form_client.as_deref().is_some_and(|f| f != id) {
            return Err(bad_request(
                OAuthErrorCode::InvalidRequest,
                "client_id does not match the Basic credentials",
            ));
        }
        let client = registered(st, &id, AuthMethodName::ClientSecretBasic, true)?;
        if !secret_ok(&client, &secret) {
            return Err(invalid_client("client authentication failed", true));
        }
        return Ok(plain(client));
    }
    if let Some(secret) = post_secret {
        let Some(id) = form_client else {
            return Err(invalid_client("client_id is required", false));
        };
        let client = registered(st, &id, AuthMethodName::ClientSecretPost, false)?;
        if !secret_ok(&client, &secret) {
            return Err(invalid_client("client authentication failed", false));
        }
        return Ok(plain(client));
    }
    if let Some(assertion) = assertion {
        return assertion_auth(st, form, form_client, &assertion).await;
    }
    Err(invalid_client("client authentication is required", false))
}

/// The registered client `id`, if it is registered for `method`.
fn registered(st: &AppState, id: &str, method: AuthMethodName, basic: bool) -> Result<Client, Response> {
    let Some(client) = st.client(id) else {
        return Err(invalid_client("unknown client", basic));
    };
    if client.token_endpoint_auth_method != method {
        return Err(invalid_client(
            format!("client is not registered for {}", method.as_str()),
            basic,
        ));
    }
    Ok(client)
}

async fn assertion_auth(
    st: &AppState,
    form: &Form,
    form_client: Option<String>,
    assertion: &str,
) -> Result<Authenticated, Response> {
    if form.get("client_assertion_type").as_deref() != Some(JWT_BEARER) {
        return Err(bad_request(
            OAuthErrorCode::InvalidRequest,
            "client_assertion_type must be jwt-bearer",
        ));
    }
    // Which client is it? The form's client_id, else the assertion's `sub` (read only to find the client;
    // the sdk validates everything below).
    let id = match form_client {
        Some(id) => id,
        None => match cis2_sdk::dangerous::insecure_decode(assertion) {
            Ok((_, claims)) => claims
                .get("sub")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            Err(_) => return Err(invalid_client("JWT is not valid", false)),
        },
    };
    let Some(client) = st.client(&id) else {
        return Err(invalid_client("unknown client", false));
    };
    let method = client.token_endpoint_auth_method;
    if !matches!(
        method,
        AuthMethodName::PrivateKeyJwt | AuthMethodName::ClientSecretJwt
    ) {
        return Err(invalid_client(
            format!(
                "client is registered for {}, not a client assertion",
                method.as_str()
            ),
            false,
        ));
    }
    let issuer = IssuerUrl::new(st.issuer()).map_err(|e| {
        oauth_json(
            StatusCode::INTERNAL_SERVER_ERROR,
            OAuthErrorCode::ServerError,
            format!("issuer: {e}"),
        )
    })?;
    let cid = ClientId::new(client.client_id.clone()).map_err(|e| invalid_client(e.to_string(), false))?;
    let validator = TokenValidator::new(issuer, cid, ValidationPolicy::new(cis2_sdk::Crypto::default()));
    let now = st.0.clock.now();
    let token_endpoint = st.endpoint("/access_token");
    let mut audiences = vec![token_endpoint.as_str()];
    if client.accept_issuer_audience {
        audiences.push(st.issuer());
    }
    let max = Duration::from_secs(st.0.config.max_assertion_lifetime_secs);
    let invalid =
        |e: cis2_sdk::TokenError| invalid_client(format!("JWT is not valid: {} ({e})", e.code()), false);
    let ok = if method == AuthMethodName::ClientSecretJwt {
        let secret = ClientSecret::new(client.client_secret.clone().unwrap_or_default());
        validator
            .validate_client_assertion_with(
                assertion,
                AssertionKey::ClientSecretJwt(&secret),
                &audiences,
                max,
                now,
            )
            .map_err(invalid)?
    } else {
        let jwks = client_jwks(st, &client)
            .await
            .map_err(|e| invalid_client(format!("JWT is not valid: {e}"), false))?;
        let alg = cis2_sdk::Algorithm::from_name(&client.jwks_uri_signing_algorithm)
            .unwrap_or(cis2_sdk::Algorithm::RS256);
        let key = AssertionKey::PrivateKeyJwt {
            jwks: &jwks,
            algorithms: &[alg],
        };
        validator
            .validate_client_assertion_with(assertion, key, &audiences, max, now)
            .map_err(invalid)?
    };
    let mut sessions = lock(&st.0.sessions);
    let key = (client.client_id.clone(), ok.jti.clone());
    if sessions.assertion_jtis.get(&key).is_some_and(|exp| *exp > now) {
        return Err(invalid_client(
            "JWT is not valid: jti has been used before",
            false,
        ));
    }
    let keep_until = ok
        .exp
        .saturating_add(validator.policy().clock_leeway())
        .max(now.saturating_add(max));
    sessions.assertion_jtis.insert(key, keep_until);
    Ok(Authenticated {
        client,
        assertion_jti: Some(ok.jti),
    })
}
