//! Builds the report from a checked `migrate.toml`, a date and (optionally) the conformance result.

use time::Date;

use super::input::MigrateConfig;
use super::model::{ConformanceResult, Finding, FindingTotals, Level, MIGRATE_SCHEMA_VERSION, MigrateReport};
use super::{conformance, dates, mapping, registration, smartcards};

/// The report for `cfg` as of `today`. `conformance`: the result of [`conformance::run`] against the app,
/// when it was run. Pure: the same inputs give the same report.
pub fn check(cfg: &MigrateConfig, today: Date, conformance: Option<ConformanceResult>) -> MigrateReport {
    let attributes = mapping::attributes(&cfg.cis1);
    let authorisation = mapping::authorisation(&cfg.cis1);
    let scopes = mapping::scopes(&attributes, &authorisation);
    let cards = smartcards::summary(&cfg.users);

    let mut findings = registration::findings(&cfg.cis2);
    findings.extend(smartcards::findings(&cards, &cfg.cis2));
    findings.extend(mapping::findings(&cfg.cis1, &attributes, &authorisation));
    if let Some(c) = &conformance {
        findings.extend(conformance::findings(c));
    }
    if cfg.app.prescribing {
        findings.push(Finding::new(
            "prescribing.digital-signature-service",
            Level::Note,
            "the app signs prescriptions: signing moves to the Digital Signature Service, a migration of its own",
            "plan the Digital Signature Service migration with NHS England alongside CIS2 authentication",
        ));
    }
    // Stable: the order within a level is the order above.
    findings.sort_by_key(|f| f.level);
    let mut totals = FindingTotals::default();
    for f in &findings {
        match f.level {
            Level::Missing => totals.missing += 1,
            Level::Weak => totals.weak += 1,
            Level::Note => totals.note += 1,
        }
    }
    MigrateReport {
        schema_version: MIGRATE_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        app: cfg.app.name.clone(),
        today: dates::format(today),
        deadline: dates::format(dates::deadline()),
        days_left: dates::days_left(today),
        attributes,
        authorisation,
        scopes,
        smartcards: cards,
        conformance,
        findings,
        totals,
    }
}
