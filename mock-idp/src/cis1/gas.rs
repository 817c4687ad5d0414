//! GAS (cis2.md §14.3): `POST /login/authactivate` (a challenge and the server's signature over it),
//! `POST /login/authvalidate` (the card's answer checked; the `gpOBJECT` with `cn`, the roles and the SSO
//! ticket), `GET /saml/RoleSelectionGP.jsp` (the session role) and `/login/authlogout`. Bad input gets a 4xx
//! `gpOBJECT` with `error_code` and `error_description`, never a panic.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::Deserialize;

use super::card::{server_signature, split_response, verify, verify_server_signature};
use super::gpobject::{GpObject, Param, p, write};
use super::signin::{Agent, Cis1Error, check_card, open_session, origin};
use crate::cis1_sessions::Cis1Session;
use crate::state::{AppState, lock};
use crate::users::User;

/// Most challenges waiting at once (the oldest goes first).
const MAX_CHALLENGES: usize = 10_000;

fn xml(st: &AppState, status: StatusCode, params: &[Param]) -> Response {
    let dtd =
        st.0.config
            .cis1
            .gas_doctype
            .then(|| format!("{}/login/dtd", origin(st)));
    let body = write(params, dtd.as_deref());
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A 4xx GAS error: `service`, `error_code`, `error_description` (and `log_session_id` echoed).
fn gas_error(
    st: &AppState,
    status: StatusCode,
    service: &str,
    code: &str,
    description: &str,
    req: Option<&GpObject>,
) -> Response {
    let mut params = Vec::new();
    if let Some(id) = req.and_then(|r| r.get("log_session_id")) {
        params.push(p("log_session_id", id));
    }
    params.push(p("service", service));
    params.push(p("error_code", code));
    params.push(p("error_description", description));
    xml(st, status, &params)
}

fn refused(st: &AppState, service: &str, e: &Cis1Error, req: &GpObject) -> Response {
    gas_error(st, e.http_status(), service, e.code(), &e.to_string(), Some(req))
}

fn parse(st: &AppState, body: &[u8], service: &str) -> Result<GpObject, Response> {
    let g = GpObject::parse(body)
        .map_err(|e| gas_error(st, StatusCode::BAD_REQUEST, service, "invalid_request", &e, None))?;
    match g.get("service").map(str::trim) {
        Some(s) if s == service => Ok(g),
        other => Err(gas_error(
            st,
            StatusCode::BAD_REQUEST,
            service,
            "invalid_request",
            &format!("gpPARAM \"service\" must be {service}, got {other:?}"),
            Some(&g),
        )),
    }
}

/// The request's `auth_method` and `app_url`, echoed (defaults `3` and `NHST`).
fn echo(g: &GpObject) -> [Param; 2] {
    [
        p("auth_method", g.get("auth_method").unwrap_or("3")),
        p("app_url", g.get("app_url").unwrap_or("NHST")),
    ]
}

/// `POST /login/authactivate`.
pub(super) async fn activate(State(st): State<AppState>, body: Bytes) -> Response {
    let g = match parse(&st, &body, "ACTIVATION") {
        Ok(g) => g,
        Err(r) => return r,
    };
    let mut raw = [0u8; 48];
    OsRng.fill_bytes(&mut raw);
    let challenge = base64::engine::general_purpose::STANDARD.encode(raw);
    let signature = {
        let mut cis1 = lock(&st.0.cis1);
        cis1.add_challenge(challenge.clone(), st.0.clock.now(), MAX_CHALLENGES);
        server_signature(&cis1.server_key, &challenge)
    };
    let mut params = Vec::new();
    if let Some(id) = g.get("log_session_id") {
        params.push(p("log_session_id", id));
    }
    params.push(p("challenge", challenge));
    params.push(p("signature", signature));
    params.push(p("gas_version", st.0.config.cis1.gas_version.clone()));
    params.extend(echo(&g));
    params.push(p("service", "ACTIVATION"));
    xml(&st, StatusCode::OK, &params)
}

/// `POST /login/authvalidate`.
pub(super) async fn validate(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    const SVC: &str = "AUTHENTICATION";
    let g = match parse(&st, &body, SVC) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let bad = |msg: String| {
        gas_error(
            &st,
            StatusCode::BAD_REQUEST,
            SVC,
            "invalid_request",
            &msg,
            Some(&g),
        )
    };
    let (challenge, signature, uid, response) = match (
        g.require("challenge"),
        g.require("signature"),
        g.require("uid"),
        g.require("response"),
    ) {
        (Ok(c), Ok(s), Ok(u), Ok(r)) => (c, s, u, r),
        (c, s, u, r) => {
            let missing = [c.err(), s.err(), u.err(), r.err()].into_iter().flatten();
            return bad(missing.collect::<Vec<_>>().join("; "));
        }
    };
    let session = match check_validate(&st, challenge, signature, uid, response) {
        Ok((card, user)) => {
            let agent = Agent::from_request(&headers, g.get("device_id"));
            open_session(&st, &card, &user, None, agent).map(|s| (s, user))
        }
        Err(e) => Err(e),
    };
    match session {
        Ok((s, user)) => xml(&st, StatusCode::OK, &validated(&st, &g, &s, &user)),
        Err(e) => refused(&st, SVC, &e, &g),
    }
}

/// The checks of `authvalidate`, in the order GAS would meet them: its own challenge, the card, the card's
/// signature, the card's owner, the series and card mode.
fn check_validate(
    st: &AppState,
    challenge: &str,
    signature: &str,
    uid: &str,
    response: &str,
) -> Result<(crate::cards::VirtualCard, User), Cis1Error> {
    let now = st.0.clock.now();
    let lifetime = std::time::Duration::from_secs(st.0.config.cis1.challenge_lifetime_secs);
    {
        let mut cis1 = lock(&st.0.cis1);
        let signed = verify_server_signature(&cis1.server_key, challenge, signature);
        // Used up whatever the outcome: a challenge answers one attempt.
        let issued = cis1.take_challenge(challenge, now, lifetime);
        if !(signed && issued) {
            return Err(Cis1Error::BadChallenge);
        }
    }
    let (serial, sig) = split_response(response).ok_or(Cis1Error::BadCardSignature)?;
    let card = lock(&st.0.cards)
        .get(&serial)
        .cloned()
        .ok_or(Cis1Error::UnknownCard)?;
    if !verify(&card, challenge, &sig) || card.uid != uid {
        return Err(Cis1Error::BadCardSignature);
    }
    check_card(st, &card)?;
    let user = st.user(&card.uid).ok_or(Cis1Error::UnknownUser)?;
    Ok((card, user))
}

/// The org name for an ODS code: the user's organisation entry, else the code itself.
pub(super) fn org_name(user: &User, org_code: &str) -> Option<String> {
    user.orgs
        .iter()
        .chain(&user.org_memberships)
        .find(|o| o.org_code == org_code && !o.org_name.is_empty())
        .map(|o| o.org_name.clone())
}

/// The `authvalidate` answer, in the order of §14.3's INT example.
fn validated(st: &AppState, g: &GpObject, s: &Cis1Session, user: &User) -> Vec<Param> {
    let cfg = &st.0.config.cis1;
    let mut params = Vec::new();
    if let Some(id) = g.get("log_session_id") {
        params.push(p("log_session_id", id));
    }
    params.push(p("cn", user.name()));
    for (n, r) in user.roles.iter().enumerate() {
        let org = org_name(user, &r.org_code).unwrap_or_else(|| r.org_code.clone());
        let mut param = p(&format!("nhsjobrole{n}"), format!("{org}, {}", r.role_name));
        param.attrs = vec![
            ("id".into(), r.person_roleid.clone()),
            ("orgcode".into(), r.org_code.clone()),
        ];
        params.push(param);
    }
    let minutes = cfg.session_time_minutes.to_string();
    params.extend([
        p("gas_version", cfg.gas_version.clone()),
        p("sso_ticket", s.ticket.clone()),
        p("sso_domain", cfg.sso_domain.clone()),
        p("sso_max_session_time", minutes.clone()),
        p("sso_session_time", minutes),
        p("sso_keep_alive", "false"),
        p("sso_logout_url", format!("{}/login/authlogout", origin(st))),
    ]);
    params.extend(echo(g));
    params.push(p("service", "AUTHENTICATION"));
    params
}

/// `RoleSelectionGP.jsp` query.
#[derive(Deserialize)]
pub(super) struct RoleSelection {
    token: Option<String>,
    #[serde(rename = "selectedRoleUid")]
    selected_role_uid: Option<String>,
    #[serde(rename = "ssbMode")]
    ssb_mode: Option<String>,
}

fn text(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=UTF-8"),
    );
    resp
}

