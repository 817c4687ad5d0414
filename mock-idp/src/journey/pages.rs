//! The sign-in journey's pages: the login form, the refusal page and role selection.

use axum::http::StatusCode;
use axum::response::Response;

use crate::authenticators::AuthMethod;
use crate::pages::{error_summary, esc, page};
use crate::users::User;

/// What the login page shows about the request.
pub(crate) struct LoginView<'a> {
    pub(crate) interaction: &'a str,
    pub(crate) login_path: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) acr_values: &'a [String],
    pub(crate) login_hint: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

pub(crate) fn radio(name: &str, id: &str, value: &str, checked: bool, label: &str, hint: &str) -> String {
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

pub(crate) fn text_input(name: &str, id: &str, label: &str, kind: &str, extra: &str) -> String {
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
        esc(&crate::realm::current().path),
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
