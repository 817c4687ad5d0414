//! The browser-facing routes: starting a sign-in, the callback, the `/me` probe, `/aal3`, the home page.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::provider::post_form_json;
use super::state::{PENDING_LIFETIME_SECS, Pending, Rp, Session, lock, now, random};
use super::validate::{Expect, LEEWAY_SECS, decode_unverified};
use super::{Defect, LOGIN_COOKIE, LOGIN_PATH, ME_PATH, SESSION_COOKIE, cookie, redirect_uri};

/// The scope of an ordinary sign-in.
pub(crate) const SCOPE: &str = "openid profile nationalrbacaccess";
/// How old `auth_time` may be after `prompt=login`.
pub(crate) const MAX_AUTH_AGE_SECS: u64 = 300;

/// What kind of sign-in a route starts.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Login,
    StepUp,
    ChangeRole,
    /// A sign-in with `max_age`.
    Recent,
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let text = text.replace('&', "&amp;").replace('<', "&lt;");
    let body = format!("<!doctype html><title>{title}</title><h1>{title}</h1><p id=\"error\">{text}</p>");
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

fn json_response(status: StatusCode, v: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response()
}

/// `GET /`.
pub(crate) async fn home() -> Response {
    Html(format!(
        "<!doctype html><title>Defect RP</title><h1>Defect RP</h1><p><a href=\"{LOGIN_PATH}\">Sign in</a></p>"
    ))
    .into_response()
}

/// `GET /login`.
pub(crate) async fn login(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    start(&rp, &headers, Kind::Login).await
}

/// `GET /login-recent`: a sign-in with `max_age`.
pub(crate) async fn login_recent(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    start(&rp, &headers, Kind::Recent).await
}

/// `GET /step-up`.
pub(crate) async fn step_up(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    start(&rp, &headers, Kind::StepUp).await
}

/// `GET /change-role`.
pub(crate) async fn change_role(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    start(&rp, &headers, Kind::ChangeRole).await
}

async fn start(rp: &Rp, headers: &HeaderMap, kind: Kind) -> Response {
    let provider = match rp.provider().await {
        Ok(p) => p,
        Err(e) => return page(StatusCode::BAD_GATEWAY, "Sign-in unavailable", &e),
    };
    let (acr, scope, prompt_login) = match kind {
        Kind::Login | Kind::Recent => ("AAL2_OR_AAL3_ANY", SCOPE.to_owned(), false),
        Kind::StepUp => ("AAL3_ANY", SCOPE.to_owned(), true),
        Kind::ChangeRole => ("AAL2_OR_AAL3_ANY", format!("{SCOPE} selectedrole"), true),
    };
    let browser = cookie(headers, LOGIN_COOKIE).unwrap_or_else(random);
    let (state, nonce, code_verifier) = (random(), random(), random());
    let t = now();
    {
        let mut pending = lock(&rp.pending);
        pending.retain(|_, p| t.saturating_sub(p.created_at) < PENDING_LIFETIME_SECS);
        pending.insert(
            state.clone(),
            Pending {
                browser: browser.clone(),
                nonce: nonce.clone(),
                code_verifier: code_verifier.clone(),
                acr_values: vec![acr.to_owned()],
                prompt_login,
                step_up: matches!(kind, Kind::StepUp),
                max_age: matches!(kind, Kind::Recent).then_some(MAX_AUTH_AGE_SECS),
                created_at: t,
            },
        );
    }
    let challenge = cis2_sdk::pkce_challenge(&code_verifier);
    let redirect = redirect_uri(&rp.base_url);
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", &rp.cfg.client_id)
        .append_pair("redirect_uri", &redirect)
        .append_pair("scope", &scope)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("acr_values", acr);
    if prompt_login {
        q.append_pair("prompt", "login");
    }
    if matches!(kind, Kind::Recent) {
        q.append_pair("max_age", &MAX_AUTH_AGE_SECS.to_string());
    }
    let location = format!("{}?{}", provider.authorization_endpoint, q.finish());
    let set_cookie =
        format!("{LOGIN_COOKIE}={browser}; Path=/; HttpOnly; SameSite=Lax; Max-Age={PENDING_LIFETIME_SECS}");
    (
        StatusCode::FOUND,
        [(header::LOCATION, location), (header::SET_COOKIE, set_cookie)],
    )
        .into_response()
}

/// `GET /callback`.
pub(crate) async fn callback(
    State(rp): State<Arc<Rp>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match finish(&rp, &headers, query.as_deref().unwrap_or_default()).await {
        Ok(session) => {
            let id = random();
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                lock(&rp.sessions).remove(&old);
            }
            lock(&rp.sessions).insert(id.clone(), session);
            let set_cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax");
            (
                StatusCode::FOUND,
                [
                    (header::LOCATION, ME_PATH.to_owned()),
                    (header::SET_COOKIE, set_cookie),
                ],
            )
                .into_response()
        }
        Err(e) => page(StatusCode::BAD_REQUEST, "Sign-in refused", &e),
    }
}

