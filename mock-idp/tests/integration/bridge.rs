//! The virtual smartcard bridge: the emulated NHS Port Service (`/PRS/ConnectPRService`,
//! `/PRS/GetPortNumber`, fault codes), CORS for allow-listed origins with Private Network Access preflights,
//! and the card-reader event stream on the Credential Management port, with card removal ending sessions
//! (back-channel logout) in Identity Agent mode only.

use std::time::Duration;

use cis2_mock_idp::{CardMode, Config, MockIdp, MockIdpBuilder, PUBLISHED_PORTS};
use cis2_sdk::LoginOptions;
use serde_json::{Value, json};

use crate::common::*;
use crate::logout::{deliveries, receiver};

const C: &str = "400000000002.apps.supplier";
const UID: &str = "656005750108";

fn bridge_builder(mode: CardMode) -> MockIdpBuilder {
    let mut c = Config::default();
    c.bridge.enabled = true;
    MockIdp::builder()
        .config(c)
        .signing_key(idp_key("a"))
        .backchannel_retries(3, Duration::from_millis(50))
        .card_mode(mode)
}

fn prs(h: &Harness, path: &str) -> String {
    let addrs = h.idp.state().bridge_port_service_addrs();
    assert_eq!(addrs.len(), 1, "one ephemeral Port Service port by default");
    format!("http://{}{path}", addrs[0])
}

fn cm(h: &Harness, path: &str) -> String {
    format!("http://{}{path}", h.idp.state().bridge_cm_addr().unwrap())
}

async fn get_json(h: &Harness, url: &str) -> (u16, Value) {
    let r = h.http.get(url).send().await.unwrap();
    (r.status().as_u16(), r.json_value().await)
}

