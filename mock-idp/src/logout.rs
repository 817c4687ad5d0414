//! Session ends: RP-initiated logout (`/connect/endSession`, in `crate::oidc`), expiry, admin action, a
//! replaced session and smartcard removal all go through [`end_session`], which POSTs a logout token to
//! every client of the session that registered a `backchannel_logout_uri`, retrying on 5xx and transport
//! errors, and records each attempt (`crate::deliveries`).

use std::time::Duration;

use axum::http::header;
use serde::Deserialize;

use cis2_sdk::{LogoutTokenClaims, random_token};
use rand::rngs::OsRng;

use crate::cards::CardMode;
use crate::deliveries::{Delivery, DeliveryAttempt};
use crate::errors::AdminError;
use crate::faults::Target;
use crate::observed::ObservedEndpoint;
use crate::sessions::SsoSession;
use crate::signing;
use crate::state::{AppState, lock};

/// A logout token to mint ([`AppState::mint_logout_token`], `POST /admin/api/logout-tokens`).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct MintLogoutToken {
    /// The client (`aud`); must be registered.
    pub client_id: String,
    /// `sub` (the user); at least one of `sub` and `sid` is needed.
    #[serde(default)]
    pub sub: Option<String>,
    /// `sid` (an SSO session id, live or not).
    #[serde(default)]
    pub sid: Option<String>,
    /// `jti`; a random one when `None`.
    #[serde(default)]
    pub jti: Option<String>,
}

impl MintLogoutToken {
    /// A token for `client_id`; name the user or session with [`with_sub`](Self::with_sub) /
    /// [`with_sid`](Self::with_sid).
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            sub: None,
            sid: None,
            jti: None,
        }
    }

    /// With this `sub`.
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// With this `sid`.
    pub fn with_sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// With this `jti` (to replay one, say).
    pub fn with_jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }
}

impl AppState {
    /// Ends the session with this `sid` (back-channel logout, reason `admin`); false when there is none.
    /// Every client of the session with a `backchannel_logout_uri` gets a logout token, in the background:
    /// [`deliveries`](Self::deliveries) lists them at once (outcome `pending`), and each finished attempt
    /// is a [`BackchannelDelivery`](crate::ObservedEndpoint::BackchannelDelivery) observation
    /// ([`subscribe_observed`](Self::subscribe_observed)).
    pub fn end_session(&self, sid: &str) -> bool {
        end_session_by_sid(self, sid, "admin").is_some()
    }

    /// A logout token built and signed exactly as the mock's own back-channel deliveries are (active key,
    /// `typ: logout+jwt`, `iat` now on the mock's clock), with the faults armed for the client and for the
    /// user `sub` on `logout_token` applied (and used up). Nothing is sent: the caller posts it. Errors:
    /// `not_found` for an unregistered client, `invalid_request` without `sub` and `sid`.
    pub fn mint_logout_token(&self, req: MintLogoutToken) -> Result<String, AdminError> {
        if self.client(&req.client_id).is_none() {
            return Err(AdminError::NotFound("client"));
        }
        if req.sub.is_none() && req.sid.is_none() {
            return Err(AdminError::InvalidRequest("sub or sid is required".into()));
        }
        let jti = req.jti.unwrap_or_else(|| random_token(&mut OsRng, 16));
        sign_logout_token(self, &req.client_id, req.sub.as_deref(), req.sid.as_deref(), jti)
            .map_err(AdminError::Internal)
    }

    /// Removes a virtual card from the reader; returns the sids of the CIS2 sessions that ended (Identity
    /// Agent mode), or `None` when the card is unknown. The card's CIS1 sessions end in every mode.
    pub fn remove_card(&self, serial: &str) -> Option<Vec<String>> {
        lock(&self.0.cards).remove(serial)?;
        Some(card_removed(self, serial))
    }
}

/// Ends the session behind `cookie` and starts back-channel logout for its clients.
pub(crate) fn end_session(st: &AppState, cookie: &str, reason: &str) -> Option<SsoSession> {
    let session = lock(&st.0.sessions).sso.remove(cookie)?;
    ended(st, &session, reason);
    Some(session)
}

/// Back-channel logout for a session already taken out of the map (by [`end_session`], or evicted).
pub(crate) fn ended(st: &AppState, session: &SsoSession, reason: &str) {
    tracing::info!(sid = %session.sid, reason, "session ended");
    notify(st, session, reason);
}

