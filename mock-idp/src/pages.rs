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

const NHS_LOGO: &str = "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" height=\"40\" width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"NHS\"><title>NHS</title><path fill=\"currentcolor\" d=\"M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z\"/></svg>";

/// The page frame: NHS.UK header ("Care Identity Service"), a test-environment banner, the main column.
pub(crate) fn layout(title: &str, body: &str) -> String {
    let frontend = crate::assets::nhsuk_version()
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
        crate::assets::head_tags(),
        esc(title),
        body,
        cis2_sdk::CIS2_REALM_PATH,
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

/// What the login page shows about the request.
pub(crate) struct LoginView<'a> {
    pub(crate) interaction: &'a str,
    pub(crate) login_path: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) acr_values: &'a [String],
    pub(crate) login_hint: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

fn radio(name: &str, id: &str, value: &str, checked: bool, label: &str, hint: &str) -> String {
    let hint_html = if hint.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"nhsuk-hint nhsuk-radios__hint\" id=\"{id}-hint\">{}</div>",
            esc(hint),
            id = esc(id)
        )
    };
    format!(
        "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"{id}\" name=\"{}\" type=\"radio\" \
         value=\"{}\"{}><label class=\"nhsuk-label nhsuk-radios__label\" for=\"{id}\">{}</label>{hint_html}</div>",
        esc(name),
        esc(value),
        if checked { " checked" } else { "" },
        esc(label),
        id = esc(id)
    )
}

fn text_input(name: &str, id: &str, label: &str, kind: &str, extra: &str) -> String {
    format!(
        "<div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"{id}\">{}</label>\
         <input class=\"nhsuk-input nhsuk-input--width-20\" id=\"{id}\" name=\"{name}\" type=\"{kind}\" {extra}></div>",
        esc(label),
        id = esc(id),
        name = esc(name),
        kind = esc(kind),
    )
}

/// The login page: pick a test user and an authenticator. Works as a plain form; the WebAuthn methods run
/// their ceremony from `/assets/mock-idp.js`.
pub(crate) fn login_page(status: StatusCode, v: &LoginView<'_>, users: &[User]) -> Response {
    let mut body = String::new();
    if let Some(e) = v.error {
        body.push_str(&error_summary("error", e));
    }
    body.push_str(
        "<div class=\"nhsuk-error-summary\" id=\"webauthn-error\" role=\"alert\" tabindex=\"-1\" hidden>\
         <h2 class=\"nhsuk-error-summary__title\">There is a problem</h2>\
         <div class=\"nhsuk-error-summary__body\"><p id=\"webauthn-error-text\"></p></div></div>",
    );
    body.push_str(&format!(
        "<p class=\"nhsuk-body-l\">Signing in to <strong>{}</strong>.</p>\
         <p class=\"nhsuk-body\">Requested assurance: <code id=\"acr-values\">{}</code></p>",
        esc(v.client_name),
        esc(&v.acr_values.join(" "))
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\" id=\"login-form\" data-webauthn-login=\"{}/webauthn/login\" novalidate>\
         <input type=\"hidden\" name=\"interaction\" value=\"{}\">",
        esc(v.login_path),
        esc(cis2_sdk::CIS2_REALM_PATH),
        esc(v.interaction)
    ));
    body.push_str(
        "<div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\"><h2 class=\"nhsuk-fieldset__heading\">Test user</h2></legend>\
         <div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">",
    );
    for (i, u) in users.iter().enumerate() {
        let checked = match v.login_hint {
            Some(h) => h == u.uid || h == u.username,
            None => i == 0,
        };
        body.push_str(&radio(
            "uid",
            &format!("uid-{}", u.uid),
            &u.uid,
            checked,
            &format!("{} (UID {}, up to AAL{})", u.name(), u.uid, u.max_aal()),
            &u.description,
        ));
    }
    body.push_str(
        "</div></fieldset></div><div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\"><h2 class=\"nhsuk-fieldset__heading\">How do you want to sign in?</h2></legend>\
         <div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">",
    );
    for (i, m) in AuthMethod::ALL.iter().enumerate() {
        let hint = match m {
            AuthMethod::Smartcard => "Uses the virtual smartcard reader and your passcode.",
            AuthMethod::Fido2 | AuthMethod::Passkey => {
                "Registered on the manage authenticators page. Needs JavaScript."
            }
            AuthMethod::Totp => "Your password and a 6-digit code from your authenticator app.",
            _ => "",
        };
        body.push_str(&radio(
            "method",
            &format!("method-{}", m.as_str()),
            m.as_str(),
            i == 0,
            m.label(),
            hint,
        ));
    }
    body.push_str("</div></fieldset></div><h2 class=\"nhsuk-heading-m\">Your details</h2>");
    body.push_str(&text_input(
        "passcode",
        "passcode",
        "Smartcard passcode",
        "password",
        "autocomplete=\"off\"",
    ));
    body.push_str(&text_input(
        "password",
        "password",
        "Password",
        "password",
        "autocomplete=\"off\"",
    ));
    body.push_str(&text_input(
        "totp",
        "totp",
        "Authenticator app code",
        "text",
        "inputmode=\"numeric\" autocomplete=\"one-time-code\"",
    ));
    body.push_str(
        "<button class=\"nhsuk-button\" name=\"action\" value=\"login\" id=\"sign-in\" type=\"submit\">Sign in</button> \
         <button class=\"nhsuk-button nhsuk-button--secondary\" name=\"action\" value=\"cancel\" id=\"cancel\" type=\"submit\">Cancel</button></form>",
    );
    page(status, "Sign in", &body)
}

/// The clear refusal when an authenticator cannot meet the requested level.
pub(crate) fn refusal_page(login_path: &str, interaction: &str, message: &str) -> Response {
    let body = format!(
        "{}<p class=\"nhsuk-body\"><a class=\"nhsuk-link\" href=\"{}?interaction={}\" id=\"choose-another\">Choose another way to sign in</a></p>\
         <form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"interaction\" value=\"{}\">\
         <button class=\"nhsuk-button nhsuk-button--secondary\" name=\"action\" value=\"cancel\" type=\"submit\">Cancel and return to the service</button></form>",
        error_summary("refused", message),
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
        "<form method=\"post\" action=\"{}\" novalidate><input type=\"hidden\" name=\"interaction\" value=\"{}\">\
         <div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\" aria-describedby=\"role-hint\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">Role</legend>\
         <div class=\"nhsuk-hint\" id=\"role-hint\">{} has more than one role. Choose the role for this session.</div>\
         <div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">",
        esc(path),
        esc(interaction),
        esc(&user.name()),
    );
    for (i, r) in user.roles.iter().enumerate() {
        let org = user
            .orgs
            .iter()
            .find(|o| o.org_code == r.org_code)
            .map(|o| o.org_name.as_str())
            .unwrap_or("");
        body.push_str(&radio(
            "role",
            &format!("role-{}", r.person_roleid),
            &r.person_roleid,
            i == 0,
            &format!("{} at {} ({})", r.role_title(), org, r.org_code),
            &r.role_code,
        ));
    }
    body.push_str(
        "</div></fieldset></div><button class=\"nhsuk-button\" id=\"continue\" type=\"submit\">Continue</button></form>",
    );
    page(StatusCode::OK, "Select your role", &body)
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
