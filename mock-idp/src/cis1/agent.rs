//! The virtual Identity Agent's Ticket API for apps (cis2.md §14.1 step 4: `getTicket()` prompts when needed,
//! `getTicketNoAuth()` never prompts) over HTTP on the mock's origin, and the Identity Agent half of single
//! sign-on into CIS2 (§12.4).
//!
//! The real IA is a program on the user's workstation that apps reach through a local library, a browser
//! plugin or Credential Management (\[?\] for the wire). The mock binds one virtual IA to each browser with the
//! `cis2_mock_ia` cookie, standing for the workstation (\[I\]); `docs/cis1.md` lists the shapes chosen.
//!
//! - `GET /ia/getTicketNoAuth`: the live session's ticket as JSON, or `404 no_session`. Credentialed CORS for
//!   the bridge's allow-listed origins (`[bridge] allowed_origins`), as Credential Management answers.
//! - `GET /ia/getTicket?return_to=`: the live session's ticket (a `302` to `return_to#ticket=…`, or JSON
//!   without `return_to`), else the PIN entry page: card, passcode, then the role (when the user has several).
//!   `POST /ia/getTicket` is that page's form.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cis2_sdk::random_token;
use rand::rngs::OsRng;
use serde::Deserialize;
use serde_json::json;

use crate::authenticators::AuthMethod;
use crate::cards::CardMode;
use crate::cis1_sessions::Cis1Session;
use crate::config::bridge::origin_listed;
use crate::http::session_cookie;
use crate::journey::pages::{radio, text_input};
use crate::pages::{error_summary, esc, page};
use crate::sessions::AuthRequest;
use crate::state::{AppState, lock};
use crate::users::User;

use super::control::Cis1SignIn;
use super::signin::Cis1Error;

/// The cookie that binds a browser to its virtual Identity Agent.
pub(crate) const AGENT_COOKIE: &str = "cis2_mock_ia";

/// The Ticket API path.
pub(crate) const GET_TICKET: &str = "/ia/getTicket";

#[derive(Deserialize)]
pub(crate) struct TicketQuery {
    return_to: Option<String>,
}

/// The live CIS1 session this browser's virtual Identity Agent holds, with its card in the reader.
pub(crate) fn held(st: &AppState, headers: &HeaderMap) -> Option<Cis1Session> {
    let agent = session_cookie::get_named(headers, AGENT_COOKIE)?;
    let now = st.0.clock.now();
    let s = lock(&st.0.cis1).agent_session(&agent, now).cloned()?;
    let inserted = lock(&st.0.cards).get(&s.card_serial).is_some_and(|c| c.inserted);
    inserted.then_some(s)
}

/// The CIS1 session that signs this browser in to CIS2 without a prompt (Identity Agent single sign-on),
/// if any: Identity Agent card mode, no `prompt=login`, a smartcard satisfies `acr_values`, `max_age` holds
/// since the PIN was entered, and `login_hint` (when given) names the same user.
pub(crate) fn sso_candidate(st: &AppState, headers: &HeaderMap, req: &AuthRequest) -> Option<Cis1Session> {
    let rules = st.acr_rules();
    if rules.card_mode != CardMode::IdentityAgent || req.prompt_login {
        return None;
    }
    AuthMethod::Smartcard.acr_for(&req.acr_values, rules)?;
    let s = held(st, headers)?;
    let now = st.0.clock.now();
    if req
        .max_age
        .is_some_and(|m| now.duration_since(s.auth_time).as_secs() > m)
    {
        return None;
    }
    let user = st.user(&s.uid)?;
    if let Some(hint) = req.login_hint.as_deref()
        && hint != user.uid
        && hint != user.username
    {
        return None;
    }
    Some(s)
}

/// Where a ticket goes: back to the app's page (in the fragment) or to the caller as JSON.
enum Target {
    Json,
    Page(url::Url),
}

fn bad_request(message: &str) -> Response {
    crate::pages::error_page(StatusCode::BAD_REQUEST, "Identity Agent", message)
}

