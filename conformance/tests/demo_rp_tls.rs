//! The suite over HTTPS against the demo relying party (cis2-server): the suite's IdP serves TLS with its
//! own CA on port 443 (a free port when 443 cannot be bound), the issuer keeps the explicit port byte for
//! byte, the demo RP trusts the CA file, and every applicable scenario passes, `iss-default-port-dropped`
//! included when 443 was bound.

use cis2_conformance::{Quiet, RpConfig, RunOptions, Suite, Verdict};

const SECRET: &str = "conformance-demo-secret-0123456789";
const CLIENT: &str = "200000000042.apps.supplier";

fn rp_toml(rp: &str, ca_dir: &str) -> String {
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
tls = true
tls_port = 443
ca_dir = "{ca_dir}"
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_scenario_passes_over_tls_against_the_demo_rp() {
    let idp_key = cis2_sdk::SigningKey::from_pkcs8_pem(
        include_str!("../../mock-idp/tests/data/idp-a.pem"),
        cis2_sdk::Algorithm::RS256,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rp = format!("http://localhost:{port}");
    let ca_dir = tempfile::tempdir().unwrap();
    let cfg =
        RpConfig::parse(&rp_toml(&rp, &ca_dir.path().display().to_string()), "rp.toml").expect("config");
    let suite = Suite::start(cfg, Some(idp_key)).await.expect("suite");
    let tls = suite.idp().tls().expect("the IdP serves HTTPS").clone();
    let https_port = tls.addr.port();
    if tls.fell_back {
        eprintln!("port 443 could not be bound; the suite's HTTPS fell back to port {https_port}");
    } else {
        assert_eq!(https_port, 443);
    }
    // The issuer names its port explicitly, byte for byte (443 included).
    assert_eq!(
        suite.issuer(),
        format!(
            "https://localhost:{https_port}/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
        )
    );
    assert_eq!(tls.ca_file, ca_dir.path().join("ca.pem"));

    let data = tempfile::tempdir().unwrap();
    let demo = example_demo_rp::Config {
        issuer: suite.issuer().to_owned(),
        client_id: CLIENT.into(),
        auth_method: example_demo_rp::AuthMethod::ClientSecret,
        client_secret: Some(SECRET.into()),
        register_with_mock: Some(false),
        port,
        ca_file: Some(tls.ca_file.clone()),
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
    assert_eq!(report.issuer, suite.issuer());
    assert_eq!(
        report.idp_ca_file.as_deref(),
        Some(tls.ca_file.display().to_string().as_str())
    );
    let dropped = report
        .results
        .iter()
        .find(|r| r.id == "id-token.iss-default-port-dropped")
        .expect("the scenario is listed");
    let expected = if tls.fell_back {
        Verdict::Skipped
    } else {
        Verdict::Pass
    };
    assert_eq!(dropped.verdict, expected, "{}", dropped.reason);
    assert!(bad.is_empty(), "not passed:\n{}", bad.join("\n"));
    assert!(
        report.totals.passed >= 80,
        "only {} scenarios passed",
        report.totals.passed
    );
    server.abort();
}
