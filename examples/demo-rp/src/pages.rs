//! Server-rendered NHS.UK pages. Everything works as plain links and forms; `static/app.js` (when the
//! cis2-browser package is built) adds the live session: the event stream, the cross-tab "session ended"
//! banner and the buttons driven by the SDK.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use cis2_server::Cis2Session;
use cis2_server::cis2_sdk::RoleSelection;

use crate::state::AppState;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const NHS_LOGO: &str = "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" height=\"40\" width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"NHS\"><title>NHS</title><path fill=\"currentcolor\" d=\"M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z\"/></svg>";

fn layout(state: &AppState, title: &str, body: &str) -> Response {
    let mut head = String::new();
    if state.assets.has_nhsuk() {
        head.push_str("<link rel=\"stylesheet\" href=\"/assets/nhsuk-frontend.min.css\">");
    }
    head.push_str("<link rel=\"stylesheet\" href=\"/static/app.css\">");
    // The SDK script only when the package is built: otherwise the page stays plain links and forms.
    if state.dual_run.is_some() {
        head.push_str("<script src=\"/static/cis1.js\" defer></script>");
    }
    let sdk = state.assets.has_pkg();
    if sdk {
        head.push_str("<script type=\"module\" src=\"/static/app.js\"></script>");
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\" class=\"nhsuk-template\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - cis2-kit demo</title>{head}</head>\
         <body class=\"nhsuk-template__body\" data-sdk=\"{sdk_state}\">\
         <a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\
         <header class=\"nhsuk-header\" role=\"banner\"><div class=\"nhsuk-header__container nhsuk-width-container\">\
         <div class=\"nhsuk-header__service\"><a class=\"nhsuk-header__service-logo\" href=\"/\" aria-label=\"cis2-kit demo homepage\">\
         {NHS_LOGO}<span class=\"nhsuk-header__service-name\">cis2-kit demo</span></a></div></div></header>\
         <div class=\"nhsuk-width-container\"><main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\
         <div id=\"session-ended\" class=\"nhsuk-warning-callout\" role=\"alert\" hidden>\
         <h2 class=\"nhsuk-warning-callout__label\"><span role=\"text\"><span class=\"nhsuk-u-visually-hidden\">Important: </span>Session ended</span></h2>\
         <p id=\"session-ended-message\"></p><p><a class=\"nhsuk-link\" href=\"/\">Log in again</a></p></div>\
         <h1 class=\"nhsuk-heading-xl\">{title}</h1>{body}</main></div>\
         <footer class=\"nhsuk-footer\" role=\"contentinfo\"><div class=\"nhsuk-width-container\"><p class=\"nhsuk-body-s\">\
         cis2-kit demo relying party &middot; provider <code id=\"provider\">{provider}</code> &middot; \
         <span id=\"sdk-status\">{sdk_text}</span></p></div></footer></body></html>",
        title = esc(title),
        sdk_state = if sdk { "loading" } else { "off" },
        provider = esc(&state.provider),
        sdk_text = if sdk {
            "Live session: starting"
        } else {
            "Live session: off (build the cis2-browser package with wasm/build.sh)"
        },
    );
    let mut resp = Html(html).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

fn signed_out(state: &AppState) -> String {
    let cis1 = match &state.dual_run {
        Some(d) => format!(
            "<li><a id=\"sign-in-cis1\" class=\"nhsuk-link\" href=\"{}\">Log in with your smartcard through the \
             Identity Agent (CIS1, until the cut-over)</a></li>",
            esc(&d.get_ticket_url)
        ),
        None => String::new(),
    };
    "<div id=\"signed-out\">\
     <p class=\"nhsuk-body-l\">This demo relying party signs health and care staff in with NHS CIS2 through \
     cis2-kit: the backend (cis2-server) holds the credentials and tokens, the browser holds an opaque session \
     cookie.</p>\
     <a id=\"sign-in\" class=\"nhsuk-button\" data-acr=\"AAL3_ANY\" href=\"/auth/login?acr_values=AAL3_ANY&amp;return_to=%2F\" role=\"button\" draggable=\"false\">Log in with Care Identity</a>\
     <h2 class=\"nhsuk-heading-m\">Other ways to log in</h2>\
     <ul class=\"nhsuk-list\">\
     <li><a id=\"sign-in-role\" class=\"nhsuk-link\" data-acr=\"AAL3_ANY\" data-select-role=\"true\" href=\"/auth/login?acr_values=AAL3_ANY&amp;select_role=true&amp;return_to=%2F\">Log in and choose a role</a></li>\
     <li><a id=\"sign-in-any\" class=\"nhsuk-link\" data-acr=\"AAL2_OR_AAL3_ANY\" data-select-role=\"true\" href=\"/auth/login?acr_values=AAL2_OR_AAL3_ANY&amp;select_role=true&amp;return_to=%2F\">Log in with any authenticator (AAL2 or AAL3, e.g. an authenticator app) and choose a role</a></li>\
     {cis1}</ul>\
     <p class=\"nhsuk-error-message\" id=\"cis1-error\" hidden></p>\
     <p class=\"nhsuk-body-s\">Against cis2-mock-idp use a seeded test user: passcode <code>1234</code>, password <code>password</code>.</p>\
     </div>"
        .replace("{cis1}", &cis1)
}

fn row(key: &str, id: &str, value: &str) -> String {
    format!(
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">{}</dt>\
         <dd class=\"nhsuk-summary-list__value\" id=\"{}\">{}</dd></div>",
        esc(key),
        esc(id),
        esc(value)
    )
}

fn signed_in(session: &Cis2Session) -> String {
    let user = session.user();
    let name = user.name().unwrap_or(session.sub());
    let (selected_id, selected_role, selected_org) = match session.selected_role() {
        RoleSelection::Selected { role, organisation } => (
            role.person_roleid.clone(),
            format!("{} ({})", role.role_title(), role.person_roleid),
            organisation
                .map(|o| format!("{} ({})", o.org_name, o.org_code))
                .unwrap_or_else(|| role.org_code.clone()),
        ),
        RoleSelection::NoRoles => (String::new(), "No roles".into(), String::new()),
        _ => (String::new(), "None selected".into(), String::new()),
    };
    let rec = session.record();
    let aal = session
        .aal()
        .map_or_else(|| "unknown".to_owned(), |a| format!("AAL{a}"));
    let assurance = format!(
        "{aal} ({}; {})",
        rec.acr.as_deref().unwrap_or("no acr"),
        user.id_token.amr.join(", ")
    );
    let mut roles = String::new();
    for r in session.roles() {
        let selected = r.person_roleid == selected_id;
        roles.push_str(&format!(
            "<tr class=\"nhsuk-table__row\" data-roleid=\"{}\"{}><td class=\"nhsuk-table__cell\">{}{}</td>\
             <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">{}</td></tr>",
            esc(&r.person_roleid),
            if selected { " data-selected=\"true\"" } else { "" },
            esc(r.role_title()),
            if selected {
                " <strong class=\"nhsuk-tag\">Selected</strong>"
            } else {
                ""
            },
            esc(&r.org_code),
            esc(&r.person_roleid),
        ));
    }
    let path = match session.path() {
        cis2_server::SignInPath::Cis1 => "CIS1 (Identity Agent ticket)",
        _ => "CIS2",
    };
    let mut orgs = String::new();
    for o in user.organisations() {
        orgs.push_str(&format!(
            "<li data-org=\"{}\">{} ({})</li>",
            esc(&o.org_code),
            esc(&o.org_name),
            esc(&o.org_code)
        ));
    }
    format!(
        "<div id=\"signed-in\" data-sub=\"{sub}\">\
         <h2 class=\"nhsuk-heading-l\">Signed in as <span id=\"user-name\">{name}</span></h2>\
         <dl class=\"nhsuk-summary-list\">{r1}{r2}{r3}{r4}{r5}</dl>\
         <h2 class=\"nhsuk-heading-m\">Roles</h2>\
         <table class=\"nhsuk-table\" id=\"roles\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
         <th class=\"nhsuk-table__header\" scope=\"col\">Role</th><th class=\"nhsuk-table__header\" scope=\"col\">Organisation</th>\
         <th class=\"nhsuk-table__header\" scope=\"col\">Role profile</th></tr></thead><tbody class=\"nhsuk-table__body\">{roles}</tbody></table>\
         <h2 class=\"nhsuk-heading-m\">Organisations</h2><ul class=\"nhsuk-list nhsuk-list--bullet\" id=\"organisations\">{orgs}</ul>\
         <h2 class=\"nhsuk-heading-m\">Actions</h2>\
         <div class=\"nhsuk-button-group\">\
         <a id=\"change-role\" class=\"nhsuk-button nhsuk-button--secondary\" href=\"/auth/change-role?return_to=%2F\" role=\"button\" draggable=\"false\">Change role</a>\
         <a id=\"sensitive\" class=\"nhsuk-button\" href=\"/sensitive\" role=\"button\" draggable=\"false\">Sensitive action (needs AAL3)</a>\
         </div>\
         <form method=\"post\" action=\"/auth/logout?return_to=%2F\" id=\"sign-out-form\">\
         <button id=\"sign-out\" class=\"nhsuk-button nhsuk-button--warning\" type=\"submit\">Sign out</button></form>\
         <h2 class=\"nhsuk-heading-m\">Session events</h2>\
         <ul class=\"nhsuk-list nhsuk-list--bullet\" id=\"session-events\"><li>Signed in at {aal} ({acr})</li></ul>\
         </div>",
        sub = esc(session.sub()),
        name = esc(name),
        r1 = row("CIS2 UID", "user-sub", session.sub()),
        r2 = row("Selected role", "selected-role", &selected_role),
        r3 = row("Organisation", "selected-org", &selected_org),
        r4 = row("Assurance", "aal", &assurance),
        r5 = row("Signed in with", "sign-in-path", path),
        roles = roles,
        orgs = orgs,
        aal = esc(&aal),
        acr = esc(rec.acr.as_deref().unwrap_or("no acr")),
    )
}

pub(crate) fn home(state: &AppState, session: Option<&Cis2Session>) -> Response {
    let panel = state
        .dual_run
        .as_ref()
        .map(|d| crate::dual_run::panel(d, esc))
        .unwrap_or_default();
    match session {
        Some(s) => layout(state, "Your Care Identity", &(signed_in(s) + &panel)),
        None => layout(state, "Log in", &(signed_out(state) + &panel)),
    }
}

pub(crate) fn sensitive(state: &AppState, session: &Cis2Session) -> Response {
    let body = format!(
        "<div id=\"signed-in\" data-sub=\"{sub}\"><div class=\"nhsuk-inset-text\" id=\"sensitive-done\">\
         <p>Sensitive action done for <strong>{sub}</strong>: this page needs an AAL3 sign-in, and yours is \
         AAL{aal} ({acr}).</p></div>\
         <p><a class=\"nhsuk-link\" id=\"home\" href=\"/\">Back to your Care Identity</a></p>\
         <ul class=\"nhsuk-list nhsuk-list--bullet\" id=\"session-events\"></ul></div>",
        sub = esc(session.sub()),
        aal = session.aal().unwrap_or(0),
        acr = esc(session.record().acr.as_deref().unwrap_or("no acr")),
    );
    layout(state, "Sensitive action", &body)
}
