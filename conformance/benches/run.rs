//! The whole suite against the demo RP, timed: `cargo bench -p cis2-conformance --bench run`.
//!
//! Prints, for each of a few runs, the wall time and scenarios per second, and for scale what the
//! OpenID Foundation suite's fixed wait would cost for the same negative scenarios (5 s each, its
//! `waitTimeoutSeconds` default). Not a timed test: figures on a shared machine are for the closing note.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use cis2_conformance::{Quiet, RpConfig, RunOptions, Suite, Verdict};

const SECRET: &str = "conformance-bench-secret-0123456789";
const CLIENT: &str = "200000000043.apps.supplier";

fn rp_toml(rp: &str) -> String {
    format!(
        r#"
[rp]
start_url = "{rp}/auth/login"
redirect_uris = ["{rp}/auth/callback"]
backchannel_logout_uri = "{rp}/auth/backchannel-logout"
sign_out = {{ url = "{rp}/auth/logout?end_session=true", method = "POST" }}
change_role_url = "{rp}/auth/change-role"
step_up_url = "{rp}/auth/step-up"
[probe]
url = "{rp}/api/me"
status = 200
role_json_pointer = "/selected_role"
aal3_url = "{rp}/sensitive"
[client]
client_id = "{CLIENT}"
client_secret = "{SECRET}"
[features]
backchannel_logout = true
role_selection = true
step_up = true
signed_userinfo = true
end_session = true
[idp]
port = 0
"#
    )
}

/// A fresh suite and a fresh demo RP (an RP may rate-limit JWKS refetches after the key rotation scenario,
/// so back-to-back runs against one RP process would measure its cooldown, not the suite).
async fn one_run() -> cis2_conformance::RunReport {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rp = format!("http://localhost:{port}");
    let cfg = RpConfig::parse(&rp_toml(&rp), "rp.toml").unwrap();
    let key = cis2_sdk::SigningKey::from_pkcs8_pem(
        include_str!("../../mock-idp/tests/data/idp-a.pem"),
        cis2_sdk::Algorithm::RS256,
    )
    .unwrap();
    let suite = Suite::start(cfg, Some(key)).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let demo = example_demo_rp::Config {
        issuer: suite.issuer().to_owned(),
        client_id: CLIENT.into(),
        auth_method: example_demo_rp::AuthMethod::ClientSecret,
        client_secret: Some(SECRET.into()),
        register_with_mock: Some(false),
        port,
        data_dir: data.path().to_owned(),
        ..Default::default()
    };
    let app = example_demo_rp::app(&demo, port).await.unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let report = suite.run(&RunOptions::default(), &Quiet).await;
    server.abort();
    report
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "run | scenarios run | passed | wall (s) | scenarios/s | OIDF-style 5 s waits for the refusal scenarios (s)"
        );
        for run in 1..=3 {
            let report = one_run().await;
            let ran = report.results.iter().filter(|r| r.verdict != Verdict::Skipped).count();
            // Scenarios whose pass rests on the RP refusing something: what the OIDF suite waits 5 s for.
            let refusals = report
                .results
                .iter()
                .filter(|r| r.decided_by.iter().any(|d| d.contains("not signed in")))
                .count();
            let wall = report.wall_ms as f64 / 1000.0;
            println!(
                "{run} | {ran} | {} | {wall:.2} | {:.1} | {}",
                report.totals.passed,
                ran as f64 / wall,
                refusals * 5
            );
        }
    });
}
