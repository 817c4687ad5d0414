//! `cis2-conformance init`: an annotated rp.toml with a fresh client id and secret.

use std::path::Path;
use std::process::ExitCode;

use rand::Rng;

/// The annotated template; `{client_id}`, `{secret}` and `{port}` are filled in.
const TEMPLATE: &str = r#"# cis2-conformance: the relying party (RP) under test.
# Configure the RP with the issuer, client id and secret printed by `cis2-conformance init`, start it,
# then run `cis2-conformance run --config rp.toml`.

[rp]
name = "My clinical app"
# Opening this URL starts a CIS2 sign-in (the RP redirects the browser to the IdP).
start_url = "http://127.0.0.1:8080/auth/login"
# The redirect URI(s) the RP sends, exactly (string comparison, as CIS2 does).
redirect_uris = ["http://127.0.0.1:8080/auth/callback"]
# Back-channel logout URI (needed when features.backchannel_logout = true).
backchannel_logout_uri = "http://127.0.0.1:8080/auth/backchannel-logout"
# Local sign-out: the URL and method (GET, or POST with an empty form).
sign_out = { url = "http://127.0.0.1:8080/auth/logout", method = "POST" }
# Starts a sign-in asking for role selection (selectedrole scope, prompt=login).
# change_role_url = "http://127.0.0.1:8080/auth/login?select_role=true"
# Starts a step-up sign-in to AAL3.
# step_up_url = "http://127.0.0.1:8080/auth/login?acr_values=AAL3_ANY&prompt=login"
# Starts a sign-in that sends max_age (with features.max_age; default: start_url).
# max_age_url = "http://127.0.0.1:8080/auth/login?max_age=300"
# Where CIS2 end-session sends the browser back to.
# post_logout_redirect_uris = ["http://127.0.0.1:8080/"]

[probe]
# One request that tells whether the browser is signed in. Keep exactly one condition.
url = "http://127.0.0.1:8080/auth/session"
status = 200                        # signed in when the status is 200 (e.g. 401 when signed out)
# text_present = "Sign out"         # signed in when the body contains this
# text_absent = "Sign in"           # signed in when a 2xx body lacks this
# json_pointer = "/authenticated"   # signed in when the JSON value there is true
# Optional: where the probe's JSON shows the selected role's person_roleid (role scenarios).
# role_json_pointer = "/role/person_roleid"
# Optional: a page that answers 2xx only to an AAL3 session (step-up scenarios).
# aal3_url = "http://127.0.0.1:8080/aal3-only"

[client]
client_id = "{client_id}"
auth_method = "client_secret_post"  # or client_secret_basic, or private_key_jwt
client_secret = "{secret}"
# For private_key_jwt: where the RP publishes its public keys, and the assertion algorithm.
# jwks_uri = "http://127.0.0.1:8080/.well-known/jwks.json"
# signing_alg = "RS256"

[features]
# Scenarios for features the RP does not claim are skipped, not failed.
backchannel_logout = true
role_selection = false
step_up = false
end_session = false
signed_userinfo = false
# The RP sends max_age (rp.max_age_url), so a token whose auth_time is older, or absent, must be refused.
max_age = false

[idp]
# The suite's IdP listens on 127.0.0.1:<port>; the RP's issuer setting names it.
port = {port}
# A real-shaped issuer over HTTPS, https://localhost:443/openam/... (the explicit :443 kept, as CIS2's is):
# the suite serves TLS 1.2/1.3 with its own CA; configure the RP with that issuer and make it trust
# <ca_dir>/ca.pem. If port 443 cannot be bound, a free port is used and printed.
# tls = true
# tls_port = 443
# ca_dir = "cis2-conformance-ca"
# concurrency = 8      # scenarios at once
# timeout_secs = 10    # the longest any one wait lasts
"#;

const PORT: u16 = 9400;

fn random_digits(n: usize) -> String {
    let mut r = rand::thread_rng();
    (0..n).map(|_| char::from(b'0' + r.gen_range(0..10u8))).collect()
}

fn random_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill(&mut bytes);
    cis2_sdk::b64url_encode(bytes)
}

/// The template with a fresh client id and secret.
pub(crate) fn document() -> (String, String, String) {
    let client_id = format!("{}.apps.supplier", random_digits(12));
    let secret = random_secret();
    let text = TEMPLATE
        .replace("{client_id}", &client_id)
        .replace("{secret}", &secret)
        .replace("{port}", &PORT.to_string());
    (text, client_id, secret)
}

pub(super) fn run(path: &Path, force: bool) -> ExitCode {
    if path.exists() && !force {
        eprintln!(
            "cis2-conformance: {} exists; pass --force to overwrite it",
            path.display()
        );
        return ExitCode::from(2);
    }
    let (text, client_id, secret) = document();
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("cis2-conformance: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    println!(
        "wrote {} — edit the URLs to match your RP, then configure the RP with:",
        path.display()
    );
    println!(
        "  issuer:         http://127.0.0.1:{PORT}{}",
        cis2_sdk::CIS2_REALM_PATH
    );
    println!("  client id:      {client_id}");
    println!("  client secret:  {secret}   (client_secret_post)");
    println!("then: cis2-conformance run --config {}", path.display());
    ExitCode::SUCCESS
}
