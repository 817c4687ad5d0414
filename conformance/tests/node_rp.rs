//! The suite against a relying party not built on this project: a generic Node RP on openid-client v6 and
//! jose (`tests/node-rp/server.mjs`), written the way those libraries' docs show, with no CIS2-specific
//! logic. The generic OpenID Connect checks pass; the scenarios it fails are exactly the expected ones, each
//! with a one-line reason a supplier understands — so a change in the suite or in the RP shows up here.
//!
//! Needs `node` (≥ 20) and `npm ci --prefix conformance/tests/node-rp` (scripts/install-deps does it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cis2_conformance::{Quiet, RpConfig, RunOptions, Suite, Verdict};

const CLIENT: &str = "200000000091.apps.supplier";
const SECRET: &str = "node-rp-secret-0123456789abcdef0123";

/// The Node RP's routes, as a supplier would describe them in rp.toml. It claims what it has a route for:
/// back-channel logout, sign-out with end-session, a "change role" sign-in (prompt=login) and a step-up
/// sign-in (acr_values=AAL3_ANY) guarding /aal3. `/me` shows the ID token's claims, so the role pointer
/// reads the `selected_roleid` the app would take at face value.
fn rp_toml(rp: &str) -> String {
    format!(
        r#"
[rp]
name = "generic openid-client RP (Node)"
start_url = "{rp}/login"
redirect_uris = ["{rp}/callback"]
backchannel_logout_uri = "{rp}/backchannel-logout"
sign_out = {{ url = "{rp}/logout", method = "POST" }}
change_role_url = "{rp}/change-role"
step_up_url = "{rp}/step-up"
post_logout_redirect_uris = ["{rp}/signed-out"]

[probe]
url = "{rp}/me"
status = 200
role_json_pointer = "/id_token_claims/selected_roleid"
aal3_url = "{rp}/aal3"

[client]
client_id = "{CLIENT}"
auth_method = "client_secret_post"
client_secret = "{SECRET}"

[features]
backchannel_logout = true
role_selection = true
step_up = true
end_session = true

[idp]
port = 0
"#
    )
}

/// Generic OpenID Connect checks openid-client (and jose for logout tokens) gets right: these must pass.
const MUST_PASS: &[&str] = &[
    "code-flow.happy-path",
    "code-flow.state-tampered",
    "code-flow.state-missing",
    "code-flow.state-other-browser",
    "code-flow.error-response",
    "code-flow.unsolicited-callback",
    "auth-request.state",
    "auth-request.nonce",
    "auth-request.pkce-s256",
    "auth-request.acr-values",
    "id-token.wrong-iss",
    "id-token.iss-slash",
    "id-token.iss-scheme-case",
    "id-token.iss-dot-segment",
    "id-token.wrong-aud",
    "id-token.aud-array-other",
    "id-token.expired",
    "id-token.expired-just",
    "id-token.missing-exp",
    "id-token.exp-string",
    "id-token.nonce-mismatch",
    "id-token.missing-nonce",
    "id-token.alg-none",
    "cis2-shapes.aud-array",
    "cis2-shapes.no-roles",
    "userinfo.sub-mismatch",
    "backchannel-logout.by-sid",
    "backchannel-logout.by-sub",
    "backchannel-logout.jti-replay",
    "backchannel-logout.alg-none",
    "backchannel-logout.bad-signature",
    "backchannel-logout.wrong-aud",
    "backchannel-logout.with-nonce",
    "sign-out.server-side",
    "sign-out.end-session",
    "reliability.token-endpoint-5xx",
    "reliability.jwks-down-warm-cache",
];

