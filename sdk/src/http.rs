//! HTTP exchanges as values: the sdk builds `http::Request<Vec<u8>>` and reads `http::Response<Vec<u8>>`.

use serde_json::{Map, Value};

use crate::error::{Error, HttpError, OAuthError, OAuthErrorCode, ProviderError};

/// A request for an adapter to send. Adapters must not follow redirects (SSRF; openidconnect's warning).
pub type HttpRequest = http::Request<Vec<u8>>;
/// A response for the sdk to read.
pub type HttpResponse = http::Response<Vec<u8>>;

/// Size caps for provider documents (catalogue REL-04; Nimbus caps JWKS at 50 KiB).
pub mod limits {
    /// Discovery document.
    pub const DISCOVERY: usize = 64 * 1024;
    /// JWKS document.
    pub const JWKS: usize = 64 * 1024;
    /// Token response (ID tokens with many roles reach 8 KiB and more, catalogue REL-20).
    pub const TOKEN: usize = 256 * 1024;
    /// Userinfo response.
    pub const USERINFO: usize = 256 * 1024;
    /// Back-channel logout request body (catalogue BCL-07).
    pub const LOGOUT_BODY: usize = 64 * 1024;
}

pub(crate) fn get(uri: &str, accept: &'static str) -> Result<HttpRequest, Error> {
    http::Request::get(uri)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(|e| {
            crate::error::ConfigError::InvalidOption {
                setting: "request",
                reason: e.to_string(),
            }
            .into()
        })
}

fn content_type(resp: &HttpResponse) -> Option<String> {
    resp.headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.to_ascii_lowercase())
}

fn is_json(ct: Option<&str>) -> bool {
    ct.is_some_and(|c| {
        let essence = c.split(';').next().unwrap_or_default().trim();
        essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

fn truncated(body: &[u8]) -> Vec<u8> {
    body.get(..1024).unwrap_or(body).to_vec()
}

/// Checks status 200, the size cap and (when `json_only`) a JSON content type, then parses the body as one
/// JSON object with no duplicate members.
pub(crate) fn json_body(
    resp: &HttpResponse,
    what: &'static str,
    limit: usize,
) -> Result<Map<String, Value>, Error> {
    let body = resp.body();
    if body.len() > limit {
        return Err(HttpError::BodyTooLarge {
            what,
            limit,
            actual: body.len(),
        }
        .into());
    }
    if resp.status() != http::StatusCode::OK {
        if let Some(err) = oauth_error(resp) {
            return Err(err.into());
        }
        return Err(HttpError::UnexpectedStatus {
            what,
            status: resp.status().as_u16(),
            body: truncated(body),
        }
        .into());
    }
    let ct = content_type(resp);
    if !is_json(ct.as_deref()) {
        return Err(HttpError::UnexpectedContentType {
            what,
            expected: "application/json",
            actual: ct,
        }
        .into());
    }
    crate::json::parse_object(body).map_err(|reason| {
        ProviderError::Malformed {
            document: what,
            reason,
        }
        .into()
    })
}

/// Reads an RFC 6749 §5.2 error body from a 4xx/5xx response, if it is one.
pub(crate) fn oauth_error(resp: &HttpResponse) -> Option<OAuthError> {
    if resp.status().is_success() || resp.body().len() > limits::TOKEN {
        return None;
    }
    let obj = crate::json::parse_object(resp.body()).ok()?;
    let code = obj.get("error")?.as_str()?;
    Some(OAuthError {
        code: OAuthErrorCode::parse(code),
        description: obj
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        status: Some(resp.status().as_u16()),
    })
}

/// Whether a response's content type is `application/jwt` (signed userinfo).
pub(crate) fn is_jwt(resp: &HttpResponse) -> bool {
    content_type(resp).is_some_and(|c| c.split(';').next().unwrap_or_default().trim() == "application/jwt")
}

/// Parses an `application/x-www-form-urlencoded` body or query into pairs, refusing duplicates.
pub(crate) fn form_pairs(input: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(input.as_bytes()) {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(k.into_owned());
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// Encodes pairs as `application/x-www-form-urlencoded`.
pub(crate) fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}
