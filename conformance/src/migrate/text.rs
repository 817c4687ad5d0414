//! The terminal report: plain text (no colour), the same facts as the JSON in reading order.

use std::fmt::Write as _;

use crate::model::Verdict;

use super::model::{CheckKind, MigrateReport};

/// Renders the terminal report.
pub fn render_text(r: &MigrateReport) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_all(&mut o, r);
    o
}

fn write_all(o: &mut String, r: &MigrateReport) -> std::fmt::Result {
    writeln!(o, "CIS1 → CIS2 migration check: {}", r.app)?;
    let when = if r.days_left >= 0 {
        format!("{} days left until", r.days_left)
    } else {
        format!("{} days past the day", -r.days_left)
    };
    writeln!(
        o,
        "As of {}: {when} CIS1 Authentication is retired ({}).",
        r.today, r.deadline
    )?;

    writeln!(
        o,
        "\nCIS1 attributes → CIS2 claims ([C] confirmed, [I] inferred, [?] unknown)"
    )?;
    if r.attributes.is_empty() {
        writeln!(o, "  (none declared)")?;
    }
    for a in &r.attributes {
        let note = if a.note.is_empty() {
            String::new()
        } else {
            format!("  ({})", a.note)
        };
        writeln!(
            o,
            "  {} {:<26} → {}{note}",
            a.mark,
            a.cis1,
            a.cis2.as_deref().unwrap_or("(no CIS2 counterpart)")
        )?;
    }

    writeln!(o, "\nAuthorisation checks")?;
    if r.authorisation.is_empty() {
        writeln!(o, "  (none declared)")?;
    }
    for c in &r.authorisation {
        let kind = match c.kind {
            CheckKind::RoleCode => "role code",
            CheckKind::Activity => "activity",
            CheckKind::Workgroup => "workgroup",
        };
        writeln!(
            o,
            "  {} {kind:<9} {:<20} {} → {}",
            c.mark, c.value, c.cis1, c.cis2
        )?;
    }
    writeln!(o, "Scopes to request: {}", r.scopes.join(" "))?;

    let s = &r.smartcards;
    writeln!(o, "\nSmartcard users")?;
    if s.cards == 0 {
        writeln!(o, "  (none declared)")?;
    } else {
        writeln!(o, "  {} card(s) in use", s.cards)?;
        writeln!(
            o,
            "  {} through the Identity Agent: need Smartcard Connect (or another authenticator) by {}",
            s.need_smartcard_connect, r.deadline
        )?;
        writeln!(
            o,
            "  {} series 10 under the Identity Agent: work only with Smartcard Connect",
            s.series_10_on_identity_agent
        )?;
        writeln!(
            o,
            "  {} deprecated series 4/5/6: to be replaced",
            s.deprecated_series
        )?;
        writeln!(o, "  {} already on Smartcard Connect", s.on_smartcard_connect)?;
    }

    if let Some(c) = &r.conformance {
        let t = &c.totals;
        writeln!(
            o,
            "\nConformance ({}): {} scenarios: {} passed, {} failed, {} errors, {} skipped",
            c.rp, t.total, t.passed, t.failed, t.errors, t.skipped
        )?;
        for sc in &c.scenarios {
            let v = match sc.verdict {
                Verdict::Fail => "FAIL",
                Verdict::Error => "ERROR",
                other => other.name(),
            };
            if matches!(sc.verdict, Verdict::Fail | Verdict::Error) {
                writeln!(o, "  {v:<7} {}: {}", sc.id, sc.reason)?;
            } else {
                writeln!(o, "  {v:<7} {}", sc.id)?;
            }
        }
    }

    let t = &r.totals;
    writeln!(
        o,
        "\nFindings: {} missing, {} weak, {} notes",
        t.missing, t.weak, t.note
    )?;
    for f in &r.findings {
        writeln!(o, "  {:<7} {}", f.level.label(), f.id)?;
        writeln!(o, "          {}", f.title)?;
        writeln!(o, "          fix: {}", f.fix)?;
    }
    Ok(())
}
