//! Session ends: RP-initiated logout (`/connect/endSession`), expiry, admin action and smartcard removal all
//! go through [`end_session`], which POSTs a logout token to every client of the session that registered a
//! `backchannel_logout_uri`, retrying on 5xx and transport errors, and records each attempt.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::errors::{append_query, found};
use crate::faults::Target;
use crate::pages::{error_page, signed_out_page};
use crate::sessions::{SESSION_COOKIE, SsoSession, random_token};

/// One POST attempt.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// When (mock clock, seconds).
    pub at: u64,
    /// HTTP status, when a response came.
    pub status: Option<u16>,
    /// Transport error, when none did.
    pub error: Option<String>,
}

/// One back-channel logout delivery and its attempts.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Delivery {
    /// Id.
    pub id: u64,
    /// The client.
    pub client_id: String,
    /// Its `backchannel_logout_uri`.
    pub uri: String,
    /// The session.
    pub sid: String,
    /// The user.
    pub sub: String,
    /// Why the session ended: `logout`, `expired`, `admin`, `smartcard_removed`, `replaced`.
    pub reason: String,
    /// `pending`, `delivered` (2xx), `rejected` (4xx, not retried) or `failed` (attempts exhausted).
    pub outcome: String,
    /// Attempts so far.
    pub attempts: Vec<DeliveryAttempt>,
    /// The logout token sent (the same on every retry).
    pub logout_token: String,
}

/// The delivery log (in memory, last 1000).
#[derive(Debug, Default)]
pub(crate) struct DeliveryLog {
    next: u64,
    items: Vec<Delivery>,
}

impl DeliveryLog {
    pub(crate) fn all(&self) -> Vec<Delivery> {
        self.items.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }

    fn add(&mut self, mut d: Delivery) -> u64 {
        self.next += 1;
        d.id = self.next;
        self.items.push(d);
        if self.items.len() > 1000 {
            self.items.remove(0);
        }
        self.next
    }

    fn update(&mut self, id: u64, f: impl FnOnce(&mut Delivery)) {
        if let Some(d) = self.items.iter_mut().find(|d| d.id == id) {
            f(d);
        }
    }
}

/// Ends the session behind `cookie` and starts back-channel logout for its clients.
pub(crate) fn end_session(st: &AppState, cookie: &str, reason: &str) -> Option<SsoSession> {
    let session = crate::lock(&st.0.sessions).sso.remove(cookie)?;
    tracing::info!(sid = %session.sid, reason, "session ended");
    notify(st, &session, reason);
    Some(session)
}

/// Ends the session with this `sid`.
pub(crate) fn end_session_by_sid(st: &AppState, sid: &str, reason: &str) -> Option<SsoSession> {
    let cookie = crate::lock(&st.0.sessions).cookie_of_sid(sid)?;
    end_session(st, &cookie, reason)
}

/// Ends the smartcard sessions of a removed card (Identity Agent mode only).
pub(crate) fn card_removed(st: &AppState, serial: &str) -> Vec<String> {
    if crate::lock(&st.0.cards).mode() != crate::cards::CardMode::IdentityAgent {
        return Vec::new();
    }
    let cookies: Vec<String> = crate::lock(&st.0.sessions)
        .sso
        .values()
        .filter(|s| s.card_serial.as_deref() == Some(serial))
        .map(|s| s.cookie.clone())
        .collect();
    cookies
        .iter()
        .filter_map(|c| end_session(st, c, "smartcard_removed"))
        .map(|s| s.sid)
        .collect()
}

fn logout_claims(st: &AppState, client_id: &str, s: &SsoSession) -> Map<String, Value> {
    let mut events = Map::new();
    events.insert(
        cis2_sdk::BACKCHANNEL_LOGOUT_EVENT.to_owned(),
        Value::Object(Map::new()),
    );
    let mut c = Map::new();
    c.insert("iss".into(), st.issuer().into());
    c.insert("aud".into(), client_id.into());
    c.insert("sub".into(), s.uid.clone().into());
    c.insert("sid".into(), s.sid.clone().into());
    c.insert("iat".into(), st.0.clock.now().as_secs().into());
    c.insert("jti".into(), random_token(16).into());
    c.insert("events".into(), Value::Object(events));
    c
}

fn notify(st: &AppState, s: &SsoSession, reason: &str) {
    for client_id in &s.clients {
        let Some(client) = st.client(client_id) else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let token = match crate::claims::sign(
            st,
            client_id,
            Target::LogoutToken,
            Some("logout+jwt"),
            logout_claims(st, client_id, s),
        ) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "could not sign a logout token");
                continue;
            }
        };
        let id = crate::lock(&st.0.deliveries).add(Delivery {
            id: 0,
            client_id: client_id.clone(),
            uri: uri.clone(),
            sid: s.sid.clone(),
            sub: s.uid.clone(),
            reason: reason.to_owned(),
            outcome: "pending".into(),
            attempts: Vec::new(),
            logout_token: token.clone(),
        });
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(deliver(st.clone(), id, uri, token));
        }
    }
}

