//! The observation log: one entry per request a relying party makes to the protocol endpoints (discovery,
//! JWKS, authorize, token, userinfo, end-session) and one per finished back-channel logout delivery attempt,
//! with the client and user when the mock knows them. A conformance suite decides on it: read it with
//! [`AppState::observed_since`](crate::AppState::observed_since), or await new entries with
//! [`AppState::subscribe_observed`](crate::AppState::subscribe_observed). `crate::oidc` and `crate::logout`
//! write it through `AppState::observe`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// How many entries the log keeps (the oldest go first).
pub(crate) const OBSERVED_MAX: usize = 10_000;

/// How many entries a subscriber may fall behind before it sees `RecvError::Lagged`.
const CHANNEL_CAPACITY: usize = 4096;

/// The most of a client id, uid or detail an entry keeps (bytes); request input can be long.
const FIELD_MAX: usize = 256;

/// Which endpoint an [`Observed`] entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObservedEndpoint {
    /// `GET /.well-known/openid-configuration`.
    Discovery,
    /// `GET /connect/jwk_uri`.
    Jwks,
    /// `GET` / `POST /authorize`.
    Authorize,
    /// `POST /access_token`.
    Token,
    /// `GET` / `POST /userinfo`.
    Userinfo,
    /// `GET` / `POST /connect/endSession`.
    EndSession,
    /// One finished attempt to POST a logout token to a client's `backchannel_logout_uri` (the mock calls
    /// the relying party).
    BackchannelDelivery,
}

/// One observed request (or back-channel delivery attempt).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Observed {
    /// Increasing from 1; never reused, not even after a clear.
    pub seq: u64,
    /// When, on the mock's clock (its offset applied): milliseconds since the UNIX epoch.
    pub at_ms: u64,
    /// The endpoint.
    pub endpoint: ObservedEndpoint,
    /// The client, when known: the authenticated client (token), the access token's (userinfo), the
    /// `client_id` parameter (authorize; end-session, else the `id_token_hint`'s audience), the delivery's.
    pub client_id: Option<String>,
    /// The user, when known: the code's (token), the access token's (userinfo), the browser's SSO session
    /// (authorize), the `id_token_hint`'s `sub` or the ended session's (end-session), the logout token's
    /// `sub` (delivery).
    pub uid: Option<String>,
    /// The HTTP status the mock answered; for a delivery, the relying party's answer, 0 on a transport error.
    pub status: u16,
    /// More, for some endpoints: a delivery's `delivery <id> <outcome>` (`delivered`, `rejected`, `failed`,
    /// or `retrying` when another attempt follows), with `: <error>` after a transport error.
    pub detail: Option<String>,
    /// The signed token the response carried, in full: the token endpoint's ID token, a signed userinfo
    /// (evidence for a conformance report; the mock's own output, so not clipped).
    pub token: Option<String>,
}

/// The log and its broadcast channel.
#[derive(Debug)]
pub(crate) struct ObservationLog {
    seq: u64,
    items: VecDeque<Observed>,
    tx: broadcast::Sender<Observed>,
}

impl Default for ObservationLog {
    fn default() -> Self {
        Self {
            seq: 0,
            items: VecDeque::new(),
            tx: broadcast::channel(CHANNEL_CAPACITY).0,
        }
    }
}

/// `v` cut to [`FIELD_MAX`] bytes on a character boundary.
fn clip(v: &str) -> String {
    let mut end = v.len().min(FIELD_MAX);
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    v.get(..end).unwrap_or_default().to_owned()
}

impl ObservationLog {
    /// Records an entry (numbering it) and broadcasts it; returns its `seq`.
    pub(crate) fn record(
        &mut self,
        at_ms: u64,
        endpoint: ObservedEndpoint,
        client_id: Option<&str>,
        uid: Option<&str>,
        status: u16,
        detail: Option<&str>,
    ) -> u64 {
        self.seq += 1;
        let entry = Observed {
            seq: self.seq,
            at_ms,
            endpoint,
            client_id: client_id.map(clip),
            uid: uid.map(clip),
            status,
            detail: detail.map(clip),
            token: None,
        };
        if self.items.len() >= OBSERVED_MAX {
            self.items.pop_front();
        }
        self.items.push_back(entry.clone());
        // No subscriber is fine.
        let _ = self.tx.send(entry);
        self.seq
    }

    /// Attaches the signed token the response of entry `seq` carried (before it is broadcast is not needed:
    /// readers of [`Self::since`] see it; the broadcast copy does not carry it).
    pub(crate) fn attach_token(&mut self, seq: u64, token: &str) {
        if let Some(o) = self.items.iter_mut().rev().find(|o| o.seq == seq) {
            o.token = Some(token.to_owned());
        }
    }

    /// The entries with `seq > since`, oldest first.
    pub(crate) fn since(&self, since: u64) -> Vec<Observed> {
        let start = self.items.partition_point(|o| o.seq <= since);
        self.items.range(start..).cloned().collect()
    }

    /// The highest `seq` handed out (0 before the first entry).
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Observed> {
        self.tx.subscribe()
    }

    /// Forgets the entries; numbering goes on.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bounded_numbered_and_clipped() {
        let mut log = ObservationLog::default();
        let mut rx = log.subscribe();
        for _ in 0..OBSERVED_MAX + 5 {
            log.record(0, ObservedEndpoint::Jwks, None, None, 200, None);
        }
        assert_eq!(log.seq(), (OBSERVED_MAX + 5) as u64);
        assert_eq!(log.since(0).len(), OBSERVED_MAX);
        assert_eq!(log.since(0)[0].seq, 6);
        assert_eq!(log.since(log.seq() - 2).len(), 2);
        assert_eq!(
            rx.try_recv().unwrap_err(),
            broadcast::error::TryRecvError::Lagged(5_909)
        );
        let long = "é".repeat(300);
        log.record(0, ObservedEndpoint::Token, Some(&long), None, 400, None);
        let last = log.since(log.seq() - 1).pop().unwrap();
        assert!(last.client_id.unwrap().len() <= FIELD_MAX);
        log.clear();
        assert!(log.since(0).is_empty());
        assert_eq!(
            log.record(0, ObservedEndpoint::Jwks, None, None, 200, None),
            (OBSERVED_MAX + 7) as u64
        );
    }
}