/// The scenarios the generic RP fails in both runs, each with why, in a supplier's words.
const EXPECTED_FAILS: &[(&str, &str)] = &[
    (
        "id-token.acr-aal1",
        "CIS2-specific: the app asks for AAL2_OR_AAL3_ANY but openid-client does not compare the acr in the answer with it",
    ),
    (
        "id-token.future-iat",
        "openid-client checks that iat is a number, not that it is not in the future",
    ),
    (
        "id-token.wrong-azp",
        "openid-client checks azp only when aud lists several clients; a foreign azp next to the right aud passes",
    ),
    (
        "id-token.sub-empty",
        "openid-client accepts an empty sub; the app's userinfo call then fails, but only after it used the access token",
    ),
    (
        "id-token.at-hash-wrong",
        "openid-client does not check at_hash in the code flow; a token whose at_hash does not match the access token passes",
    ),
    (
        "id-token.id-assurance-below-3",
        "CIS2-specific: id_assurance_level is a CIS2 claim a generic RP never reads",
    ),
    (
        "id-token.aud-untrusted-second",
        "openid-client accepts extra audiences in aud as long as azp is the client id",
    ),
    (
        "id-token.iat-week-old",
        "advisory: openid-client checks that iat is a number, not how old it is",
    ),
    (
        "reliability.token-endpoint-slow",
        "advisory: the app sets no timeout on the token request (fetch waits minutes), so a slow IdP keeps the user waiting",
    ),
    (
        "roles.selected-role-used",
        "CIS2-specific: the app does not ask for the selectedrole scope, so CIS2 never offers a choice of role",
    ),
    (
        "roles.selected-role-unknown",
        "CIS2-specific: the app takes selected_roleid as given instead of looking it up in nhsid_nrbac_roles",
    ),
    (
        "roles.stale-auth-time",
        "after prompt=login openid-client does not check auth_time (it does only when max_age is sent)",
    ),
    (
        "step-up.acr-aal2",
        "CIS2-specific: the AAL3 page trusts that AAL3 was asked for; nobody checks the acr that came back",
    ),
    (
        "step-up.level-2",
        "CIS2-specific: authentication_assurance_level is a CIS2 claim a generic RP never reads",
    ),
    (
        "step-up.stale-auth-time",
        "after prompt=login openid-client does not check auth_time (it does only when max_age is sent)",
    ),
    (
        "roles.missing-auth-time",
        "after prompt=login openid-client does not require auth_time (it does only when max_age is sent)",
    ),
    (
        "step-up.missing-auth-time",
        "after prompt=login openid-client does not require auth_time (it does only when max_age is sent)",
    ),
];

/// Fails only with openid-client's defaults, which do not verify an ID token's signature in the code flow.
const FAILS_WITHOUT_SIGNATURE_CHECK: &[(&str, &str)] = &[
    (
        "id-token.bad-signature",
        "openid-client trusts the TLS connection to the token endpoint and does not verify the ID token's signature",
    ),
    (
        "id-token.hs256-public-key",
        "no signature check on ID tokens from the token endpoint (openid-client's default)",
    ),
    (
        "id-token.kid-unknown",
        "no signature check on ID tokens from the token endpoint (openid-client's default)",
    ),
    (
        "jwks.key-rotation",
        "not judged: without signature checks the app never needs the JWKS for sign-in",
    ),
    (
        "jwks.unknown-kid-cooldown",
        "no signature check, so a token signed with an unknown key is accepted",
    ),
    (
        "jwks.removed-key",
        "not judged: without signature checks the app never fetches the JWKS, so a key the IdP removed means \
         nothing to it (id-token.bad-signature is the finding)",
    ),
];

/// Fails only with `enableNonRepudiationChecks` (the signature verified against the IdP's JWKS).
const FAILS_WITH_SIGNATURE_CHECK: &[(&str, &str)] = &[
    (
        "jwks.key-rotation",
        "openid-client refetches the JWKS for an unknown kid only when its copy is over 60 s old: after CIS2 \
         rotates its key, every sign-in fails for up to a minute",
    ),
    (
        "jwks.removed-key",
        "not judged: after the rotation openid-client refuses the new key until its JWKS copy is 60 s old (see \
         jwks.key-rotation), so whether it drops a removed key cannot be shown",
    ),
];

