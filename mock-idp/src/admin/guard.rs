//! The admin surface's front door (`/admin` and `/admin/api/*`), checked in this order before any handler:
//!
//! 1. `Host` (DNS rebinding): an IP address, `localhost`, the issuer's host or a name in
//!    `[admin] allowed_hosts`; anything else is `403 forbidden`. IP literals are always fine: a rebinding
//!    page's requests carry the attacker's domain name, never the mock's address.
//! 2. Cross-origin browser requests (the model is Go's `net/http.CrossOriginProtection`): when the browser
//!    says `Sec-Fetch-Site`, only `same-origin` and `none` (a typed URL, a bookmark) pass; `same-site` (for
//!    example another port of `localhost`) and `cross-site` are `403 forbidden`. Without `Sec-Fetch-Site`
//!    (older browsers), an `Origin` must be the mock's own: the request's `Host` or the issuer's origin.
//!    Without either header (curl, reqwest, node's fetch) the request passes.
//! 3. The bearer token, when `[admin] token` is set: `Authorization: Bearer <token>`, compared in constant
//!    time over SHA-256 digests; otherwise `401 unauthorized` with `WWW-Authenticate: Bearer`.
//! 4. A request with a body must say `Content-Type: application/json` (parameters allowed); otherwise
//!    `415 unsupported_media_type`. This alone stops the classic cross-site `text/plain` form or `no-cors`
//!    POST: a browser sends a JSON body across origins only after a CORS preflight, which the admin API
//!    never grants.
//!
//! Refusals use the admin API's error body, `{"error", "error_description"}`, and are logged at `warn`.

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::errors::json_error;
use crate::state::AppState;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Why a request was turned away before reaching a handler.
#[derive(Debug)]
enum Refusal {
    /// 403: the `Host` is not one the mock answers admin requests for.
    Host(String),
    /// 403: a browser request from another origin or site.
    CrossOrigin(String),
    /// 401: the token is set and the request does not carry it.
    Token,
    /// 415: a body that is not declared JSON.
    MediaType(String),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Self::Host(_) | Self::CrossOrigin(_) => StatusCode::FORBIDDEN,
            Self::Token => StatusCode::UNAUTHORIZED,
            Self::MediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Host(_) | Self::CrossOrigin(_) => "forbidden",
            Self::Token => "unauthorized",
            Self::MediaType(_) => "unsupported_media_type",
        }
    }

    fn description(&self) -> String {
        match self {
            Self::Host(h) => format!(
                "Host {h:?} is not allowed for the admin API (DNS rebinding protection); use localhost, an IP \
                 address or the issuer's host, or add it to [admin] allowed_hosts"
            ),
            Self::CrossOrigin(why) => {
                format!("cross-origin request refused ({why}); the admin API serves its own origin only")
            }
            Self::Token => "the admin API needs Authorization: Bearer <[admin] token>".to_owned(),
            Self::MediaType(ct) => {
                format!("request bodies must be Content-Type: application/json (got {ct})")
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut resp = json_error(self.status(), self.code(), self.description());
        if matches!(self, Self::Token) {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cis2-mock-idp admin\""),
            );
        }
        resp
    }
}

/// The middleware on the admin routes.
pub(crate) async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match check(&st, &req) {
        Ok(()) => next.run(req).await,
        Err(refusal) => {
            tracing::warn!(
                method = %req.method(),
                path = %req.uri().path(),
                status = refusal.status().as_u16(),
                reason = %refusal.description(),
                "admin request refused"
            );
            refusal.into_response()
        }
    }
}

fn check(st: &AppState, req: &Request) -> Result<(), Refusal> {
    let host = request_host(req);
    if let Some(h) = &host {
        check_host(st, h)?;
    }
    check_origin(st, req.headers(), host.as_deref())?;
    check_token(st, req.headers())?;
    check_content_type(req)
}

/// `host[:port]` from `Host` (or an absolute request URI); `None` when the request names no host at all
/// (only non-browser clients do that).
fn request_host(req: &Request) -> Option<String> {
    match req.headers().get(header::HOST) {
        Some(v) => Some(String::from_utf8_lossy(v.as_bytes()).into_owned()),
        None => req.uri().authority().map(|a| a.as_str().to_owned()),
    }
}

/// The host name of `host[:port]`, lower-cased, without IPv6 brackets or a trailing dot.
fn host_name(authority: &str) -> Option<String> {
    let a: axum::http::uri::Authority = authority.parse().ok()?;
    if a.as_str().contains('@') {
        return None;
    }
    let h = a.host().trim_start_matches('[').trim_end_matches(']');
    Some(h.trim_end_matches('.').to_ascii_lowercase())
}

fn check_host(st: &AppState, authority: &str) -> Result<(), Refusal> {
    let refused = || Refusal::Host(authority.to_owned());
    let name = host_name(authority).ok_or_else(refused)?;
    let issuer_host = url::Url::parse(st.issuer())
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_end_matches('.').to_ascii_lowercase()));
    let allowed = name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || issuer_host.as_deref() == Some(name.as_str())
        || st
            .config()
            .admin
            .allowed_hosts
            .iter()
            .any(|h| h.trim_end_matches('.').eq_ignore_ascii_case(&name));
    if allowed { Ok(()) } else { Err(refused()) }
}

fn check_origin(st: &AppState, headers: &HeaderMap, host: Option<&str>) -> Result<(), Refusal> {
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            other => Err(Refusal::CrossOrigin(format!(
                "Sec-Fetch-Site: {}",
                String::from_utf8_lossy(other)
            ))),
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = String::from_utf8_lossy(origin.as_bytes());
    let refused = || Refusal::CrossOrigin(format!("Origin: {origin}"));
    let parsed = url::Url::parse(&origin).map_err(|_| refused())?;
    let own_host = host.is_some_and(|h| {
        let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
        parsed
            .host_str()
            .is_some_and(|oh| format!("{oh}{port}").eq_ignore_ascii_case(h))
    });
    let issuer_origin = url::Url::parse(st.issuer()).map(|u| u.origin());
    let same_as_issuer = issuer_origin.is_ok_and(|o| o.is_tuple() && o == parsed.origin());
    if own_host || same_as_issuer {
        Ok(())
    } else {
        Err(refused())
    }
}

fn check_token(st: &AppState, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(expected) = st.config().admin.token() else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(given) = given else {
        return Err(Refusal::Token);
    };
    // Digests have one length, so the comparison's time says nothing about the token's length either.
    let same = Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
    if bool::from(same) {
        Ok(())
    } else {
        Err(Refusal::Token)
    }
}

fn check_content_type(req: &Request) -> Result<(), Refusal> {
    if req.body().size_hint().exact() == Some(0) {
        return Ok(());
    }
    let ct = req.headers().get(header::CONTENT_TYPE);
    let essence = ct
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if essence.is_some_and(|e| e.eq_ignore_ascii_case("application/json")) {
        Ok(())
    } else {
        Err(Refusal::MediaType(match ct {
            Some(v) => format!("{:?}", String::from_utf8_lossy(v.as_bytes())),
            None => "none".to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names() {
        assert_eq!(host_name("LocalHost:9000").as_deref(), Some("localhost"));
        assert_eq!(host_name("[::1]:9000").as_deref(), Some("::1"));
        assert_eq!(host_name("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(host_name("evil.example.:80").as_deref(), Some("evil.example"));
        assert_eq!(host_name("user@localhost"), None);
        assert_eq!(host_name("bad host"), None);
    }
}
