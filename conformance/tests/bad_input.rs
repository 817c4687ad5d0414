//! Bad input gets a clear error naming the field and the fix, never a hang or a panic.

use std::time::Duration;

use cis2_conformance::{ConfigError, Quiet, RpConfig, RunOptions, Suite, Verdict};

const GOOD: &str = r#"
[rp]
start_url = "http://127.0.0.1:9/login"
redirect_uris = ["http://127.0.0.1:9/callback"]
[probe]
url = "http://127.0.0.1:9/me"
status = 200
[client]
client_id = "200000000099.apps.supplier"
client_secret = "s3cret-s3cret-s3cret"
[idp]
port = 0
timeout_secs = 2
"#;

#[test]
fn a_typo_names_the_key() {
    let text = GOOD.replace("start_url", "start_ur");
    let e = RpConfig::parse(&text, "rp.toml").unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ConfigError::Syntax { .. }), "{msg}");
    assert!(msg.contains("start_ur") && msg.contains("rp.toml"), "{msg}");
}

#[test]
fn invalid_values_name_the_field_and_the_fix() {
    for (from, to, field) in [
        ("status = 200", "status = 200\ntext_present = \"x\"", "`probe`"),
        ("http://127.0.0.1:9/login", "not a url", "`rp.start_url`"),
        (
            "client_secret = \"s3cret-s3cret-s3cret\"",
            "",
            "`client.client_secret`",
        ),
        (
            "[idp]",
            "[features]\nbackchannel_logout = true\n[idp]",
            "`rp.backchannel_logout_uri`",
        ),
        ("timeout_secs = 2", "timeout_secs = 0", "`idp.timeout_secs`"),
    ] {
        let e = RpConfig::parse(&GOOD.replace(from, to), "rp.toml").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(field) && msg.contains("Fix:"), "{field}: {msg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_rp_is_an_error_with_a_fix_not_a_hang() {
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let cfg = RpConfig::parse(GOOD, "rp.toml").unwrap();
    let suite = Suite::start(cfg, Some(key)).await.unwrap();
    let opts = RunOptions {
        only: vec!["code-flow.happy-path".into(), "backchannel".into()],
        timeout: Duration::from_secs(2),
        ..RunOptions::default()
    };
    let report = tokio::time::timeout(Duration::from_secs(30), suite.run(&opts, &Quiet))
        .await
        .expect("bounded");
    let r = report
        .results
        .iter()
        .find(|r| r.id == "code-flow.happy-path")
        .unwrap();
    assert_eq!(r.verdict, Verdict::Error);
    assert!(
        r.reason.contains("no answer") && r.reason.contains("Fix"),
        "{}",
        r.reason
    );
    // Not claimed: skipped, with the switch named.
    let bcl = report
        .results
        .iter()
        .find(|r| r.id == "backchannel-logout.by-sid")
        .unwrap();
    assert_eq!(bcl.verdict, Verdict::Skipped);
    assert!(
        bcl.reason.contains("features.backchannel_logout"),
        "{}",
        bcl.reason
    );
    assert_eq!(report.totals.required_not_passed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rp_that_never_redirects_to_the_idp_is_told_where_the_issuer_is() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(|| async { "a page with no sign-in" });
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let cfg = RpConfig::parse(
        &GOOD.replace("127.0.0.1:9", &format!("127.0.0.1:{port}")),
        "rp.toml",
    )
    .unwrap();
    let suite = Suite::start(cfg, Some(key)).await.unwrap();
    let opts = RunOptions {
        only: vec!["code-flow.happy-path".into()],
        ..RunOptions::default()
    };
    let report = suite.run(&opts, &Quiet).await;
    let r = report
        .results
        .iter()
        .find(|r| r.id == "code-flow.happy-path")
        .unwrap();
    assert_eq!(r.verdict, Verdict::Error);
    assert!(
        r.reason.contains("did not send the browser to the suite's IdP") && r.reason.contains(suite.issuer()),
        "{}",
        r.reason
    );
    server.abort();
}
