//! The conformance suite's back-channel logout and role scenarios against the running app (the app's
//! `rp.toml`), run as a library.

use std::path::Path;

use crate::model::{RunReport, Totals, Verdict};
use crate::{Quiet, RpConfig, RunOptions, Suite};

use super::model::{ConformanceResult, ConformanceScenario, Finding, Level};

/// The scenario groups a migration check runs.
pub const GROUPS: [&str; 2] = ["backchannel-logout", "roles"];

/// The run options for `cfg` with only [`GROUPS`] selected.
pub fn options(cfg: &RpConfig) -> RunOptions {
    let mut opts = RunOptions::from_config(cfg);
    opts.only = GROUPS.iter().map(|g| (*g).to_owned()).collect();
    opts
}

/// Runs [`GROUPS`] on a started suite.
pub async fn run(suite: &Suite, opts: &RunOptions) -> ConformanceResult {
    summarise(&suite.run(opts, &Quiet).await)
}

/// Loads `rp_config`, starts the suite's IdP and runs [`GROUPS`] against the app. The error names the file.
pub async fn start_and_run(rp_config: &Path) -> Result<(ConformanceResult, String), String> {
    let cfg = RpConfig::load(rp_config).map_err(|e| e.to_string())?;
    let opts = options(&cfg);
    let suite = Suite::start(cfg, None)
        .await
        .map_err(|e| format!("{}: {e}", rp_config.display()))?;
    let issuer = suite.issuer().to_owned();
    Ok((run(&suite, &opts).await, issuer))
}

/// The [`GROUPS`] scenarios of a run report.
pub fn summarise(report: &RunReport) -> ConformanceResult {
    let mut totals = Totals::default();
    let mut scenarios = Vec::new();
    for r in report
        .results
        .iter()
        .filter(|r| GROUPS.contains(&r.group.as_str()))
    {
        totals.total += 1;
        match r.verdict {
            Verdict::Pass => totals.passed += 1,
            Verdict::Fail => totals.failed += 1,
            Verdict::Skipped => totals.skipped += 1,
            Verdict::Error => totals.errors += 1,
        }
        if r.required && matches!(r.verdict, Verdict::Fail | Verdict::Error) {
            totals.required_not_passed += 1;
        }
        scenarios.push(ConformanceScenario {
            id: r.id.clone(),
            required: r.required,
            verdict: r.verdict,
            reason: r.reason.clone(),
        });
    }
    ConformanceResult {
        rp: report.rp.name.clone(),
        totals,
        scenarios,
    }
}

/// One finding per scenario that failed or errored; one when back-channel logout was not tried at all.
pub fn findings(c: &ConformanceResult) -> Vec<Finding> {
    let mut out: Vec<Finding> = c
        .scenarios
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Fail | Verdict::Error))
        .map(|s| {
            Finding::new(
                &format!("conformance.{}", s.id),
                if s.required { Level::Missing } else { Level::Weak },
                format!("conformance scenario {} {}: {}", s.id, s.verdict.name(), s.reason),
                "fix the app and run `cis2-conformance run --only` with this scenario id until it passes",
            )
        })
        .collect();
    let bcl_run = c
        .scenarios
        .iter()
        .any(|s| s.id.starts_with("backchannel-logout.") && s.verdict != Verdict::Skipped);
    if !bcl_run {
        out.push(Finding::new(
            "conformance.backchannel-logout-not-run",
            Level::Missing,
            "the back-channel logout scenarios were skipped: rp.toml does not claim back-channel logout",
            "implement it, then set features.backchannel_logout = true and rp.backchannel_logout_uri in rp.toml",
        ));
    }
    let roles_run = c
        .scenarios
        .iter()
        .any(|s| s.id.starts_with("roles.") && s.verdict != Verdict::Skipped);
    if !roles_run {
        out.push(Finding::new(
            "conformance.roles-not-run",
            Level::Note,
            "the role scenarios were skipped: rp.toml does not claim role selection",
            "CIS1 users chose their role in the Identity Agent; on CIS2 request the selectedrole scope, then set \
             features.role_selection = true and rp.change_role_url in rp.toml",
        ));
    }
    out
}
