//! The admin API (JSON over HTTP, scriptable; the conformance suite drives it) and a small admin page.
//! Shapes are documented in `mock-idp/docs/admin-api.md`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::AppState;
use crate::cards::CardMode;
use crate::clients::Client;
use crate::errors::{admin_error, internal};
use crate::faults::InjectRequest;
use crate::users::User;

type Res = Result<Response, Response>;

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| admin_error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))
}

fn ok(v: impl serde::Serialize) -> Res {
    Ok(axum::Json(v).into_response())
}

fn not_found_err(what: &str) -> Response {
    admin_error(StatusCode::NOT_FOUND, "not_found", format!("no such {what}"))
}

fn bad(e: impl Into<String>) -> Response {
    admin_error(StatusCode::BAD_REQUEST, "invalid_request", e)
}

fn flatten(r: Res) -> Response {
    r.unwrap_or_else(|e| e)
}

/// The admin API routes (mounted at `/admin/api`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{uid}", get(get_user).put(put_user).delete(delete_user))
        .route("/users/{uid}/roles", post(add_role))
        .route("/users/{uid}/roles/{roleid}", axum::routing::delete(delete_role))
        .route("/clients", get(list_clients).post(create_client))
        .route(
            "/clients/{id}",
            get(get_client).put(put_client).delete(delete_client),
        )
        .route("/sessions", get(list_sessions).delete(end_all_sessions))
        .route("/sessions/{sid}", axum::routing::delete(end_one_session))
        .route("/cards", get(list_cards).post(create_card))
        .route("/cards/{serial}/insert", post(insert_card))
        .route("/cards/{serial}/remove", post(remove_card))
        .route("/card-mode", get(get_card_mode).put(put_card_mode))
        .route("/keys", get(list_keys))
        .route("/keys/rotate", post(rotate_keys))
        .route("/clock", get(get_clock).put(put_clock))
        .route("/clock/advance", post(advance_clock))
        .route(
            "/faults",
            get(list_faults).post(inject_fault).delete(clear_faults),
        )
        .route("/faults/{id}", axum::routing::delete(delete_fault))
        .route(
            "/logout-deliveries",
            get(list_deliveries).delete(clear_deliveries),
        )
        .route("/requests", get(list_requests).delete(clear_requests))
        .route("/config", get(get_config))
        .fallback(not_found)
}

/// JSON 404 for unknown admin routes.
pub(crate) async fn not_found() -> Response {
    admin_error(StatusCode::NOT_FOUND, "not_found", "no such admin route")
}

async fn list_users(State(st): State<AppState>) -> Response {
    axum::Json(st.users()).into_response()
}

async fn get_user(State(st): State<AppState>, Path(uid): Path<String>) -> Response {
    st.user(&uid)
        .map(|u| axum::Json(u).into_response())
        .unwrap_or_else(|| not_found_err("user"))
}

async fn create_user(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let u: User = parse(&body)?;
        if st.user(&u.uid).is_some() {
            return Err(admin_error(
                StatusCode::CONFLICT,
                "conflict",
                "a user with this uid exists",
            ));
        }
        st.put_user(u.clone()).map_err(bad)?;
        Ok((StatusCode::CREATED, axum::Json(u)).into_response())
    })())
}

async fn put_user(State(st): State<AppState>, Path(uid): Path<String>, body: Bytes) -> Response {
    flatten((|| {
        let mut u: User = parse(&body)?;
        if u.uid.is_empty() {
            u.uid = uid.clone();
        }
        if u.uid != uid {
            return Err(bad("uid in the body differs from the path"));
        }
        st.put_user(u.clone()).map_err(bad)?;
        ok(u)
    })())
}

