//! The cis2-kit demo relying party: an axum app on `cis2-server` with an NHS.UK front end on the
//! `cis2-browser` package. Log in with Care Identity, see your roles and organisations, change role, step up
//! to AAL3 for a sensitive action, watch session events live, sign out.
//!
//! Run with (against the mock IdP, no real credentials):
//!
//! ```text
//! ./scripts/start                                   # installs, builds, starts mock + demo: open http://localhost:8080
//! # or by hand:
//! cargo run -p cis2-mock-idp -- --port 9000 --data-dir .cis2-dev/mock \
//!     --issuer http://localhost:9000/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare
//! cargo run -p example-demo-rp                      # registers itself at the mock, listens on :8080
//! ```
//!
//! Against CIS2 INT (configuration only; see docs/src/cis2-int.md):
//!
//! ```text
//! CIS2_ENV=integration CIS2_CLIENT_ID=<id>.apps.supplier \
//! DEMO_PUBLIC_URL=https://rp.example CIS2_PRIVATE_KEY_PEM=rp-key.pem CIS2_SIGNING_ALG=RS512 \
//! cargo run -p example-demo-rp
//! ```
//!
//! Dual-run with CIS1 (a CIS1 sign-in through the mock's virtual Identity Agent beside CIS2, and the cut-over
//! switch on the page): `DEMO_DUAL_RUN=true cargo run -p example-demo-rp` (docs/src/dual-run.md).
//!
//! Settings: `--config demo-rp.toml` (or `DEMO_CONFIG`), then environment variables; see
//! `examples/demo-rp/demo-rp.example.toml`.

use std::path::PathBuf;

use example_demo_rp::{Config, app};

fn config_path() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(p) = a.strip_prefix("--config=") {
            return Some(PathBuf::from(p));
        }
    }
    std::env::var_os("DEMO_CONFIG").map(PathBuf::from)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(config_path().as_deref(), std::env::vars())?;
    let listener = tokio::net::TcpListener::bind((config.bind.as_str(), config.port)).await?;
    let port = listener.local_addr()?.port();
    let router = app(&config, port).await?;
    println!(
        "cis2-kit demo relying party\n  open:          {}/",
        config.public_url(port)
    );
    println!("  redirect_uri:  {}", config.redirect_uri(port));
    println!("  client_id:     {}", config.client_id);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DEMO_LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("example-demo-rp: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