/// Ends the session with this `sid`.
pub(crate) fn end_session_by_sid(st: &AppState, sid: &str, reason: &str) -> Option<SsoSession> {
    let cookie = lock(&st.0.sessions).cookie_of_sid(sid)?;
    end_session(st, &cookie, reason)
}

/// Ends the CIS1 sessions a removed card signed in, in every card mode (a CIS1 session only exists through
/// the Identity Agent, which destroys the SSO token when the card comes out: cis2.md §11, SpineCore).
/// Returns their tickets.
pub(crate) fn cis1_card_removed(st: &AppState, serial: &str) -> Vec<String> {
    let tickets = lock(&st.0.cis1).end_card(serial);
    if !tickets.is_empty() {
        tracing::info!(
            serial,
            count = tickets.len(),
            "CIS1 sessions ended: smartcard removed"
        );
    }
    tickets
}

/// Ends the sessions of a removed card: its CIS1 sessions always ([`cis1_card_removed`]), its CIS2 smartcard
/// sessions in Identity Agent mode only. Returns the CIS2 sids.
pub(crate) fn card_removed(st: &AppState, serial: &str) -> Vec<String> {
    cis1_card_removed(st, serial);
    if lock(&st.0.cards).mode() != CardMode::IdentityAgent {
        return Vec::new();
    }
    let cookies: Vec<String> = lock(&st.0.sessions)
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

/// Builds and signs a logout token (the faults armed for the client and the user `sub` applied): the one
/// code path for deliveries and [`AppState::mint_logout_token`].
fn sign_logout_token(
    st: &AppState,
    client_id: &str,
    sub: Option<&str>,
    sid: Option<&str>,
    jti: String,
) -> Result<String, String> {
    let mut claims = LogoutTokenClaims::new(st.issuer(), client_id, st.0.clock.now(), jti);
    if let Some(sub) = sub {
        claims = claims.with_sub(sub);
    }
    if let Some(sid) = sid {
        claims = claims.with_sid(sid);
    }
    signing::sign(
        st,
        client_id,
        sub,
        Target::LogoutToken,
        Some("logout+jwt"),
        claims.to_claims(),
    )
}

fn notify(st: &AppState, s: &SsoSession, reason: &str) {
    for client_id in &s.clients {
        let Some(client) = st.client(client_id) else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let token = match sign_logout_token(
            st,
            client_id,
            Some(&s.uid),
            Some(&s.sid),
            random_token(&mut OsRng, 16),
        ) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "could not sign a logout token");
                continue;
            }
        };
        let id = lock(&st.0.deliveries).add(Delivery {
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
            let to = Recipient {
                id,
                client_id: client_id.clone(),
                sub: s.uid.clone(),
                uri,
            };
            handle.spawn(deliver(st.clone(), to, token));
        }
    }
}

/// Where a delivery goes, and what its observations say.
struct Recipient {
    /// The delivery's id in the log.
    id: u64,
    client_id: String,
    sub: String,
    uri: String,
}

async fn deliver(st: AppState, to: Recipient, token: String) {
    let (id, uri) = (to.id, &to.uri);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", &token)
        .finish();
    let attempts = st.0.config.backchannel_logout_attempts.max(1);
    let mut delay = Duration::from_millis(st.0.config.backchannel_logout_retry_ms);
    for n in 1..=attempts {
        let res =
            st.0.http
                .post(uri)
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
        let detail = match &attempt.error {
            Some(e) => format!("delivery {id} {}: {e}", outcome.unwrap_or("retrying")),
            None => format!("delivery {id} {}", outcome.unwrap_or("retrying")),
        };
        let status = attempt.status.unwrap_or(0);
        lock(&st.0.deliveries).update(id, |d| {
            d.attempts.push(attempt);
            if let Some(o) = outcome {
                d.outcome = o.to_owned();
            }
        });
        st.observe(
            ObservedEndpoint::BackchannelDelivery,
            Some(&to.client_id),
            Some(&to.sub),
            status,
            Some(&detail),
        );
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
    lock(&st.0.cis1).prune(now, Duration::from_secs(st.0.config.cis1.challenge_lifetime_secs));
    let expired: Vec<String> = {
        let mut sessions = lock(&st.0.sessions);
        sessions.prune(now, Duration::from_secs(st.0.config.code_lifetime_secs));
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
