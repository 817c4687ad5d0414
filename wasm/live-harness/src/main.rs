//! `cis2-wasm-live -- <command>`: runs the cis2-browser live suite (`wasm/tests/live`, wasm-bindgen-test in
//! headless Chromium) against a running `cis2-server` and `cis2-mock-idp`, both started here on free loopback
//! ports and stopped when the command ends. `scripts/wasm-live-test` is the usual entry point.
//!
//! Layout (all on loopback):
//! - the mock IdP at `http://localhost:<m>` (issuer with the CIS2 realm path), its virtual smartcard bridge on
//!   free ports, WebAuthn allowed from the RP's origin, the RP registered as a client;
//! - the RP at `http://localhost:<r>`: `/auth` (cis2-server, on a clock the tests can move: `clock.rs`),
//!   `/harness/*` (see `rp.rs`), and everything else forwarded to the wasm-bindgen-test runner's server on `127.0.0.1:<t>`;
//! - a WebDriver proxy (`webdriver.rs`) that the runner uses as `CHROMEDRIVER_REMOTE`: it sends the runner's
//!   navigation to `http://localhost:<r>/` instead of `127.0.0.1:<t>`. The page then shares the backend's
//!   origin (cookies, `BroadcastChannel`, relative `/auth` URLs, as in a real app), and WebAuthn works: it
//!   refuses IP addresses as RP IDs, and the runner can only serve on an IP.

mod forward;
mod rp;
mod webdriver;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use cis2_mock_idp::{AuthMethodName, Client, Config, MockIdp, RunningMockIdp};
use cis2_server::{Cis2Auth, IssuerUrl, cis2_sdk::CIS2_REALM_PATH};

type BoxError = Box<dyn std::error::Error>;

const CLIENT_ID: &str = "cis2-wasm-live.apps.supplier";
const CLIENT_SECRET: &str = "cis2-wasm-live-secret-0123456789abcdef";

/// A port that was free a moment ago (for servers that bind it themselves).
pub(crate) fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_mock(rp_origin: &str) -> Result<RunningMockIdp, BoxError> {
    let port = free_port()?;
    let mut config = Config::default();
    config.port = port;
    config.issuer = Some(format!("http://localhost:{port}{CIS2_REALM_PATH}"));
    config.bridge.enabled = true;
    config.webauthn.origins = vec![rp_origin.to_owned()];
    let mock = MockIdp::builder()
        .config(config)
        .backchannel_retries(2, Duration::from_millis(200))
        .start()
        .await?;
    let mut client = Client::new(
        CLIENT_ID,
        vec![format!("{rp_origin}/auth/callback")],
        AuthMethodName::ClientSecretPost,
    );
    client.client_name = "cis2-browser live suite".into();
    client.client_secret = Some(CLIENT_SECRET.into());
    // The mock posts logout tokens to the RP's listener address (IPv4 loopback) rather than `localhost`.
    client.backchannel_logout_uri = Some(format!(
        "{}/auth/backchannel-logout",
        rp_origin.replace("localhost", "127.0.0.1")
    ));
    client.post_logout_redirect_uris = vec![format!("{rp_origin}/")];
    mock.state().put_client(client)?;
    Ok(mock)
}

fn pkg_dir() -> Result<PathBuf, BoxError> {
    let dir = std::env::var_os("CIS2_LIVE_PKG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../pkg")));
    if !dir.join("index.js").is_file() {
        return Err(format!(
            "{} has no index.js: build the package first (wasm/build.sh --dev)",
            dir.display()
        )
        .into());
    }
    Ok(dir)
}

async fn run(command: &[String]) -> Result<ExitCode, BoxError> {
    let Some((program, args)) = command.split_first() else {
        return Err("usage: cis2-wasm-live -- <command> [args...]".into());
    };
    let pkg = pkg_dir()?;
    let rp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let rp_origin = format!("http://localhost:{}", rp_listener.local_addr()?.port());
    let runner_addr = format!("127.0.0.1:{}", free_port()?);
    let runner_origin = format!("http://{runner_addr}");

    let mock = start_mock(&rp_origin).await?;
    // The RP's clock: an offset clock of its own, which the tests move (`PUT /harness/rp-clock`) so idle and
    // absolute timeouts pass in a moment. Not the mock's: moving that would also end its SSO sessions and post
    // back-channel logouts, racing the reason under test.
    let rp_clock = cis2_mock_idp::OffsetClock::default();
    let auth = Cis2Auth::builder(IssuerUrl::new(mock.issuer().to_owned())?)
        .client_id(CLIENT_ID)
        .redirect_uri(format!("{rp_origin}/auth/callback"))
        .client_secret(CLIENT_SECRET)
        // AAL2 floor: the suite signs in at AAL2 as well as AAL3 (pages may only ask for stricter sign-ins).
        .login_options(cis2_server::LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]))
        .events_check_interval(Duration::from_secs(1))
        .clock(Arc::new(rp_clock.clone()))
        .build()
        .await?;
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let driver = webdriver::start(&chromedriver, runner_origin.clone(), rp_origin.clone()).await?;
    let state = mock.state();
    let harness = rp::Harness {
        rp_origin: rp_origin.clone(),
        runner_origin,
        issuer: mock.issuer().to_owned(),
        admin_url: mock.admin_url(),
        client_id: CLIENT_ID.into(),
        bridge_ports: state
            .bridge_port_service_addrs()
            .iter()
            .map(|a| a.port())
            .collect(),
        cm_port: state.bridge_cm_addr().map(|a| a.port()),
        closed_ports: (0..3).map(|_| free_port()).collect::<Result<_, _>>()?,
        driver: driver.handle.clone(),
        http: reqwest::Client::new(),
        clock: rp_clock,
    };
    let app = rp::app(auth, harness, pkg);
    let server = tokio::spawn(async move {
        let _ = axum::serve(rp_listener, app).await;
    });
    println!(
        "cis2-wasm-live: RP {rp_origin}, mock {}, WebDriver proxy {}",
        mock.issuer(),
        driver.proxy_url
    );

    let status = tokio::process::Command::new(program)
        .args(args)
        .env("CHROMEDRIVER_REMOTE", &driver.proxy_url)
        .env("WASM_BINDGEN_TEST_ADDRESS", &runner_addr)
        .env("WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION", "1")
        .env("CIS2_LIVE_RP_ORIGIN", &rp_origin)
        .status()
        .await
        .map_err(|e| format!("cannot run {program}: {e}"))?;

    server.abort();
    drop(driver);
    mock.shutdown().await;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CIS2_LIVE_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).skip_while(|a| a == "--").collect();
    match run(&args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cis2-wasm-live: {e}");
            ExitCode::FAILURE
        }
    }
}
