//! Sign-in (`{realm}/webauthn/login/{start,finish}`) from the login page, and the refusal page the script
//! navigates to when the authenticator cannot meet the request's `acr_values`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::{Passkey, PublicKeyCredential};

use super::reply::{
    CeremonyBody, error, flatten, internal, no_store, parse_json, verification_failed, with_ceremony,
};
use super::rp::verifier;
use super::storage::{credentials_of, save, stash, take};
use crate::authenticators::AuthMethod;
use crate::credentials::{Ceremony, CeremonyState, CredentialKind};
use crate::errors::append_query;
use crate::journey::flow::sign_in;
use crate::journey::pages::refusal_page;
use crate::state::{AppState, lock};

#[derive(Deserialize)]
struct LoginStart {
    interaction: String,
    uid: String,
    kind: String,
}

fn refusal_url(interaction: &str, kind: CredentialKind) -> String {
    append_query(
        &crate::realm::path("/webauthn/refused"),
        &[("interaction", interaction), ("method", kind.method().as_str())],
    )
}

/// 403 `insufficient_assurance`, with `refusal_url`: the refusal page for the browser to show.
fn refusal(interaction: &str, kind: CredentialKind, description: String) -> Response {
    no_store(
        (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": "insufficient_assurance",
                "error_description": description,
                "refusal_url": refusal_url(interaction, kind),
            })),
        )
            .into_response(),
    )
}

/// `POST {realm}/webauthn/login/start`.
pub(crate) async fn login_start(State(st): State<AppState>, CeremonyBody(body): CeremonyBody) -> Response {
    flatten((|| {
        let req: LoginStart = parse_json(&body)?;
        let Some(kind) = CredentialKind::parse(&req.kind) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "kind must be security_key, passkey or passkey_aal3",
            ));
        };
        let acr_values = lock(&st.0.sessions)
            .interactions
            .get(&req.interaction)
            .map(|i| i.req.acr_values.clone());
        let Some(acr_values) = acr_values else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "interaction_expired",
                "this sign-in request is unknown or has expired",
            ));
        };
        let Some(user) = st.user_by_login(&req.uid) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_user",
                "choose a test user",
            ));
        };
        let method = kind.method();
        if !user.has(method) || method.acr_for(&acr_values, st.acr_rules()).is_none() {
            return Err(refusal(
                &req.interaction,
                kind,
                format!(
                    "{} cannot be used for this sign-in (requested: {})",
                    kind.label(),
                    acr_values.join(" or ")
                ),
            ));
        }
        let creds: Vec<Passkey> = credentials_of(&st, &user.uid)
            .map_err(internal)?
            .into_iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.passkey)
            .collect();
        if creds.is_empty() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "no_credentials",
                format!(
                    "{} has no registered {}; register one on the manage authenticators page",
                    user.name(),
                    kind.label().to_lowercase()
                ),
            ));
        }
        let wa = verifier(&st)?;
        let (rcr, state) = wa
            .start_passkey_authentication(&creds)
            .map_err(|e| internal(format!("webauthn: {e:?}")))?;
        let id = stash(
            &st,
            Ceremony {
                created: st.0.clock.now(),
                uid: user.uid.clone(),
                kind,
                state: CeremonyState::Login {
                    state: Box::new(state),
                    interaction: req.interaction.clone(),
                },
            },
        );
        Ok(with_ceremony(&id, rcr))
    })())
}

#[derive(Deserialize)]
struct LoginFinish {
    ceremony: String,
    credential: PublicKeyCredential,
}

/// `POST {realm}/webauthn/login/finish`: on success the SSO cookie is set and the body is
/// `{"redirect": "<where the browser goes next>"}`.
pub(crate) async fn login_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    CeremonyBody(body): CeremonyBody,
) -> Response {
    flatten((|| {
        let req: LoginFinish = parse_json(&body)?;
        let c = take(&st, &req.ceremony)?;
        let CeremonyState::Login { state, interaction } = c.state else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_ceremony",
                "this ceremony is not a sign-in",
            ));
        };
        let credential_id = cis2_sdk::b64url_encode(&req.credential.raw_id);
        let Some(mut cred) = credentials_of(&st, &c.uid)
            .map_err(internal)?
            .into_iter()
            .find(|s| s.credential_id == credential_id && s.kind == c.kind)
        else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_credential",
                "this credential is not registered for the user",
            ));
        };
        let wa = verifier(&st)?;
        let result = wa
            .finish_passkey_authentication(&req.credential, &state)
            .map_err(|e| verification_failed(&e))?;
        if !result.user_verified() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "verification_failed",
                "user verification is required",
            ));
        }
        // Only now, after every check, does the stored credential change (WA-A14).
        cred.passkey.update_credential(&result);
        cred.last_used_at = Some(st.0.clock.now().as_secs());
        save(&st, &cred)?;
        let Some(i) = lock(&st.0.sessions).interactions.get(&interaction).cloned() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "interaction_expired",
                "this sign-in request is unknown or has expired",
            ));
        };
        let Some(user) = st.user(&c.uid) else {
            return Err(error(StatusCode::BAD_REQUEST, "unknown_user", "the user is gone"));
        };
        let resp = sign_in(&st, &headers, &interaction, &i, &user, c.kind.method());
        Ok(redirect_as_json(resp, &interaction, c.kind))
    })())
}

/// Turns the journey's 302 into `{"redirect": …}` (keeping `Set-Cookie`); a refusal into a 403 JSON error.
fn redirect_as_json(resp: Response, interaction: &str, kind: CredentialKind) -> Response {
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (resp.status(), location) {
        (StatusCode::FOUND, Some(loc)) => {
            let mut out = no_store(Json(json!({ "redirect": loc })).into_response());
            for c in resp.headers().get_all(header::SET_COOKIE) {
                out.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            out
        }
        (StatusCode::FORBIDDEN, _) => refusal(
            interaction,
            kind,
            "this authenticator cannot be used for this sign-in".to_owned(),
        ),
        _ => error(
            StatusCode::BAD_REQUEST,
            "interaction_expired",
            "this sign-in request is unknown or has expired",
        ),
    }
}

/// `GET {realm}/webauthn/refused?interaction=…&method=…`: the refusal page the script navigates to.
pub(crate) async fn refused(Query(q): Query<HashMap<String, String>>) -> Response {
    let interaction = q.get("interaction").map(String::as_str).unwrap_or("");
    let method = q
        .get("method")
        .and_then(|m| AuthMethod::parse(m))
        .unwrap_or(AuthMethod::Passkey);
    refusal_page(
        &crate::realm::path("/login"),
        interaction,
        &format!(
            "The service asked for a higher level of assurance than {} (AAL{}) provides, or you do not have one. Choose another way to sign in.",
            method.label(),
            method.aal()
        ),
    )
}
