//! `/userinfo`: the scope-dependent claims as JSON, or as a signed JWT (`application/jwt`, no `aud`, as CIS2
//! said in 2021) for clients registered with `userinfo_signed`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cis2_sdk::OAuthErrorCode;

use super::claims;
use super::endpoint_fault::endpoint_fault;
use super::observe::Seen;
use crate::errors::{no_store, oauth_json};
use crate::faults::Target;
use crate::observed::ObservedEndpoint;
use crate::signing;
use crate::state::{AppState, lock};

fn unauthorized(error: Option<&str>, description: &str) -> Response {
    let realm = crate::realm::current();
    let realm = realm.name.trim_start_matches('/');
    let (mut resp, challenge) = match error {
        Some(e) => (
            oauth_json(StatusCode::UNAUTHORIZED, OAuthErrorCode::parse(e), description),
            format!("Bearer realm=\"{realm}\", error=\"{e}\", error_description=\"{description}\""),
        ),
        None => (
            no_store(StatusCode::UNAUTHORIZED.into_response()),
            format!("Bearer realm=\"{realm}\""),
        ),
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// `GET` / `POST /userinfo` with `Authorization: Bearer`, recorded in the observation log (the access
/// token's client and user).
pub(crate) async fn userinfo(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let mut seen = Seen::default();
    let resp = answer(&st, &headers, &mut seen).await;
    seen.record(&st, ObservedEndpoint::Userinfo, &resp);
    resp
}

async fn answer(st: &AppState, headers: &HeaderMap, seen: &mut Seen) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let Some(token) = token else {
        return unauthorized(None, "");
    };
    let now = st.0.clock.now();
    let grant = lock(&st.0.sessions).access.get(&token).cloned();
    let Some(grant) = grant else {
        return unauthorized(Some("invalid_token"), "unknown access token");
    };
    seen.client_id = Some(grant.client_id.clone());
    seen.uid = Some(grant.uid.clone());
    if grant.revoked {
        return unauthorized(Some("invalid_token"), "the access token has been revoked");
    }
    if grant.expires_at <= now {
        return unauthorized(Some("invalid_token"), "the access token has expired");
    }
    if let Some(r) = endpoint_fault(
        st,
        Some(&grant.client_id),
        Some(&grant.uid),
        Target::UserinfoEndpoint,
    )
    .await
    {
        return r;
    }
    let (Some(user), Some(client)) = (st.user(&grant.uid), st.client(&grant.client_id)) else {
        return unauthorized(Some("invalid_token"), "the user or client no longer exists");
    };
    let mut claims = match claims::userinfo(&user, &grant.scopes, grant.selected_roleid.as_deref(), &client) {
        Ok(c) => c,
        Err(e) => return oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
    };
    if client.userinfo_signed {
        claims.insert("iss".into(), st.issuer().into());
        match signing::sign(
            st,
            &client.client_id,
            Some(&grant.uid),
            Target::Userinfo,
            Some("JWT"),
            claims,
        ) {
            Ok(jwt) => {
                seen.token = Some(jwt.clone());
                no_store(([(header::CONTENT_TYPE, "application/jwt")], jwt).into_response())
            }
            Err(e) => oauth_json(StatusCode::INTERNAL_SERVER_ERROR, OAuthErrorCode::ServerError, e),
        }
    } else {
        signing::mutate(
            st,
            &client.client_id,
            Some(&grant.uid),
            Target::Userinfo,
            &mut claims,
        );
        no_store(axum::Json(claims).into_response())
    }
}