async fn put_bridge(h: &Harness, body: Value) -> reqwest::Response {
    h.http
        .put(h.admin("/bridge"))
        .json_body(&body)
        .send()
        .await
        .unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn port_service_connect_and_port_number_in_both_modes() {
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;
    let cm_port = h.idp.state().bridge_cm_addr().unwrap().port();

    let (status, v) = get_json(&h, &prs(&h, "/PRS/ConnectPRService")).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"statusCode": "200", "service": "IdentityAgent", "version": env!("CARGO_PKG_VERSION")})
    );
    let (status, v) = get_json(&h, &prs(&h, "/PRS/GetPortNumber")).await;
    assert_eq!(status, 200);
    assert_eq!(v, json!({"portData": {"portNumber": cm_port}}));

    let admin = h.admin_get("/bridge").await;
    assert_eq!(admin["enabled"], true);
    assert_eq!(admin["state"], "ok");
    assert_eq!(admin["mode"], "identity_agent");
    assert_eq!(admin["cm_port"], cm_port);
    let prs_port = h.idp.state().bridge_port_service_addrs()[0].port();
    assert_eq!(admin["port_service_ports"], json!([prs_port]));

    // Smartcard Connect (switched through the bridge admin route): the service is Credential Management.
    let r = put_bridge(&h, json!({"mode": "smartcard_connect"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json_value().await["service"], "CredentialManagement");
    assert_eq!(h.admin_get("/cards").await["mode"], "smartcard_connect");
    let (status, v) = get_json(&h, &prs(&h, "/PRS/ConnectPRService")).await;
    assert_eq!(status, 200);
    assert_eq!(v["service"], "CredentialManagement");
    assert_eq!(v["statusCode"], "200");
    let (_, v) = get_json(&h, &prs(&h, "/PRS/GetPortNumber")).await;
    assert_eq!(v, json!({"portData": {"portNumber": cm_port}}));
    h.idp.shutdown().await;
}

#[tokio::test]
async fn port_service_fault_codes_switch_through_the_admin_api() {
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;

    let r = put_bridge(&h, json!({"state": "cm_not_running"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json_value().await["state"], "cm_not_running");
    let (status, v) = get_json(&h, &prs(&h, "/PRS/GetPortNumber")).await;
    assert_eq!(status, 500);
    assert_eq!(
        v,
        json!({"faultException": {"code": "PR30007", "message": "Unable to find the CM process for the user"}})
    );
    // The probe still answers; the CM itself is "not running".
    assert_eq!(get_json(&h, &prs(&h, "/PRS/ConnectPRService")).await.0, 200);
    let r = h.http.get(cm(&h, "/cards/events")).send().await.unwrap();
    assert_eq!(r.status(), 503);

    put_bridge(&h, json!({"state": "unavailable"})).await;
    let (status, v) = get_json(&h, &prs(&h, "/PRS/GetPortNumber")).await;
    assert_eq!(status, 500);
    assert_eq!(v["faultException"]["code"], "PR20002");
    assert!(
        v["faultException"]["message"]
            .as_str()
            .unwrap()
            .contains("unavailable")
    );

    put_bridge(&h, json!({"state": "ok"})).await;
    let (status, v) = get_json(&h, &prs(&h, "/PRS/GetPortNumber")).await;
    assert_eq!(status, 200);
    assert!(v["portData"]["portNumber"].is_u64());

    for bad in [json!({"state": "broken"}), json!({"nope": 1})] {
        let r = put_bridge(&h, bad).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json_value().await["error"], "invalid_request");
    }
    h.idp.shutdown().await;
}

#[tokio::test]
async fn cors_only_for_allowed_origins_with_private_network_preflight() {
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;
    let url = prs(&h, "/PRS/GetPortNumber");

    let r = h
        .http
        .get(&url)
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
    assert!(r.headers().get_all("vary").iter().any(|v| v == "origin"));

    // A disallowed origin gets no CORS headers at all: the browser reports a CORS failure.
    let r = h
        .http
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    assert_eq!(header(&r, "access-control-allow-credentials"), None);

    // Preflight with Chrome's private-network request header, on both listeners.
    for url in [url.clone(), cm(&h, "/cards/events")] {
        let r = h
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", "http://127.0.0.1:8080")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-requested-with")
            .header("access-control-request-private-network", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{url}");
        assert_eq!(
            header(&r, "access-control-allow-origin"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(header(&r, "access-control-allow-credentials"), Some("true"));
        assert_eq!(header(&r, "access-control-allow-private-network"), Some("true"));
        assert!(
            header(&r, "access-control-allow-methods")
                .unwrap()
                .contains("GET")
        );
        assert_eq!(
            header(&r, "access-control-allow-headers"),
            Some("x-requested-with")
        );
    }

    let r = h
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-private-network", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    assert_eq!(header(&r, "access-control-allow-private-network"), None);
    h.idp.shutdown().await;
}

/// Reads server-sent events until one named `name`; returns its data as JSON.
async fn next_event(resp: &mut reqwest::Response, buf: &mut String, name: &str) -> Value {
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut event = "";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            if event == name {
                return serde_json::from_str(&data).unwrap();
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {name} event within 10 s"))
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended before {name}"));
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// Registers a client with a back-channel logout receiver, signs in with a smartcard, opens the event
/// stream and removes the card: returns what the stream said, the delivery count and the live sessions.
async fn remove_card_while_streaming(mode: CardMode) -> (Harness, Value, usize) {
    let h = start_with(bridge_builder(mode)).await;
    let (bcl, rx) = receiver(0).await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = json!(bcl);
    h.register(c).await;
    let rp = h.rp(C, post_auth()).await;
    rp.full(&h, &LoginOptions::default(), UID, "smartcard").await;
    let serial = h.admin_get("/cards").await["cards"][0]["serial"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut events = h
        .http
        .get(cm(&h, "/cards/events"))
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(
        header(&events, "content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert_eq!(
        header(&events, "access-control-allow-origin"),
        Some("http://localhost:5173")
    );

    let r = h.admin_post(&format!("/cards/{serial}/remove"), json!({})).await;
    assert_eq!(r.status(), 200);
    let mut buf = String::new();
    let removed = next_event(&mut events, &mut buf, "card_removed").await;
    assert_eq!(
        removed,
        json!({"reader": "cis2-mock-idp Virtual Reader 0", "card_id": serial, "uid": UID})
    );
    let r = h.admin_post(&format!("/cards/{serial}/insert"), json!({})).await;
    assert_eq!(r.status(), 200);
    let inserted = next_event(&mut events, &mut buf, "card_inserted").await;
    assert_eq!(inserted["card_id"], serial.as_str());

    let delivered = if mode == CardMode::IdentityAgent {
        let log = deliveries(&h, 1).await;
        assert_eq!(log[0]["reason"], "smartcard_removed");
        assert_eq!(log[0]["outcome"], "delivered");
        rx.tokens.lock().unwrap().len()
    } else {
        // Give a (wrong) delivery time to happen before counting none.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            h.admin_get("/logout-deliveries")
                .await
                .as_array()
                .unwrap()
                .is_empty()
        );
        rx.tokens.lock().unwrap().len()
    };
    (h, removed, delivered)
}

#[tokio::test]
async fn card_removal_streams_card_removed_and_logs_out_in_identity_agent_mode() {
    let (h, _, delivered) = remove_card_while_streaming(CardMode::IdentityAgent).await;
    assert_eq!(delivered, 1, "one back-channel logout reached the RP");
    assert!(h.admin_get("/sessions").await.as_array().unwrap().is_empty());
    h.idp.shutdown().await;
}

#[tokio::test]
async fn card_removal_streams_card_removed_without_logout_in_smartcard_connect_mode() {
    let (h, _, delivered) = remove_card_while_streaming(CardMode::SmartcardConnect).await;
    assert_eq!(delivered, 0, "no back-channel logout in Smartcard Connect mode");
    assert_eq!(h.admin_get("/sessions").await.as_array().unwrap().len(), 1);
    h.idp.shutdown().await;
}

#[tokio::test]
async fn published_ports_are_bound_only_when_asked() {
    assert_eq!(PUBLISHED_PORTS, [43487, 44213, 45031, 46478, 48853]);

    // Off by default: nothing bound, and the admin route says so.
    let h = start().await;
    assert!(h.idp.state().bridge_port_service_addrs().is_empty());
    let admin = h.admin_get("/bridge").await;
    assert_eq!(admin["enabled"], false);
    assert_eq!(admin["port_service_ports"], json!([]));
    assert_eq!(admin["published_ports"], false);
    h.idp.shutdown().await;

    // On: one ephemeral port, never a published one.
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;
    let ports: Vec<u16> = h
        .idp
        .state()
        .bridge_port_service_addrs()
        .iter()
        .map(|a| a.port())
        .collect();
    assert_eq!(ports.len(), 1);
    assert!(!PUBLISHED_PORTS.contains(&ports[0]));
    h.idp.shutdown().await;

    // Asked for (resolution only: binding the real ports would clash with other runs on this machine).
    let mut c = Config::from_toml("[bridge]\nenabled = true\npublished_ports = true\n").unwrap();
    assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
    c.bridge.published_ports = false;
    c.apply_env([("CIS2_MOCK_BRIDGE_PUBLISHED_PORTS".to_owned(), "true".to_owned())])
        .unwrap();
    assert_eq!(c.bridge.port_service_ports(), PUBLISHED_PORTS.to_vec());
    assert_eq!(Config::default().bridge.port_service_ports(), vec![0]);
}

/// Polls `GET /admin/api/bridge` until `card_event_subscribers` is `n` (5 s at most).
async fn wait_for_subscribers(h: &Harness, n: u64) {
    for _ in 0..100 {
        if h.admin_get("/bridge").await["card_event_subscribers"] == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("card_event_subscribers never reached {n}");
}

#[tokio::test]
async fn card_event_subscribers_count_open_streams() {
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;
    assert_eq!(h.admin_get("/bridge").await["card_event_subscribers"], 0);
    let first = h.http.get(cm(&h, "/cards/events")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    wait_for_subscribers(&h, 1).await;
    let second = browser().get(cm(&h, "/cards/events")).send().await.unwrap();
    wait_for_subscribers(&h, 2).await;
    assert_eq!(h.idp.state().card_event_subscribers(), 2);
    // PUT answers the same document.
    let r = put_bridge(&h, json!({})).await;
    assert_eq!(r.json_value().await["card_event_subscribers"], 2);

    drop(first);
    wait_for_subscribers(&h, 1).await;
    drop(second);
    wait_for_subscribers(&h, 0).await;

    // A refused stream (CM not running) is never counted.
    put_bridge(&h, json!({"state": "cm_not_running"})).await;
    let r = h.http.get(cm(&h, "/cards/events")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(h.idp.state().card_event_subscribers(), 0);
    h.idp.shutdown().await;
}

#[tokio::test]
async fn admin_api_replaces_the_cors_allow_list() {
    let h = start_with(bridge_builder(CardMode::IdentityAgent)).await;
    let url = prs(&h, "/PRS/ConnectPRService");
    let allow = |origin: &'static str| {
        let req = h.http.get(&url).header("origin", origin);
        async move {
            let r = req.send().await.unwrap();
            header(&r, "access-control-allow-origin").map(str::to_owned)
        }
    };
    assert_eq!(
        allow("http://localhost:3000").await.as_deref(),
        Some("http://localhost:3000")
    );

    let r = put_bridge(&h, json!({"allowed_origins": ["https://rp.example"]})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json_value().await["allowed_origins"],
        json!(["https://rp.example"])
    );
    assert_eq!(allow("http://localhost:3000").await, None);
    assert_eq!(
        allow("https://rp.example").await.as_deref(),
        Some("https://rp.example")
    );

    let r = put_bridge(&h, json!({"allowed_origins": "https://rp.example"})).await;
    assert_eq!(r.status(), 400, "a list is required");
}
