//! The demo relying party (examples/demo-rp, built on cis2-server) wired to a started suite: one setup for
//! the demo tests (`demo_rp`, `demo_rp_tls`, `browser_mode`) and the bench. Included with
//! `#[path = "support/demo.rs"] mod demo;` (the bench: `#[path = "../tests/support/demo.rs"]`), so each user
//! compiles only this file, not the seeded-defect RP.

// Each includer uses a subset.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cis2_conformance::{RpConfig, RunReport, Suite, Verdict};

/// The demo's client id at the suite's IdP.
pub(crate) const CLIENT: &str = "200000000042.apps.supplier";
/// The demo's client secret.
pub(crate) const SECRET: &str = "conformance-demo-secret-0123456789";

/// How to start the demo RP and the suite.
pub(crate) struct DemoOptions {
    /// The RP's sign-in start path (`/auth/login`, or a page `routes` adds).
    pub(crate) start_path: &'static str,
    /// Serve the suite's IdP over TLS with its own CA (port 443 when it can be bound).
    pub(crate) tls: bool,
    /// Extra lines for the `[idp]` table of `rp.toml`.
    pub(crate) idp_extra: &'static str,
    /// Routes added to the demo RP.
    pub(crate) routes: axum::Router,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            start_path: "/auth/login",
            tls: false,
            idp_extra: "",
            routes: axum::Router::new(),
        }
    }
}

/// `rp.toml` for the demo RP at `rp`.
pub(crate) fn rp_toml(rp: &str, start_path: &str, idp_extra: &str) -> String {
    format!(
        r#"
[rp]
name = "cis2-kit demo RP"
start_url = "{rp}{start_path}"
redirect_uris = ["{rp}/auth/callback"]
backchannel_logout_uri = "{rp}/auth/backchannel-logout"
sign_out = {{ url = "{rp}/auth/logout?end_session=true", method = "POST" }}
change_role_url = "{rp}/auth/change-role"
step_up_url = "{rp}/auth/step-up"
max_age_url = "{rp}/auth/login?max_age=300"

[probe]
url = "{rp}/api/me"
status = 200
role_json_pointer = "/selected_role"
aal3_url = "{rp}/sensitive"

[client]
client_id = "{CLIENT}"
auth_method = "client_secret_post"
client_secret = "{SECRET}"

[features]
backchannel_logout = true
role_selection = true
step_up = true
signed_userinfo = true
end_session = true
max_age = true

[idp]
port = 0
{idp_extra}
"#
    )
}

/// The suite and the demo RP, running; dropping it stops the RP.
pub(crate) struct DemoRun {
    /// The suite, its IdP started and the demo registered.
    pub(crate) suite: Suite,
    /// The demo's base URL (`http://localhost:PORT`).
    pub(crate) rp: String,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _data: tempfile::TempDir,
    /// Where the suite's CA is written when the IdP serves TLS.
    pub(crate) ca_dir: tempfile::TempDir,
}

impl Drop for DemoRun {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts the suite (signing with the mock's test key `idp-a`) and the demo RP configured for it.
pub(crate) async fn start(opts: DemoOptions) -> DemoRun {
    let idp_key = cis2_sdk::SigningKey::from_pkcs8_pem(
        include_str!("../../../mock-idp/tests/data/idp-a.pem"),
        cis2_sdk::Algorithm::RS256,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rp = format!("http://localhost:{port}");
    let ca_dir = tempfile::tempdir().unwrap();
    let tls_lines = format!(
        "tls = true\ntls_port = 443\nca_dir = \"{}\"\n",
        ca_dir.path().display()
    );
    let idp_extra = if opts.tls {
        format!("{tls_lines}{}", opts.idp_extra)
    } else {
        opts.idp_extra.to_owned()
    };
    let cfg = RpConfig::parse(&rp_toml(&rp, opts.start_path, &idp_extra), "rp.toml").expect("config");
    let suite = Suite::start(cfg, Some(idp_key)).await.expect("suite");
    let data = tempfile::tempdir().unwrap();
    let demo = example_demo_rp::Config {
        issuer: suite.issuer().to_owned(),
        client_id: CLIENT.into(),
        auth_method: example_demo_rp::AuthMethod::ClientSecret,
        client_secret: Some(SECRET.into()),
        register_with_mock: Some(false),
        port,
        ca_file: suite.idp().tls().map(|t| t.ca_file.clone()),
        data_dir: data.path().to_owned(),
        ..Default::default()
    };
    let app = example_demo_rp::app(&demo, port)
        .await
        .expect("demo app")
        .merge(opts.routes);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    DemoRun {
        suite,
        rp,
        server,
        _data: data,
        ca_dir,
    }
}

/// The results (skips aside) whose verdict `want` refuses, each with its reason, evidence and steps.
pub(crate) fn describe(report: &RunReport, want: impl Fn(Verdict) -> bool) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| r.verdict != Verdict::Skipped && !want(r.verdict))
        .map(|r| {
            let steps: Vec<String> = r
                .steps
                .iter()
                .map(|s| format!("    {} {}: {}", s.at_ms, s.actor, s.what))
                .collect();
            format!(
                "{:?} {}: {} | {:?}\n{}",
                r.verdict,
                r.id,
                r.reason,
                r.decided_by,
                steps.join("\n")
            )
        })
        .collect()
}
