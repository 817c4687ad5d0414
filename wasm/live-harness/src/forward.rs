//! Plain HTTP forwarding (buffered): the RP's fallback to the wasm-bindgen-test runner, the relay to the mock's
//! admin API and the WebDriver proxy. Bodies here are small (test pages, JSON), so nothing streams.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The largest request body forwarded.
pub(crate) const MAX_BODY: usize = 64 * 1024 * 1024;

/// Headers that belong to one connection, not to the request or response.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "host" | "connection" | "keep-alive" | "transfer-encoding" | "te" | "upgrade" | "content-length"
    )
}

/// An answer read in full.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() = self.status;
        for (k, v) in &self.headers {
            if !hop_by_hop(k) {
                resp.headers_mut().append(k, v.clone());
            }
        }
        resp
    }
}

/// Sends `method url` with the end-to-end `headers` and `body`, and reads the answer.
pub(crate) async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Answer, reqwest::Error> {
    let mut req = http.request(method, url);
    for (k, v) in headers {
        if !hop_by_hop(k) {
            req = req.header(k, v);
        }
    }
    let resp = req.body(body).send().await?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.bytes().await?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// `502` with a JSON body naming what could not be reached.
pub(crate) fn bad_gateway(what: &str, e: &dyn std::fmt::Display) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({
            "error": "bad_gateway",
            "error_description": format!("{what}: {e}"),
        })),
    )
        .into_response()
}

/// Forwards an axum request to `base` + its path and query.
pub(crate) async fn forward(http: &reqwest::Client, base: &str, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let pq = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{base}{pq}");
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return bad_gateway("request body", &e),
    };
    match send(http, parts.method, &url, &parts.headers, body).await {
        Ok(a) => a.into_response(),
        Err(e) => bad_gateway(&url, &e),
    }
}
