//! Static assets. Today: a small built-in stylesheet. The NHS.UK frontend (`nhsuk-frontend` from npm) slots in
//! here: serve its CSS/JS under `/assets/` and return its `<link>`/`<script>` tags from [`head_tags`].

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = "body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f0f4f5;color:#212b32}
header{background:#005eb8;color:#fff;padding:12px 24px;font-weight:bold}
main{max-width:960px;margin:24px auto;background:#fff;padding:24px}
fieldset{border:1px solid #d8dde0;margin:0 0 16px;padding:12px}
label{display:block;margin:4px 0}
.error{border-left:6px solid #d5281b;padding:8px 16px;background:#fff;color:#d5281b}
button{background:#007f3b;color:#fff;border:0;padding:10px 18px;font-size:16px;margin-right:8px}
button.secondary{background:#4c6272}
table{border-collapse:collapse}td,th{border-bottom:1px solid #d8dde0;padding:4px 8px;text-align:left}
code{background:#f0f4f5}";

/// Tags for `<head>`: the stylesheet(s) every page uses.
pub(crate) fn head_tags() -> &'static str {
    "<link rel=\"stylesheet\" href=\"/assets/mock-idp.css\">"
}

/// `GET /assets/{path}`.
pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    match path.as_str() {
        "mock-idp.css" => ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response(),
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
