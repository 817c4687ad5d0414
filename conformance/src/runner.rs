//! Runs the applicable scenarios — independent ones in parallel, those that change IdP-wide state alone
//! afterwards — each bounded in time, and gathers the results into a [`RunReport`].

use std::sync::Arc;
use std::time::Duration;

// A stopwatch for the report's timings (tokio's monotonic clock); protocol time is the IdP's clock.
use tokio::time::Instant;

use futures_util::StreamExt;

use crate::agent::chromium::Chromium;
use crate::config::RpConfig;
use crate::ctx::Ctx;
use crate::idp::Idp;
use crate::model::{REPORT_SCHEMA_VERSION, RpSummary, RunReport, ScenarioResult, Totals, Verdict};
use crate::scenario::{Outcome, Scenario};

/// Told as scenarios start and finish (the terminal's progress bar or plain lines).
pub trait Progress: Send + Sync {
    /// How many will run.
    fn begin(&self, total: usize);
    /// One started.
    fn started(&self, id: &str);
    /// One finished.
    fn finished(&self, r: &ScenarioResult);
    /// All done.
    fn end(&self);
}

/// Reports nothing.
#[derive(Debug)]
pub struct Quiet;

impl Progress for Quiet {
    fn begin(&self, _: usize) {}
    fn started(&self, _: &str) {}
    fn finished(&self, _: &ScenarioResult) {}
    fn end(&self) {}
}

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Only scenarios whose id or group contains one of these (case-insensitive); empty: all.
    pub only: Vec<String>,
    /// Scenarios at once.
    pub concurrency: usize,
    /// The bound on each wait; a scenario gets 10 of them in all.
    pub timeout: Duration,
    /// Run the sign-in journeys in headless Chromium (`run --browser`), for RPs whose sign-in needs
    /// JavaScript. Needs Debian's `chromium` and `chromium-driver`.
    pub browser: bool,
}

impl RunOptions {
    /// From `[idp]` in rp.toml.
    pub fn from_config(cfg: &RpConfig) -> Self {
        Self {
            only: Vec::new(),
            concurrency: cfg.idp.concurrency.unwrap_or(8),
            timeout: Duration::from_secs(cfg.idp.timeout_secs.unwrap_or(10)),
            browser: false,
        }
    }

    fn selects(&self, s: &Scenario) -> bool {
        self.only.is_empty()
            || self.only.iter().any(|p| {
                let p = p.to_ascii_lowercase();
                s.id.to_ascii_lowercase().contains(&p) || s.group.contains(p.as_str())
            })
    }
}

fn skipped(s: &Scenario, reason: String) -> ScenarioResult {
    result(s, Verdict::Skipped, reason, Default::default(), 0)
}

fn result(
    s: &Scenario,
    verdict: Verdict,
    reason: String,
    rec: crate::evidence::Recorded,
    duration_ms: u64,
) -> ScenarioResult {
    ScenarioResult {
        id: s.id.clone(),
        group: s.group.to_owned(),
        title: s.title.clone(),
        proves: s.proves.clone(),
        catalogue: s.catalogue.iter().map(|c| (*c).to_owned()).collect(),
        required: s.required,
        verdict,
        reason,
        decided_by: rec.decided_by,
        steps: rec.steps,
        tokens: rec.tokens,
        duration_ms,
    }
}

async fn run_one(
    s: Scenario,
    idp: Arc<Idp>,
    cfg: Arc<RpConfig>,
    timeout: Duration,
    chromium: Option<Arc<Chromium>>,
) -> ScenarioResult {
    let ctx = Ctx::new(idp, cfg, timeout, chromium);
    let rec = ctx.rec.clone();
    let started = Instant::now();
    let budget = timeout.saturating_mul(10);
    let outcome = match tokio::time::timeout(budget, (s.run)(ctx)).await {
        Ok(o) => o,
        Err(_) => Outcome::Error(format!(
            "did not finish within {} s; every wait is bounded, so the RP or IdP stopped answering",
            budget.as_secs()
        )),
    };
    let (verdict, reason) = match outcome {
        Outcome::Pass(r) => (Verdict::Pass, r),
        Outcome::Fail(r) => (Verdict::Fail, r),
        Outcome::Error(r) => (Verdict::Error, r),
    };
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    result(&s, verdict, reason, rec.take(), ms)
}

