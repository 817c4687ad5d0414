//! Client configurations: the documented config JSON (cis2.md §15.2) read into and shown from the mock's
//! [`Client`] registrations, with a content hash for optimistic concurrency.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::auth::{CmError, authorize};
use crate::clients::{AuthMethodName, Client};
use crate::config::ConnectionManagerConfig;
use crate::errors::no_store;
use crate::state::{AppState, lock, read};

/// A configuration as Connection Manager shows it (without `hash`, which is computed over this).
#[derive(Serialize)]
struct ConfigView<'a> {
    config_id: &'a str,
    team_id: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    client_name: &'a str,
    description: &'a str,
    redirect_uris: &'a [String],
    backchannel_logout_uri: Option<&'a str>,
    token_endpoint_auth_method: &'static str,
    jwks_uri: Option<&'a str>,
    jwks_uri_signing_algorithm: &'a str,
}

fn view_of<'a>(c: &'a Client, team_id: &'a str) -> ConfigView<'a> {
    ConfigView {
        config_id: &c.client_id,
        team_id,
        client_id: &c.client_id,
        client_secret: c.client_secret.as_deref(),
        client_name: &c.client_name,
        description: &c.description,
        redirect_uris: &c.redirect_uris,
        backchannel_logout_uri: c.backchannel_logout_uri.as_deref(),
        token_endpoint_auth_method: c.token_endpoint_auth_method.as_str(),
        jwks_uri: c.jwks_uri.as_deref(),
        jwks_uri_signing_algorithm: &c.jwks_uri_signing_algorithm,
    }
}

/// The configuration's hash: SHA-256 (hex) of its JSON view. Any change to a shown field changes it.
fn hash(c: &Client, team_id: &str) -> Result<String, CmError> {
    let bytes = serde_json::to_vec(&view_of(c, team_id)).map_err(|e| CmError::Internal(e.to_string()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The JSON answer for a configuration: its view plus `hash`.
fn shown(c: &Client, team_id: &str) -> Result<Value, CmError> {
    let mut v = serde_json::to_value(view_of(c, team_id)).map_err(|e| CmError::Internal(e.to_string()))?;
    if let Value::Object(m) = &mut v {
        m.insert("hash".into(), hash(c, team_id)?.into());
    }
    Ok(v)
}

fn json(status: StatusCode, v: Value) -> Response {
    no_store((status, axum::Json(v)).into_response())
}

/// An optional string member; `null` reads as absent. The error names the field.
fn opt_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, CmError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CmError::BadRequest(format!("{field} must be a string"))),
    }
}

fn req_str(obj: &Map<String, Value>, field: &str) -> Result<String, CmError> {
    opt_str(obj, field)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| CmError::BadRequest(format!("{field} is required (a non-empty string)")))
}

/// Reads the documented config JSON over `base` (the stored client on update, a new one on create). Read-only
/// members (`config_id`, `client_id`, `team_id`, `hash`) and unknown ones are ignored, so a script may send
/// back what it read.
fn apply_body(body: &[u8], cm: &ConnectionManagerConfig, mut c: Client) -> Result<Client, CmError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| CmError::BadRequest(format!("the body is not JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| CmError::BadRequest("the body must be a JSON object".into()))?;
    c.client_name = req_str(obj, "client_name")?;
    c.description = opt_str(obj, "description")?.unwrap_or_default();
    c.redirect_uris = match obj.get("redirect_uris") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| CmError::BadRequest("redirect_uris must hold only strings".into()))?,
        _ => {
            return Err(CmError::BadRequest(
                "redirect_uris is required (a non-empty array of strings)".into(),
            ));
        }
    };
    c.backchannel_logout_uri = opt_str(obj, "backchannel_logout_uri")?;
    let method = req_str(obj, "token_endpoint_auth_method")?;
    c.token_endpoint_auth_method = match method.as_str() {
        "client_secret_post" => AuthMethodName::ClientSecretPost,
        "private_key_jwt" => AuthMethodName::PrivateKeyJwt,
        "client_secret_basic" if cm.dangerous_allow_client_secret_basic => AuthMethodName::ClientSecretBasic,
        other => {
            return Err(CmError::BadRequest(format!(
                "token_endpoint_auth_method {other:?} is not offered: use client_secret_post or private_key_jwt{}",
                if other == "client_secret_basic" {
                    " (client_secret_basic needs [connection_manager] dangerous_allow_client_secret_basic)"
                } else {
                    ""
                }
            )));
        }
    };
    c.jwks_uri = opt_str(obj, "jwks_uri")?;
    if let Some(u) = &c.jwks_uri {
        url::Url::parse(u).map_err(|e| CmError::BadRequest(format!("jwks_uri {u:?}: {e}")))?;
    }
    if c.token_endpoint_auth_method == AuthMethodName::PrivateKeyJwt && c.jwks_uri.is_none() {
        return Err(CmError::BadRequest(
            "jwks_uri is required for private_key_jwt".into(),
        ));
    }
    if let Some(alg) = opt_str(obj, "jwks_uri_signing_algorithm")? {
        c.jwks_uri_signing_algorithm = alg;
    }
    // A mock extension: a script may choose the secret; otherwise one is generated when the method needs it.
    if let Some(s) = opt_str(obj, "client_secret")? {
        c.client_secret = Some(s);
    }
    if c.token_endpoint_auth_method != AuthMethodName::PrivateKeyJwt && c.client_secret.is_none() {
        c.client_secret = Some(cis2_sdk::random_token(&mut OsRng, 32));
    }
    c.check().map_err(CmError::BadRequest)?;
    Ok(c)
}

