//! What a run produces: the results the reports (HTML evidence pack, JUnit, JSON) are written from.
//! The JSON report is this structure as it is; its schema is `docs/report-schema.json` (generated from
//! these types, `cis2-conformance schema`), so the field names here are a public contract.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of the JSON report's shape; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// A whole run.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunReport {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `cis2-conformance` version.
    pub suite_version: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall time of the whole run, milliseconds.
    pub wall_ms: u64,
    /// The issuer the RP was pointed at, byte for byte.
    pub issuer: String,
    /// The CA certificate file the RP was told to trust, when the IdP served HTTPS (`[idp] tls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_ca_file: Option<String>,
    /// The RP under test, as configured (never a secret).
    pub rp: RpSummary,
    /// Counts by verdict.
    pub totals: Totals,
    /// One entry per scenario, in list order.
    pub results: Vec<ScenarioResult>,
}

/// The RP under test as the report shows it: the configuration without secrets.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RpSummary {
    /// A name for the RP (from `rp.toml`).
    pub name: String,
    /// Where sign-in starts.
    pub start_url: String,
    /// How the suite tells whether a browser is signed in, in words.
    pub probe: String,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Back-channel logout URI, when the RP has one.
    pub backchannel_logout_uri: Option<String>,
    /// The client id registered at the suite's IdP.
    pub client_id: String,
    /// `client_secret_post` or `private_key_jwt`.
    pub auth_method: String,
    /// Features the RP claims (`backchannel_logout`, `role_selection`, `step_up`, `end_session`, ...).
    pub features: Vec<String>,
}

/// Counts by verdict.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[non_exhaustive]
pub struct Totals {
    /// Scenarios run.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed: the RP did something a conformant RP must not.
    pub failed: usize,
    /// Not applicable to this RP (a feature it does not claim) or filtered out.
    pub skipped: usize,
    /// Could not be decided (the control journey failed, the RP was unreachable, ...).
    pub errors: usize,
    /// Failed or errored scenarios that are required: the run passes only when this is 0.
    pub required_not_passed: usize,
}

/// The outcome of one scenario.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The RP behaved as a conformant RP must, and the evidence shows it.
    Pass,
    /// The RP did what it must not (or failed to do what it must).
    Fail,
    /// Not run: the RP does not claim the feature, or `--only` left it out.
    Skipped,
    /// No verdict could be proven (e.g. the control sign-in did not work).
    Error,
}

impl Verdict {
    /// The lower-case name the reports use (`pass`, `fail`, `skipped`, `error`), as in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skipped => "skipped",
            Verdict::Error => "error",
        }
    }
}

/// One scenario's result with the evidence behind it.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ScenarioResult {
    /// Stable id, e.g. `id-token.nonce-mismatch`.
    pub id: String,
    /// Group, e.g. `id-token`.
    pub group: String,
    /// One line: what happens.
    pub title: String,
    /// What a pass proves about the RP.
    pub proves: String,
    /// Conformance-catalogue ids covered (`CS-14`, `BCL-03`, ...).
    pub catalogue: Vec<String>,
    /// Whether the run fails when this scenario does not pass.
    pub required: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in words a supplier understands (what the RP did, what it should do).
    pub reason: String,
    /// The pieces of evidence that decided the verdict (e.g. "probe: not signed in (401)",
    /// "mock: no userinfo request for this user after the token response").
    pub decided_by: Vec<String>,
    /// What happened, in order.
    pub steps: Vec<Step>,
    /// Tokens the mock sent in this scenario, decoded (signatures are not shown).
    pub tokens: Vec<DecodedToken>,
    /// Wall time of the scenario, milliseconds.
    pub duration_ms: u64,
}

/// One thing that happened during a scenario.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Step {
    /// Milliseconds since the scenario started.
    pub at_ms: u64,
    /// Who acted: `suite`, `browser A`, `browser B`, `idp`, `rp`.
    pub actor: String,
    /// What, in one line (e.g. `GET http://127.0.0.1:8080/auth/login → 302`).
    pub what: String,
}

/// A token the IdP issued during the scenario.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct DecodedToken {
    /// Which token (`id_token (control)`, `id_token (faulty)`, `logout_token`, ...).
    pub label: String,
    /// The JOSE header.
    pub header: serde_json::Value,
    /// The claims.
    pub claims: serde_json::Value,
}
