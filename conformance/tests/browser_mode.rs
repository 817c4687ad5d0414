//! `run --browser`: the sign-in journeys in headless Chromium (Debian's chromium + chromium-driver, driven
//! over WebDriver) against the demo relying party. A subset of the scenarios must pass, and a start page
//! that begins the sign-in only from JavaScript proves Chromium really ran: it fails in HTTP mode and passes
//! in browser mode. Without chromium or chromedriver these tests fail with the install hint (CI installs
//! them); they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use cis2_conformance::{Quiet, RpConfig, RunOptions, RunReport, Suite, Verdict};

const SECRET: &str = "conformance-demo-secret-0123456789";
const CLIENT: &str = "200000000042.apps.supplier";

/// A page whose only way into the sign-in is a link its script creates and follows.
const JS_ONLY: &str = "<!doctype html><title>Sign in</title><body><noscript>This service needs JavaScript.</noscript>\
<script>document.addEventListener('DOMContentLoaded', () => { const a = document.createElement('a'); \
a.href = '/auth/login'; a.id = 'sign-in'; a.textContent = 'Sign in'; document.body.appendChild(a); a.click(); });</script>";

fn rp_toml(rp: &str, start_path: &str) -> String {
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
timeout_secs = 20
"#
    )
}

/// The suite and the demo RP (with the JavaScript-only start page at `/js-login`), running.
struct Running {
    suite: Suite,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _data: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn start(start_path: &str) -> Running {
    let idp_key = cis2_sdk::SigningKey::from_pkcs8_pem(
        include_str!("../../mock-idp/tests/data/idp-a.pem"),
        cis2_sdk::Algorithm::RS256,
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let rp = format!("http://localhost:{port}");
    let cfg = RpConfig::parse(&rp_toml(&rp, start_path), "rp.toml").expect("config");
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
    let app = example_demo_rp::app(&demo, port).await.expect("demo app").route(
        "/js-login",
        axum::routing::get(|| async { axum::response::Html(JS_ONLY) }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    Running {
        suite,
        server,
        _data: data,
    }
}

fn opts(only: &[&str], browser: bool) -> RunOptions {
    RunOptions {
        only: only.iter().map(|s| (*s).to_owned()).collect(),
        concurrency: 2,
        timeout: Duration::from_secs(20),
        browser,
    }
}

fn describe(report: &RunReport, want: impl Fn(Verdict) -> bool) -> Vec<String> {
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
            format!("{:?} {}: {}\n{}", r.verdict, r.id, r.reason, steps.join("\n"))
        })
        .collect()
}

fn used_chromium(report: &RunReport, id: &str) -> bool {
    report
        .results
        .iter()
        .filter(|r| r.id == id)
        .flat_map(|r| &r.steps)
        .any(|s| s.what.starts_with("opened headless Chromium"))
}

#[test]
fn chromium_and_chromedriver_are_installed() {
    if let Err(e) = cis2_conformance::agent::chromium::preflight() {
        panic!("browser mode cannot run: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subset_passes_in_browser_mode() {
    let rp = start("/auth/login").await;
    let only = [
        "code-flow",
        "auth-request.nonce",
        "id-token.nonce",
        "backchannel-logout.by-sid",
        "sign-out",
        "step-up",
    ];
    let report = rp.suite.run(&opts(&only, true), &Quiet).await;
    let bad = describe(&report, |v| v == Verdict::Pass);
    eprintln!(
        "{} passed, {} not, in {} ms",
        report.totals.passed,
        bad.len(),
        report.wall_ms
    );
    for r in report.results.iter().filter(|r| r.id == "code-flow.happy-path") {
        for s in &r.steps {
            eprintln!("    {} {}: {}", s.at_ms, s.actor, s.what);
        }
    }
    assert!(bad.is_empty(), "not passed in browser mode:\n{}", bad.join("\n"));
    assert!(
        report.totals.passed >= 8,
        "only {} scenarios passed",
        report.totals.passed
    );
    assert!(
        used_chromium(&report, "code-flow.happy-path"),
        "code-flow.happy-path did not sign in through Chromium"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_javascript_only_sign_in_fails_over_http_and_passes_in_chromium() {
    let rp = start("/js-login").await;
    let only = ["code-flow.happy-path"];

    let http = rp.suite.run(&opts(&only, false), &Quiet).await;
    let r = http
        .results
        .iter()
        .find(|r| r.id == "code-flow.happy-path")
        .expect("ran");
    assert_eq!(
        r.verdict,
        Verdict::Error,
        "the HTTP user agent cannot run the page's script, so it never reaches the IdP: {}",
        r.reason
    );
    assert!(
        r.reason.contains("did not send the browser to the suite's IdP"),
        "{}",
        r.reason
    );

    let chromium = rp.suite.run(&opts(&only, true), &Quiet).await;
    let bad = describe(&chromium, |v| v == Verdict::Pass);
    assert!(bad.is_empty(), "not passed in browser mode:\n{}", bad.join("\n"));
    assert_eq!(chromium.totals.passed, 1);
    assert!(used_chromium(&chromium, "code-flow.happy-path"));
}

#[test]
fn run_browser_without_chromedriver_exits_2_naming_the_packages() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cis2-conformance"))
        .args(["run", "--browser", "--config", "no-such-rp.toml"])
        .env("CIS2_CHROMEDRIVER", "/nonexistent/chromedriver")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("chromedriver"), "{stderr}");
    assert!(
        stderr.contains("apt-get install chromium chromium-driver"),
        "{stderr}"
    );
}
