//! Server-rendered HTML, in small template functions. Every piece of user data goes through [`esc`].
//! The shared layout and the pages any room may show; the sign-in journey's forms are in `crate::journey`.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::assets;
use crate::users::User;

/// HTML-escapes text for element content and quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

const NHS_LOGO: &str = "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" height=\"40\" width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"NHS\"><title>NHS</title><path fill=\"currentcolor\" d=\"M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z\"/></svg>";

/// The page frame: NHS.UK header ("Care Identity Service"), a test-environment banner, the main column.
pub(crate) fn layout(title: &str, body: &str) -> String {
    let frontend = assets::nhsuk_version()
        .map(|v| format!(" data-nhsuk-frontend=\"{}\"", esc(v)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"en\" class=\"nhsuk-template\"{frontend}><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} - Care Identity Service (mock)</title>{}</head><body class=\"nhsuk-template__body\">\
         <a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\
         <div class=\"mock-idp-banner\"><div class=\"nhsuk-width-container\">Test environment: cis2-mock-idp imitates NHS CIS2 \
         Authentication. Never enter real credentials.</div></div>\
         <header class=\"nhsuk-header\" role=\"banner\"><div class=\"nhsuk-header__container nhsuk-width-container\">\
         <div class=\"nhsuk-header__service\"><a class=\"nhsuk-header__service-logo\" href=\"/\" aria-label=\"NHS Care Identity Service homepage\">\
         {NHS_LOGO}<span class=\"nhsuk-header__service-name\">Care Identity Service</span></a></div></div></header>\
         <div class=\"nhsuk-width-container\"><main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\
         <h1 class=\"nhsuk-heading-xl\">{}</h1>{}</main></div>\
         <footer class=\"nhsuk-footer\" role=\"contentinfo\"><div class=\"nhsuk-width-container\"><p class=\"nhsuk-body-s\">\
         cis2-mock-idp &middot; <a class=\"nhsuk-link\" href=\"/admin\">Admin</a> &middot; \
         <a class=\"nhsuk-link\" href=\"{}/manage-authenticators\">Manage security keys and passkeys</a></p></div></footer>\
         </body></html>",
        esc(title),
        assets::head_tags(),
        esc(title),
        body,
        esc(&crate::realm::current().path),
    )
}

/// An NHS.UK error summary; `id` goes on the message paragraph.
pub(crate) fn error_summary(id: &str, message: &str) -> String {
    format!(
        "<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" role=\"alert\" tabindex=\"-1\">\
         <h2 class=\"nhsuk-error-summary__title\" id=\"error-summary-title\">There is a problem</h2>\
         <div class=\"nhsuk-error-summary__body\"><p id=\"{}\">{}</p></div></div>",
        esc(id),
        esc(message)
    )
}

/// Adds the NHS.UK classes to plain template markup (`<table>`, `<th>`, `<td>`, `<h2>`, `<p>`, `<pre>`). Only
/// for markup built by our templates: escaped user data cannot contain these tags.
pub(crate) fn nhsuk_classes(html: &str) -> String {
    html.replace("<table>", "<table class=\"nhsuk-table\">")
        .replace("<th>", "<th class=\"nhsuk-table__header\">")
        .replace("<td>", "<td class=\"nhsuk-table__cell\">")
        .replace("<h2>", "<h2 class=\"nhsuk-heading-m\">")
        .replace("<p>", "<p class=\"nhsuk-body\">")
        .replace("<pre>", "<pre class=\"mock-idp-json\">")
}

/// A page with a status.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let mut resp = (status, Html(layout(title, body))).into_response();
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// An error page (never a redirect to an unregistered URI).
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, title, &error_summary("error", message))
}

/// After RP-initiated logout without a redirect.
pub(crate) fn signed_out_page() -> Response {
    page(
        StatusCode::OK,
        "You have signed out",
        "<p class=\"nhsuk-body\" id=\"signed-out\">Your CIS2 session has ended.</p>",
    )
}

/// The start page: issuer, endpoints, users.
pub(crate) fn index_page(issuer: &str, endpoints: &[(&str, String)], users: &[User]) -> Response {
    let mut body = format!(
        "<p class=\"nhsuk-body\">Issuer: <code>{}</code></p><table class=\"nhsuk-table\">",
        esc(issuer)
    );
    for (name, url) in endpoints {
        body.push_str(&format!(
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\"><code>{}</code></td></tr>",
            esc(name),
            esc(url)
        ));
    }
    body.push_str("</table><h2 class=\"nhsuk-heading-m\">Test users</h2>");
    body.push_str(&users_table(users));
    body.push_str("<p class=\"nhsuk-body\"><a class=\"nhsuk-link\" href=\"/admin\">Admin</a></p>");
    page(StatusCode::OK, "CIS2 mock IdP", &body)
}

pub(crate) fn users_table(users: &[User]) -> String {
    let mut s = String::from(
        "<table class=\"nhsuk-table mock-idp-users\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\">UID</th><th class=\"nhsuk-table__header\">Name</th><th class=\"nhsuk-table__header\">Max AAL</th><th class=\"nhsuk-table__header\">Roles</th><th class=\"nhsuk-table__header\">About</th></tr></thead><tbody class=\"nhsuk-table__body\">",
    );
    for u in users {
        let roles: Vec<String> = u
            .roles
            .iter()
            .map(|r| format!("{} {}", r.person_roleid, r.role_code))
            .collect();
        s.push_str(&format!(
            "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">AAL{}</td><td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td></tr>",
            esc(&u.uid),
            esc(&u.name()),
            u.max_aal(),
            esc(&roles.join(", ")),
            esc(&u.description)
        ));
    }
    s.push_str("</tbody></table>");
    s
}
