//! Virtual cards and the card mode, the smartcard bridge, and registered WebAuthn credentials.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;

use super::json::{Res, created, no_content, ok, parse};
use crate::bridge::control::service_name;
use crate::cards::CardMode;
use crate::credentials::StoredCredential;
use crate::errors::AdminError;
use crate::logout::card_removed;
use crate::state::{AppState, BridgeState, lock};
use crate::webauthn::storage::credentials_of;

pub(super) async fn list_cards(State(st): State<AppState>) -> Res {
    let cards = lock(&st.0.cards);
    ok(json!({ "mode": cards.mode(), "cards": cards.list() }))
}

#[derive(Deserialize)]
pub(super) struct NewCard {
    uid: String,
    #[serde(default)]
    serial: Option<String>,
    #[serde(default)]
    inserted: bool,
}

pub(super) async fn create_card(State(st): State<AppState>, body: Bytes) -> Res {
    let n: NewCard = parse(&body)?;
    if st.user(&n.uid).is_none() {
        return Err(AdminError::NotFound("user"));
    }
    let mut cards = lock(&st.0.cards);
    let mut card = cards.create(n.serial, &n.uid);
    if n.inserted {
        card = cards.insert(&card.serial).unwrap_or(card);
    }
    created(card)
}

pub(super) async fn insert_card(State(st): State<AppState>, Path(serial): Path<String>) -> Res {
    let card = lock(&st.0.cards).insert(&serial);
    ok(card.ok_or(AdminError::NotFound("card"))?)
}

pub(super) async fn remove_card(State(st): State<AppState>, Path(serial): Path<String>) -> Res {
    let card = lock(&st.0.cards).remove(&serial);
    let card = card.ok_or(AdminError::NotFound("card"))?;
    let ended = card_removed(&st, &serial);
    ok(json!({ "card": card, "ended_sessions": ended }))
}

pub(super) async fn get_card_mode(State(st): State<AppState>) -> Res {
    ok(json!({ "mode": lock(&st.0.cards).mode() }))
}

#[derive(Deserialize)]
pub(super) struct ModeBody {
    mode: CardMode,
}

pub(super) async fn put_card_mode(State(st): State<AppState>, body: Bytes) -> Res {
    let m: ModeBody = parse(&body)?;
    lock(&st.0.cards).set_mode(m.mode);
    ok(json!({ "mode": m.mode }))
}

fn bridge_doc(st: &AppState) -> serde_json::Value {
    let cfg = &st.0.config.bridge;
    let mode = lock(&st.0.cards).mode();
    json!({
        "enabled": cfg.enabled,
        "state": st.bridge_state(),
        "mode": mode,
        "service": service_name(mode),
        "port_service_ports": st.bridge_port_service_addrs().iter().map(SocketAddr::port).collect::<Vec<_>>(),
        "cm_port": st.bridge_cm_addr().map(|a| a.port()),
        "published_ports": cfg.published_ports,
        "allowed_origins": st.bridge_allowed_origins(),
        "reader": cfg.reader_name,
        "card_event_subscribers": st.card_event_subscribers(),
    })
}

pub(super) async fn get_bridge(State(st): State<AppState>) -> Res {
    ok(bridge_doc(&st))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PutBridge {
    state: Option<BridgeState>,
    mode: Option<CardMode>,
    allowed_origins: Option<Vec<String>>,
}

pub(super) async fn put_bridge(State(st): State<AppState>, body: Bytes) -> Res {
    let put: PutBridge = parse(&body)?;
    if let Some(s) = put.state {
        st.set_bridge_state(s);
    }
    if let Some(m) = put.mode {
        st.set_card_mode(m);
    }
    if let Some(origins) = put.allowed_origins {
        st.set_bridge_allowed_origins(origins);
    }
    ok(bridge_doc(&st))
}

pub(super) async fn list_credentials(State(st): State<AppState>, Path(uid): Path<String>) -> Res {
    if st.user(&uid).is_none() {
        return Err(AdminError::NotFound("user"));
    }
    let creds = credentials_of(&st, &uid).map_err(|e| AdminError::Internal(e.to_string()))?;
    ok(creds.iter().map(StoredCredential::view).collect::<Vec<_>>())
}

pub(super) async fn delete_credential(
    State(st): State<AppState>,
    Path((uid, credential_id)): Path<(String, String)>,
) -> Res {
    let owned = credentials_of(&st, &uid)
        .map_err(|e| AdminError::Internal(e.to_string()))?
        .iter()
        .any(|c| c.credential_id == credential_id);
    if !owned {
        return Err(AdminError::NotFound("credential"));
    }
    st.0.store
        .delete_credential(&credential_id)
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    no_content()
}

pub(super) async fn delete_credentials(State(st): State<AppState>, Path(uid): Path<String>) -> Res {
    if st.user(&uid).is_none() {
        return Err(AdminError::NotFound("user"));
    }
    let creds = credentials_of(&st, &uid).map_err(|e| AdminError::Internal(e.to_string()))?;
    for c in &creds {
        st.0.store
            .delete_credential(&c.credential_id)
            .map_err(|e| AdminError::Internal(e.to_string()))?;
    }
    ok(json!({ "deleted": creds.len() }))
}
