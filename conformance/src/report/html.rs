//! The HTML evidence pack: one self-contained page (inline CSS, no scripts, nothing fetched) an NHS
//! onboarding assessor can read, print or attach to an onboarding record.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::model::{DecodedToken, RunReport, ScenarioResult, Verdict};

/// The page's style sheet, inlined into `<style>`.
const CSS: &str = include_str!("style.css");

/// Nothing may be fetched or run: inline style only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/// Renders the HTML evidence pack: a header (suite version, issuer, start and wall time, the RP as
/// configured), the outcome, a summary table of counts, links to every scenario that did not pass, the list
/// of scenarios, then per scenario a section (anchor `scenario-{id}`) with its verdict, reason, what it
/// proves, catalogue ids and its evidence (decided by, steps, decoded tokens) in a `<details>`, open for
/// scenarios that failed or errored. All text is HTML-escaped.
pub fn render_html(report: &RunReport) -> String {
    let not_passed: Vec<&ScenarioResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .collect();
    let page = html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "CIS2 conformance evidence pack: " (report.rp.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.banner {
                    h1 { "CIS2 conformance evidence pack" }
                    p { "Relying party: " strong { (report.rp.name) } }
                }
                main {
                    (outcome(report))
                    (run_facts(report))
                    (rp_facts(report))
                    (summary_table(report))
                    (not_passed_list(&not_passed))
                    (scenario_table(report))
                    h2 id="evidence" { "Evidence by scenario" }
                    @for result in &report.results {
                        (scenario_section(result))
                    }
                    footer {
                        p {
                            "Written by cis2-conformance " (report.suite_version)
                            " (report schema version " (report.schema_version) "). "
                            "Tokens are decoded for reading only; their signatures are not shown. "
                            "The same results are in report.json and junit.xml."
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// The fragment (without `#`) a scenario's section is anchored at: `scenario-{id}`, with any character
/// other than ASCII letters, digits, `-`, `_` and `.` replaced by `-`.
pub(super) fn anchor(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("scenario-{safe}")
}

/// Milliseconds for people: `850 ms`, `12.345 s`, `2 min 3.456 s`.
fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{:03} s", ms / 1000, ms % 1000)
    } else {
        let secs = ms % 60_000;
        format!("{} min {}.{:03} s", ms / 60_000, secs / 1000, secs % 1000)
    }
}

fn badge(verdict: Verdict) -> Markup {
    let name = verdict.name();
    html! { span class=(format!("badge {name}")) { (name) } }
}

fn required_tag(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn outcome(report: &RunReport) -> Markup {
    let t = &report.totals;
    html! {
        @if t.required_not_passed == 0 {
            p.outcome.ok role="status" {
                "Outcome: PASSED. No required scenario failed or errored."
                @if t.skipped > 0 {
                    " " (t.skipped) " scenario(s) were skipped (not applicable to this RP, or filtered out)."
                }
            }
        } @else {
            p.outcome.bad role="status" {
                "Outcome: NOT PASSED. " (t.required_not_passed)
                " required scenario(s) failed or could not be decided; see "
                a href="#not-passed" { "Not passed" } "."
            }
        }
    }
}

fn run_facts(report: &RunReport) -> Markup {
    html! {
        h2 id="run" { "Run" }
        dl.facts {
            dt { "Suite version" } dd { "cis2-conformance " (report.suite_version) }
            dt { "Issuer" } dd { code { (report.issuer) } }
            @if let Some(ca) = &report.idp_ca_file {
                dt { "IdP CA (trusted by the RP)" } dd { code { (ca) } }
            }
            dt { "Started (UTC)" } dd { (report.started_at) }
            dt { "Wall time" } dd { (duration(report.wall_ms)) }
            dt { "Report schema version" } dd { (report.schema_version) }
        }
    }
}

fn rp_facts(report: &RunReport) -> Markup {
    let rp = &report.rp;
    html! {
        h2 id="rp" { "Relying party under test" }
        dl.facts {
            dt { "Name" } dd { (rp.name) }
            dt { "Sign-in starts at" } dd { code { (rp.start_url) } }
            dt { "Signed-in probe" } dd { (rp.probe) }
            dt { "Redirect URIs" }
            dd {
                @if rp.redirect_uris.is_empty() { "none" } @else {
                    ul { @for uri in &rp.redirect_uris { li { code { (uri) } } } }
                }
            }
            dt { "Back-channel logout URI" }
            dd {
                @match &rp.backchannel_logout_uri {
                    Some(uri) => code { (uri) },
                    None => "none",
                }
            }
            dt { "Client id" } dd { code { (rp.client_id) } }
            dt { "Client authentication" } dd { code { (rp.auth_method) } }
            dt { "Features claimed" }
            dd {
                @if rp.features.is_empty() { "none" } @else {
                    ul { @for f in &rp.features { li { code { (f) } } } }
                }
            }
        }
    }
}

fn summary_table(report: &RunReport) -> Markup {
    let t = &report.totals;
    let rnp_class = if t.required_not_passed > 0 {
        "num alert"
    } else {
        "num"
    };
    html! {
        h2 id="summary" { "Summary" }
        table {
            caption { "Scenarios by verdict" }
            thead {
                tr {
                    th.num scope="col" { "Scenarios" }
                    th.num scope="col" { "Passed" }
                    th.num scope="col" { "Failed" }
                    th.num scope="col" { "Errors" }
                    th.num scope="col" { "Skipped" }
                    th.num scope="col" { "Required, not passed" }
                }
            }
            tbody {
                tr {
                    td.num id="count-total" { (t.total) }
                    td.num id="count-passed" { (t.passed) }
                    td.num id="count-failed" { (t.failed) }
                    td.num id="count-errors" { (t.errors) }
                    td.num id="count-skipped" { (t.skipped) }
                    td class=(rnp_class) id="count-required-not-passed" { (t.required_not_passed) }
                }
            }
        }
    }
}

fn not_passed_list(not_passed: &[&ScenarioResult]) -> Markup {
    html! {
        h2 id="not-passed" { "Not passed" }
        @if not_passed.is_empty() {
            p { "Every scenario that ran passed." }
        } @else {
            ul.notpassed {
                @for r in not_passed {
                    li {
                        (badge(r.verdict)) " "
                        a href=(format!("#{}", anchor(&r.id))) { code { (r.id) } }
                        " " span.tag { "(" (required_tag(r.required)) ")" }
                        ": " (r.reason)
                    }
                }
            }
        }
    }
}

fn scenario_table(report: &RunReport) -> Markup {
    html! {
        h2 id="scenarios" { "Scenarios" }
        table {
            caption { "All scenarios, in the order they ran" }
            thead {
                tr {
                    th scope="col" { "Id" }
                    th scope="col" { "Group" }
                    th scope="col" { "Verdict" }
                    th scope="col" { "Required" }
                    th scope="col" { "Title" }
                }
            }
            tbody {
                @for r in &report.results {
                    tr {
                        td { a href=(format!("#{}", anchor(&r.id))) { code { (r.id) } } }
                        td { (r.group) }
                        td { (badge(r.verdict)) }
                        td { @if r.required { "yes" } @else { "no" } }
                        td { (r.title) }
                    }
                }
            }
        }
    }
}

fn scenario_section(r: &ScenarioResult) -> Markup {
    let name = r.verdict.name();
    let open = matches!(r.verdict, Verdict::Fail | Verdict::Error);
    html! {
        section class=(format!("scenario {name}")) id=(anchor(&r.id)) {
            h3 { code { (r.id) } ": " (r.title) }
            p { (badge(r.verdict)) " " span.tag { (required_tag(r.required)) " · group " (r.group) } }
            dl.facts {
                dt { "Reason" } dd.prose { (r.reason) }
                dt { "What a pass proves" } dd.prose { (r.proves) }
                dt { "Catalogue" }
                dd {
                    @if r.catalogue.is_empty() { "none" } @else {
                        @for (i, c) in r.catalogue.iter().enumerate() {
                            @if i > 0 { ", " } code { (c) }
                        }
                    }
                }
                dt { "Duration" } dd { (duration(r.duration_ms)) }
            }
            details open[open] {
                summary {
                    "Evidence: " (r.decided_by.len()) " deciding fact(s), "
                    (r.steps.len()) " step(s), " (r.tokens.len()) " token(s)"
                }
                h4 { "Decided by" }
                @if r.decided_by.is_empty() { p { "Nothing recorded." } } @else {
                    ul { @for d in &r.decided_by { li { (d) } } }
                }
                h4 { "Steps" }
                @if r.steps.is_empty() { p { "No steps recorded." } } @else {
                    table {
                        thead {
                            tr {
                                th.num scope="col" { "Time" }
                                th scope="col" { "Actor" }
                                th scope="col" { "What" }
                            }
                        }
                        tbody {
                            @for s in &r.steps {
                                tr {
                                    td.num { "+" (s.at_ms) " ms" }
                                    td { (s.actor) }
                                    td { code { (s.what) } }
                                }
                            }
                        }
                    }
                }
                @if !r.tokens.is_empty() {
                    h4 { "Tokens issued (decoded, signatures not shown)" }
                    @for token in &r.tokens { (token_details(token, open)) }
                }
            }
            p { a href="#scenarios" { "Back to the list of scenarios" } }
        }
    }
}

fn token_details(token: &DecodedToken, open: bool) -> Markup {
    html! {
        details open[open] {
            summary { (token.label) }
            p { "Header" }
            pre { code { (pretty(&token.header)) } }
            p { "Claims" }
            pre { code { (pretty(&token.claims)) } }
        }
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}
