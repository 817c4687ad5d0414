//! The sign-in journey's pages: the login form, the refusal page and role selection.

use axum::http::StatusCode;
use axum::response::Response;

use crate::authenticators::{AcrRules, AuthMethod};
use crate::pages::{error_summary, esc, page};
use crate::users::User;

/// What the login page shows about the request.
pub(crate) struct LoginView<'a> {
    pub(crate) interaction: &'a str,
    pub(crate) login_path: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) acr_values: &'a [String],
    /// The ACR switches in force (which method answers which value).
    pub(crate) rules: AcrRules,
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

/// The hint under a method's radio.
fn method_hint(m: AuthMethod) -> &'static str {
    match m {
        AuthMethod::Smartcard => "Uses the virtual smartcard reader and your passcode.",
        AuthMethod::Fido2 | AuthMethod::Passkey | AuthMethod::PasskeyAal3 => {
            "Registered on the manage authenticators page. Needs JavaScript."
        }
        AuthMethod::Ios => "Approve the sign-in on your registered iPad (virtual: Face ID or fingerprint).",
        AuthMethod::Totp => "Your password and a 6-digit code from your authenticator app.",
        AuthMethod::Nhsmail => "Sign in with your NHSmail account (virtual: your NHSmail password).",
        AuthMethod::Password => "",
    }
}

/// The fields a method needs, revealed under its radio (`nhsuk-radios__conditional`). Every method's fields
/// are in the HTML, so the form works without JavaScript; field names are unique across methods.
fn method_fields(m: AuthMethod) -> String {
    let secret = "autocomplete=\"off\"";
    match m {
        AuthMethod::Smartcard => text_input("passcode", "passcode", "Smartcard passcode", "password", secret),
        AuthMethod::Totp => {
            text_input("totp_password", "totp-password", "Password", "password", secret)
                + &text_input(
                    "totp",
                    "totp",
                    "Authenticator app code",
                    "text",
                    "inputmode=\"numeric\" autocomplete=\"one-time-code\"",
                )
        }
        AuthMethod::Password => text_input("password", "password", "Password", "password", secret),
        AuthMethod::Nhsmail => text_input(
            "nhsmail_password",
            "nhsmail-password",
            "NHSmail password",
            "password",
            secret,
        ),
        AuthMethod::Ios => "<div class=\"nhsuk-form-group\"><div class=\"nhsuk-checkboxes\"><div class=\"nhsuk-checkboxes__item\">\
             <input class=\"nhsuk-checkboxes__input\" id=\"ios-approval\" name=\"ios_approval\" type=\"checkbox\" value=\"approved\">\
             <label class=\"nhsuk-label nhsuk-checkboxes__label\" for=\"ios-approval\">I approved this sign-in on my iPad</label>\
             </div></div></div>"
            .to_owned(),
        AuthMethod::Fido2 | AuthMethod::Passkey | AuthMethod::PasskeyAal3 => String::new(),
    }
}

/// One method radio (with `data-uids`: the users who can use it for this request) and its conditional
/// fields.
fn method_item(m: AuthMethod, checked: bool, uids: &[&str]) -> String {
    let id = format!("method-{}", m.as_str());
    let fields = method_fields(m);
    let controls = if fields.is_empty() {
        String::new()
    } else {
        format!(" data-aria-controls=\"conditional-{id}\"")
    };
    let hint = method_hint(m);
    let hint_html = if hint.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"nhsuk-hint nhsuk-radios__hint\" id=\"{id}-hint\">{}</div>",
            esc(hint)
        )
    };
    let mut html = format!(
        "<div class=\"nhsuk-radios__item\" data-uids=\"{}\"><input class=\"nhsuk-radios__input\" id=\"{id}\" \
         name=\"method\" type=\"radio\" value=\"{}\"{controls}{}><label class=\"nhsuk-label nhsuk-radios__label\" \
         for=\"{id}\">{}</label>{hint_html}</div>",
        esc(&uids.join(" ")),
        m.as_str(),
        if checked { " checked" } else { "" },
        esc(m.label()),
    );
    if !fields.is_empty() {
        html.push_str(&format!(
            "<div class=\"nhsuk-radios__conditional{}\" id=\"conditional-{id}\">{fields}</div>",
            if checked {
                ""
            } else {
                " nhsuk-radios__conditional--hidden"
            }
        ));
    }
    html
}

