//! `GET /admin`: a small HTML page over the same data as the JSON API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::runtime::keys_json;
use crate::pages::{esc, nhsuk_classes, page, users_table};
use crate::state::{AppState, read};
use crate::webauthn::storage::stored;

/// `GET /admin`.
pub(crate) async fn admin_page(State(st): State<AppState>) -> Response {
    let mut body = String::from(
        "<p>Everything here is also in the JSON API under <code>/admin/api</code>.</p><h2>Users</h2>",
    );
    body.push_str(&users_table(&st.users()));
    body.push_str(
        "<h2>Clients</h2><table><tr><th>client_id</th><th>auth</th><th>redirect_uris</th><th>BCL</th></tr>",
    );
    for c in read(&st.0.clients).values() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.client_id),
            c.token_endpoint_auth_method.as_str(),
            esc(&c.redirect_uris.join(" ")),
            esc(c.backchannel_logout_uri.as_deref().unwrap_or("-"))
        ));
    }
    body.push_str(
        "</table><h2>Sessions</h2><table><tr><th>sid</th><th>user</th><th>method</th><th>clients</th></tr>",
    );
    for s in st.sessions() {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.sid),
            esc(&s.uid),
            s.method.as_str(),
            esc(&s.clients.iter().cloned().collect::<Vec<_>>().join(" "))
        ));
    }
    body.push_str(&format!(
        "</table><h2>Signing keys</h2><pre>{}</pre>",
        esc(&keys_json(&st)["keys"].to_string())
    ));
    body.push_str(&webauthn_section(&st));
    page(StatusCode::OK, "Admin", &nhsuk_classes(&body))
}

/// The admin page's section: every registered WebAuthn credential (no key material).
fn webauthn_section(st: &AppState) -> String {
    let mut s = String::from(
        "<h2>WebAuthn credentials</h2><table><tr><th>user</th><th>name</th><th>kind</th><th>AAL</th><th>credential_id</th></tr>",
    );
    for c in stored(st).unwrap_or_default() {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&c.uid),
            esc(&c.name),
            esc(c.kind.label()),
            c.kind.method().aal(),
            esc(&c.credential_id)
        ));
    }
    s.push_str("</table>");
    s
}
