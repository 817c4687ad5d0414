//! Static assets under `/assets/`: the NHS.UK frontend (`nhsuk-frontend` from npm, embedded at build time by
//! `build.rs` when `npm ci --prefix mock-idp/assets` has run), the mock's own stylesheet and its page script
//! (`mock-idp.js`: NHS.UK component initialisation and the WebAuthn ceremonies). Without `nhsuk-frontend` the
//! crate still builds and the pages use a small built-in stand-in stylesheet.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/nhsuk_assets.rs"));

const FALLBACK_CSS: &str = include_str!("../assets/src/fallback.css");
const MOCK_CSS: &str = include_str!("../assets/src/mock-idp.css");
const MOCK_JS: &str = include_str!("../assets/src/mock-idp.js");

/// Whether the NHS.UK frontend was embedded at build time.
pub(crate) fn nhsuk_installed() -> bool {
    !NHSUK_FILES.is_empty()
}

/// The embedded `nhsuk-frontend` version, if any.
pub(crate) fn nhsuk_version() -> Option<&'static str> {
    nhsuk_installed().then_some(NHSUK_VERSION)
}

/// Logs which stylesheet the pages use (once per start).
pub(crate) fn log_status() {
    match nhsuk_version() {
        Some(v) => tracing::info!(version = v, "serving nhsuk-frontend under /assets/"),
        None => tracing::warn!(
            "nhsuk-frontend is not installed (run `npm ci --prefix mock-idp/assets` and rebuild); \
             serving the built-in fallback stylesheet"
        ),
    }
}

/// Tags for `<head>`: the stylesheets and the page script.
pub(crate) fn head_tags() -> &'static str {
    if nhsuk_installed() {
        "<link rel=\"stylesheet\" href=\"/assets/nhsuk-frontend.min.css\">\
         <link rel=\"stylesheet\" href=\"/assets/mock-idp.css\">\
         <link rel=\"icon\" href=\"/assets/images/favicon.svg\" type=\"image/svg+xml\">\
         <script type=\"module\" src=\"/assets/mock-idp.js\"></script>"
    } else {
        "<link rel=\"stylesheet\" href=\"/assets/mock-idp.css\">\
         <script type=\"module\" src=\"/assets/mock-idp.js\"></script>"
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

fn asset(path: &str, body: Vec<u8>) -> Response {
    let mut resp = ([(header::CONTENT_TYPE, content_type(path))], body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    resp.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `GET /assets/{path}`.
pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    match path.as_str() {
        "mock-idp.css" => {
            let css = if nhsuk_installed() {
                MOCK_CSS.to_owned()
            } else {
                format!("{FALLBACK_CSS}\n{MOCK_CSS}")
            };
            asset(&path, css.into_bytes())
        }
        "mock-idp.js" => asset(&path, MOCK_JS.as_bytes().to_vec()),
        "fallback.css" => asset(&path, FALLBACK_CSS.as_bytes().to_vec()),
        p => match NHSUK_FILES.iter().find(|(name, _)| *name == p) {
            Some((name, bytes)) => asset(name, bytes.to_vec()),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_tags_and_types() {
        assert!(head_tags().contains("/assets/mock-idp.css"));
        assert!(head_tags().contains("/assets/mock-idp.js"));
        assert_eq!(content_type("images/nhsuk-icon-tick.svg"), "image/svg+xml");
        assert_eq!(nhsuk_installed(), nhsuk_version().is_some());
        if nhsuk_installed() {
            assert!(NHSUK_FILES.iter().any(|(n, _)| *n == "nhsuk-frontend.min.css"));
            assert!(NHSUK_FILES.iter().any(|(n, _)| n.starts_with("images/")));
        }
    }
}
