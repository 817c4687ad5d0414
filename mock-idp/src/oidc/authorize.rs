//! `/authorize`: checks the request (exact `redirect_uri`, `response_type=code`, `openid`, PKCE rules,
//! `acr_values`, `prompt`, `max_age`), reuses the SSO session when it may, and otherwise sends the browser
//! to the login page. Errors go back to the registered redirect URI with `state`; when the client or the
//! redirect URI cannot be trusted, an HTML page says so instead.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cis2_sdk::OAuthErrorCode;

use super::discovery::SCOPES_SUPPORTED;
use cis2_sdk::random_token;
use rand::rngs::OsRng;

use crate::authenticators::default_acr_values;
use crate::errors::{found, redirect_error};
use crate::http::session_cookie;
use crate::journey::flow::{continue_after_auth, ia_sign_in};
use crate::observed::ObservedEndpoint;
use crate::pages::error_page;
use crate::sessions::{AuthRequest, Interaction, make_room};
use crate::state::{AppState, lock};

/// `GET /authorize`.
pub(crate) async fn authorize_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    observed(&st, q.as_deref().unwrap_or(""), &headers)
}

/// `POST /authorize` (form-encoded parameters, OIDC Core §3.1.2.1).
pub(crate) async fn authorize_post(State(st): State<AppState>, headers: HeaderMap, body: String) -> Response {
    observed(&st, &body, &headers)
}

/// [`handle`], recorded in the observation log: the `client_id` parameter, and the user of the browser's
/// SSO session (as it was before the request), if any.
fn observed(st: &AppState, params: &str, headers: &HeaderMap) -> Response {
    let client_id = url::form_urlencoded::parse(params.as_bytes())
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned());
    let uid = session_cookie::get(headers).and_then(|c| {
        let now = st.0.clock.now();
        lock(&st.0.sessions).by_cookie(&c, now).map(|s| s.uid.clone())
    });
    let resp = handle(st, params, headers);
    st.observe(
        ObservedEndpoint::Authorize,
        client_id.as_deref(),
        uid.as_deref(),
        resp.status().as_u16(),
        None,
    );
    resp
}

