//! The docs' scenario list is the code's: `docs/src/conformance-scenarios.md` ends with the table that
//! `cis2-conformance list --markdown` prints.

#[test]
fn the_scenario_list_in_the_docs_is_generated_from_the_code() {
    let page = include_str!("../../docs/src/conformance-scenarios.md");
    let table = cis2_conformance::cli::list(true);
    assert!(
        page.ends_with(&table),
        "docs/src/conformance-scenarios.md is out of date; its table must be:\n{table}"
    );
    assert!(cis2_conformance::scenarios::all().len() >= 80);
}

#[test]
fn every_scenario_id_is_unique_and_names_its_group() {
    let all = cis2_conformance::scenarios::all();
    let mut seen = std::collections::BTreeSet::new();
    for s in &all {
        assert!(seen.insert(s.id.clone()), "duplicate id {}", s.id);
        assert!(
            s.id.starts_with(&format!("{}.", s.group)),
            "{} is not in group {}",
            s.id,
            s.group
        );
        assert!(!s.proves.is_empty() && !s.title.is_empty());
    }
}
