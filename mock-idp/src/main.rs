//! `cis2-mock-idp`: run the CIS2 mock OpenID provider.
//!
//! Configuration: embedded defaults, then `--config <file.toml>` (or `CIS2_MOCK_CONFIG`), then `CIS2_MOCK_*`
//! variables, then flags.

use std::path::PathBuf;

use clap::Parser;

/// A CIS2-faithful OpenID provider that runs offline.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// TOML configuration file.
    #[arg(long, env = "CIS2_MOCK_CONFIG")]
    config: Option<PathBuf>,
    /// Port to listen on (default 9000; 0 picks a free one).
    #[arg(long)]
    port: Option<u16>,
    /// Data directory (SQLite, keys). Default `./cis2-mock-data`.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Issuer string, used byte for byte (e.g. `https://idp.example:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`).
    #[arg(long)]
    issuer: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CIS2_MOCK_LOG").unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => cis2_mock_idp::Config::from_file(path)?,
        None => {
            let mut c = cis2_mock_idp::Config::default();
            c.port = 9000;
            c.data_dir = Some(PathBuf::from("cis2-mock-data"));
            c
        }
    };
    config.apply_env(std::env::vars())?;
    if let Some(p) = args.port {
        config.port = p;
    }
    if let Some(d) = args.data_dir {
        config.data_dir = Some(d);
    }
    if let Some(i) = args.issuer {
        config.issuer = Some(i);
    }
    let idp = cis2_mock_idp::MockIdp::builder().config(config).start().await?;
    println!("{}", cis2_mock_idp::banner(idp.state(), &idp.base_url()));
    tokio::signal::ctrl_c().await?;
    idp.shutdown().await;
    Ok(())
}
