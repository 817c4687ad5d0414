//! The bridge's switches and read-outs on [`AppState`] (the admin API and tests drive them).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use crate::cards::CardMode;
use crate::state::{AppState, BridgeState, lock};

impl AppState {
    /// The bridge's CORS allow-list in force: the admin API's, else the configured one.
    pub fn bridge_allowed_origins(&self) -> Vec<String> {
        lock(&self.0.bridge.allowed_origins)
            .clone()
            .unwrap_or_else(|| self.0.config.bridge.allowed_origins.clone())
    }

    /// Replaces the bridge's CORS allow-list until the next call (`PUT /admin/api/bridge`).
    pub fn set_bridge_allowed_origins(&self, origins: Vec<String>) {
        *lock(&self.0.bridge.allowed_origins) = Some(origins);
    }

    /// What the emulated Port Service answers (`GET /admin/api/bridge`).
    pub fn bridge_state(&self) -> BridgeState {
        *lock(&self.0.bridge.state)
    }

    /// Switches what the emulated Port Service answers (`PUT /admin/api/bridge`).
    pub fn set_bridge_state(&self, s: BridgeState) {
        *lock(&self.0.bridge.state) = s;
    }

    /// The bound Port Service listeners (empty when the bridge is off).
    pub fn bridge_port_service_addrs(&self) -> Vec<SocketAddr> {
        lock(&self.0.bridge.bound).port_service.clone()
    }

    /// The bound Credential Management listener (`None` when the bridge is off).
    pub fn bridge_cm_addr(&self) -> Option<SocketAddr> {
        lock(&self.0.bridge.bound).cm
    }

    /// How many `GET /cards/events` streams are open on the CM listener.
    pub fn card_event_subscribers(&self) -> usize {
        self.0.bridge.subscribers.load(Ordering::SeqCst)
    }
}

/// The service name `ConnectPRService` reports for a card mode.
pub(crate) fn service_name(mode: CardMode) -> &'static str {
    match mode {
        CardMode::IdentityAgent => "IdentityAgent",
        CardMode::SmartcardConnect => "CredentialManagement",
    }
}
