//! HTTP plumbing shared by the rooms: the SSO cookie (read, set, cleared; parsed and written with the
//! `cookie` crate) and credentialed CORS for allow-listed origins.

/// The largest request body the OIDC and journey endpoints read (64 KiB; axum's default is 2 MB). A larger
/// one is answered `413 Payload Too Large`.
pub(crate) const FORM_BODY_LIMIT: usize = 64 * 1024;

/// The SSO cookie `cis2_mock_sso`: `HttpOnly`, `SameSite=Lax`, `Path=/`, a session cookie (no expiry).
pub(crate) mod session_cookie {
    use axum::http::{HeaderMap, HeaderValue, header};
    use axum::response::Response;
    use cookie::{Cookie, SameSite};

    use crate::sessions::SESSION_COOKIE;

    /// The SSO cookie's value, from the first `Cookie` header pair that carries it.
    pub(crate) fn get(headers: &HeaderMap) -> Option<String> {
        get_named(headers, SESSION_COOKIE)
    }

    /// The value of cookie `name`, from the first `Cookie` header pair that carries it.
    pub(crate) fn get_named(headers: &HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                Cookie::split_parse(v)
                    .filter_map(Result::ok)
                    .find(|c| c.name() == name)
                    .map(|c| c.value().to_owned())
            })
    }

    fn cookie<'a>(name: &'a str, value: &'a str) -> Cookie<'a> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .build()
    }

    fn append(resp: &mut Response, c: &Cookie<'_>) {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    /// Adds `Set-Cookie` for a new or refreshed session.
    pub(crate) fn set(resp: &mut Response, value: &str) {
        set_named(resp, SESSION_COOKIE, value);
    }

    /// Adds `Set-Cookie` for cookie `name` (`HttpOnly`, `SameSite=Lax`, `Path=/`, no expiry).
    pub(crate) fn set_named(resp: &mut Response, name: &str, value: &str) {
        append(resp, &cookie(name, value));
    }

    /// Adds `Set-Cookie` that removes the cookie (empty value, `Max-Age=0`).
    pub(crate) fn clear(resp: &mut Response) {
        let mut c = cookie(SESSION_COOKIE, "");
        c.set_max_age(cookie::time::Duration::ZERO);
        append(resp, &c);
    }
}

/// Credentialed CORS for allow-listed origins only, shared by the bridge listeners and the WebAuthn ceremony
/// endpoints. An allowed `Origin` gets `Access-Control-Allow-Origin: <origin>` and
/// `Access-Control-Allow-Credentials: true`; its preflight a `204` with the allowed methods, the requested
/// headers echoed and `Access-Control-Max-Age: 600`. Any other origin gets no CORS headers at all (the browser
/// reports a CORS failure) and its preflight a `403`. Every answer carries `Vary: origin`.
pub(crate) mod cors {
    use axum::extract::Request;
    use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
    use axum::middleware::Next;
    use axum::response::{IntoResponse, Response};

    const ALLOW_PRIVATE_NETWORK: HeaderName = HeaderName::from_static("access-control-allow-private-network");
    const REQUEST_PRIVATE_NETWORK: HeaderName =
        HeaderName::from_static("access-control-request-private-network");

    /// What one CORS surface answers to preflights.
    #[derive(Clone, Copy, Debug)]
    pub(crate) struct Policy {
        /// `Access-Control-Allow-Methods`.
        pub(crate) methods: &'static str,
        /// Whether to answer Private Network Access preflights (`Access-Control-Allow-Private-Network: true`).
        pub(crate) private_network: bool,
    }

    /// The request's `Origin` when `allowed` accepts it (byte for byte).
    pub(crate) fn allowed_origin(req: &Request, allowed: impl Fn(&str) -> bool) -> Option<HeaderValue> {
        req.headers()
            .get(header::ORIGIN)
            .filter(|o| o.to_str().is_ok_and(&allowed))
            .cloned()
    }

    /// Runs the request (or answers its preflight) with the CORS headers for `origin` (already checked).
    pub(crate) async fn respond(
        req: Request,
        next: Next,
        origin: Option<HeaderValue>,
        policy: Policy,
    ) -> Response {
        let preflight = req.method() == Method::OPTIONS
            && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let mut resp = match (preflight, &origin) {
            (true, None) => StatusCode::FORBIDDEN.into_response(),
            (true, Some(origin)) => preflight_ok(req.headers(), origin, policy),
            (false, _) => {
                let mut r = next.run(req).await;
                if let Some(origin) = &origin {
                    allow_origin(r.headers_mut(), origin);
                }
                r
            }
        };
        resp.headers_mut()
            .append(header::VARY, HeaderValue::from_static("origin"));
        resp
    }

    fn allow_origin(h: &mut HeaderMap, origin: &HeaderValue) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }

    fn preflight_ok(asked: &HeaderMap, origin: &HeaderValue, policy: Policy) -> Response {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        allow_origin(h, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(policy.methods),
        );
        if let Some(headers) = asked.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, headers.clone());
        }
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        let private_network = asked
            .get(REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        if policy.private_network && private_network {
            h.insert(ALLOW_PRIVATE_NETWORK, HeaderValue::from_static("true"));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};
    use axum::response::{IntoResponse, Response};

    use super::session_cookie;

    #[test]
    fn the_sso_cookie_is_read_from_any_cookie_header() {
        let mut h = HeaderMap::new();
        assert_eq!(session_cookie::get(&h), None);
        h.append(header::COOKIE, HeaderValue::from_static("a=1; other=2"));
        h.append(
            header::COOKIE,
            HeaderValue::from_static("x=y;  cis2_mock_sso=abc-_1 ; z=9"),
        );
        assert_eq!(session_cookie::get(&h).as_deref(), Some("abc-_1"));
    }

    #[test]
    fn set_and_clear() {
        let mut resp: Response = ().into_response();
        session_cookie::set(&mut resp, "tok");
        session_cookie::clear(&mut resp);
        let set: Vec<&str> = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(
            set,
            [
                "cis2_mock_sso=tok; HttpOnly; SameSite=Lax; Path=/",
                "cis2_mock_sso=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"
            ]
        );
    }
}
