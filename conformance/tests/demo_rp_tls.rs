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

/// Runs `transport.tls-1-2-minimum` alone; its result.
async fn transport(run: &demo::DemoRun) -> cis2_conformance::ScenarioResult {
    let only = RunOptions {
        only: vec!["transport".into()],
        ..RunOptions::default()
    };
    let report = run.suite.run(&only, &Quiet).await;
    report
        .results
        .into_iter()
        .find(|r| r.id == "transport.tls-1-2-minimum")
        .expect("listed")
}

/// The transport scenario passes on what the demo RP offers (TLS 1.3 and 1.2, recorded at the IdP), and fails
/// once a client has offered TLS 1.1 and 1.0 to the IdP (the suite's own agents never do, so it is blamed on
/// the RP).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_transport_scenario_reads_the_offered_tls_versions() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let run = demo::start(demo::DemoOptions {
        tls: true,
        ..Default::default()
    })
    .await;
    let r = transport(&run).await;
    assert_eq!(r.verdict, Verdict::Pass, "{} {:?}", r.reason, r.decided_by);
    assert!(r.reason.contains("TLS 1.3, TLS 1.2"), "{}", r.reason);
    assert!(!r.reason.contains("TLS 1.1"), "{}", r.reason);

    // A client offering TLS 1.1 and 1.0: rustls refuses the handshake, but the hello is on record.
    let addr = run.suite.idp().tls().expect("tls").addr;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(&cis2_mock_idp::client_hello_record(
        0x0303,
        Some(&[0x0302, 0x0301]),
    ))
    .await
    .unwrap();
    let mut alert = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), sock.read_to_end(&mut alert)).await;
    assert_eq!(alert.first(), Some(&0x15), "rustls answers with an alert");

    let r = transport(&run).await;
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.reason);
    assert!(r.reason.contains("TLS 1.1, TLS 1.0"), "{}", r.reason);
}