/// The configuration `config_id` of `team_id`, or 404.
fn owned(st: &AppState, team_id: &str, config_id: &str) -> Result<Client, CmError> {
    st.client(config_id)
        .filter(|c| c.team_id.as_deref() == Some(team_id))
        .ok_or_else(|| CmError::NotFound(format!("no configuration {config_id:?} in team {team_id:?}")))
}

/// `GET /api/configs/{team_id}`.
pub(super) async fn list(
    State(st): State<AppState>,
    Path(team_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, CmError> {
    authorize(&st, &headers, &team_id)?;
    let clients: Vec<Client> = read(&st.0.clients)
        .values()
        .filter(|c| c.team_id.as_deref() == Some(team_id.as_str()))
        .cloned()
        .collect();
    let items = clients
        .iter()
        .map(|c| shown(c, &team_id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json(StatusCode::OK, Value::Array(items)))
}

/// `POST /api/configs/{team_id}`: a new configuration with a generated `NNNNNNNNNNNN.apps.national` id.
pub(super) async fn create(
    State(st): State<AppState>,
    Path(team_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CmError> {
    authorize(&st, &headers, &team_id)?;
    let mut client_id = String::new();
    for _ in 0..16 {
        let candidate = format!("{:012}.apps.national", OsRng.next_u64() % 1_000_000_000_000);
        if st.client(&candidate).is_none() {
            client_id = candidate;
            break;
        }
    }
    if client_id.is_empty() {
        return Err(CmError::Internal("could not pick a free client_id".into()));
    }
    let mut base = Client::new(client_id, Vec::new(), AuthMethodName::ClientSecretPost);
    base.team_id = Some(team_id.clone());
    let c = apply_body(&body, &st.config().connection_manager, base)?;
    st.put_client(c.clone())?;
    Ok(json(StatusCode::CREATED, shown(&c, &team_id)?))
}

/// `GET /api/configs/{team_id}/{config_id}`.
pub(super) async fn get_one(
    State(st): State<AppState>,
    Path((team_id, config_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, CmError> {
    authorize(&st, &headers, &team_id)?;
    let c = owned(&st, &team_id, &config_id)?;
    Ok(json(StatusCode::OK, shown(&c, &team_id)?))
}

/// `?hash=`.
#[derive(Deserialize)]
pub(super) struct HashQuery {
    hash: Option<String>,
}

/// `PUT /api/configs/{team_id}/{config_id}?hash=`: replaces the configuration when `hash` is the current one
/// (409 otherwise). The mock's own switches on the client (PKCE, quirks, …) are kept.
pub(super) async fn update(
    State(st): State<AppState>,
    Path((team_id, config_id)): Path<(String, String)>,
    Query(q): Query<HashQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, CmError> {
    authorize(&st, &headers, &team_id)?;
    let given = q.hash.filter(|h| !h.is_empty()).ok_or_else(|| {
        CmError::BadRequest("hash is required: ?hash=<the hash of the configuration you read>".into())
    })?;
    let _write = lock(&st.0.cm_write);
    let current = owned(&st, &team_id, &config_id)?;
    if hash(&current, &team_id)? != given {
        return Err(CmError::Conflict(
            "hash is stale: the configuration changed since it was read; GET it again and retry".into(),
        ));
    }
    let c = apply_body(&body, &st.config().connection_manager, current)?;
    st.put_client(c.clone())?;
    Ok(json(StatusCode::OK, shown(&c, &team_id)?))
}
