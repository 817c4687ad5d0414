//! `GET /cards/events` on the bridge's Credential Management port: a server-sent event stream of virtual
//! card-reader events for the browser SDK.
//!
//! ```text
//! event: card_inserted
//! data: {"reader":"cis2-mock-idp Virtual Reader 0","card_id":"VC656005750108","uid":"656005750108"}
//!
//! event: card_removed
//! data: {"reader":"cis2-mock-idp Virtual Reader 0","card_id":"VC656005750108","uid":"656005750108"}
//!
//! event: ping
//! data: {}
//! ```
//!
//! Events come from [`AppState::card_events`] (admin `POST /cards/{serial}/insert|remove`, smartcard
//! logins); a `ping` follows every 15 seconds. Only events after the stream opened are sent. A subscriber
//! too slow to keep up skips the events it missed rather than ending the stream. Open streams are counted
//! ([`AppState::card_event_subscribers`], `card_event_subscribers` in `GET /admin/api/bridge`).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::cors::cors;
use crate::cards::CardEvent;
use crate::state::{AppState, BridgeState};

/// The Credential Management surface (card-reader events).
pub(crate) fn cm_router(st: AppState) -> Router {
    Router::new()
        .route("/cards/events", get(card_events))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
        .with_state(st)
}

/// Counts one open card-event stream while it lives (held in the stream's state, dropped with it).
#[derive(Debug)]
pub(crate) struct Subscriber(Arc<AtomicUsize>);

impl Subscriber {
    pub(crate) fn new(st: &AppState) -> Self {
        let n = Arc::clone(&st.0.bridge.subscribers);
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How often a `ping` event goes out.
pub(crate) const PING_INTERVAL: Duration = Duration::from_secs(15);

fn to_sse(ev: &CardEvent, reader: &str) -> Event {
    let (name, serial, uid) = match ev {
        CardEvent::Inserted { serial, uid } => ("card_inserted", serial, uid),
        CardEvent::Removed { serial, uid } => ("card_removed", serial, uid),
    };
    Event::default()
        .event(name)
        .data(json!({"reader": reader, "card_id": serial, "uid": uid}).to_string())
}

pub(crate) async fn card_events(State(st): State<AppState>) -> Response {
    if st.bridge_state() == BridgeState::CmNotRunning {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let rx = st.card_events();
    let reader = st.0.config.bridge.reader_name.clone();
    let start = tokio::time::Instant::now() + PING_INTERVAL;
    let ping = tokio::time::interval_at(start, PING_INTERVAL);
    // The guard lives in the stream's state: the count drops when the stream does (client gone, shutdown).
    let guard = Subscriber::new(&st);
    let init = (rx, ping, reader, guard);
    let stream = futures_util::stream::unfold(init, |(mut rx, mut ping, reader, guard)| async move {
        loop {
            let event = tokio::select! {
                r = rx.recv() => match r {
                    Ok(ev) => to_sse(&ev, &reader),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                },
                _ = ping.tick() => Event::default().event("ping").data("{}"),
            };
            return Some((Ok::<_, Infallible>(event), (rx, ping, reader, guard)));
        }
    });
    let mut resp = Sse::new(stream).into_response();
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}
