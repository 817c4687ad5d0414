//! The back-channel logout delivery log: what was sent to whom, and how each attempt went (the admin API
//! and [`AppState::deliveries`](crate::AppState::deliveries) read it; `crate::logout` writes it).

use serde::Serialize;

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

    pub(crate) fn add(&mut self, mut d: Delivery) -> u64 {
        self.next += 1;
        d.id = self.next;
        self.items.push(d);
        if self.items.len() > 1000 {
            self.items.remove(0);
        }
        self.next
    }

    pub(crate) fn update(&mut self, id: u64, f: impl FnOnce(&mut Delivery)) {
        if let Some(d) = self.items.iter_mut().find(|d| d.id == id) {
            f(d);
        }
    }
}