async fn delete_user(State(st): State<AppState>, Path(uid): Path<String>) -> Response {
    match st.0.store.delete_user(&uid) {
        Ok(true) => {
            crate::write(&st.0.users).remove(&uid);
            let cookies: Vec<String> = crate::lock(&st.0.sessions)
                .sso
                .values()
                .filter(|s| s.uid == uid)
                .map(|s| s.cookie.clone())
                .collect();
            for c in cookies {
                crate::logout::end_session(&st, &c, "admin");
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found_err("user"),
        Err(e) => internal(e),
    }
}

async fn add_role(State(st): State<AppState>, Path(uid): Path<String>, body: Bytes) -> Response {
    flatten((|| {
        let role: cis2_sdk::NrbacRole = parse(&body)?;
        let mut u = st.user(&uid).ok_or_else(|| not_found_err("user"))?;
        u.roles.retain(|r| r.person_roleid != role.person_roleid);
        if !role.org_code.is_empty() && !u.orgs.iter().any(|o| o.org_code == role.org_code) {
            let name = role
                .extra
                .get("org_name")
                .and_then(|v| v.as_str())
                .unwrap_or(&role.org_code)
                .to_owned();
            u.orgs
                .push(crate::users::org(&role.org_code, &name, Some(&role.person_orgid)));
        }
        u.roles.push(role);
        st.put_user(u.clone()).map_err(bad)?;
        ok(u)
    })())
}

async fn delete_role(State(st): State<AppState>, Path((uid, roleid)): Path<(String, String)>) -> Response {
    flatten((|| {
        let mut u = st.user(&uid).ok_or_else(|| not_found_err("user"))?;
        let before = u.roles.len();
        u.roles.retain(|r| r.person_roleid != roleid);
        if before == u.roles.len() {
            return Err(not_found_err("role"));
        }
        st.put_user(u.clone()).map_err(bad)?;
        ok(u)
    })())
}

async fn list_clients(State(st): State<AppState>) -> Response {
    axum::Json(crate::read(&st.0.clients).values().cloned().collect::<Vec<_>>()).into_response()
}

async fn get_client(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    st.client(&id)
        .map(|c| axum::Json(c).into_response())
        .unwrap_or_else(|| not_found_err("client"))
}

async fn create_client(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let c: Client = parse(&body)?;
        if st.client(&c.client_id).is_some() {
            return Err(admin_error(
                StatusCode::CONFLICT,
                "conflict",
                "a client with this client_id exists",
            ));
        }
        st.put_client(c.clone()).map_err(bad)?;
        Ok((StatusCode::CREATED, axum::Json(c)).into_response())
    })())
}

async fn put_client(State(st): State<AppState>, Path(id): Path<String>, body: Bytes) -> Response {
    flatten((|| {
        let c: Client = parse(&body)?;
        if c.client_id != id {
            return Err(bad("client_id in the body differs from the path"));
        }
        st.put_client(c.clone()).map_err(bad)?;
        ok(c)
    })())
}

async fn delete_client(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    match st.0.store.delete_client(&id) {
        Ok(true) => {
            crate::write(&st.0.clients).remove(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(false) => not_found_err("client"),
        Err(e) => internal(e),
    }
}

async fn list_sessions(State(st): State<AppState>) -> Response {
    axum::Json(st.sessions()).into_response()
}

async fn end_one_session(State(st): State<AppState>, Path(sid): Path<String>) -> Response {
    match crate::logout::end_session_by_sid(&st, &sid, "admin") {
        Some(s) => axum::Json(s).into_response(),
        None => not_found_err("session"),
    }
}

async fn end_all_sessions(State(st): State<AppState>) -> Response {
    let cookies: Vec<String> = crate::lock(&st.0.sessions).sso.keys().cloned().collect();
    let ended: Vec<String> = cookies
        .iter()
        .filter_map(|c| crate::logout::end_session(&st, c, "admin"))
        .map(|s| s.sid)
        .collect();
    axum::Json(json!({ "ended": ended })).into_response()
}

async fn list_cards(State(st): State<AppState>) -> Response {
    let cards = crate::lock(&st.0.cards);
    axum::Json(json!({ "mode": cards.mode(), "cards": cards.list() })).into_response()
}

#[derive(Deserialize)]
struct NewCard {
    uid: String,
    #[serde(default)]
    serial: Option<String>,
    #[serde(default)]
    inserted: bool,
}

async fn create_card(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let n: NewCard = parse(&body)?;
        if st.user(&n.uid).is_none() {
            return Err(not_found_err("user"));
        }
        let mut cards = crate::lock(&st.0.cards);
        let mut card = cards.create(n.serial, &n.uid);
        if n.inserted {
            card = cards.insert(&card.serial).unwrap_or(card);
        }
        Ok((StatusCode::CREATED, axum::Json(card)).into_response())
    })())
}