/// The methods a user can sign in with for this request: ones they have that meet `acr_values`.
pub(crate) fn usable_methods(user: &User, acr_values: &[String], rules: AcrRules) -> Vec<AuthMethod> {
    AuthMethod::ALL
        .into_iter()
        .filter(|m| user.has(*m) && m.satisfies_any(acr_values, rules))
        .collect()
}

/// The message for a user none of whose authenticators meets the request.
pub(crate) fn no_method_message(user: &User, acr_values: &[String]) -> String {
    no_method_text(&user.name(), acr_values)
}

fn no_method_text(name: &str, acr_values: &[String]) -> String {
    format!(
        "{name} has no authenticator that meets the assurance this service asked for ({}). Choose another \
         test user, or cancel.",
        acr_values.join(" or ")
    )
}

/// The login page: pick a test user and an authenticator. Only the methods that can meet the request's
/// `acr_values` are offered, each with its own fields (NHS.UK conditional radios); the page script hides the
/// methods the chosen user does not have. Works as a plain form; the WebAuthn methods run their ceremony from
/// `/assets/mock-idp.js`.
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
    let selected = users
        .iter()
        .position(|u| v.login_hint.is_some_and(|h| h == u.uid || h == u.username))
        .unwrap_or(0);
    let usable: Vec<Vec<AuthMethod>> = users
        .iter()
        .map(|u| usable_methods(u, v.acr_values, v.rules))
        .collect();
    for (i, (u, methods)) in users.iter().zip(&usable).enumerate() {
        let can = if methods.is_empty() {
            "No authenticator meets this request.".to_owned()
        } else {
            let names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
            format!("Can sign in here with: {}.", names.join(", "))
        };
        let hint = if u.description.is_empty() {
            can
        } else {
            format!("{} {can}", u.description)
        };
        body.push_str(&radio(
            "uid",
            &format!("uid-{}", u.uid),
            &u.uid,
            i == selected,
            &format!("{} (UID {}, up to AAL{})", u.name(), u.uid, u.max_aal()),
            &hint,
        ));
    }
    body.push_str("</div></fieldset></div>");
    // The message for a user with no usable method: shown at once for the preselected user, by the script
    // for a user chosen later (its text carries the user's name: `data-template` has `{name}`).
    let none_for_selected = users
        .get(selected)
        .filter(|_| usable.get(selected).is_some_and(Vec::is_empty));
    body.push_str(&format!(
        "<div class=\"nhsuk-inset-text\" id=\"no-method\" data-template=\"{}\"{}><p id=\"no-method-text\">{}</p></div>",
        esc(&no_method_text("{name}", v.acr_values)),
        if none_for_selected.is_some() { "" } else { " hidden" },
        esc(&none_for_selected
            .map(|u| no_method_message(u, v.acr_values))
            .unwrap_or_default()),
    ));
    body.push_str(
        "<div class=\"nhsuk-form-group\" id=\"methods\"><fieldset class=\"nhsuk-fieldset\">\
         <legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\"><h2 class=\"nhsuk-fieldset__heading\">How do you want to sign in?</h2></legend>\
         <div class=\"nhsuk-radios nhsuk-radios--conditional\" data-module=\"nhsuk-radios\">",
    );
    let selected_methods = usable.get(selected).cloned().unwrap_or_default();
    let offered: Vec<AuthMethod> = AuthMethod::ALL
        .into_iter()
        .filter(|m| m.satisfies_any(v.acr_values, v.rules))
        .collect();
    let checked = selected_methods.first().or(offered.first()).copied();
    for m in &offered {
        let uids: Vec<&str> = users
            .iter()
            .zip(&usable)
            .filter(|(_, ms)| ms.contains(m))
            .map(|(u, _)| u.uid.as_str())
            .collect();
        body.push_str(&method_item(*m, checked == Some(*m), &uids));
    }
    body.push_str(
        "</div></fieldset></div>\
         <button class=\"nhsuk-button\" name=\"action\" value=\"login\" id=\"sign-in\" type=\"submit\">Sign in</button> \
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
