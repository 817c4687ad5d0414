//! The JUnit XML report for CI: one `<testsuite>` per scenario group (in the order groups first appear),
//! one `<testcase>` per scenario.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::name::QName;

use crate::model::{RunReport, ScenarioResult, Verdict};

/// Renders the JUnit XML report:
///
/// ```xml
/// <testsuites name="cis2-conformance" tests=".." failures=".." errors=".." skipped=".." time="..">
///   <testsuite name="{group}" tests=".." failures=".." errors=".." skipped=".." time=".." timestamp="..">
///     <properties>suite version, issuer, RP name, client id, auth method</properties>
///     <testcase classname="{group}" name="{id}: {title}" time="{seconds}">
///       <failure message="{reason}" type="required|optional">decided_by and steps</failure>
///     </testcase>
///   </testsuite>
/// </testsuites>
/// ```
///
/// A fail is a `<failure>`, an error an `<error>`, a skip `<skipped message="{reason}"/>`; a pass carries its
/// evidence in `<system-out>`. Characters XML 1.0 cannot hold are replaced with U+FFFD.
///
/// # Errors
///
/// The writer's I/O error; in practice none, as it writes into memory.
pub fn render_junit(report: &RunReport) -> Result<String, io::Error> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all = Counts::of(report.results.iter());
    writer
        .create_element("testsuites")
        .with_attributes(suite_attributes("cis2-conformance", &all))
        .write_inner_content(|w| {
            for group in groups(report) {
                let counts = Counts::of(report.results.iter().filter(|r| r.group == group));
                w.create_element("testsuite")
                    .with_attributes(suite_attributes(group, &counts))
                    .with_attribute(attr("timestamp", &report.started_at))
                    .write_inner_content(|w| {
                        write_properties(w, report)?;
                        for result in report.results.iter().filter(|r| r.group == group) {
                            write_testcase(w, result)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Groups in the order they first appear in the results.
fn groups(report: &RunReport) -> Vec<&str> {
    let mut groups: Vec<&str> = Vec::new();
    for result in &report.results {
        if !groups.contains(&result.group.as_str()) {
            groups.push(&result.group);
        }
    }
    groups
}

/// Counts and time of a set of scenarios.
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn of<'a>(results: impl Iterator<Item = &'a ScenarioResult>) -> Self {
        let mut c = Counts {
            tests: 0,
            failures: 0,
            errors: 0,
            skipped: 0,
            ms: 0,
        };
        for r in results {
            c.tests += 1;
            c.ms = c.ms.saturating_add(r.duration_ms);
            match r.verdict {
                Verdict::Pass => {}
                Verdict::Fail => c.failures += 1,
                Verdict::Error => c.errors += 1,
                Verdict::Skipped => c.skipped += 1,
            }
        }
        c
    }
}

fn suite_attributes<'a>(name: &'a str, c: &Counts) -> Vec<Attribute<'a>> {
    vec![
        attr("name", name),
        attr("tests", &c.tests.to_string()),
        attr("failures", &c.failures.to_string()),
        attr("errors", &c.errors.to_string()),
        attr("skipped", &c.skipped.to_string()),
        attr("time", &seconds(c.ms)),
    ]
}

fn write_properties(w: &mut Writer<Vec<u8>>, report: &RunReport) -> io::Result<()> {
    let props = [
        ("suite_version", report.suite_version.as_str()),
        ("issuer", &report.issuer),
        ("rp.name", &report.rp.name),
        ("rp.client_id", &report.rp.client_id),
        ("rp.auth_method", &report.rp.auth_method),
    ];
    w.create_element("properties").write_inner_content(|w| {
        for (name, value) in props {
            w.create_element("property")
                .with_attribute(attr("name", name))
                .with_attribute(attr("value", value))
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_testcase(w: &mut Writer<Vec<u8>>, r: &ScenarioResult) -> io::Result<()> {
    let name = format!("{}: {}", r.id, r.title);
    let kind = if r.required { "required" } else { "optional" };
    w.create_element("testcase")
        .with_attribute(attr("classname", &r.group))
        .with_attribute(attr("name", &name))
        .with_attribute(attr("time", &seconds(r.duration_ms)))
        .write_inner_content(|w| {
            let (element, with_message) = match r.verdict {
                Verdict::Fail => ("failure", true),
                Verdict::Error => ("error", true),
                Verdict::Skipped => ("skipped", true),
                Verdict::Pass => ("system-out", false),
            };
            let mut el = w.create_element(element);
            if with_message {
                el = el.with_attribute(attr("message", &r.reason));
            }
            match r.verdict {
                Verdict::Skipped => {
                    el.write_empty()?;
                }
                Verdict::Pass => {
                    el.write_text_content(BytesText::from_escaped(text(&evidence(r))))?;
                }
                Verdict::Fail | Verdict::Error => {
                    el.with_attribute(attr("type", kind))
                        .write_text_content(BytesText::from_escaped(text(&evidence(r))))?;
                }
            }
            Ok(())
        })?;
    Ok(())
}

/// The plain-text evidence of a scenario: verdict, reason, what decided it, the steps.
fn evidence(r: &ScenarioResult) -> String {
    let mut out = String::new();
    let verdict = r.verdict.name();
    let required = if r.required { "required" } else { "optional" };
    // Writing into a String cannot fail.
    let _ = writeln!(out, "{} ({verdict}, {required})", r.id);
    let _ = writeln!(out, "Reason: {}", r.reason);
    if !r.catalogue.is_empty() {
        let _ = writeln!(out, "Catalogue: {}", r.catalogue.join(", "));
    }
    out.push_str("Decided by:\n");
    for d in &r.decided_by {
        let _ = writeln!(out, "  - {d}");
    }
    out.push_str("Steps:\n");
    for s in &r.steps {
        let _ = writeln!(out, "  +{} ms  [{}]  {}", s.at_ms, s.actor, s.what);
    }
    let _ = write!(out, "Evidence pack: report.html#{}", super::html::anchor(&r.id));
    out
}

/// Milliseconds as JUnit's seconds with three decimals.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Replaces the characters XML 1.0 cannot hold (most C0 controls, U+FFFE, U+FFFF) with U+FFFD.
fn xml_chars(s: &str) -> Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if s.chars().any(bad) {
        Cow::Owned(s.chars().map(|c| if bad(c) { '\u{fffd}' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Escaped element text.
fn text(s: &str) -> String {
    quick_xml::escape::escape(xml_chars(s).as_ref()).into_owned()
}

/// An attribute whose value is fully escaped, including tabs and line breaks (which an XML parser would
/// otherwise normalise to spaces).
fn attr<'a>(name: &'a str, value: &str) -> Attribute<'a> {
    let escaped = quick_xml::escape::escape(xml_chars(value).as_ref())
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;");
    Attribute {
        key: QName(name.as_bytes()),
        value: Cow::Owned(escaped.into_bytes()),
    }
}
