//! Signing what the mock issues (ID tokens, signed userinfo, logout tokens): the faults armed for the client
//! and target are applied to the claims first, then [`crate::keys::sign_jwt`] signs with the active key.

use serde_json::{Map, Value};

use crate::faults::{FaultContext, Target, apply};
use crate::keys::sign_jwt;
use crate::state::{AppState, lock, read};

/// Applies the faults armed for `client_id` and the user `uid` on `target`, then signs.
pub(crate) fn sign(
    st: &AppState,
    client_id: &str,
    uid: Option<&str>,
    target: Target,
    typ: Option<&str>,
    mut claims: Map<String, Value>,
) -> Result<String, String> {
    let faults = lock(&st.0.faults).take(Some(client_id), uid, target);
    let ctx = FaultContext {
        issuer: st.issuer(),
        now: st.0.clock.now().as_secs(),
    };
    let sign_faults = apply(&faults, &mut claims, &ctx);
    let entry = read(&st.0.keys).signer(&sign_faults)?;
    sign_jwt(&entry, typ, &claims, &sign_faults)
}

/// Applies claim faults without signing (plain JSON userinfo).
pub(crate) fn mutate(
    st: &AppState,
    client_id: &str,
    uid: Option<&str>,
    target: Target,
    claims: &mut Map<String, Value>,
) {
    let faults = lock(&st.0.faults).take(Some(client_id), uid, target);
    let ctx = FaultContext {
        issuer: st.issuer(),
        now: st.0.clock.now().as_secs(),
    };
    let _ = apply(&faults, claims, &ctx);
}
