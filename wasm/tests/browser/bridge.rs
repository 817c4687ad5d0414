//! Bridge discovery against real closed ports, a real CORS-refusing server (the test runner's own, reached as
//! another origin), and a stubbed Port Service.

use cis2_wasm::discover_bridge;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn random_high_ports(n: usize) -> Vec<u16> {
    (0..n)
        .map(|_| 50_000 + (js_sys::Math::random() * 10_000.0) as u16)
        .collect()
}

fn options(ports: &[u16], extra: &str) -> Option<JsValue> {
    let list = ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",");
    opts(&format!(r#"{{"ports": [{list}], "timeoutMs": 1000 {extra}}}"#))
}

#[wasm_bindgen_test]
async fn nothing_listening_is_none_quickly() {
    let started = js_sys::Date::now();
    let r = settle(discover_bridge(options(&random_high_ports(5), "")))
        .await
        .unwrap();
    let elapsed = js_sys::Date::now() - started;
    assert!(elapsed < 1_500.0, "took {elapsed} ms");
    assert_eq!(get_str(&r, "kind").as_deref(), Some("none"));
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("notRunning"));
    assert!(get(&r, "port").is_null());
    assert!(get(&r, "fault").is_null());
    let probes = Array::from(&get(&r, "probes"));
    assert_eq!(probes.length(), 5);
    for p in probes.iter() {
        assert_eq!(get_str(&p, "outcome").as_deref(), Some("notListening"), "{p:?}");
    }
}

/// A refused CORS request plus an opaque `no-cors` answer is reported as `cors`. The stub plays the listener:
/// this page is cross-origin isolated (the runner's COEP), so a real `no-cors` answer could not reach it; the
/// live suite (tests/live/bridge.rs) checks the same against the mock's real bridge from an ordinary page.
#[wasm_bindgen_test]
async fn a_listener_refusing_cors_is_reported_as_cors() {
    let stub = install_fetch_stub(&routes(&[(
        "localhost:45031/PRS/ConnectPRService",
        "corsBlocked".into(),
    )]));
    let r = settle(discover_bridge(None)).await.unwrap();
    let text = String::from(js_sys::JSON::stringify(&r).unwrap());
    assert_eq!(get_str(&r, "kind").as_deref(), Some("none"), "{text}");
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("cors"), "{text}");
    assert_eq!(get(&r, "portServicePort").as_f64(), Some(45031.0), "{text}");
    let outcome = Array::from(&get(&r, "probes"))
        .iter()
        .find(|p| get(p, "port").as_f64() == Some(45031.0));
    assert_eq!(get_str(&outcome.unwrap(), "outcome").as_deref(), Some("cors"));
    call(&stub, "restore", &[]);
}

#[wasm_bindgen_test]
async fn stubbed_port_service_identity_agent_and_credential_management() {
    let stub = install_fetch_stub(&routes(&[
        (
            "localhost:44213/PRS/ConnectPRService",
            ok(json(
                r#"{"statusCode":"200","service":"IdentityAgent","version":"2.4.6.0"}"#,
            )),
        ),
        (
            "localhost:44213/PRS/GetPortNumber",
            ok(json(r#"{"portData":{"portNumber":43485}}"#)),
        ),
    ]));
    let r = settle(discover_bridge(None)).await.unwrap();
    assert_eq!(get_str(&r, "kind").as_deref(), Some("identityAgent"));
    assert_eq!(get(&r, "port").as_f64(), Some(43485.0));
    assert_eq!(get(&r, "portServicePort").as_f64(), Some(44213.0));
    assert!(get(&r, "blockedBy").is_null());
    assert_eq!(get_str(&r, "version").as_deref(), Some("2.4.6.0"));
    let port_lookup = Array::from(&get(&stub, "calls"))
        .iter()
        .find(|c| get_str(c, "url").unwrap().ends_with("/PRS/GetPortNumber"))
        .unwrap();
    assert_eq!(get_str(&port_lookup, "credentials").as_deref(), Some("include"));
    call(&stub, "restore", &[]);

    let stub = install_fetch_stub(&routes(&[
        (
            "localhost:48853/PRS/ConnectPRService",
            ok(json(r#"{"statusCode":"200"}"#)),
        ),
        (
            "localhost:48853/PRS/GetPortNumber",
            ok(json(
                r#"{"FaultException":{"Code":"PR30007","Message":"Unable to find the CM process"}}"#,
            )),
        ),
    ]));
    let r = settle(discover_bridge(None)).await.unwrap();
    assert_eq!(get_str(&r, "kind").as_deref(), Some("credentialManagement"));
    assert!(get(&r, "port").is_null());
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("notRunning"));
    assert_eq!(get_str(&get(&r, "fault"), "code").as_deref(), Some("PR30007"));
    call(&stub, "restore", &[]);
}

#[wasm_bindgen_test]
async fn denied_local_network_access_is_reported() {
    let restore = stub_permission_state("denied");
    let r = settle(discover_bridge(options(&random_high_ports(3), "")))
        .await
        .unwrap();
    restore.call0(&JsValue::NULL).unwrap();
    assert_eq!(get_str(&r, "kind").as_deref(), Some("none"));
    assert_eq!(get_str(&r, "blockedBy").as_deref(), Some("localNetworkAccess"));
}

#[wasm_bindgen_test]
async fn bad_options_reject() {
    let err = settle(discover_bridge(opts(r#"{"scheme": "ftp"}"#)))
        .await
        .unwrap_err();
    assert_cis2_error(&err, "invalid_options");
    let err = settle(discover_bridge(opts(r#"{"ports": [70000]}"#)))
        .await
        .unwrap_err();
    assert_cis2_error(&err, "invalid_options");
}