/// Runs `scenarios` against the RP `cfg` describes, through `idp`.
pub async fn run(
    scenarios: Vec<Scenario>,
    idp: Arc<Idp>,
    cfg: Arc<RpConfig>,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> RunReport {
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let t0 = Instant::now();
    let mut results: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
    let mut parallel = Vec::new();
    let mut exclusive = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        if !opts.selects(s) {
            results[i] = Some(skipped(s, "left out by --only".into()));
        } else if s.needs_explicit_default_port && !crate::scenario::has_explicit_default_port(idp.issuer()) {
            results[i] = Some(skipped(
                s,
                format!(
                    "the issuer {} has no explicit :443 (set [idp] tls = true, and let the suite bind port 443)",
                    idp.issuer()
                ),
            ));
        } else if let Some(f) = s.missing_feature(&cfg) {
            results[i] = Some(skipped(s, Scenario::skip_reason(f)));
        } else if s.exclusive {
            exclusive.push(i);
        } else {
            parallel.push(i);
        }
    }
    // Browser mode: one chromedriver for the run; without it every selected scenario is an error that
    // names the fix.
    let chromium = if opts.browser && !(parallel.is_empty() && exclusive.is_empty()) {
        match Chromium::start(opts.timeout, idp.tls().map(|t| t.leaf_spki_sha256.clone())).await {
            Ok(c) => Some(c),
            Err(e) => {
                for i in parallel.drain(..).chain(exclusive.drain(..)) {
                    results[i] = Some(result(
                        &scenarios[i],
                        Verdict::Error,
                        e.to_string(),
                        Default::default(),
                        0,
                    ));
                }
                None
            }
        }
    } else {
        None
    };
    progress.begin(parallel.len() + exclusive.len());
    let spawn = |i: usize| {
        let s = scenarios[i].clone();
        progress.started(&s.id);
        let task = tokio::spawn(run_one(
            s.clone(),
            Arc::clone(&idp),
            Arc::clone(&cfg),
            opts.timeout,
            chromium.clone(),
        ));
        async move {
            let r = match task.await {
                Ok(r) => r,
                Err(e) => result(
                    &s,
                    Verdict::Error,
                    format!("the scenario crashed: {e}"),
                    Default::default(),
                    0,
                ),
            };
            (i, r)
        }
    };
    // IdP-wide scenarios first, alone: a JWKS refetch budget or cache an earlier scenario used up must not
    // decide a rotation scenario.
    for i in exclusive {
        let (i, r) = spawn(i).await;
        progress.finished(&r);
        results[i] = Some(r);
    }
    let mut stream =
        futures_util::stream::iter(parallel.into_iter().map(spawn)).buffer_unordered(opts.concurrency.max(1));
    while let Some((i, r)) = stream.next().await {
        progress.finished(&r);
        results[i] = Some(r);
    }
    drop(stream);
    if let Some(c) = &chromium {
        c.shutdown().await;
    }
    progress.end();
    let results: Vec<ScenarioResult> = results.into_iter().flatten().collect();
    RunReport {
        schema_version: REPORT_SCHEMA_VERSION,
        suite_version: env!("CARGO_PKG_VERSION").into(),
        started_at,
        wall_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        issuer: idp.issuer().to_owned(),
        idp_ca_file: idp.tls().map(|t| t.ca_file.display().to_string()),
        rp: summary(&cfg),
        totals: totals(&results),
        results,
    }
}

fn summary(cfg: &RpConfig) -> RpSummary {
    RpSummary {
        name: cfg.rp.name.clone(),
        start_url: cfg.rp.start_url.clone(),
        probe: cfg.probe.describe(),
        redirect_uris: cfg.rp.redirect_uris.clone(),
        backchannel_logout_uri: cfg.rp.backchannel_logout_uri.clone(),
        client_id: cfg.client.client_id.clone(),
        auth_method: cfg.client.auth_method.clone(),
        features: cfg.feature_names(),
    }
}

/// Counts by verdict.
pub fn totals(results: &[ScenarioResult]) -> Totals {
    let mut t = Totals {
        total: results.len(),
        ..Totals::default()
    };
    for r in results {
        match r.verdict {
            Verdict::Pass => t.passed += 1,
            Verdict::Fail => t.failed += 1,
            Verdict::Skipped => t.skipped += 1,
            Verdict::Error => t.errors += 1,
        }
        if r.required && matches!(r.verdict, Verdict::Fail | Verdict::Error) {
            t.required_not_passed += 1;
        }
    }
    t
}
