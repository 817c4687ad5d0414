//! The suite against the demo relying party (cis2-server): every applicable scenario passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/demo.rs"]
mod demo;

use cis2_conformance::{Quiet, RunOptions, Verdict};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_scenario_passes_against_the_demo_rp() {
    let run = demo::start(demo::DemoOptions::default()).await;
    let report = run.suite.run(&RunOptions::default(), &Quiet).await;
    let bad = demo::describe(&report, |v| v == Verdict::Pass);
    eprintln!("{} scenarios in {} ms", report.totals.total, report.wall_ms);
    assert!(bad.is_empty(), "not passed:\n{}", bad.join("\n"));
    assert!(
        report.totals.passed >= 80,
        "only {} scenarios passed",
        report.totals.passed
    );
}
