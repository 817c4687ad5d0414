//! `{realm}/manage-authenticators`: the signed-in user's WebAuthn credentials, a registration form (the
//! page's script runs the ceremony) and removal (a plain form post).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::rp::verifier;
use super::storage::{credentials_of, signed_in_uid};
use crate::pages::{esc, page};
use crate::state::AppState;

fn manage_path() -> String {
    crate::realm::path("/manage-authenticators")
}

/// `GET {realm}/manage-authenticators`: the signed-in user's WebAuthn credentials and a registration form.
pub(crate) async fn manage_get(State(st): State<AppState>, headers: HeaderMap) -> Response {
    render_manage(&st, &headers, None)
}

fn render_manage(st: &AppState, headers: &HeaderMap, notice: Option<&str>) -> Response {
    let Some(user) = signed_in_uid(st, headers).and_then(|u| st.user(&u)) else {
        return page(
            StatusCode::UNAUTHORIZED,
            "Sign in to manage your authenticators",
            "<p class=\"nhsuk-body\" id=\"not-signed-in\">You need to sign in to a service with the Care \
             Identity Service first (for example with your smartcard, or username and password), then come back \
             to this page.</p>",
        );
    };
    let creds = credentials_of(st, &user.uid).unwrap_or_default();
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!(
            "<div class=\"nhsuk-inset-text\" id=\"notice\"><p>{}</p></div>",
            esc(n)
        ));
    }
    if verifier(st).is_err() {
        body.push_str(
            "<div class=\"nhsuk-warning-callout\" id=\"webauthn-unavailable\"><h3 class=\"nhsuk-warning-callout__label\">\
             Important</h3><p>WebAuthn needs the mock's issuer on a domain name (for example \
             <code>http://localhost:9000/…</code>): browsers refuse IP addresses as relying party IDs.</p></div>",
        );
    }
    body.push_str(&format!(
        "<p class=\"nhsuk-body-l\">Signed in as <strong id=\"signed-in-user\">{}</strong> (UID {}).</p>",
        esc(&user.name()),
        esc(&user.uid)
    ));
    body.push_str("<h2 class=\"nhsuk-heading-m\">Your security keys and passkeys</h2>");
    if creds.is_empty() {
        body.push_str("<p class=\"nhsuk-body\" id=\"no-credentials\">You have not registered any yet.</p>");
    } else {
        body.push_str(
            "<table class=\"nhsuk-table\" id=\"credentials\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
             <th class=\"nhsuk-table__header\">Name</th><th class=\"nhsuk-table__header\">Type</th>\
             <th class=\"nhsuk-table__header\">Assurance</th><th class=\"nhsuk-table__header\"></th></tr></thead>\
             <tbody class=\"nhsuk-table__body\">",
        );
        for c in &creds {
            body.push_str(&format!(
                "<tr class=\"nhsuk-table__row credential\" data-credential-id=\"{id}\"><td class=\"nhsuk-table__cell\">{}</td>\
                 <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">AAL{}</td>\
                 <td class=\"nhsuk-table__cell\"><form method=\"post\" action=\"{}/delete\">\
                 <input type=\"hidden\" name=\"credential_id\" value=\"{id}\">\
                 <button class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small\" type=\"submit\">Remove</button>\
                 </form></td></tr>",
                esc(&c.name),
                esc(c.kind.label()),
                c.kind.method().aal(),
                esc(&manage_path()),
                id = esc(&c.credential_id),
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str(&format!(
        "<h2 class=\"nhsuk-heading-m\">Add a security key, Windows Hello or passkey</h2>\
         <div class=\"nhsuk-error-summary\" id=\"webauthn-error\" role=\"alert\" tabindex=\"-1\" hidden>\
         <h2 class=\"nhsuk-error-summary__title\">There is a problem</h2>\
         <div class=\"nhsuk-error-summary__body\"><p id=\"webauthn-error-text\"></p></div></div>\
         <form id=\"register-form\" data-webauthn-register=\"{realm}/webauthn/register\" novalidate>\
         <div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"credential-name\">Name (so you can tell them apart)</label>\
         <input class=\"nhsuk-input nhsuk-input--width-20\" id=\"credential-name\" name=\"name\" type=\"text\" maxlength=\"64\"></div>\
         <div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\"><legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Type</legend>\
         <div class=\"nhsuk-radios\">\
         <div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"kind-security-key\" name=\"kind\" type=\"radio\" value=\"security_key\" checked>\
         <label class=\"nhsuk-label nhsuk-radios__label\" for=\"kind-security-key\">Security key or Windows Hello (AAL3)</label></div>\
         <div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"kind-passkey\" name=\"kind\" type=\"radio\" value=\"passkey\">\
         <label class=\"nhsuk-label nhsuk-radios__label\" for=\"kind-passkey\">Passkey (AAL2)</label></div>\
         <div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"kind-passkey-aal3\" name=\"kind\" type=\"radio\" value=\"passkey_aal3\">\
         <label class=\"nhsuk-label nhsuk-radios__label\" for=\"kind-passkey-aal3\">AAL3 passkey (AAL3)</label></div>\
         </div></fieldset></div>\
         <noscript><p class=\"nhsuk-body\">Registering an authenticator needs JavaScript.</p></noscript>\
         <button class=\"nhsuk-button\" type=\"submit\" id=\"register\">Register</button></form>\
         <p class=\"nhsuk-body\"><a class=\"nhsuk-link\" href=\"{realm}/connect/endSession\" id=\"sign-out\">Sign out</a></p>",
        realm = esc(&crate::realm::current().path)
    ));
    page(StatusCode::OK, "Manage your authenticators", &body)
}

/// `POST {realm}/manage-authenticators/delete` (form: `credential_id`), no JavaScript needed.
pub(crate) async fn manage_delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let Some(uid) = signed_in_uid(&st, &headers) else {
        return render_manage(&st, &headers, None);
    };
    let id = f.get("credential_id").map(String::as_str).unwrap_or("");
    let owned = credentials_of(&st, &uid)
        .unwrap_or_default()
        .iter()
        .any(|c| c.credential_id == id);
    let notice = if owned && st.0.store.delete_credential(id).unwrap_or(false) {
        "The authenticator was removed."
    } else {
        "No such authenticator."
    };
    render_manage(&st, &headers, Some(notice))
}
