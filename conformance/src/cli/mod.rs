//! The command line: `init`, `list`, `run`, `schema`.

mod init;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::model::Verdict;
use crate::{RpConfig, RunOptions, Suite};

/// The CIS2 conformance suite for relying parties.
#[derive(Debug, Parser)]
#[command(name = "cis2-conformance", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write an annotated rp.toml for the RP under test and print what to configure in the RP.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "rp.toml")]
        config: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// List the scenarios: id, group, what each proves, the catalogue ids it covers.
    List {
        /// As a Markdown table (the docs' scenario list).
        #[arg(long)]
        markdown: bool,
    },
    /// Start the suite's IdP and drive the RP through every applicable scenario.
    Run {
        /// The RP's description.
        #[arg(long, default_value = "rp.toml")]
        config: PathBuf,
        /// Only scenarios whose id or group contains this (repeatable).
        #[arg(long)]
        only: Vec<String>,
        /// Where to write report.html, junit.xml and report.json.
        #[arg(long, default_value = "cis2-conformance-report")]
        report_dir: PathBuf,
        /// Run the sign-in journeys in headless Chromium (Debian's chromium + chromium-driver) instead of
        /// the HTTP user agent, for RPs whose sign-in needs JavaScript.
        #[arg(long)]
        browser: bool,
    },
    /// Print the JSON Schema of report.json.
    Schema,
}

/// Runs the command line; the exit code is 0 only when every required scenario passed.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { config, force } => init::run(&config, force),
        Command::List { markdown } => {
            print!("{}", list(markdown));
            ExitCode::SUCCESS
        }
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::report::json_schema()).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Command::Run {
            config,
            only,
            report_dir,
            browser,
        } => run(&config, only, &report_dir, browser).await,
    }
}

/// The scenario list, as plain lines or a Markdown table.
pub fn list(markdown: bool) -> String {
    let mut out = String::new();
    let all = crate::scenarios::all();
    if markdown {
        out.push_str("| Id | Proves | Catalogue | Needs | Required |\n|---|---|---|---|---|\n");
    }
    for s in &all {
        let needs: Vec<&str> = s.needs.iter().map(|f| f.name()).collect();
        if markdown {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                s.id,
                s.proves.replace('|', "\\|"),
                s.catalogue.join(", "),
                needs.join(", "),
                if s.required { "yes" } else { "advisory" }
            ));
        } else {
            out.push_str(&format!(
                "{:<40} {}\n{:<40} proves: {}{}{}\n",
                s.id,
                s.title,
                "",
                s.proves,
                if s.catalogue.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", s.catalogue.join(", "))
                },
                if s.required { "" } else { " (advisory)" }
            ));
        }
    }
    if !markdown {
        out.push_str(&format!("\n{} scenarios\n", all.len()));
    }
    out
}

async fn run(
    config: &std::path::Path,
    only: Vec<String>,
    report_dir: &std::path::Path,
    browser: bool,
) -> ExitCode {
    if browser && let Err(e) = crate::agent::chromium::preflight() {
        eprintln!("cis2-conformance: {e}");
        return ExitCode::from(2);
    }
    let cfg = match RpConfig::load(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cis2-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let mut opts = RunOptions::from_config(&cfg);
    opts.only = only;
    opts.browser = browser;
    let suite = match Suite::start(cfg, None).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cis2-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!("cis2-conformance: IdP issuer {}", suite.issuer());
    if let Some(t) = suite.idp().tls() {
        eprintln!(
            "cis2-conformance: the IdP serves HTTPS; the RP must trust the CA file {}",
            t.ca_file.display()
        );
        if t.fell_back {
            eprintln!(
                "cis2-conformance: port {} could not be bound, so HTTPS is on port {} (the issuer says so); \
                 the scenarios about an explicit :443 are skipped",
                t.requested_port,
                t.addr.port()
            );
        }
    }
    let progress = progress::for_terminal();
    let report = suite.run(&opts, progress.as_ref()).await;
    let t = &report.totals;
    println!(
        "{} scenarios: {} passed, {} failed, {} errors, {} skipped in {:.1} s",
        t.total,
        t.passed,
        t.failed,
        t.errors,
        t.skipped,
        report.wall_ms as f64 / 1000.0
    );
    for r in report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
    {
        println!("  {:?} {}: {}", r.verdict, r.id, r.reason);
    }
    match crate::report::write_all(&report, report_dir) {
        Ok(p) => println!(
            "evidence pack: {}\njunit: {}\njson: {}",
            p.html.display(),
            p.junit.display(),
            p.json.display()
        ),
        Err(e) => {
            eprintln!("cis2-conformance: {e}");
            return ExitCode::from(2);
        }
    }
    if t.required_not_passed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
