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
    /// The realm path of the default issuer (e.g. `/openam/oauth2/realms/root/realms/oidc`, the dev realm);
    /// ignored with `--issuer`, whose path is the realm.
    #[arg(long)]
    realm: Option<String>,
    /// Start the virtual smartcard bridge (NHS Port Service emulation + card-reader events), on one free
    /// loopback port unless `--bridge-port` or `--bridge-published-ports` say otherwise.
    #[arg(long)]
    bridge: bool,
    /// A Port Service port for the bridge (repeatable; 0 picks a free one). Implies `--bridge`.
    #[arg(long = "bridge-port", value_name = "PORT")]
    bridge_ports: Vec<u16>,
    /// Bind the five published NHS Port Service ports (43487, 44213, 45031, 46478, 48853). Implies `--bridge`.
    #[arg(long)]
    bridge_published_ports: bool,
    /// Serve HTTPS too (TLS 1.2/1.3, a local CA written to the data dir as `ca.pem`); the default issuer
    /// becomes `https://localhost:443/...` (or the port bound). See `[tls]` in the example config.
    #[arg(long)]
    tls: bool,
    /// The HTTPS port (default 443; a free port when it cannot be bound). Implies `--tls`.
    #[arg(long)]
    tls_port: Option<u16>,
    /// Print the start-up time (process start to listening) on stderr.
    #[arg(long)]
    print_startup_time: bool,
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
    // Start-up time is wall-clock time by definition (the clock ban is for protocol time).
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
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
    if let Some(r) = args.realm {
        config.realm = Some(r);
    }
    if let Some(p) = args.port {
        config.port = p;
    }
    if let Some(d) = args.data_dir {
        config.data_dir = Some(d);
    }
    if let Some(i) = args.issuer {
        config.issuer = Some(i);
    }
    if args.tls || args.tls_port.is_some() {
        config.tls.enabled = true;
    }
    if let Some(p) = args.tls_port {
        config.tls.port = p;
    }
    if args.bridge || args.bridge_published_ports || !args.bridge_ports.is_empty() {
        config.bridge.enabled = true;
    }
    if !args.bridge_ports.is_empty() {
        config.bridge.ports = args.bridge_ports;
    }
    if args.bridge_published_ports {
        config.bridge.published_ports = true;
    }
    let idp = cis2_mock_idp::MockIdp::builder().config(config).start().await?;
    if args.print_startup_time {
        eprintln!("startup_ms={:.1}", started.elapsed().as_secs_f64() * 1000.0);
    }
    if let Some(w) = idp.admin_exposure_warning() {
        eprintln!("\n{w}\n");
    }
    println!("{}", cis2_mock_idp::banner(idp.state(), &idp.base_url()));
    if let Some(t) = idp.tls() {
        let fell_back = if t.fell_back {
            format!(" (port {} could not be bound)", t.requested_port)
        } else {
            String::new()
        };
        println!(
            "  https:         https://localhost:{}{fell_back}\n  trust this CA: {}\n",
            t.addr.port(),
            t.ca_file.display()
        );
    }
    if let Some(cm) = idp.state().bridge_cm_addr() {
        let prs: Vec<String> = idp
            .state()
            .bridge_port_service_addrs()
            .iter()
            .map(|a| format!("http://{a}/PRS/ConnectPRService"))
            .collect();
        println!(
            "  bridge:        {}\n  card events:   http://{cm}/cards/events\n",
            prs.join(" ")
        );
    }
    tokio::signal::ctrl_c().await?;
    idp.shutdown().await;
    Ok(())
}