/// `return_to` must be an `http(s)` URL whose origin the bridge allow-lists (the origins Credential
/// Management serves); the ticket is a bearer credential and goes nowhere else.
fn target(st: &AppState, return_to: Option<&str>) -> Result<Target, Response> {
    let Some(r) = return_to.filter(|r| !r.is_empty()) else {
        return Ok(Target::Json);
    };
    let mut url = url::Url::parse(r).map_err(|_| bad_request("return_to is not an absolute URL."))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad_request("return_to must be an http or https URL."));
    }
    let origin = url.origin().ascii_serialization();
    if !origin_listed(&st.bridge_allowed_origins(), &origin) {
        return Err(bad_request(&format!(
            "{origin} is not an allowed origin of the Identity Agent ([bridge] allowed_origins)."
        )));
    }
    url.set_fragment(None);
    Ok(Target::Page(url))
}

fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

fn ticket_json(s: &Cis1Session) -> serde_json::Value {
    json!({
        "ticket": s.ticket,
        "uid": s.uid,
        "selected_roleid": s.selected_roleid,
        "card_serial": s.card_serial,
        "auth_time": s.auth_time.as_secs(),
        "expires_at": s.expires_at.as_secs(),
    })
}

/// Hands the ticket over: `302` to `return_to#ticket=<url-encoded>`, or `200` JSON.
fn deliver(target: Target, s: &Cis1Session) -> Response {
    let resp = match target {
        Target::Json => axum::Json(ticket_json(s)).into_response(),
        Target::Page(mut url) => {
            let fragment = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("ticket", &s.ticket)
                .finish();
            url.set_fragment(Some(&fragment));
            crate::errors::found(url.as_str())
        }
    };
    no_store(resp)
}

/// `GET /ia/getTicketNoAuth`: never prompts.
pub(crate) async fn get_ticket_no_auth(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let resp = match held(&st, &headers) {
        Some(s) => axum::Json(ticket_json(&s)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({
                "error": "no_session",
                "error_description": "The Identity Agent holds no live CIS1 session (no card signed in, or it \
                    was removed, logged out or expired): call getTicket to ask the user for the PIN.",
            })),
        )
            .into_response(),
    };
    no_store(resp)
}

/// `GET /ia/getTicket`: the held ticket, else the PIN entry page.
pub(crate) async fn get_ticket(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TicketQuery>,
) -> Response {
    let target = match target(&st, q.return_to.as_deref()) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    match held(&st, &headers) {
        Some(s) => deliver(target, &s),
        None => pin_page(&st, StatusCode::OK, q.return_to.as_deref(), None),
    }
}

/// `POST /ia/getTicket`: the PIN entry form (`action=pin`: `uid`, `passcode`) or the role pick that follows it
/// (`action=role`: `role`), with `return_to`.
pub(crate) async fn post_ticket(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let field = |n: &str| f.get(n).map(String::as_str).unwrap_or("");
    let return_to = f.get("return_to").map(String::as_str);
    let target = match target(&st, return_to) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let held = held(&st, &headers);
    if field("action") == "role" {
        let Some(s) = held else {
            return pin_page(
                &st,
                StatusCode::UNAUTHORIZED,
                return_to,
                Some("Your smartcard session has ended. Enter your passcode again."),
            );
        };
        return match st.select_cis1_role(&s.ticket, field("role"), None) {
            Ok(s) => deliver(target, &s),
            Err(e) => match st.user(&s.uid) {
                Some(user) => role_page(&user, e.http_status(), return_to, Some(&e.to_string())),
                None => pin_page(&st, e.http_status(), return_to, Some(&e.to_string())),
            },
        };
    }
    if let Some(s) = held {
        return deliver(target, &s);
    }
    let Some(user) = st.user_by_login(field("uid")) else {
        return pin_page(
            &st,
            StatusCode::BAD_REQUEST,
            return_to,
            Some("Choose your smartcard."),
        );
    };
    let session = match st.start_cis1_session(Cis1SignIn::new(user.uid.clone(), field("passcode"))) {
        Ok(s) => s,
        Err(Cis1Error::WrongPasscode) => {
            return pin_page(
                &st,
                StatusCode::UNAUTHORIZED,
                return_to,
                Some("The passcode is not correct."),
            );
        }
        Err(e) => return pin_page(&st, e.http_status(), return_to, Some(&e.to_string())),
    };
    let agent =
        session_cookie::get_named(&headers, AGENT_COOKIE).unwrap_or_else(|| random_token(&mut OsRng, 24));
    lock(&st.0.cis1).set_agent(&agent, session.ticket.clone(), st.0.config.cis1.max_sessions);
    let mut resp = if user.roles.len() > 1 {
        role_page(&user, StatusCode::OK, return_to, None)
    } else {
        deliver(target, &session)
    };
    session_cookie::set_named(&mut resp, AGENT_COOKIE, &agent);
    resp
}