async fn insert_card(State(st): State<AppState>, Path(serial): Path<String>) -> Response {
    let card = crate::lock(&st.0.cards).insert(&serial);
    card.map(|c| axum::Json(c).into_response())
        .unwrap_or_else(|| not_found_err("card"))
}

async fn remove_card(State(st): State<AppState>, Path(serial): Path<String>) -> Response {
    let card = crate::lock(&st.0.cards).remove(&serial);
    let Some(card) = card else {
        return not_found_err("card");
    };
    let ended = crate::logout::card_removed(&st, &serial);
    axum::Json(json!({ "card": card, "ended_sessions": ended })).into_response()
}

async fn get_card_mode(State(st): State<AppState>) -> Response {
    axum::Json(json!({ "mode": crate::lock(&st.0.cards).mode() })).into_response()
}

#[derive(Deserialize)]
struct ModeBody {
    mode: CardMode,
}

async fn put_card_mode(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let m: ModeBody = parse(&body)?;
        crate::lock(&st.0.cards).set_mode(m.mode);
        ok(json!({ "mode": m.mode }))
    })())
}

fn keys_json(st: &AppState) -> serde_json::Value {
    let now = st.0.clock.now();
    let ring = crate::read(&st.0.keys);
    let one = |k: &crate::keys::KeyEntry, active: bool| {
        json!({
            "kid": k.key.kid(),
            "alg": k.key.alg().as_str(),
            "active": active,
            "created_at": k.created_at.as_secs(),
            "published_until": k.retired_until.map(|t| t.as_secs()),
        })
    };
    let mut keys = vec![one(&ring.active, true)];
    keys.extend(
        ring.retired
            .iter()
            .filter(|k| k.retired_until.is_some_and(|u| u > now))
            .map(|k| one(k, false)),
    );
    json!({ "keys": keys, "jwks": ring.jwks(now) })
}

async fn list_keys(State(st): State<AppState>) -> Response {
    axum::Json(keys_json(&st)).into_response()
}

#[derive(Deserialize)]
struct RotateBody {
    #[serde(default)]
    private_key_pem: Option<String>,
    #[serde(default)]
    grace_period_secs: Option<u64>,
}

async fn rotate_keys(State(st): State<AppState>, body: Bytes) -> Response {
    let r: RotateBody = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let key = match r.private_key_pem {
        Some(pem) => cis2_sdk::SigningKey::from_pkcs8_pem(&pem, cis2_sdk::Algorithm::RS256)
            .map_err(|e| e.to_string())
            .and_then(crate::keys::with_cis2_kid),
        None => match tokio::task::spawn_blocking(crate::keys::generate_key).await {
            Ok(k) => k,
            Err(e) => Err(e.to_string()),
        },
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => return bad(e),
    };
    let now = st.0.clock.now();
    let grace =
        std::time::Duration::from_secs(r.grace_period_secs.unwrap_or(st.0.config.key_grace_period_secs));
    let entry = match crate::keys::KeyEntry::new(key, now) {
        Ok(e) => e,
        Err(e) => return bad(e),
    };
    let stored = match entry.to_stored() {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    if crate::read(&st.0.keys)
        .published(now)
        .iter()
        .any(|k| k.key.kid() == stored.kid)
    {
        return admin_error(StatusCode::CONFLICT, "conflict", "this key is already published");
    }
    if let Err(e) =
        st.0.store
            .add_active_key(&stored, now.saturating_add(grace).as_secs())
    {
        return internal(e);
    }
    crate::write(&st.0.keys).rotate(entry, now, grace);
    axum::Json(keys_json(&st)).into_response()
}

fn clock_json(st: &AppState) -> serde_json::Value {
    json!({ "now": st.0.clock.now().as_secs(), "offset_secs": st.0.clock.offset() })
}

async fn get_clock(State(st): State<AppState>) -> Response {
    axum::Json(clock_json(&st)).into_response()
}

#[derive(Deserialize)]
struct OffsetBody {
    offset_secs: i64,
}

async fn put_clock(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let b: OffsetBody = parse(&body)?;
        st.0.clock.set_offset(b.offset_secs);
        crate::logout::sweep(&st);
        ok(clock_json(&st))
    })())
}

