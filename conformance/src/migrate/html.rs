//! The HTML report: one self-contained page (inline CSS, no scripts, nothing fetched); every text
//! HTML-escaped by maud.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::model::Verdict;

use super::model::{CheckKind, Level, MigrateReport};

/// The evidence pack's style sheet, shared.
const CSS: &str = include_str!("../report/style.css");

/// Nothing may be fetched or run: inline style only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/// Renders the HTML report.
pub fn render_html(r: &MigrateReport) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "CIS1 → CIS2 migration check: " (r.app) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.banner {
                    h1 { "CIS1 → CIS2 migration check" }
                    p { "App: " strong { (r.app) } }
                }
                main {
                    (outcome(r))
                    (findings(r))
                    (attributes(r))
                    (authorisation(r))
                    (smartcards(r))
                    (conformance(r))
                    footer {
                        p {
                            "Written by cis2-migrate " (r.tool_version) " (report schema version "
                            (r.schema_version) "). The same results are in migrate-report.json. "
                            "Mappings come from the cis2-sdk CIS1 table (cis2.md §14.5)."
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn outcome(r: &MigrateReport) -> Markup {
    let t = &r.totals;
    let days = if r.days_left >= 0 {
        format!(
            "{} days left until CIS1 Authentication is retired ({}).",
            r.days_left, r.deadline
        )
    } else {
        format!(
            "CIS1 Authentication was due to be retired {} days ago ({}).",
            -r.days_left, r.deadline
        )
    };
    html! {
        @if t.missing == 0 {
            p.outcome.ok role="status" { "Nothing missing. " (t.weak) " weak, " (t.note) " note(s). " (days) }
        } @else {
            p.outcome.bad role="status" {
                (t.missing) " thing(s) missing, " (t.weak) " weak, " (t.note) " note(s). " (days)
            }
        }
        dl.facts {
            dt { "As of" } dd { (r.today) }
            dt { "Deadline" } dd { (r.deadline) }
            dt { "Days left" } dd { (r.days_left) }
            dt { "Scopes to request" } dd { code { (r.scopes.join(" ")) } }
        }
    }
}

fn findings(r: &MigrateReport) -> Markup {
    html! {
        h2 id="findings" { "Findings" }
        @if r.findings.is_empty() { p { "None." } } @else {
            table {
                thead { tr { th { "Level" } th { "Finding" } th { "What to do" } } }
                tbody {
                    @for f in &r.findings {
                        tr {
                            td class=(if f.level == Level::Missing { "alert" } else { "" }) { (f.level.label()) }
                            td { code { (f.id) } br; (f.title) }
                            td { (f.fix) }
                        }
                    }
                }
            }
        }
    }
}

fn attributes(r: &MigrateReport) -> Markup {
    html! {
        h2 id="attributes" { "CIS1 attributes → CIS2 claims" }
        p.prose { "[C] confirmed by NHS England documentation, [I] inferred, [?] unknown." }
        table {
            thead { tr { th { "Mark" } th { "CIS1" } th { "GAS" } th { "CIS2 claim" } th { "Note" } } }
            tbody {
                @for a in &r.attributes {
                    tr {
                        td { (a.mark) }
                        td { code { (a.cis1) } }
                        td { @if let Some(g) = &a.gas { (g) } }
                        td { @match &a.cis2 { Some(c) => code { (c) }, None => "no CIS2 counterpart" } }
                        td { (a.note) }
                    }
                }
            }
        }
    }
}

fn authorisation(r: &MigrateReport) -> Markup {
    html! {
        h2 id="authorisation" { "Authorisation checks" }
        @if r.authorisation.is_empty() { p { "None declared." } } @else {
            table {
                thead { tr { th { "Mark" } th { "Kind" } th { "Value" } th { "CIS1" } th { "CIS2" } } }
                tbody {
                    @for c in &r.authorisation {
                        tr {
                            td { (c.mark) }
                            td { (match c.kind { CheckKind::RoleCode => "role code", CheckKind::Activity => "activity", CheckKind::Workgroup => "workgroup" }) }
                            td { code { (c.value) } }
                            td { code { (c.cis1) } }
                            td { code { (c.cis2) } }
                        }
                    }
                }
            }
        }
    }
}

fn smartcards(r: &MigrateReport) -> Markup {
    let s = &r.smartcards;
    html! {
        h2 id="smartcards" { "Smartcard users" }
        dl.facts {
            dt { "Cards in use" } dd { (s.cards) }
            dt { "Through the Identity Agent (need Smartcard Connect)" } dd { (s.need_smartcard_connect) }
            dt { "Series 10 under the Identity Agent" } dd { (s.series_10_on_identity_agent) }
            dt { "Deprecated series 4/5/6" } dd { (s.deprecated_series) }
            dt { "Already on Smartcard Connect" } dd { (s.on_smartcard_connect) }
        }
    }
}

fn conformance(r: &MigrateReport) -> Markup {
    html! {
        @if let Some(c) = &r.conformance {
            h2 id="conformance" { "Conformance: back-channel logout and roles (" (c.rp) ")" }
            p {
                (c.totals.total) " scenarios: " (c.totals.passed) " passed, " (c.totals.failed) " failed, "
                (c.totals.errors) " errors, " (c.totals.skipped) " skipped."
            }
            table {
                thead { tr { th { "Scenario" } th { "Verdict" } th { "Why" } } }
                tbody {
                    @for sc in &c.scenarios {
                        tr {
                            td { code { (sc.id) } }
                            td { span class=(format!("badge {}", sc.verdict.name())) { (sc.verdict.name()) } }
                            td class=(if matches!(sc.verdict, Verdict::Fail | Verdict::Error) { "alert" } else { "" }) { (sc.reason) }
                        }
                    }
                }
            }
        }
    }
}
