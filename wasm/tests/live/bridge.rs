//! Bridge discovery against the mock's virtual bridge (a real Port Service on loopback) and against ports
//! nothing listens on.

use cis2_wasm::discover_bridge;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::live::*;
use crate::support::*;

async fn discover(ports: &[u16], timeout_ms: u32) -> JsValue {
    let list = ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    settle(discover_bridge(opts(&format!(
        r#"{{"ports": [{list}], "timeoutMs": {timeout_ms}}}"#
    ))))
    .await
    .unwrap()
}

#[wasm_bindgen_test]
async fn discovery_finds_the_virtual_bridge_in_each_mode() {
    reset().await;
    let config = config().await;
    // The bridge among ports where nothing listens, as on a real machine.
    let mut ports = config.closed_ports.clone();
    ports.insert(1, config.bridge_ports[0]);

    let r = discover(&ports, 3000).await;
    let text = stringify(&r);
    assert_eq!(get_str(&r, "kind").as_deref(), Some("identityAgent"), "{text}");
    assert_eq!(
        get(&r, "port").as_f64(),
        Some(f64::from(config.cm_port)),
        "{text}"
    );
    assert_eq!(
        get(&r, "portServicePort").as_f64(),
        Some(f64::from(config.bridge_ports[0])),
        "{text}"
    );
    assert!(get(&r, "blockedBy").is_null(), "{text}");
    assert!(get_str(&r, "version").is_some(), "{text}");

    admin("PUT", "/bridge", Some(r#"{"mode": "smartcard_connect"}"#)).await;
    let r = discover(&ports, 3000).await;
    assert_eq!(
        get_str(&r, "kind").as_deref(),
        Some("credentialManagement"),
        "{}",
        stringify(&r)
    );

    // The Port Service answers but cannot find the user's Credential Management process.
    admin("PUT", "/bridge", Some(r#"{"state": "cm_not_running"}"#)).await;
    let r = discover(&ports, 3000).await;
    let text = stringify(&r);
    assert!(get(&r, "port").is_null(), "{text}");
    assert_eq!(
        get_str(&get(&r, "fault"), "code").as_deref(),
        Some("PR30007"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn nothing_listening_is_reported_as_none_well_before_the_timeout() {
    reset().await;
    let config = config().await;
    let r = discover(&config.closed_ports, 5000).await;
    let text = stringify(&r);
    assert_eq!(get_str(&r, "kind").as_deref(), Some("none"), "{text}");
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("notRunning"), "{text}");
    let elapsed = get(&r, "elapsedMs").as_f64().unwrap();
    // Refused connections answer at once: the overall 5 s limit is never reached.
    assert!(elapsed < 1_500.0, "took {elapsed} ms: {text}");
    let probes = Array::from(&get(&r, "probes"));
    assert_eq!(probes.length() as usize, config.closed_ports.len());
    for p in probes.iter() {
        assert_eq!(get_str(&p, "outcome").as_deref(), Some("notListening"), "{text}");
    }
}

/// A Port Service that answers but does not list this site: the CORS request fails, a `no-cors` one reaches
/// it, so the SDK reports what blocks access instead of "not running".
#[wasm_bindgen_test]
async fn a_bridge_that_does_not_list_the_site_is_reported_as_cors() {
    reset().await;
    let config = config().await;
    admin(
        "PUT",
        "/bridge",
        Some(r#"{"allowed_origins": ["https://another-site.example"]}"#),
    )
    .await;
    let r = discover(&config.bridge_ports, 3000).await;
    let text = stringify(&r);
    assert_eq!(get_str(&r, "kind").as_deref(), Some("none"), "{text}");
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("cors"), "{text}");
    assert_eq!(
        get(&r, "portServicePort").as_f64(),
        Some(f64::from(config.bridge_ports[0])),
        "{text}"
    );
    let probe = Array::from(&get(&r, "probes")).get(0);
    assert_eq!(get_str(&probe, "outcome").as_deref(), Some("cors"), "{text}");
}