/// Rotate the IdP's signing key: run last, alone (see [`run`]).
const ROTATIONS: &[&str] = &["jwks.key-rotation", "jwks.removed-key"];

fn node_rp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node-rp")
}

/// The node process, killed when dropped.
struct NodeRp {
    child: Child,
    base_url: String,
}

impl Drop for NodeRp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `node server.mjs` for `issuer`; waits (bounded) for its `{"listening":PORT,...}` line.
fn start_node(issuer: &str, non_repudiation: bool, log: &Path) -> NodeRp {
    let dir = node_rp_dir();
    assert!(
        dir.join("node_modules/openid-client").is_dir(),
        "the Node RP's packages are not installed: run `npm ci --prefix conformance/tests/node-rp` \
         (scripts/install-deps does it)"
    );
    let stderr = std::fs::File::create(log).unwrap();
    let mut child = match Command::new("node")
        .arg("server.mjs")
        .args([
            "--issuer",
            issuer,
            "--client-id",
            CLIENT,
            "--client-secret",
            SECRET,
        ])
        .args(["--port", "0"])
        .args(non_repudiation.then_some("--non-repudiation"))
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!(
            "cannot start `node` ({e}): install Node.js 20 or later (scripts/install-deps expects it on PATH)"
        ),
    };
    let stdout = child.stdout.take().unwrap();
    // A reader thread sends the base URL from the first `{"listening":...}` line, then keeps draining stdout.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(u) = v.get("base_url").and_then(|u| u.as_str())
            {
                let _ = tx.send(u.to_owned());
            }
        }
    });
    let mut rp = NodeRp {
        child,
        base_url: String::new(),
    };
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(u) => rp.base_url = u,
        Err(_) => {
            let status = rp.child.try_wait().ok().flatten();
            panic!(
                "the Node RP did not report its port within 30 s (exit: {status:?}); its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
    }
    rp
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
        Verdict::Skipped => "skipped",
    }
}

