//! `run --browser`: the sign-in journeys in headless Chromium (Debian's chromium + chromium-driver, driven
//! over WebDriver) against the demo relying party. A subset of the scenarios must pass, and a start page
//! that begins the sign-in only from JavaScript proves Chromium really ran: it fails in HTTP mode and passes
//! in browser mode. Without chromium or chromedriver these tests fail with the install hint (CI installs
//! them); they never skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

#[path = "support/demo.rs"]
mod demo;

use cis2_conformance::{Quiet, RunOptions, RunReport, Verdict};
use demo::describe;

/// A page whose only way into the sign-in is a link its script creates and follows.
const JS_ONLY: &str = "<!doctype html><title>Sign in</title><body><noscript>This service needs JavaScript.</noscript>\
<script>document.addEventListener('DOMContentLoaded', () => { const a = document.createElement('a'); \
a.href = '/auth/login'; a.id = 'sign-in'; a.textContent = 'Sign in'; document.body.appendChild(a); a.click(); });</script>";

/// The suite and the demo RP (with the JavaScript-only start page at `/js-login`), running.
async fn start(start_path: &'static str) -> demo::DemoRun {
    demo::start(demo::DemoOptions {
        start_path,
        idp_extra: "timeout_secs = 20",
        routes: axum::Router::new().route(
            "/js-login",
            axum::routing::get(|| async { axum::response::Html(JS_ONLY) }),
        ),
        ..Default::default()
    })
    .await
}

fn opts(only: &[&str], browser: bool) -> RunOptions {
    RunOptions {
        only: only.iter().map(|s| (*s).to_owned()).collect(),
        concurrency: 2,
        timeout: Duration::from_secs(20),
        browser,
    }
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

/// `--browser` with the suite's IdP over HTTPS: Chromium trusts exactly the IdP's server key
/// (`--ignore-certificate-errors-spki-list`, no blanket `acceptInsecureCerts`), the sign-ins pass, and the
/// ClientHellos recorded at the IdP (Chromium's and the RP's) offer only TLS 1.2 and 1.3.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subset_passes_in_browser_mode_over_tls() {
    let rp = demo::start(demo::DemoOptions {
        tls: true,
        idp_extra: "timeout_secs = 20",
        ..Default::default()
    })
    .await;
    assert!(rp.suite.issuer().starts_with("https://localhost:"));
    let only = [
        "code-flow.happy-path",
        "id-token.nonce-mismatch",
        "step-up.aal3-granted",
        "transport",
    ];
    let report = rp.suite.run(&opts(&only, true), &Quiet).await;
    let bad = describe(&report, |v| v == Verdict::Pass);
    assert!(
        bad.is_empty(),
        "not passed in browser mode over TLS:\n{}",
        bad.join("\n")
    );
    assert_eq!(report.totals.passed, 4);
    assert!(
        used_chromium(&report, "code-flow.happy-path"),
        "code-flow.happy-path did not sign in through Chromium"
    );
    let hellos = rp.suite.idp().state().tls_client_hellos();
    assert!(
        hellos.iter().all(|h| h.offers_below_tls12() == Some(false)),
        "{hellos:?}"
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