async fn deliver(st: AppState, id: u64, uri: String, token: String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", &token)
        .finish();
    let attempts = st.0.config.backchannel_logout_attempts.max(1);
    let mut delay = Duration::from_millis(st.0.config.backchannel_logout_retry_ms);
    for n in 1..=attempts {
        let res =
            st.0.http
                .post(&uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await;
        let at = st.0.clock.now().as_secs();
        let (attempt, outcome) = match res {
            Ok(r) if r.status().is_success() => (
                DeliveryAttempt {
                    at,
                    status: Some(r.status().as_u16()),
                    error: None,
                },
                Some("delivered"),
            ),
            Ok(r) if r.status().is_server_error() => (
                DeliveryAttempt {
                    at,
                    status: Some(r.status().as_u16()),
                    error: None,
                },
                None,
            ),
            Ok(r) => (
                DeliveryAttempt {
                    at,
                    status: Some(r.status().as_u16()),
                    error: None,
                },
                Some("rejected"),
            ),
            Err(e) => (
                DeliveryAttempt {
                    at,
                    status: None,
                    error: Some(e.to_string()),
                },
                None,
            ),
        };
        let outcome = outcome.or((n == attempts).then_some("failed"));
        crate::lock(&st.0.deliveries).update(id, |d| {
            d.attempts.push(attempt);
            if let Some(o) = outcome {
                d.outcome = o.to_owned();
            }
        });
        if outcome.is_some() {
            tracing::info!(id, uri = %uri, outcome, attempts = n, "back-channel logout");
            return;
        }
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
    }
}

/// Ends expired sessions (with back-channel logout) and prunes old state.
pub(crate) fn sweep(st: &AppState) {
    let now = st.0.clock.now();
    let expired: Vec<String> = {
        let mut sessions = crate::lock(&st.0.sessions);
        sessions.prune(now);
        sessions
            .sso
            .values()
            .filter(|s| s.expires_at <= now)
            .map(|s| s.cookie.clone())
            .collect()
    };
    for c in expired {
        end_session(st, &c, "expired");
    }
}

/// Runs [`sweep`] every second.
pub(crate) async fn sweep_forever(st: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        sweep(&st);
    }
}

/// `GET /connect/endSession`.
pub(crate) async fn end_session_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    rp_logout(&st, &headers, &q)
}

/// `POST /connect/endSession` (form).
pub(crate) async fn end_session_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(q): axum::Form<HashMap<String, String>>,
) -> Response {
    rp_logout(&st, &headers, &q)
}

fn rp_logout(st: &AppState, headers: &HeaderMap, q: &HashMap<String, String>) -> Response {
    // The hint only locates the session and its client; it was issued by us, and an expired one is fine
    // (OIDC RP-Initiated Logout §2), so nothing here is a validation decision.
    let hint = q
        .get("id_token_hint")
        .map(|h| cis2_sdk::dangerous::insecure_decode(h));
    let hint_claims = match hint {
        Some(Ok((_, c))) => Some(c),
        Some(Err(_)) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Sign-out failed",
                "id_token_hint is not a JWT.",
            );
        }
        None => None,
    };
    let hint_aud = hint_claims.as_ref().and_then(|c| match c.get("aud") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(a)) => a.first().and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    });
    let client_id = q.get("client_id").cloned().or(hint_aud.clone());
    if let (Some(c), Some(a)) = (q.get("client_id"), &hint_aud)
        && c != a
    {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-out failed",
            "client_id does not match the id_token_hint.",
        );
    }
    let redirect = match q.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let registered = client_id
                .as_deref()
                .and_then(|id| st.client(id))
                .is_some_and(|c| c.post_logout_redirect_uris.iter().any(|u| u == uri));
            if !registered {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Sign-out failed",
                    "post_logout_redirect_uri is not registered for this client.",
                );
            }
            Some(uri.clone())
        }
    };
    let sid = hint_claims
        .as_ref()
        .and_then(|c| c.get("sid"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    match (sid, crate::authorize::session_cookie(headers)) {
        (Some(sid), _) => {
            end_session_by_sid(st, &sid, "logout");
        }
        (None, Some(cookie)) => {
            end_session(st, &cookie, "logout");
        }
        (None, None) => {}
    }
    let mut resp = match redirect {
        Some(uri) => {
            let state = q.get("state").map(String::as_str);
            let loc = match state {
                Some(s) => append_query(&uri, &[("state", s)]),
                None => uri,
            };
            found(&loc)
        }
        None => signed_out_page(),
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
