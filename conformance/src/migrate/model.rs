//! What `cis2-migrate check` produces. The JSON report is this structure as it is; its schema is
//! `docs/migrate-report-schema.json` (`cis2-migrate schema`), so the field names here are a public contract.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Totals, Verdict};

/// The version of the JSON report's shape; bumped on any incompatible change.
pub const MIGRATE_SCHEMA_VERSION: u32 = 1;

/// The whole report.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct MigrateReport {
    /// [`MIGRATE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `cis2-migrate` version.
    pub tool_version: String,
    /// The app (`app.name`).
    pub app: String,
    /// The date the report was made for (`YYYY-MM-DD`).
    pub today: String,
    /// The day CIS1 Authentication is retired by (`2027-02-28`).
    pub deadline: String,
    /// Days from `today` to `deadline` (negative once it has passed).
    pub days_left: i64,
    /// Each CIS1 attribute the app reads, and the CIS2 claim it becomes.
    pub attributes: Vec<AttributeMapping>,
    /// Each role code, activity and workgroup the app checks, and where CIS2 carries it.
    pub authorisation: Vec<AuthorisationCheck>,
    /// The CIS2 scopes the app must request to get those claims.
    pub scopes: Vec<String>,
    /// The app's smartcard users.
    pub smartcards: SmartcardSummary,
    /// The conformance suite's back-channel logout and role scenarios, when `[conformance]` was given.
    pub conformance: Option<ConformanceResult>,
    /// What to do, most serious first.
    pub findings: Vec<Finding>,
    /// Counts by level.
    pub totals: FindingTotals,
}

/// How sure a mapping is (cis2.md §14.5).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// `[C]`: confirmed by NHS England documentation.
    Confirmed,
    /// `[I]`: inferred from documentation; verify in INT.
    Inferred,
    /// `[?]`: unknown.
    Unknown,
}

impl From<cis2_sdk::cis1::Certainty> for Certainty {
    fn from(c: cis2_sdk::cis1::Certainty) -> Self {
        match c {
            cis2_sdk::cis1::Certainty::Confirmed => Self::Confirmed,
            cis2_sdk::cis1::Certainty::Inferred => Self::Inferred,
            _ => Self::Unknown,
        }
    }
}

/// One CIS1 attribute.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct AttributeMapping {
    /// The name in `migrate.toml` (the SSB RoleAssertion name, a GAS field or `smartcard`).
    pub cis1: String,
    /// Where GAS carries it, if it does.
    pub gas: Option<String>,
    /// The CIS2 claim (`None`: no CIS2 counterpart).
    pub cis2: Option<String>,
    /// How sure the mapping is.
    pub certainty: Certainty,
    /// `[C]`, `[I]` or `[?]`.
    pub mark: String,
    /// The reference's note.
    pub note: String,
}

/// What an authorisation check compares.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A role code (`nhsJobRoleCode`).
    RoleCode,
    /// A B-code activity (`nhsBusinessFunctionsCodes`).
    Activity,
    /// A workgroup (`nhsWorkGroupsCodes`).
    Workgroup,
}

/// One value the app checks.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct AuthorisationCheck {
    /// What it compares.
    pub kind: CheckKind,
    /// The value (`S8000:G8000:R8003`, `B0264`, ...).
    pub value: String,
    /// Where CIS1 carries it.
    pub cis1: String,
    /// Where CIS2 carries it.
    pub cis2: String,
    /// How sure that is.
    pub certainty: Certainty,
    /// `[C]`, `[I]` or `[?]`.
    pub mark: String,
}

/// The app's smartcard users, from `[[users.cards]]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmartcardSummary {
    /// All cards declared.
    pub cards: u32,
    /// Cards used through the Identity Agent: they need Smartcard Connect (or another authenticator) once
    /// CIS1 is retired.
    pub need_smartcard_connect: u32,
    /// Series 10 cards used through the Identity Agent: they work only under Smartcard Connect.
    pub series_10_on_identity_agent: u32,
    /// Series 4, 5 and 6 cards: deprecated, to be replaced by series 8 or above.
    pub deprecated_series: u32,
    /// Cards already used through Smartcard Connect.
    pub on_smartcard_connect: u32,
}

/// The conformance suite's scenarios against the running app.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct ConformanceResult {
    /// The app as `rp.toml` names it.
    pub rp: String,
    /// Counts by verdict (scenarios of other groups are not counted).
    pub totals: Totals,
    /// The back-channel logout and role scenarios, in list order.
    pub scenarios: Vec<ConformanceScenario>,
}

/// One scenario's verdict.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct ConformanceScenario {
    /// Its id (`backchannel-logout.by-sid`).
    pub id: String,
    /// Whether a conformant app must pass it.
    pub required: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Something the migration needs and the plan lacks: fix before going live on CIS2.
    Missing,
    /// Works, but weaker than it should be.
    Weak,
    /// Worth knowing.
    Note,
}

impl Level {
    /// `MISSING`, `WEAK` or `NOTE`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Missing => "MISSING",
            Self::Weak => "WEAK",
            Self::Note => "NOTE",
        }
    }
}

/// One thing to act on.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[non_exhaustive]
pub struct Finding {
    /// Stable id (`registration.client-secret`, `smartcards.series-10-identity-agent`, ...).
    pub id: String,
    /// How serious.
    pub level: Level,
    /// What is wrong, in one line.
    pub title: String,
    /// What to do.
    pub fix: String,
}

impl Finding {
    /// A finding.
    pub fn new(id: &str, level: Level, title: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            level,
            title: title.into(),
            fix: fix.into(),
        }
    }
}

/// Counts by level.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[non_exhaustive]
pub struct FindingTotals {
    /// [`Level::Missing`].
    pub missing: usize,
    /// [`Level::Weak`].
    pub weak: usize,
    /// [`Level::Note`].
    pub note: usize,
}
