//! The whole suite against the demo RP, timed: `cargo bench -p cis2-conformance --bench run`.
//!
//! Prints, for each of a few runs, the wall time and scenarios per second, and for scale what the
//! OpenID Foundation suite's fixed wait would cost for the same negative scenarios (5 s each, its
//! `waitTimeoutSeconds` default). Not a timed test: figures on a shared machine are for the closing note.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/demo.rs"]
mod demo;

use cis2_conformance::{Quiet, RunOptions, Verdict};

/// A fresh suite and a fresh demo RP (an RP may rate-limit JWKS refetches after the key rotation scenario,
/// so back-to-back runs against one RP process would measure its cooldown, not the suite).
async fn one_run() -> cis2_conformance::RunReport {
    let run = demo::start(demo::DemoOptions::default()).await;
    run.suite.run(&RunOptions::default(), &Quiet).await
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "run | scenarios run | passed | wall (s) | scenarios/s | OIDF-style 5 s waits for the refusal scenarios (s)"
        );
        for run in 1..=3 {
            let report = one_run().await;
            let ran = report.results.iter().filter(|r| r.verdict != Verdict::Skipped).count();
            // Scenarios whose pass rests on the RP refusing something: what the OIDF suite waits 5 s for.
            let refusals = report
                .results
                .iter()
                .filter(|r| r.decided_by.iter().any(|d| d.contains("not signed in")))
                .count();
            let wall = report.wall_ms as f64 / 1000.0;
            println!(
                "{run} | {ran} | {} | {wall:.2} | {:.1} | {}",
                report.totals.passed,
                ran as f64 / wall,
                refusals * 5
            );
        }
    });
}
