//! The suite over HTTPS against the demo relying party (cis2-server): the suite's IdP serves TLS with its
//! own CA on port 443 (a free port when 443 cannot be bound), the issuer keeps the explicit port byte for
//! byte, the demo RP trusts the CA file, and every applicable scenario passes, `iss-default-port-dropped`
//! included when 443 was bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/demo.rs"]
mod demo;

use cis2_conformance::{Quiet, RunOptions, Verdict};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_scenario_passes_over_tls_against_the_demo_rp() {
    let run = demo::start(demo::DemoOptions {
        tls: true,
        ..Default::default()
    })
    .await;
    let suite = &run.suite;
    let tls = suite.idp().tls().expect("the IdP serves HTTPS").clone();
    let https_port = tls.addr.port();
    if tls.fell_back {
        eprintln!("port 443 could not be bound; the suite's HTTPS fell back to port {https_port}");
    } else {
        assert_eq!(https_port, 443);
    }
    // The issuer names its port explicitly, byte for byte (443 included).
    assert_eq!(
        suite.issuer(),
        format!(
            "https://localhost:{https_port}/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
        )
    );
    assert_eq!(tls.ca_file, run.ca_dir.path().join("ca.pem"));

    let report = suite.run(&RunOptions::default(), &Quiet).await;
    let bad = demo::describe(&report, |v| v == Verdict::Pass);
    eprintln!("{} scenarios in {} ms", report.totals.total, report.wall_ms);
    assert_eq!(report.issuer, suite.issuer());
    assert_eq!(
        report.idp_ca_file.as_deref(),
        Some(tls.ca_file.display().to_string().as_str())
    );
    let dropped = report
        .results
        .iter()
        .find(|r| r.id == "id-token.iss-default-port-dropped")
        .expect("the scenario is listed");
    let expected = if tls.fell_back {
        Verdict::Skipped
    } else {
        Verdict::Pass
    };
    assert_eq!(dropped.verdict, expected, "{}", dropped.reason);
    assert!(bad.is_empty(), "not passed:\n{}", bad.join("\n"));
    assert!(
        report.totals.passed >= 80,
        "only {} scenarios passed",
        report.totals.passed
    );
}
