//! The `cis2-migrate` command line: `init`, `check`, `schema`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::analyse::check;
use super::input::MigrateConfig;
use super::model::MigrateReport;
use super::{conformance, dates, init, text, write};

/// CIS1 → CIS2 migration readiness for a supplier's app.
#[derive(Debug, Parser)]
#[command(name = "cis2-migrate", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write an annotated migrate.toml to edit.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "migrate.toml")]
        config: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check the app described in migrate.toml: mapping, registration, smartcard users, conformance.
    Check {
        /// The app's description.
        #[arg(long, default_value = "migrate.toml")]
        config: PathBuf,
        /// Where to write migrate-report.html and migrate-report.json.
        #[arg(long, default_value = "cis2-migrate-report")]
        report_dir: PathBuf,
        /// Count the days left from this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long)]
        today: Option<String>,
        /// Print the JSON report instead of the terminal text.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of migrate-report.json.
    Schema,
}

/// Runs the command line. `check` exits 0 when nothing is missing, 1 when something is, 2 on bad input.
pub async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Init { config, force } => init_file(&config, force),
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&write::json_schema()).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Command::Check {
            config,
            report_dir,
            today,
            json,
        } => match run_check(&config, today.as_deref()).await {
            Ok(report) => finish(&report, &report_dir, json),
            Err(e) => {
                eprintln!("cis2-migrate: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn init_file(path: &Path, force: bool) -> ExitCode {
    if path.exists() && !force {
        eprintln!(
            "cis2-migrate: {} exists; pass --force to overwrite it",
            path.display()
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::write(path, init::TEMPLATE) {
        eprintln!("cis2-migrate: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    println!(
        "wrote {} — describe your app in it, then: cis2-migrate check --config {}",
        path.display(),
        path.display()
    );
    ExitCode::SUCCESS
}

/// Loads `config`, runs the conformance part when `[conformance]` names an rp.toml, and builds the report.
pub async fn run_check(config: &Path, today: Option<&str>) -> Result<MigrateReport, String> {
    let today = match today {
        Some(t) => dates::parse(t).map_err(|e| format!("--today: {e}"))?,
        None => dates::today(),
    };
    let cfg = MigrateConfig::load(config).map_err(|e| e.to_string())?;
    let result = match &cfg.conformance {
        Some(c) => {
            let rp = config.parent().unwrap_or(Path::new(".")).join(&c.rp_config);
            let (result, issuer) = conformance::start_and_run(&rp).await?;
            eprintln!("cis2-migrate: ran the conformance scenarios with the IdP at {issuer}");
            Some(result)
        }
        None => None,
    };
    Ok(check(&cfg, today, result))
}

fn finish(report: &MigrateReport, dir: &Path, json: bool) -> ExitCode {
    if json {
        match write::render_json(report) {
            Ok(j) => print!("{j}"),
            Err(e) => {
                eprintln!("cis2-migrate: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", text::render_text(report));
    }
    match write::write_all(report, dir) {
        Ok((html, json_path)) => eprintln!(
            "cis2-migrate: wrote {} and {}",
            html.display(),
            json_path.display()
        ),
        Err(e) => {
            eprintln!("cis2-migrate: {e}");
            return ExitCode::from(2);
        }
    }
    if report.totals.missing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
