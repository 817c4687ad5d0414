//! Static files: the demo's own script and stylesheet (embedded), the NHS.UK frontend (`/assets/`, from the
//! `nhsuk-frontend` npm package on disk) and the cis2-browser package (`/pkg/`, from `wasm/pkg` when built).
//! Missing files answer 404; the page works without them (server-rendered links and forms).

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::Config;

const APP_JS: &str = include_str!("../static/app.js");
const APP_CSS: &str = include_str!("../static/app.css");
const CIS1_JS: &str = include_str!("../static/cis1.js");

#[derive(Clone, Debug)]
pub(crate) struct Assets {
    pkg_dir: PathBuf,
    nhsuk_dir: PathBuf,
}

impl Assets {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            pkg_dir: config.pkg_dir.clone(),
            nhsuk_dir: config.nhsuk_dir.clone(),
        }
    }

    /// Whether the cis2-browser package is built (the page then loads `app.js`).
    pub(crate) fn has_pkg(&self) -> bool {
        self.pkg_dir.join("cis2_browser.js").is_file()
    }

    /// Whether nhsuk-frontend is installed.
    pub(crate) fn has_nhsuk(&self) -> bool {
        self.nhsuk_dir.join("nhsuk-frontend.min.css").is_file()
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "map") => "application/json",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A relative path made of plain segments only (no `..`, no absolute paths, no odd characters).
fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let ok = !rel.is_empty()
        && rel.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    ok.then(|| root.join(rel))
}

async fn serve_file(root: &Path, rel: &str) -> Response {
    let Some(path) = safe_join(root, rel) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type(rel)),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(crate) async fn app_js() -> Response {
    ([(header::CONTENT_TYPE, content_type("app.js"))], APP_JS).into_response()
}

pub(crate) async fn cis1_js() -> Response {
    ([(header::CONTENT_TYPE, content_type("cis1.js"))], CIS1_JS).into_response()
}

pub(crate) async fn app_css() -> Response {
    ([(header::CONTENT_TYPE, content_type("app.css"))], APP_CSS).into_response()
}

pub(crate) async fn nhsuk(State(assets): State<Assets>, UrlPath(path): UrlPath<String>) -> Response {
    serve_file(&assets.nhsuk_dir, &path).await
}

pub(crate) async fn pkg(State(assets): State<Assets>, UrlPath(path): UrlPath<String>) -> Response {
    serve_file(&assets.pkg_dir, &path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_root() {
        let root = Path::new("/srv");
        assert!(safe_join(root, "cis2_browser.js").is_some());
        assert!(safe_join(root, "snippets/cis2-wasm-1/js/errors.js").is_some());
        assert!(safe_join(root, "../etc/passwd").is_none());
        assert!(safe_join(root, "a//b").is_none());
        assert!(safe_join(root, "a/%2e%2e/b").is_none());
        assert!(safe_join(root, "").is_none());
    }
}