#[derive(Deserialize)]
struct AdvanceBody {
    secs: i64,
}

async fn advance_clock(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let b: AdvanceBody = parse(&body)?;
        st.0.clock.advance(b.secs);
        crate::logout::sweep(&st);
        ok(clock_json(&st))
    })())
}

async fn list_faults(State(st): State<AppState>) -> Response {
    axum::Json(crate::lock(&st.0.faults).list()).into_response()
}

async fn inject_fault(State(st): State<AppState>, body: Bytes) -> Response {
    flatten((|| {
        let req: InjectRequest = parse(&body)?;
        if let Some(c) = &req.client_id
            && st.client(c).is_none()
        {
            return Err(not_found_err("client"));
        }
        let inj = crate::lock(&st.0.faults).inject(req).map_err(bad)?;
        Ok((StatusCode::CREATED, axum::Json(inj)).into_response())
    })())
}

async fn clear_faults(State(st): State<AppState>) -> Response {
    crate::lock(&st.0.faults).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn delete_fault(State(st): State<AppState>, Path(id): Path<u64>) -> Response {
    if crate::lock(&st.0.faults).remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found_err("fault")
    }
}

async fn list_deliveries(State(st): State<AppState>) -> Response {
    axum::Json(st.deliveries()).into_response()
}

async fn clear_deliveries(State(st): State<AppState>) -> Response {
    crate::lock(&st.0.deliveries).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn list_requests(State(st): State<AppState>) -> Response {
    axum::Json(crate::lock(&st.0.requests).clone()).into_response()
}

async fn clear_requests(State(st): State<AppState>) -> Response {
    crate::lock(&st.0.requests).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_config(State(st): State<AppState>) -> Response {
    axum::Json(json!({ "issuer": st.issuer(), "config": st.config() })).into_response()
}

/// `GET /admin`: a small page over the same data.
pub(crate) async fn page(State(st): State<AppState>) -> Response {
    use crate::pages::esc;
    let mut body = String::from(
        "<p>Everything here is also in the JSON API under <code>/admin/api</code>.</p><h2>Users</h2>",
    );
    body.push_str(&crate::pages::users_table(&st.users()));
    body.push_str(
        "<h2>Clients</h2><table><tr><th>client_id</th><th>auth</th><th>redirect_uris</th><th>BCL</th></tr>",
    );
    for c in crate::read(&st.0.clients).values() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.client_id),
            c.token_endpoint_auth_method.as_str(),
            esc(&c.redirect_uris.join(" ")),
            esc(c.backchannel_logout_uri.as_deref().unwrap_or("-"))
        ));
    }
    body.push_str(
        "</table><h2>Sessions</h2><table><tr><th>sid</th><th>user</th><th>method</th><th>clients</th></tr>",
    );
    for s in st.sessions() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.sid),
            esc(&s.uid),
            s.method.as_str(),
            esc(&s.clients.iter().cloned().collect::<Vec<_>>().join(" "))
        ));
    }
    body.push_str(&format!(
        "</table><h2>Signing keys</h2><pre>{}</pre>",
        esc(&keys_json(&st)["keys"].to_string())
    ));
    body.push_str(&crate::webauthn::admin_section(&st));
    crate::pages::page(StatusCode::OK, "Admin", &crate::pages::nhsuk_classes(&body))
}
