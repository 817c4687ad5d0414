//! Virtual cards and the card mode, the smartcard bridge, and registered WebAuthn credentials.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::json;

use super::json::{Res, created, no_content, ok, parse};
use crate::bridge::control::service_name;
use crate::cards::{CardMode, known_series};
use crate::credentials::StoredCredential;
use crate::errors::AdminError;
use crate::logout::{card_removed, cis1_card_removed};
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
    #[serde(default)]
    series: Option<u8>,
}

pub(super) async fn create_card(State(st): State<AppState>, body: Bytes) -> Res {
    let n: NewCard = parse(&body)?;
    if let Some(series) = n.series.filter(|s| !known_series(*s)) {
        return Err(AdminError::InvalidRequest(format!(
            "series must be 4, 5, 6, 8, 9 or 10, not {series}"
        )));
    }
    let mut card = st.create_card(&n.uid, n.serial)?;
    if let Some(series) = n.series {
        card = st.set_card_series(&card.serial, series)?;
    }
    if n.inserted {
        card = lock(&st.0.cards).insert(&card.serial).unwrap_or(card);
    }
    created(card)
}

pub(super) async fn get_card(State(st): State<AppState>, Path(serial): Path<String>) -> Res {
    ok(st.card(&serial).ok_or(AdminError::NotFound("card"))?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PutCard {
    series: Option<u8>,
}

pub(super) async fn put_card(State(st): State<AppState>, Path(serial): Path<String>, body: Bytes) -> Res {
    let put: PutCard = parse(&body)?;
    let mut card = st.card(&serial).ok_or(AdminError::NotFound("card"))?;
    if let Some(series) = put.series {
        card = st.set_card_series(&serial, series)?;
    }
    ok(card)
}

pub(super) async fn list_cis1_sessions(State(st): State<AppState>) -> Res {
    ok(st.cis1_sessions())
}

#[derive(Deserialize)]
pub(super) struct TicketQuery {
    ticket: String,
}

pub(super) async fn end_cis1_session(
    State(st): State<AppState>,
    q: Result<Query<TicketQuery>, axum::extract::rejection::QueryRejection>,
) -> Res {
    let Ok(Query(q)) = q else {
        return Err(AdminError::InvalidRequest(
            "the ticket query parameter (URL-encoded) is required".into(),
        ));
    };
    if st.end_cis1_session(&q.ticket) {
        no_content()
    } else {
        Err(AdminError::NotFound("CIS1 session"))
    }
}

pub(super) async fn insert_card(State(st): State<AppState>, Path(serial): Path<String>) -> Res {
    let card = lock(&st.0.cards).insert(&serial);
    ok(card.ok_or(AdminError::NotFound("card"))?)
}

pub(super) async fn remove_card(State(st): State<AppState>, Path(serial): Path<String>) -> Res {
    let card = lock(&st.0.cards).remove(&serial);
    let card = card.ok_or(AdminError::NotFound("card"))?;
    let ended_cis1 = cis1_card_removed(&st, &serial);
    let ended = card_removed(&st, &serial);
    ok(json!({ "card": card, "ended_sessions": ended, "ended_cis1_sessions": ended_cis1 }))
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
