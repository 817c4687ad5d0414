//! Registration (`{realm}/webauthn/register/{start,finish}`): a signed-in user adds a security key, Windows
//! Hello or a passkey.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use webauthn_rs::prelude::RegisterPublicKeyCredential;
use webauthn_rs_proto::ResidentKeyRequirement;

use super::reply::{
    CeremonyBody, error, flatten, internal, no_store, parse_json, verification_failed, with_ceremony,
};
use super::rp::{user_handle, verifier};
use super::storage::{check_registration_aal, credentials_of, save, signed_in, stash, stored, take};
use crate::credentials::{Ceremony, CeremonyState, CredentialKind, StoredCredential};
use crate::state::AppState;

#[derive(Deserialize)]
struct RegisterStart {
    kind: String,
    #[serde(default)]
    name: String,
}

/// `POST {realm}/webauthn/register/start` (SSO cookie required).
pub(crate) async fn register_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    CeremonyBody(body): CeremonyBody,
) -> Response {
    flatten((|| {
        let req: RegisterStart = parse_json(&body)?;
        let Some((uid, method)) = signed_in(&st, &headers) else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "login_required",
                "sign in before registering an authenticator",
            ));
        };
        let Some(kind) = CredentialKind::parse(&req.kind) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "kind must be security_key, passkey or passkey_aal3",
            ));
        };
        let Some(user) = st.user(&uid) else {
            return Err(error(StatusCode::UNAUTHORIZED, "login_required", "unknown user"));
        };
        if !user.has(kind.method()) {
            return Err(error(
                StatusCode::FORBIDDEN,
                "not_allowed",
                format!("{} may not use a {}", user.name(), kind.label()),
            ));
        }
        check_registration_aal(&st, method, kind)?;
        let wa = verifier(&st)?;
        // The user's credentials go to the browser as `excludeCredentials`. The server-side check is ours
        // (after verification, against every stored credential id: WA-R16), so that a re-registration is a
        // clear 409 (webauthn-rs reports an excluded credential as `CredentialAlteredAlgFromRequest`).
        let exclude = credentials_of(&st, &uid)
            .map_err(internal)?
            .iter()
            .map(|c| webauthn_rs_proto::PublicKeyCredentialDescriptor {
                type_: "public-key".to_owned(),
                id: c.passkey.cred_id().to_vec(),
                transports: None,
            })
            .collect::<Vec<_>>();
        let display = user.name();
        let (mut ccr, state) = wa
            .start_passkey_registration(user_handle(&uid), &uid, &display, None)
            .map_err(|e| internal(format!("webauthn: {e:?}")))?;
        if !exclude.is_empty() {
            ccr.public_key.exclude_credentials = Some(exclude);
        }
        if matches!(kind, CredentialKind::Passkey | CredentialKind::PasskeyAal3)
            && let Some(sel) = ccr.public_key.authenticator_selection.as_mut()
        {
            // A passkey is a discoverable credential; the verification does not depend on this hint.
            sel.resident_key = Some(ResidentKeyRequirement::Required);
            sel.require_resident_key = true;
        }
        let name = if req.name.trim().is_empty() {
            kind.label().to_owned()
        } else {
            req.name.trim().chars().take(64).collect()
        };
        let id = stash(
            &st,
            Ceremony {
                created: st.0.clock.now(),
                uid,
                kind,
                state: CeremonyState::Register {
                    state: Box::new(state),
                    name,
                },
            },
        );
        Ok(with_ceremony(&id, ccr))
    })())
}

#[derive(Deserialize)]
struct RegisterFinish {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST {realm}/webauthn/register/finish`.
pub(crate) async fn register_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    CeremonyBody(body): CeremonyBody,
) -> Response {
    flatten((|| {
        let req: RegisterFinish = parse_json(&body)?;
        let c = take(&st, &req.ceremony)?;
        let CeremonyState::Register { state, name } = c.state else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_ceremony",
                "this ceremony is not a registration",
            ));
        };
        let Some((_, method)) = signed_in(&st, &headers).filter(|(uid, _)| *uid == c.uid) else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "login_required",
                "the ceremony belongs to another session",
            ));
        };
        check_registration_aal(&st, method, c.kind)?;
        let wa = verifier(&st)?;
        let passkey = wa
            .finish_passkey_registration(&req.credential, &state)
            .map_err(|e| verification_failed(&e))?;
        let credential_id = cis2_sdk::b64url_encode(passkey.cred_id().as_slice());
        if stored(&st)
            .map_err(internal)?
            .iter()
            .any(|s| s.credential_id == credential_id)
        {
            return Err(error(
                StatusCode::CONFLICT,
                "credential_exists",
                "this credential is already registered",
            ));
        }
        let cred = StoredCredential {
            credential_id,
            uid: c.uid,
            kind: c.kind,
            name,
            created_at: st.0.clock.now().as_secs(),
            last_used_at: None,
            passkey,
        };
        save(&st, &cred)?;
        tracing::info!(uid = %cred.uid, kind = ?cred.kind, "WebAuthn credential registered");
        Ok(no_store((StatusCode::CREATED, Json(cred.view())).into_response()))
    })())
}
