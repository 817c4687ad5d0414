//! `/access_token`: client authentication (`client_secret_post`, `client_secret_basic`, `private_key_jwt`
//! validated by the sdk), then the `authorization_code` grant with single-use, short-lived codes (reuse
//! revokes what the first use issued), exact `redirect_uri` and PKCE.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use cis2_sdk::{ClientId, ClientSecret, IssuerUrl, JwkSet, OAuthErrorCode, TokenValidator, ValidationPolicy};
use serde_json::json;

use super::claims;
use super::endpoint_fault::endpoint_fault;
use super::observe::Seen;
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::clients::{AuthMethodName, Client};
use crate::ct::same;
use crate::errors::{bad_request, invalid_client, no_store, oauth_json};
use crate::faults::Target;
use crate::observed::ObservedEndpoint;
use crate::sessions::AccessGrant;
use crate::signing;
use crate::state::{AppState, lock};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct Authenticated {
    client: Client,
    assertion_jti: Option<String>,
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

async fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
    get: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<Authenticated, Response> {
    let basic = basic_credentials(headers);
    let post_secret = get("client_secret");
    let assertion = get("client_assertion");
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
    let form_client = get("client_id");
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
        let Some(client) = st.client(&id) else {
            return Err(invalid_client("unknown client", true));
        };
        if client.token_endpoint_auth_method != AuthMethodName::ClientSecretBasic {
            return Err(invalid_client(
                "client is not registered for client_secret_basic",
                true,
            ));
        }
        if !secret_ok(&client, &secret) {
            return Err(invalid_client("client authentication failed", true));
        }
        return Ok(Authenticated {
            client,
            assertion_jti: None,
        });
    }
    if let Some(secret) = post_secret {
        let Some(id) = form_client else {
            return Err(invalid_client("client_id is required", false));
        };
        let Some(client) = st.client(&id) else {
            return Err(invalid_client("unknown client", false));
        };
        if client.token_endpoint_auth_method != AuthMethodName::ClientSecretPost {
            return Err(invalid_client(
                "client is not registered for client_secret_post",
                false,
            ));
        }
        if !secret_ok(&client, &secret) {
            return Err(invalid_client("client authentication failed", false));
        }
        return Ok(Authenticated {
            client,
            assertion_jti: None,
        });
    }
    if let Some(assertion) = assertion {
        if get("client_assertion_type").as_deref() != Some(JWT_BEARER) {
            return Err(bad_request(
                OAuthErrorCode::InvalidRequest,
                "client_assertion_type must be jwt-bearer",
            ));
        }
        // Which client is it? The form's client_id, else the assertion's `sub` (read only to find the
        // client; the sdk validates everything below).
        let id = match form_client {
            Some(id) => id,
            None => match cis2_sdk::dangerous::insecure_decode(&assertion) {
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
        if client.token_endpoint_auth_method != AuthMethodName::PrivateKeyJwt {
            return Err(invalid_client(
                "client is not registered for private_key_jwt",
                false,
            ));
        }
        let jwks = client_jwks(st, &client)
            .await
            .map_err(|e| invalid_client(format!("JWT is not valid: {e}"), false))?;
        let alg = cis2_sdk::Algorithm::from_name(&client.jwks_uri_signing_algorithm)
            .unwrap_or(cis2_sdk::Algorithm::RS256);
        let issuer = IssuerUrl::new(st.issuer()).map_err(|e| {
            oauth_json(
                StatusCode::INTERNAL_SERVER_ERROR,
                OAuthErrorCode::ServerError,
                format!("issuer: {e}"),
            )
        })?;
        let cid =
            ClientId::new(client.client_id.clone()).map_err(|e| invalid_client(e.to_string(), false))?;
        let validator = TokenValidator::new(issuer, cid, ValidationPolicy::new(cis2_sdk::Crypto::default()));
        let now = st.0.clock.now();
        let token_endpoint = st.endpoint("/access_token");
        let max = Duration::from_secs(st.0.config.max_assertion_lifetime_secs);
        let ok = validator
            .validate_client_assertion(&assertion, &jwks, &[alg], &token_endpoint, max, now)
            .map_err(|e| invalid_client(format!("JWT is not valid: {} ({e})", e.code()), false))?;
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
        return Ok(Authenticated {
            client,
            assertion_jti: Some(ok.jti),
        });
    }
    Err(invalid_client("client authentication is required", false))
}

/// The most of one field the request log keeps (bytes).
const LOGGED_FIELD_MAX: usize = 2048;

/// A field for the request log: as sent, or its first [`LOGGED_FIELD_MAX`] bytes (on a character boundary)
/// and a marker saying how much was cut.
fn logged(v: &str) -> String {
    if v.len() <= LOGGED_FIELD_MAX {
        return v.to_owned();
    }
    let mut end = LOGGED_FIELD_MAX;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    let kept = v.get(..end).unwrap_or_default();
    format!("{kept}…[truncated {} bytes]", v.len() - end)
}

/// `POST /access_token`, recorded in the observation log (the client, and the user of the code).
pub(crate) async fn token(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let mut seen = Seen::default();
    let resp = exchange(&st, &headers, &body, &mut seen).await;
    seen.record(&st, ObservedEndpoint::Token, &resp);
    resp
}

async fn exchange(st: &AppState, headers: &HeaderMap, body: &str, seen: &mut Seen) -> Response {
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
        return bad_request(
            OAuthErrorCode::InvalidRequest,
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        if pairs.iter().any(|(seen, _)| *seen == k) {
            return bad_request(
                OAuthErrorCode::InvalidRequest,
                format!("parameter {k} is repeated"),
            );
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    seen.client_id = get("client_id");
    let auth = match authenticate(st, headers, &get).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let client = auth.client;
    seen.client_id = Some(client.client_id.clone());
    seen.uid = get("code").and_then(|c| lock(&st.0.sessions).codes.get(&c).map(|g| g.uid.clone()));
    {
        let mut requests = lock(&st.0.requests);
        if requests.len() >= 1000 {
            requests.remove(0);
        }
        requests.push(json!({
            "at": st.0.clock.now().as_secs(),
            "endpoint": "token",
            "client_id": logged(&client.client_id),
            "auth_method": client.token_endpoint_auth_method.as_str(),
            "assertion_jti": auth.assertion_jti.as_deref().map(logged),
            "grant_type": get("grant_type").as_deref().map(logged),
            "code_verifier": get("code_verifier").as_deref().map(logged),
        }));
    }
    if let Some(r) = endpoint_fault(
        st,
        Some(&client.client_id),
        seen.uid.as_deref(),
        Target::TokenEndpoint,
    )
    .await
    {
        return r;
    }
    match get("grant_type").as_deref() {
        None => return bad_request(OAuthErrorCode::InvalidRequest, "grant_type is required"),
        Some("authorization_code") => {}
        Some(_) => {
            return bad_request(
                OAuthErrorCode::UnsupportedGrantType,
                "only authorization_code is supported",
            );
        }
    }
    let Some(code) = get("code") else {
        return bad_request(OAuthErrorCode::InvalidRequest, "code is required");
    };
    let invalid_grant = |d: &str| bad_request(OAuthErrorCode::InvalidGrant, d);
    let now = st.0.clock.now();
    let access_token = random_token(&mut OsRng, 32);
    let grant = {
        let mut sessions = lock(&st.0.sessions);
        let Some(g) = sessions.codes.get_mut(&code) else {
            return invalid_grant("unknown or expired code");
        };
        if g.req.client_id != client.client_id {
            return invalid_grant("the code was issued to another client");
        }
        if g.used {
            let revoke = std::mem::take(&mut g.access_tokens);
            for t in &revoke {
                if let Some(a) = sessions.access.get_mut(t) {
                    a.revoked = true;
                }
            }
            tracing::warn!(client_id = %client.client_id, revoked = revoke.len(), "authorization code reused");
            return invalid_grant("the code has already been used; tokens issued with it are revoked");
        }
        if now.duration_since(g.issued_at).as_secs() >= st.0.config.code_lifetime_secs {
            return invalid_grant("the code has expired");
        }
        if get("redirect_uri").as_deref() != Some(g.req.redirect_uri.as_str()) {
            return invalid_grant("redirect_uri does not match the authorization request");
        }
        match (&g.req.code_challenge, get("code_verifier")) {
            (None, None) => {}
            (Some(_), None) => return invalid_grant("code_verifier is required"),
            (None, Some(_)) => {
                return invalid_grant(
                    "code_verifier sent but the authorization request had no code_challenge",
                );
            }
            (Some(c), Some(v)) => {
                let well_formed = (43..=128).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
                let matches = match g.req.code_challenge_method.as_deref() {
                    Some("S256") => same(&cis2_sdk::pkce_challenge(&v), c),
                    _ => same(&v, c),
                };
                if !well_formed || !matches {
                    return invalid_grant("code_verifier does not match code_challenge");
                }
            }
        }
        g.used = true;
        g.access_tokens.push(access_token.clone());
        let g = g.clone();
        sessions.access.insert(
            access_token.clone(),
            AccessGrant {
                client_id: client.client_id.clone(),
                uid: g.uid.clone(),
                scopes: g.req.scopes.clone(),
                selected_roleid: g.selected_roleid.clone(),
                expires_at: now.saturating_add(Duration::from_secs(st.0.config.access_token_lifetime_secs)),
                revoked: false,
            },
        );
        if let Some(s) = sessions.sso.get_mut(&g.cookie).filter(|s| s.sid == g.sid) {
            s.clients.insert(client.client_id.clone());
        }
        g
    };
    let Some(user) = st.user(&grant.uid) else {
        return invalid_grant("the user no longer exists");
    };
    let claims = match claims::id_token(st, &grant, &user, &client, &access_token) {
        Ok(c) => c,
        Err(e) => return oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
    };
    let id_token = match signing::sign(
        st,
        &client.client_id,
        Some(&grant.uid),
        Target::IdToken,
        Some("JWT"),
        claims,
    ) {
        Ok(t) => t,
        Err(e) => return oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
    };
    seen.token = Some(id_token.clone());
    no_store(
        axum::Json(json!({
            "access_token": access_token,
            "scope": grant.req.scopes.join(" "),
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": st.0.config.access_token_lifetime_secs,
        }))
        .into_response(),
    )
}
