//! Registered credentials (SQLite), ceremonies in progress (memory, single use, with a timeout) and the
//! signed-in user a registration belongs to.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::reply::{error, internal};
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::authenticators::AuthMethod;
use crate::credentials::{Ceremony, CredentialKind, StoredCredential};
use crate::http::session_cookie;
use crate::sessions::make_room;
use crate::state::{AppState, lock};
use crate::store::StoreError;

/// Every registered credential (rows that no longer parse are skipped).
pub(crate) fn stored(st: &AppState) -> Result<Vec<StoredCredential>, StoreError> {
    let docs = st.0.store.credentials()?;
    Ok(docs
        .into_iter()
        .filter_map(|d| serde_json::from_value(d).ok())
        .collect())
}

/// The credentials of one user.
pub(crate) fn credentials_of(st: &AppState, uid: &str) -> Result<Vec<StoredCredential>, StoreError> {
    Ok(stored(st)?.into_iter().filter(|c| c.uid == uid).collect())
}

/// Stores a credential (create or replace).
pub(crate) fn save(st: &AppState, c: &StoredCredential) -> Result<(), Response> {
    let doc = serde_json::to_value(c).map_err(internal)?;
    st.0.store
        .put_credential(&c.credential_id, &c.uid, &doc)
        .map_err(internal)
}

/// Puts a ceremony away (pruning expired ones; at most `max_interactions`, the oldest dropped first) and
/// returns its id.
pub(crate) fn stash(st: &AppState, c: Ceremony) -> String {
    let id = random_token(&mut OsRng, 24);
    let now = st.0.clock.now();
    let ttl = Duration::from_secs(st.0.config.webauthn.ceremony_timeout_secs);
    let mut s = lock(&st.0.sessions);
    s.webauthn
        .retain(|_, c| now.duration_since(c.created) <= ttl.saturating_mul(2));
    make_room(&mut s.webauthn, st.0.config.max_interactions, |c| c.created);
    s.webauthn.insert(id.clone(), c);
    id
}

/// Takes a ceremony out (single use: it is gone whatever happens next) and checks its age.
pub(crate) fn take(st: &AppState, id: &str) -> Result<Ceremony, Response> {
    let c = lock(&st.0.sessions).webauthn.remove(id);
    let Some(c) = c else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "unknown_ceremony",
            "no such WebAuthn ceremony: it never existed, was already used, or was started elsewhere",
        ));
    };
    let ttl = Duration::from_secs(st.0.config.webauthn.ceremony_timeout_secs);
    if st.0.clock.now().duration_since(c.created) > ttl {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "ceremony_expired",
            format!(
                "the WebAuthn ceremony is older than {} seconds; start again",
                ttl.as_secs()
            ),
        ));
    }
    Ok(c)
}

/// The signed-in user behind the SSO cookie.
pub(crate) fn signed_in_uid(st: &AppState, headers: &HeaderMap) -> Option<String> {
    signed_in(st, headers).map(|(uid, _)| uid)
}

/// The signed-in user behind the SSO cookie and how they signed in.
pub(crate) fn signed_in(st: &AppState, headers: &HeaderMap) -> Option<(String, AuthMethod)> {
    let cookie = session_cookie::get(headers)?;
    let now = st.0.clock.now();
    lock(&st.0.sessions)
        .by_cookie(&cookie, now)
        .map(|s| (s.uid.clone(), s.method))
}

/// With `[webauthn] registration_needs_level`, refuses (403 `insufficient_assurance`) a session below the
/// level of the credential it would register (a security key AAL3, a passkey AAL2).
pub(crate) fn check_registration_aal(
    st: &AppState,
    method: AuthMethod,
    kind: CredentialKind,
) -> Result<(), Response> {
    let needed = kind.method().aal();
    if !st.0.config.webauthn.registration_needs_level || method.aal() >= needed {
        return Ok(());
    }
    Err(error(
        StatusCode::FORBIDDEN,
        "insufficient_assurance",
        format!(
            "registering a {} needs a session at AAL{needed} or higher; this one is AAL{} ({}): sign in \
             again with a stronger authenticator",
            kind.label(),
            method.aal(),
            method.as_str()
        ),
    ))
}
