//! Signing keys (list, rotate), the clock, armed faults and the configuration in force.

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::json::{Res, created, no_content, ok, parse};
use crate::errors::AdminError;
use crate::faults::InjectRequest;
use crate::keys::{KeyEntry, generate_key_async};
use crate::logout::sweep;
use crate::state::{AppState, lock, read};

/// The published keys (active first) and the JWKS, as `GET /keys` answers (the admin page shows it too).
pub(super) fn keys_json(st: &AppState) -> serde_json::Value {
    let now = st.0.clock.now();
    let ring = read(&st.0.keys);
    let one = |k: &KeyEntry, active: bool| {
        json!({
            "kid": k.key.kid(),
            "alg": k.key.alg().as_str(),
            "active": active,
            "created_at": k.created_at.as_secs(),
            "published_until": k.retired_until.map(|t| t.as_secs()),
        })
    };
    let mut keys = vec![one(&ring.active, true)];
    keys.extend(
        ring.retired
            .iter()
            .filter(|k| k.retired_until.is_some_and(|u| u > now))
            .map(|k| one(k, false)),
    );
    json!({ "keys": keys, "jwks": ring.jwks(now) })
}

pub(super) async fn list_keys(State(st): State<AppState>) -> Res {
    ok(keys_json(&st))
}

#[derive(Deserialize)]
pub(super) struct RotateBody {
    #[serde(default)]
    private_key_pem: Option<String>,
    #[serde(default)]
    grace_period_secs: Option<u64>,
}

pub(super) async fn rotate_keys(State(st): State<AppState>, body: Bytes) -> Res {
    let r: RotateBody = parse(&body)?;
    let key = match r.private_key_pem {
        Some(pem) => cis2_sdk::SigningKey::from_pkcs8_pem(&pem, cis2_sdk::Algorithm::RS256)
            .map_err(|e| AdminError::InvalidRequest(e.to_string()))?,
        None => generate_key_async().await.map_err(AdminError::Internal)?,
    };
    st.rotate_signing_key_to(key, r.grace_period_secs.map(std::time::Duration::from_secs))?;
    ok(keys_json(&st))
}

fn clock_json(st: &AppState) -> serde_json::Value {
    json!({ "now": st.0.clock.now().as_secs(), "offset_secs": st.0.clock.offset() })
}

pub(super) async fn get_clock(State(st): State<AppState>) -> Res {
    ok(clock_json(&st))
}

#[derive(Deserialize)]
pub(super) struct OffsetBody {
    offset_secs: i64,
}

pub(super) async fn put_clock(State(st): State<AppState>, body: Bytes) -> Res {
    let b: OffsetBody = parse(&body)?;
    st.0.clock.set_offset(b.offset_secs);
    sweep(&st);
    ok(clock_json(&st))
}

#[derive(Deserialize)]
pub(super) struct AdvanceBody {
    secs: i64,
}

pub(super) async fn advance_clock(State(st): State<AppState>, body: Bytes) -> Res {
    let b: AdvanceBody = parse(&body)?;
    st.0.clock.advance(b.secs);
    sweep(&st);
    ok(clock_json(&st))
}

pub(super) async fn list_faults(State(st): State<AppState>) -> Res {
    ok(st.faults())
}

pub(super) async fn inject_fault(State(st): State<AppState>, body: Bytes) -> Res {
    let req: InjectRequest = parse(&body)?;
    if let Some(c) = &req.client_id
        && st.client(c).is_none()
    {
        return Err(AdminError::NotFound("client"));
    }
    created(st.inject_fault(req)?)
}

pub(super) async fn clear_faults(State(st): State<AppState>) -> Res {
    lock(&st.0.faults).clear();
    no_content()
}

/// `DELETE /faults/{id}`. The id is read as a string so that a malformed one gets the JSON error shape (axum's
/// own `Path<u64>` rejection is plain text).
pub(super) async fn delete_fault(State(st): State<AppState>, Path(id): Path<String>) -> Res {
    let id: u64 = id
        .parse()
        .map_err(|_| AdminError::InvalidRequest(format!("fault id {id:?} is not a number")))?;
    if st.remove_fault(id) {
        no_content()
    } else {
        Err(AdminError::NotFound("fault"))
    }
}

pub(super) async fn get_config(State(st): State<AppState>) -> Res {
    ok(json!({ "issuer": st.issuer(), "config": st.config() }))
}

/// The discovery overrides in force and the document they give.
fn discovery_json(st: &AppState) -> serde_json::Value {
    json!({
        "overrides": *read(&st.0.discovery),
        "document": crate::oidc::discovery::document(st),
    })
}

/// `GET /discovery`.
pub(super) async fn get_discovery(State(st): State<AppState>) -> Res {
    ok(discovery_json(&st))
}

/// `PUT /discovery`: replaces the overrides (`{"set": {…}, "remove": […]}`); `issuer` is refused.
pub(super) async fn put_discovery(State(st): State<AppState>, body: Bytes) -> Res {
    let o: crate::config::DiscoveryOverrides = parse(&body)?;
    o.check().map_err(|e| AdminError::InvalidRequest(e.0))?;
    *crate::state::write(&st.0.discovery) = o;
    ok(discovery_json(&st))
}

/// `DELETE /discovery`: back to the overrides of the configuration (`[discovery]`).
pub(super) async fn reset_discovery(State(st): State<AppState>) -> Res {
    *crate::state::write(&st.0.discovery) = st.config().discovery.clone();
    ok(discovery_json(&st))
}

/// The ACR switches in force: the meaning of `AAL2_ANY` and the card mode (which smartcard value is met).
fn acr_json(st: &AppState) -> serde_json::Value {
    let rules = st.acr_rules();
    json!({ "aal2_any": rules.aal2_any, "card_mode": rules.card_mode })
}

/// `GET /acr`.
pub(super) async fn get_acr(State(st): State<AppState>) -> Res {
    ok(acr_json(&st))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AcrBody {
    aal2_any: crate::authenticators::Aal2Any,
}

/// `PUT /acr` (`{"aal2_any": "at_least_aal2" | "aal2_only"}`).
pub(super) async fn put_acr(State(st): State<AppState>, body: Bytes) -> Res {
    let b: AcrBody = parse(&body)?;
    st.set_aal2_any(b.aal2_any);
    ok(acr_json(&st))
}