fn form_start(action: &str, return_to: Option<&str>) -> String {
    format!(
        "<form method=\"post\" action=\"{GET_TICKET}\" id=\"ia-form\" novalidate>\
         <input type=\"hidden\" name=\"action\" value=\"{}\"><input type=\"hidden\" name=\"return_to\" value=\"{}\">",
        esc(action),
        esc(return_to.unwrap_or(""))
    )
}

/// The PIN entry prompt: which card is in the reader, and its passcode.
fn pin_page(st: &AppState, status: StatusCode, return_to: Option<&str>, error: Option<&str>) -> Response {
    let mut body = String::new();
    if let Some(e) = error {
        body.push_str(&error_summary("error", e));
    }
    body.push_str(
        "<p class=\"nhsuk-body-l\">An application asked the Identity Agent for your smartcard session \
         (<code>getTicket</code>). Insert your smartcard and enter its passcode.</p>",
    );
    body.push_str(&form_start("pin", return_to));
    body.push_str(
        "<div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\"><h2 class=\"nhsuk-fieldset__heading\">Smartcard</h2></legend>\
         <div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">",
    );
    let users: Vec<User> = st
        .users()
        .into_iter()
        .filter(|u| u.has(AuthMethod::Smartcard))
        .collect();
    for (i, u) in users.iter().enumerate() {
        body.push_str(&radio(
            "uid",
            &format!("ia-uid-{}", u.uid),
            &u.uid,
            i == 0,
            &format!("{} (UID {})", u.name(), u.uid),
            &u.description,
        ));
    }
    body.push_str("</div></fieldset></div>");
    body.push_str(&text_input(
        "passcode",
        "ia-passcode",
        "Smartcard passcode",
        "password",
        "autocomplete=\"off\"",
    ));
    body.push_str("<button class=\"nhsuk-button\" id=\"ia-sign-in\" type=\"submit\">OK</button></form>");
    no_store(page(status, "Identity Agent: enter your passcode", &body))
}

/// The role pick after the PIN, as the Identity Agent asks users with several roles.
fn role_page(user: &User, status: StatusCode, return_to: Option<&str>, error: Option<&str>) -> Response {
    let mut body = String::new();
    if let Some(e) = error {
        body.push_str(&error_summary("error", e));
    }
    body.push_str(&form_start("role", return_to));
    body.push_str(&format!(
        "<div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\" aria-describedby=\"ia-role-hint\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">Role</legend>\
         <div class=\"nhsuk-hint\" id=\"ia-role-hint\">{} has more than one role. Choose the role for this smartcard \
         session; to change it later, remove the card.</div><div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">",
        esc(&user.name())
    ));
    for (i, r) in user.roles.iter().enumerate() {
        body.push_str(&radio(
            "role",
            &format!("ia-role-{}", r.person_roleid),
            &r.person_roleid,
            i == 0,
            &format!("{} ({})", r.role_title(), r.org_code),
            &r.role_code,
        ));
    }
    body.push_str(
        "</div></fieldset></div><button class=\"nhsuk-button\" id=\"ia-continue\" type=\"submit\">Continue</button></form>",
    );
    no_store(page(status, "Identity Agent: select your role", &body))
}
