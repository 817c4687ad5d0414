//! The `webauthn-rs` relying party for this mock: RP ID, allowed origins, timeout.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

use super::reply::{error, internal};
use crate::state::AppState;

/// The `webauthn-rs` verifier for this mock.
pub(crate) fn verifier(st: &AppState) -> Result<Webauthn, Response> {
    let cfg = &st.0.config.webauthn;
    let issuer = Url::parse(st.issuer()).map_err(|e| internal(format!("issuer: {e}")))?;
    let origin = Url::parse(&issuer.origin().ascii_serialization())
        .map_err(|e| internal(format!("issuer origin: {e}")))?;
    let rp_id = match &cfg.rp_id {
        Some(id) => id.clone(),
        None => issuer.host_str().unwrap_or_default().to_owned(),
    };
    let mut b = WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|e| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "webauthn_unavailable",
                format!(
                    "WebAuthn needs an issuer on a domain name (RP ID {rp_id:?} does not fit origin {origin}): {e:?}"
                ),
            )
        })?
        .rp_name("NHS Care Identity Service (mock)")
        .timeout(Duration::from_secs(cfg.ceremony_timeout_secs));
    let extra: Vec<Url> = cfg.origins.iter().filter_map(|o| Url::parse(o).ok()).collect();
    for o in &extra {
        b = b.append_allowed_origin(o);
    }
    b.build().map_err(|e| internal(format!("webauthn: {e:?}")))
}

/// A stable WebAuthn user handle for a test user: the first 16 bytes of SHA-256(uid).
pub(crate) fn user_handle(uid: &str) -> Uuid {
    use sha2::Digest as _;
    let h = sha2::Sha256::digest(uid.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    Uuid::from_bytes(b)
}
