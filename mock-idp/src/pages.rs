//! Server-rendered HTML, in small template functions. Every piece of user data goes through [`esc`].
//! The login and role-selection forms work without JavaScript (see the crate docs for their fields).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::authenticators::AuthMethod;
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

/// The page frame.
pub(crate) fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} - CIS2 mock</title>{}</head>\
         <body><header>NHS CIS2 Authentication (mock)</header><main><h1>{}</h1>{}</main></body></html>",
        esc(title),
        crate::assets::head_tags(),
        esc(title),
        body
    )
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
    page(
        status,
        title,
        &format!("<p class=\"error\" id=\"error\">{}</p>", esc(message)),
    )
}

/// What the login page shows about the request.
pub(crate) struct LoginView<'a> {
    pub(crate) interaction: &'a str,
    pub(crate) login_path: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) acr_values: &'a [String],
    pub(crate) login_hint: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

/// The login page: pick a test user and an authenticator.
pub(crate) fn login_page(status: StatusCode, v: &LoginView<'_>, users: &[User]) -> Response {
    let mut body = String::new();
    if let Some(e) = v.error {
        body.push_str(&format!("<p class=\"error\" id=\"error\">{}</p>", esc(e)));
    }
    body.push_str(&format!(
        "<p>Signing in to <strong>{}</strong>. Requested assurance: <code id=\"acr-values\">{}</code></p>",
        esc(v.client_name),
        esc(&v.acr_values.join(" "))
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\">",
        esc(v.login_path)
    ));
    body.push_str(&format!(
        "<input type=\"hidden\" name=\"interaction\" value=\"{}\">",
        esc(v.interaction)
    ));
    body.push_str("<fieldset><legend>Test user</legend><table><tr><th></th><th>UID</th><th>Name</th><th>Max AAL</th><th>About</th></tr>");
    for (i, u) in users.iter().enumerate() {
        let checked = match v.login_hint {
            Some(h) => h == u.uid || h == u.username,
            None => i == 0,
        };
        body.push_str(&format!(
            "<tr><td><input type=\"radio\" name=\"uid\" id=\"uid-{uid}\" value=\"{uid}\"{}></td><td><label for=\"uid-{uid}\">{uid}</label></td><td>{}</td><td>AAL{}</td><td>{}</td></tr>",
            if checked { " checked" } else { "" },
            esc(&u.name()),
            u.max_aal(),
            esc(&u.description),
            uid = esc(&u.uid),
        ));
    }
    body.push_str("</table></fieldset><fieldset><legend>Authenticator</legend>");
    for (i, m) in AuthMethod::ALL.iter().enumerate() {
        let disabled = if m.available() { "" } else { " disabled" };
        body.push_str(&format!(
            "<label><input type=\"radio\" name=\"method\" value=\"{}\"{}{}> {}{}</label>",
            m.as_str(),
            if i == 0 { " checked" } else { "" },
            disabled,
            esc(m.label()),
            if m.available() {
                ""
            } else {
                " (not available in this mock yet)"
            }
        ));
    }
    body.push_str(
        "</fieldset><fieldset><legend>Credentials</legend>\
         <label>Smartcard passcode <input name=\"passcode\" type=\"password\" autocomplete=\"off\"></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"off\"></label>\
         <label>Authenticator app code <input name=\"totp\" inputmode=\"numeric\" autocomplete=\"one-time-code\"></label>\
         </fieldset><button name=\"action\" value=\"login\" id=\"sign-in\">Sign in</button>\
         <button name=\"action\" value=\"cancel\" class=\"secondary\" id=\"cancel\">Cancel</button></form>",
    );
    page(status, "Sign in", &body)
}

/// The clear refusal when an authenticator cannot meet the requested level.
pub(crate) fn refusal_page(login_path: &str, interaction: &str, message: &str) -> Response {
    let body = format!(
        "<p class=\"error\" id=\"refused\">{}</p>\
         <p><a href=\"{}?interaction={}\" id=\"choose-another\">Choose another way to sign in</a></p>\
         <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"interaction\" value=\"{}\">\
         <button name=\"action\" value=\"cancel\" class=\"secondary\">Cancel and return to the service</button></form>",
        esc(message),
        esc(login_path),
        esc(interaction),
        esc(login_path),
        esc(interaction)
    );
    page(StatusCode::FORBIDDEN, "You cannot sign in this way", &body)
}

/// Role selection.
pub(crate) fn role_page(path: &str, interaction: &str, user: &User) -> Response {
    let mut body = format!(
        "<p>{} has more than one role. Choose the role for this session.</p><form method=\"post\" action=\"{}\">\
         <input type=\"hidden\" name=\"interaction\" value=\"{}\"><fieldset><legend>Role</legend>",
        esc(&user.name()),
        esc(path),
        esc(interaction)
    );
    for (i, r) in user.roles.iter().enumerate() {
        let org = user
            .orgs
            .iter()
            .find(|o| o.org_code == r.org_code)
            .map(|o| o.org_name.as_str())
            .unwrap_or("");
        body.push_str(&format!(
            "<label><input type=\"radio\" name=\"role\" value=\"{}\"{}> {} at {} ({}) <code>{}</code></label>",
            esc(&r.person_roleid),
            if i == 0 { " checked" } else { "" },
            esc(r.role_title()),
            esc(org),
            esc(&r.org_code),
            esc(&r.role_code)
        ));
    }
    body.push_str("</fieldset><button id=\"continue\">Continue</button></form>");
    page(StatusCode::OK, "Select your role", &body)
}

/// After RP-initiated logout without a redirect.
pub(crate) fn signed_out_page() -> Response {
    page(
        StatusCode::OK,
        "You have signed out",
        "<p id=\"signed-out\">Your CIS2 session has ended.</p>",
    )
}

/// The start page: issuer, endpoints, users.
pub(crate) fn index_page(issuer: &str, endpoints: &[(&str, String)], users: &[User]) -> Response {
    let mut body = format!("<p>Issuer: <code>{}</code></p><table>", esc(issuer));
    for (name, url) in endpoints {
        body.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            esc(name),
            esc(url)
        ));
    }
    body.push_str("</table><h2>Test users</h2>");
    body.push_str(&users_table(users));
    body.push_str("<p><a href=\"/admin\">Admin</a></p>");
    page(StatusCode::OK, "CIS2 mock IdP", &body)
}

pub(crate) fn users_table(users: &[User]) -> String {
    let mut s =
        String::from("<table><tr><th>UID</th><th>Name</th><th>Max AAL</th><th>Roles</th><th>About</th></tr>");
    for u in users {
        let roles: Vec<String> = u
            .roles
            .iter()
            .map(|r| format!("{} {}", r.person_roleid, r.role_code))
            .collect();
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>AAL{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.uid),
            esc(&u.name()),
            u.max_aal(),
            esc(&roles.join(", ")),
            esc(&u.description)
        ));
    }
    s.push_str("</table>");
    s
}
