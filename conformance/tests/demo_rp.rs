//! The suite against the demo relying party (cis2-server): every applicable scenario passes.

use cis2_conformance::{Quiet, RpConfig, RunOptions, Suite, Verdict};

const SECRET: &str = "conformance-demo-secret-0123456789";
const CLIENT: &str = "200000000042.apps.supplier";

fn rp_toml(rp: &str) -> String {
    format!(
        r#"
[rp]
name = "cis2-kit demo RP"
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
auth_method = "client_secret_post"
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_scenario_passes_against_the_demo_rp() {
    let idp_key = cis2_sdk::SigningKey::from_pkcs8_pem(
        include_str!("../../mock-idp/tests/data/idp-a.pem"),
        cis2_sdk::Algorithm::RS256,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rp = format!("http://localhost:{port}");
    let cfg = RpConfig::parse(&rp_toml(&rp), "rp.toml").expect("config");
    let suite = Suite::start(cfg, Some(idp_key)).await.expect("suite");

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
    let app = example_demo_rp::app(&demo, port).await.expect("demo app");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let report = suite.run(&RunOptions::default(), &Quiet).await;
    let bad: Vec<String> = report
        .results
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Pass))
        .filter(|r| r.verdict != Verdict::Skipped)
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
        .collect();
    eprintln!("{} scenarios in {} ms", report.totals.total, report.wall_ms);
    assert!(bad.is_empty(), "not passed:\n{}", bad.join("\n"));
    assert!(
        report.totals.passed >= 80,
        "only {} scenarios passed",
        report.totals.passed
    );
    server.abort();
}