/// One run of the whole suite against the Node RP; returns the ids that failed or errored, and the table.
async fn run(non_repudiation: bool, why: &BTreeMap<&str, &str>) -> (BTreeSet<String>, Vec<String>, String) {
    let key =
        cis2_sdk::SigningKey::from_pkcs8_pem(include_str!("data/idp-a.pem"), cis2_sdk::Algorithm::RS256)
            .unwrap();
    let placeholder = rp_toml("http://127.0.0.1:9");
    let mut suite = Suite::start(RpConfig::parse(&placeholder, "rp.toml").unwrap(), Some(key))
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("node-rp.log");
    let rp = start_node(suite.issuer(), non_repudiation, &log);
    suite
        .set_rp(RpConfig::parse(&rp_toml(&rp.base_url), "rp.toml").unwrap())
        .unwrap();
    // The rotations (jwks.key-rotation, jwks.removed-key) run last and alone: after a rotation, openid-client with signature checks refuses
    // every token with the new kid until its cached JWKS is 60 s old, which would fail every later scenario.
    let rest: Vec<String> = cis2_conformance::scenarios::all()
        .into_iter()
        .map(|s| s.id)
        .filter(|id| !ROTATIONS.contains(&id.as_str()))
        .collect();
    let mut report = suite
        .run(
            &RunOptions {
                only: rest,
                ..RunOptions::default()
            },
            &Quiet,
        )
        .await;
    let rotation = suite
        .run(
            &RunOptions {
                only: ROTATIONS.iter().map(|s| (*s).to_owned()).collect(),
                ..RunOptions::default()
            },
            &Quiet,
        )
        .await;
    drop(rp);
    let paths = cis2_conformance::report::write_all(&report, out.path()).unwrap();
    cis2_conformance::report::write_all(&rotation, &out.path().join("key-rotation")).unwrap();
    report.wall_ms += rotation.wall_ms;
    for r in &mut report.results {
        if let Some(x) = rotation
            .results
            .iter()
            .find(|x| x.id == r.id && ROTATIONS.contains(&x.id.as_str()))
        {
            *r = x.clone();
        }
    }

    let mut table = vec![
        "| scenario | verdict | reason |".to_owned(),
        "|---|---|---|".to_owned(),
    ];
    for r in &report.results {
        let reason = match why.get(r.id.as_str()) {
            Some(w) if r.verdict != Verdict::Pass => format!("{w} (suite: {})", r.reason),
            _ => r.reason.clone(),
        };
        table.push(format!(
            "| `{}` | {} | {} |",
            r.id,
            verdict_word(r.verdict),
            reason.replace('|', "\\|")
        ));
    }
    let count = |v: Verdict| report.results.iter().filter(|r| r.verdict == v).count();
    table.push(format!(
        "\n{} scenarios in {} ms: {} passed, {} failed, {} errors, {} skipped; report: {}",
        report.results.len(),
        report.wall_ms,
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Error),
        count(Verdict::Skipped),
        paths.html.display()
    ));
    let not_passed = report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .map(|r| r.id.clone())
        .collect();
    let missing: Vec<&str> = MUST_PASS
        .iter()
        .copied()
        .filter(|id| {
            !report
                .results
                .iter()
                .any(|r| r.id == *id && r.verdict == Verdict::Pass)
        })
        .collect();
    let mut notes = std::fs::read_to_string(&log).unwrap_or_default();
    if !missing.is_empty() {
        notes = format!("generic checks not passed: {missing:?}\n{notes}");
    }
    // Keep the evidence pack when asked (NODE_RP_REPORT_DIR), else it goes with the temp dir.
    if let Some(dir) = std::env::var_os("NODE_RP_REPORT_DIR") {
        let dir = PathBuf::from(dir).join(if non_repudiation {
            "non-repudiation"
        } else {
            "default"
        });
        cis2_conformance::report::write_all(&report, &dir).unwrap();
        cis2_conformance::report::write_all(&rotation, &dir.join("key-rotation")).unwrap();
    }
    (not_passed, table, notes)
}

/// Compares one run with its expected failures; returns what changed, in words.
fn changes(
    mode: &str,
    not_passed: &BTreeSet<String>,
    expected: &BTreeMap<&str, &str>,
    notes: &str,
) -> Option<String> {
    let unexpected: Vec<&String> = not_passed
        .iter()
        .filter(|id| !expected.contains_key(id.as_str()))
        .collect();
    let now_passing: Vec<&&str> = expected.keys().filter(|id| !not_passed.contains(**id)).collect();
    let generic = notes.starts_with("generic checks not passed");
    (!unexpected.is_empty() || !now_passing.is_empty() || generic).then(|| {
        format!(
            "{mode}: the generic RP's results changed.\n  failed but not expected: {unexpected:?}\n  \
             expected to fail but did not: {now_passing:?}\nthe Node RP's log:\n{notes}"
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_generic_openid_client_rp_passes_the_generic_checks_and_fails_the_cis2_ones() {
    let mut problems = Vec::new();
    for non_repudiation in [false, true] {
        let (mode, extra) = if non_repudiation {
            ("with enableNonRepudiationChecks", FAILS_WITH_SIGNATURE_CHECK)
        } else {
            (
                "openid-client defaults (as its docs show)",
                FAILS_WITHOUT_SIGNATURE_CHECK,
            )
        };
        let expected: BTreeMap<&str, &str> = EXPECTED_FAILS.iter().chain(extra).copied().collect();
        let (not_passed, table, notes) = run(non_repudiation, &expected).await;
        eprintln!("\n## {mode}\n\n{}", table.join("\n"));
        problems.extend(changes(mode, &not_passed, &expected, &notes));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