fn handle(st: &AppState, params: &str, headers: &HeaderMap) -> Response {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut duplicate = None;
    for (k, v) in url::form_urlencoded::parse(params.as_bytes()) {
        if pairs.iter().any(|(seen, _)| *seen == k) {
            duplicate.get_or_insert_with(|| k.to_string());
        }
        pairs.push((k.into_owned(), v.into_owned()));
    }
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(client_id) = get("client_id") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request has no client_id.",
        );
    };
    let Some(client) = st.client(client_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Unknown client",
            &format!("No client is registered as {client_id:?}."),
        );
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request has no redirect_uri.",
        );
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Redirect URI not registered",
            &format!(
                "{redirect_uri:?} is not a registered redirect URI of {client_id:?} (exact match required)."
            ),
        );
    }
    if matches!(duplicate.as_deref(), Some("client_id" | "redirect_uri")) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "client_id or redirect_uri is repeated.",
        );
    }
    let state = get("state");
    let fail = |code: OAuthErrorCode, desc: &str| redirect_error(redirect_uri, code, desc, state);
    if let Some(d) = duplicate {
        return fail(
            OAuthErrorCode::InvalidRequest,
            &format!("parameter {d} is repeated"),
        );
    }
    for unsupported in ["request", "request_uri"] {
        if get(unsupported).is_some() {
            return fail(
                OAuthErrorCode::Other(format!("{unsupported}_not_supported")),
                &format!("{unsupported} is not supported"),
            );
        }
    }
    match get("response_type") {
        None => return fail(OAuthErrorCode::InvalidRequest, "response_type is required"),
        Some("code") => {}
        Some(_) => {
            return fail(
                OAuthErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            );
        }
    }
    let scopes: Vec<String> = get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return fail(OAuthErrorCode::InvalidScope, "scope must include openid");
    }
    if let Some(bad) = scopes.iter().find(|s| !SCOPES_SUPPORTED.contains(&s.as_str())) {
        return fail(OAuthErrorCode::InvalidScope, &format!("unknown scope {bad}"));
    }
    let challenge = get("code_challenge");
    let method = get("code_challenge_method");
    let code_challenge_method = match (challenge, method) {
        (None, Some(_)) => {
            return fail(
                OAuthErrorCode::InvalidRequest,
                "code_challenge_method without code_challenge",
            );
        }
        (None, None) if client.require_pkce => {
            return fail(OAuthErrorCode::InvalidRequest, "PKCE is required for this client");
        }
        (None, None) => None,
        (Some(c), m) => {
            let ok_chars = c
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !(43..=128).contains(&c.len()) || !ok_chars {
                return fail(
                    OAuthErrorCode::InvalidRequest,
                    "code_challenge must be 43-128 unreserved characters",
                );
            }
            match m.unwrap_or("plain") {
                "S256" => Some("S256".to_owned()),
                "plain" if client.allow_plain_pkce => Some("plain".to_owned()),
                "plain" => {
                    return fail(
                        OAuthErrorCode::InvalidRequest,
                        "code_challenge_method plain is not allowed; use S256",
                    );
                }
                _ => {
                    return fail(
                        OAuthErrorCode::InvalidRequest,
                        "unsupported code_challenge_method",
                    );
                }
            }
        }
    };
    let requested_acr: Vec<String> = get("acr_values")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let known: Vec<String> = requested_acr
        .iter()
        .filter(|a| cis2_sdk::acr::acr_level(a).is_some())
        .cloned()
        .collect();
    if !requested_acr.is_empty() && known.is_empty() {
        return fail(
            OAuthErrorCode::InvalidRequest,
            "none of the acr_values is supported",
        );
    }
    let acr_values = if known.is_empty() {
        default_acr_values()
    } else {
        known
    };
    let prompts: Vec<&str> = get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return fail(
            OAuthErrorCode::InvalidRequest,
            "prompt=none cannot be combined with other values",
        );
    }
    let max_age = match get("max_age").map(str::parse::<u64>) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return fail(
                OAuthErrorCode::InvalidRequest,
                "max_age must be a non-negative integer",
            );
        }
    };
    let req = AuthRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.map(str::to_owned),
        nonce: get("nonce").map(str::to_owned),
        code_challenge: challenge.map(str::to_owned),
        code_challenge_method,
        acr_values,
        prompt_login: prompts.contains(&"login"),
        max_age,
        login_hint: get("login_hint").map(str::to_owned),
    };

    let now = st.0.clock.now();
    let rules = st.acr_rules();
    let cookie = session_cookie::get(headers);
    let reusable = {
        let sessions = lock(&st.0.sessions);
        cookie
            .as_deref()
            .and_then(|c| sessions.by_cookie(c, now))
            .is_some_and(|s| {
                !req.prompt_login
                    && req
                        .max_age
                        .is_none_or(|m| now.duration_since(s.auth_time).as_secs() <= m)
                    && s.method.acr_for(&req.acr_values, rules).is_some()
                    && st.user(&s.uid).is_some()
            })
    };
    // No CIS2 session to reuse: a live CIS1 session in this browser's Identity Agent signs the user in
    // without a prompt (Identity Agent single sign-on, cis2.md §12.4).
    let ia = if reusable {
        None
    } else {
        crate::cis1::agent::sso_candidate(st, headers, &req)
    };
    if prompt_none && !reusable && ia.is_none() {
        return fail(
            OAuthErrorCode::LoginRequired,
            "no session that satisfies the request",
        );
    }
    let id = random_token(&mut OsRng, 24);
    let interaction = Interaction {
        req,
        created: now,
        session_cookie: if reusable { cookie } else { None },
        preset_role: None,
        seq: 0,
    };
    {
        let mut sessions = lock(&st.0.sessions);
        make_room(&mut sessions.interactions, st.0.config.max_interactions, |i| {
            i.seq
        });
        let mut interaction = interaction;
        interaction.seq = sessions.next_seq();
        sessions.interactions.insert(id.clone(), interaction);
    }
    if reusable {
        tracing::debug!(client_id, "SSO session reused");
        return continue_after_auth(st, &id);
    }
    if let Some(cis1) = ia {
        return ia_sign_in(st, headers, &id, &cis1);
    }
    found(&format!("{}?interaction={id}", crate::realm::path("/login")))
}