async fn finish(rp: &Rp, headers: &HeaderMap, query: &str) -> Result<Session, String> {
    let params: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let param = |n: &str| params.get(n).and_then(Value::as_str);
    let state = param("state").ok_or("no state")?;
    let pending = {
        let mut all = lock(&rp.pending);
        let p = all.get(state).ok_or("unknown or used state")?;
        let bound = cookie(headers, LOGIN_COOKIE).is_some_and(|b| b == p.browser);
        if !bound && !rp.has(Defect::StateNotBound) {
            return Err("state was not issued to this browser".into());
        }
        all.remove(state).ok_or("unknown or used state")?
    };
    if now().saturating_sub(pending.created_at) >= PENDING_LIFETIME_SECS {
        return Err("the sign-in took too long".into());
    }
    if let Some(e) = param("error") {
        return Err(format!("the provider answered {e}"));
    }
    let code = param("code").ok_or("no code")?;
    let provider = rp.provider().await?;
    let redirect = redirect_uri(&rp.base_url);
    let tokens = post_form_json(
        &rp.http,
        &provider.token_endpoint,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect),
            ("client_id", &rp.cfg.client_id),
            ("client_secret", &rp.cfg.client_secret),
            ("code_verifier", &pending.code_verifier),
        ],
    )
    .await?;
    let text = |n: &str| tokens.get(n).and_then(Value::as_str).ok_or(format!("no {n}"));
    let (id_token, access_token) = (text("id_token")?, text("access_token")?);
    let kid = decode_unverified(id_token)?
        .0
        .get("kid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let jwks = rp.jwks_for(kid.as_deref()).await?;
    // The defect: a step-up validated against the ordinary sign-in's floor.
    let lax = ["AAL2_OR_AAL3_ANY".to_owned()];
    let lax_step_up = pending.step_up && rp.has(Defect::Aal2AcceptedForStepUp);
    let expect = Expect {
        nonce: &pending.nonce,
        acr_values: if lax_step_up { &lax } else { &pending.acr_values },
        access_token,
    };
    let t = now();
    let claims = rp.validate_id_token(id_token, &jwks, &expect, t)?;
    let claim = |n: &str| claims.get(n).and_then(Value::as_str).map(str::to_owned);
    if pending.prompt_login && !rp.has(Defect::StaleAuthTimeAccepted) {
        let at = claims
            .get("auth_time")
            .and_then(Value::as_u64)
            .ok_or("no auth_time after prompt=login")?;
        if t.saturating_sub(at) > MAX_AUTH_AGE_SECS.saturating_add(LEEWAY_SECS) {
            return Err("auth_time is too old for prompt=login".into());
        }
    }
    if let Some(max_age) = pending.max_age
        && !rp.has(Defect::MaxAgeIgnored)
    {
        let at = claims
            .get("auth_time")
            .and_then(Value::as_u64)
            .ok_or("no auth_time although max_age was sent")?;
        if t.saturating_sub(at) > max_age.saturating_add(LEEWAY_SECS) {
            return Err("auth_time is older than max_age".into());
        }
    }
    let mut acr = claim("acr");
    if pending.step_up {
        if lax_step_up {
            // It asked for AAL3, so it believes it got AAL3.
            acr = pending.acr_values.first().cloned();
        } else if acr.as_deref().and_then(cis2_sdk::acr::acr_level) != Some(3) {
            return Err("a step-up needs an AAL3 acr".into());
        }
    }
    let sub = claim("sub").ok_or("no sub")?;
    let userinfo =
        super::provider::get_json(&rp.http, &provider.userinfo_endpoint, Some(access_token)).await?;
    let ui_sub = userinfo.get("sub").and_then(Value::as_str);
    if ui_sub != Some(sub.as_str()) && !rp.has(Defect::UserinfoSubNotCompared) {
        return Err("userinfo sub is not the ID token's".into());
    }
    let selected = claim("selected_roleid").or_else(|| {
        userinfo
            .get("selected_roleid")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let role = resolve_role(rp, &userinfo, selected.as_deref())?;
    Ok(Session {
        sub,
        sid: claim("sid"),
        acr,
        role,
    })
}

/// cis2.md §8.7: `selected_roleid` names one of the `nhsid_nrbac_roles` (by `person_roleid`). No roles: no
/// role. No selection: the only role, if there is exactly one.
fn resolve_role(
    rp: &Rp,
    userinfo: &Map<String, Value>,
    selected: Option<&str>,
) -> Result<Option<String>, String> {
    let roles: Vec<&str> = match userinfo.get("nhsid_nrbac_roles") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<&Value>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
    .into_iter()
    .filter_map(|r| r.get("person_roleid").and_then(Value::as_str))
    .collect();
    if roles.is_empty() {
        return Ok(None);
    }
    if rp.has(Defect::RoleFromFirstProfile) {
        return Ok(roles.first().map(|r| (*r).to_owned()));
    }
    match selected {
        Some(s) if roles.contains(&s) => Ok(Some(s.to_owned())),
        Some(s) => Err(format!("selected_roleid {s:?} is not one of the user's roles")),
        None if roles.len() == 1 => Ok(roles.first().map(|r| (*r).to_owned())),
        None => Ok(None),
    }
}

/// The session of this browser, if any.
fn session(rp: &Rp, headers: &HeaderMap) -> Option<Session> {
    let id = cookie(headers, SESSION_COOKIE)?;
    lock(&rp.sessions).get(&id).cloned()
}

/// `GET /me`.
pub(crate) async fn me(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    match session(&rp, &headers) {
        Some(s) => json_response(
            StatusCode::OK,
            json!({"signed_in": true, "sub": s.sub, "sid": s.sid, "acr": s.acr, "role": s.role}),
        ),
        None => json_response(StatusCode::UNAUTHORIZED, json!({"signed_in": false})),
    }
}

/// `GET /aal3`.
pub(crate) async fn aal3(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    match session(&rp, &headers) {
        Some(s) if s.acr.as_deref().and_then(cis2_sdk::acr::acr_level) == Some(3) => {
            json_response(StatusCode::OK, json!({"aal3": true, "sub": s.sub}))
        }
        Some(_) => json_response(
            StatusCode::FORBIDDEN,
            json!({"aal3": false, "error": "step_up_required"}),
        ),
        None => json_response(StatusCode::UNAUTHORIZED, json!({"signed_in": false})),
    }
}