/// `GET /saml/RoleSelectionGP.jsp?token=&selectedRoleUid=&ssbMode=&fallbackStatus=&gacVersion=`: sets the
/// session role; the body is `OK`.
pub(super) async fn role_selection(
    State(st): State<AppState>,
    q: Result<Query<RoleSelection>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return text(StatusCode::BAD_REQUEST, "ERROR: malformed query\n".into());
    };
    let (Some(token), Some(role)) = (q.token, q.selected_role_uid) else {
        return text(
            StatusCode::BAD_REQUEST,
            "ERROR: token and selectedRoleUid are required\n".into(),
        );
    };
    let ssb_mode = match q.ssb_mode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("0") => Some(0),
        Some("1") => Some(1),
        Some(_) => return text(StatusCode::BAD_REQUEST, "ERROR: ssbMode must be 0 or 1\n".into()),
    };
    match st.select_cis1_role(&token, &role, ssb_mode) {
        Ok(_) => text(StatusCode::OK, "OK\n".into()),
        Err(e) => text(e.http_status(), format!("ERROR: {e}\n")),
    }
}

/// `POST` (or `GET` with a body, as one Identity Agent does) `/login/authlogout`: ends the CIS1 session.
pub(super) async fn logout(State(st): State<AppState>, body: Bytes) -> Response {
    const SVC: &str = "LOGOUT";
    let g = match parse(&st, &body, SVC) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let ticket = match g.require("sso_ticket") {
        Ok(t) => t.to_owned(),
        Err(e) => return gas_error(&st, StatusCode::BAD_REQUEST, SVC, "invalid_request", &e, Some(&g)),
    };
    let now = st.0.clock.now();
    let mut cis1 = lock(&st.0.cis1);
    let owner = cis1.live(&ticket, now).map(|s| s.uid.clone());
    match owner {
        Some(uid) if g.get("uid").is_none_or(|u| u.trim() == uid) => {
            cis1.sessions.remove(&ticket);
            drop(cis1);
            tracing::info!(%uid, "CIS1 session ended: authlogout");
            let mut params = Vec::new();
            if let Some(id) = g.get("log_session_id") {
                params.push(p("log_session_id", id));
            }
            params.push(p("service", SVC));
            params.push(p("status", "OK"));
            xml(&st, StatusCode::OK, &params)
        }
        Some(_) => {
            drop(cis1);
            let msg = "gpPARAM \"uid\" is not the session's user";
            gas_error(
                &st,
                StatusCode::BAD_REQUEST,
                SVC,
                "invalid_request",
                msg,
                Some(&g),
            )
        }
        None => {
            drop(cis1);
            refused(&st, SVC, &Cis1Error::NoSession, &g)
        }
    }
}
