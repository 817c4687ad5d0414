//! The admin API's OpenAPI document (`mock-idp/docs/admin-openapi.yaml`) names exactly the routes and methods the
//! mock serves under `/admin/api` (`src/admin/mod.rs`), so the contract that `scripts/admin-api-contract` checks
//! with schemathesis cannot drift from the code. A malformed path parameter gets the JSON error shape.

use std::collections::BTreeSet;

use crate::common::*;

/// `(METHOD, /path)` pairs from the router source: each `.route("/path", get(..).post(..))`.
fn served() -> BTreeSet<(String, String)> {
    let src = include_str!("../../src/admin/mod.rs");
    let api = &src[src.find("fn api()").unwrap()..];
    let mut out = BTreeSet::new();
    for chunk in api.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap().to_owned();
        let body = &chunk[..chunk.find(".route(").unwrap_or(chunk.len())];
        for m in ["get", "post", "put", "delete"] {
            if body.contains(&format!("{m}(")) {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// `(METHOD, /path)` pairs from the OpenAPI document (its `paths:` block, two-space-indented paths, four-space
/// methods).
fn documented() -> BTreeSet<(String, String)> {
    let doc = include_str!("../../docs/admin-openapi.yaml");
    let paths = &doc[doc.find("\npaths:\n").unwrap()..];
    let mut out = BTreeSet::new();
    let mut current = None;
    for line in paths.lines() {
        if let Some(p) = line.strip_prefix("  /") {
            current = Some(format!("/{}", p.trim_end_matches(':')));
        } else if let (Some(p), Some(m)) = (&current, line.strip_prefix("    ")) {
            let m = m.trim_end_matches(':');
            if ["get", "post", "put", "delete"].contains(&m) {
                out.insert((m.to_uppercase(), p.clone()));
            }
        }
    }
    out
}

#[test]
fn the_openapi_document_lists_every_admin_route_and_nothing_else() {
    let served = served();
    let documented = documented();
    assert!(served.len() > 40, "{served:?}");
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "served but not in admin-openapi.yaml: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in admin-openapi.yaml but not served: {extra:?}"
    );
}

#[tokio::test]
async fn a_malformed_fault_id_is_a_json_400() {
    let h = start().await;
    let r = h
        .http
        .delete(h.admin("/faults/not-a-number"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v = r.json_value().await;
    assert_eq!(v["error"], "invalid_request");
    assert!(
        v["error_description"].as_str().unwrap().contains("not a number"),
        "{v}"
    );
}
