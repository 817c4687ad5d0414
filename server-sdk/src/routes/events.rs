//! `GET /events`: a server-sent-events stream that tells the browser its session ended and why.
//!
//! Wire format: first `event: ready` / `data: {}` once the stream is subscribed; later at most one
//! `event: session_ended` / `data: {"reason":"backchannel_logout"}` (reasons: `signed_out`,
//! `backchannel_logout`, `idle_timeout`, `expired`), after which the stream closes. Comments keep it alive.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use http::{HeaderMap, StatusCode};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Cis2Auth;
use crate::auth::SessionLookup;
use crate::error::ApiError;
use crate::routes::wire::no_store;
use crate::store::EndReason;

fn ended(reason: EndReason) -> Event {
    Event::default()
        .event(cis2_sdk::bff::routes::SESSION_ENDED_EVENT)
        .data(serde_json::json!({ "reason": reason.as_str() }).to_string())
}

enum Phase {
    Ready,
    Watching,
    Done,
}

pub(crate) async fn events(State(auth): State<Cis2Auth>, headers: HeaderMap) -> Response {
    // Subscribe before checking the session, so nothing that ends it afterwards is missed.
    let rx = auth.store().backend().subscribe();
    let key = match auth.lookup_session(&headers, false).await {
        Ok(SessionLookup::Active(rec)) => rec.key,
        Ok(SessionLookup::Ended(reason)) => {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "login_required",
                "the session has ended",
            )
            .with("reason", reason.as_str())
            .into_response();
        }
        Ok(SessionLookup::Missing) => {
            return ApiError::new(StatusCode::UNAUTHORIZED, "login_required", "no session").into_response();
        }
        Err(e) => return ApiError::unavailable(&e).into_response(),
    };
    let stream = session_stream(auth.clone(), key, rx);
    (
        [no_store()],
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))),
    )
        .into_response()
}

fn session_stream(
    auth: Cis2Auth,
    key: String,
    rx: tokio::sync::broadcast::Receiver<crate::store::SessionEvent>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut tick = tokio::time::interval(auth.0.settings.events_check_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    stream::unfold(
        (Phase::Ready, auth, key, rx, tick),
        |(phase, auth, key, mut rx, mut tick)| async move {
            match phase {
                Phase::Ready => {
                    tick.reset();
                    let ev = Event::default().event("ready").data("{}");
                    Some((Ok(ev), (Phase::Watching, auth, key, rx, tick)))
                }
                Phase::Done => None,
                Phase::Watching => {
                    let reason = loop {
                        tokio::select! {
                            msg = rx.recv() => match msg {
                                Ok(ev) if ev.sessions.contains(&key) => break ev.reason,
                                Ok(_) => {}
                                Err(RecvError::Lagged(_)) => {
                                    if let Some(r) = check(&auth, &key).await { break r; }
                                }
                                Err(RecvError::Closed) => return None,
                            },
                            _ = tick.tick() => {
                                if let Some(r) = check(&auth, &key).await { break r; }
                            }
                        }
                    };
                    Some((Ok(ended(reason)), (Phase::Done, auth, key, rx, tick)))
                }
            }
        },
    )
}

/// Re-checks the session (timeouts end it here too). `Some(reason)` when it is over.
async fn check(auth: &Cis2Auth, key: &str) -> Option<EndReason> {
    match auth.lookup_key(key, false).await {
        Ok(SessionLookup::Active(_)) => None,
        Ok(SessionLookup::Ended(reason)) => Some(reason),
        // Gone with no recorded reason: the store dropped it past its absolute deadline.
        Ok(SessionLookup::Missing) => Some(EndReason::Expired),
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "session check failed");
            None
        }
    }
}
