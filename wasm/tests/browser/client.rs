//! The backend client with a stubbed backend: the event stream, cross-tab delivery, reconnect, idle warning,
//! smartcard removal.

use cis2_wasm::{Cis2Browser, subscribe_card_events};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

fn client(channel: &str, extra: &str) -> Cis2Browser {
    Cis2Browser::new(opts(&format!(
        r#"{{"channelName": "{channel}", "trackActivity": false {extra}}}"#
    )))
    .unwrap()
}

fn instances(es: &JsValue) -> Array {
    get(es, "instances").into()
}

fn reasons(rec: &js_sys::Function) -> Vec<String> {
    calls(rec).iter().map(|v| v.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
async fn backchannel_logout_event_ends_the_session_in_every_tab() {
    let channel = unique_name("bcl");
    let stub = install_fetch_stub(&routes(&[("/auth/session", ok(signed_in_body()))]));
    let es = install_fake_event_source();
    let tab_a = client(&channel, "");
    let tab_b = client(&channel, "");
    let (ended_a, ended_b) = (recorder(), recorder());
    let _ = tab_a.on_session_ended(ended_a.clone());
    let _ = tab_b.on_session_ended(ended_b.clone());

    settle(tab_a.start()).await.unwrap();
    assert_eq!(instances(&es).length(), 1);
    let source = instances(&es).get(0);
    assert!(get_str(&source, "url").unwrap().ends_with("/auth/events"));
    call(&source, "open", &[]);
    call(&source, "emit", &["ping".into(), "{}".into()]);
    assert!(calls(&ended_a).length() == 0);
    call(
        &source,
        "emit",
        &[
            "session_ended".into(),
            r#"{"reason":"backchannel_logout"}"#.into(),
        ],
    );

    assert_eq!(reasons(&ended_a), ["backchannel_logout"]);
    assert!(
        get(&source, "closed").as_bool().unwrap(),
        "stream closed after the session ended"
    );
    assert!(
        wait_for(2_000.0, || calls(&ended_b).length() == 1).await,
        "other tab told"
    );
    assert_eq!(reasons(&ended_b), ["backchannel_logout"]);
    // Later news of the same end is not repeated.
    call(
        &source,
        "emit",
        &["session_ended".into(), r#"{"reason":"signed_out"}"#.into()],
    );
    sleep(100.0).await;
    assert_eq!(calls(&ended_a).length(), 1);
    assert_eq!(calls(&ended_b).length(), 1);
    tab_a.stop();
    call(&stub, "restore", &[]);
    call(&es, "restore", &[]);
}

#[wasm_bindgen_test]
async fn sign_out_in_one_tab_reaches_the_other() {
    let channel = unique_name("so");
    let stub = install_fetch_stub(&routes(&[
        ("/app-auth/session", ok(signed_in_body())),
        (
            "/app-auth/logout",
            ok(json(r#"{"signed_out": true, "end_session_url": null}"#)),
        ),
    ]));
    let tab_a = client(&channel, r#", "baseUrl": "/app-auth/""#);
    let tab_b = client(&channel, r#", "baseUrl": "/app-auth""#);
    let (ended_a, ended_b) = (recorder(), recorder());
    let unsubscribe_b2 = {
        let r = recorder();
        let u = tab_b.on_session_ended(r.clone());
        (r, u)
    };
    let _ = tab_a.on_session_ended(ended_a.clone());
    let _ = tab_b.on_session_ended(ended_b.clone());
    // An unsubscribed listener hears nothing.
    unsubscribe_b2
        .1
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .unwrap();

    let result = settle(tab_a.sign_out(None)).await.unwrap();
    assert_eq!(get(&result, "signedOut").as_bool(), Some(true));
    assert!(get(&result, "endSessionUrl").is_null());
    let logout: Vec<JsValue> = Array::from(&get(&stub, "calls")).iter().collect();
    assert_eq!(logout.len(), 1);
    assert_eq!(get_str(&logout[0], "method").as_deref(), Some("POST"));
    assert_eq!(get_str(&logout[0], "body").as_deref(), Some("{}"));
    assert_eq!(get_str(&logout[0], "credentials").as_deref(), Some("same-origin"));

    assert_eq!(reasons(&ended_a), ["signed_out"]);
    assert!(wait_for(2_000.0, || calls(&ended_b).length() == 1).await);
    assert_eq!(reasons(&ended_b), ["signed_out"]);
    assert_eq!(calls(&unsubscribe_b2.0).length(), 0);
    call(&stub, "restore", &[]);
}

#[wasm_bindgen_test]
async fn end_session_option_and_http_errors() {
    let stub = install_fetch_stub(&routes(&[(
        "/auth/logout",
        ok(json(
            r#"{"signed_out": true, "end_session_url": "https://cis2.example/endSession"}"#,
        )),
    )]));
    let c = client(&unique_name("es"), "");
    let result = settle(c.sign_out(opts(r#"{"endSession": true, "redirect": false}"#)))
        .await
        .unwrap();
    assert_eq!(
        get_str(&result, "endSessionUrl").as_deref(),
        Some("https://cis2.example/endSession")
    );
    let sent = Array::from(&get(&stub, "calls")).get(0);
    assert!(
        get_str(&sent, "url")
            .unwrap()
            .ends_with("/auth/logout?end_session=true")
    );
    assert_eq!(get_str(&sent, "body").as_deref(), Some(r#"{"end_session":true}"#));
    call(&stub, "restore", &[]);

    let failing = json(
        r#"{"status": 403, "body": {"error": "invalid_request", "error_description": "cross-origin logout refused"}}"#,
    );
    let stub = install_fetch_stub(&routes(&[("/auth/logout", failing)]));
    let err = settle(c.sign_out(None)).await.unwrap_err();
    assert_cis2_error(&err, "http");
    assert_eq!(get(&get(&err, "details"), "status").as_f64(), Some(403.0));
    assert_eq!(
        get_str(&get(&err, "details"), "error").as_deref(),
        Some("invalid_request")
    );
    call(&stub, "restore", &[]);

    let stub = install_fetch_stub(&routes(&[]));
    assert_cis2_error(&settle(c.get_session()).await.unwrap_err(), "network");
    call(&stub, "restore", &[]);
}

#[wasm_bindgen_test]
async fn stream_failure_reconnects_with_backoff_then_reports_the_end() {
    let stub = install_fetch_stub(&routes(&[("/auth/session", ok(signed_in_body()))]));
    let es = install_fake_event_source();
    let c = client(
        &unique_name("rc"),
        r#", "reconnectBaseMs": 40, "reconnectMaxMs": 80"#,
    );
    let ended = recorder();
    let _ = c.on_session_ended(ended.clone());
    settle(c.start()).await.unwrap();
    let first = instances(&es).get(0);
    call(&first, "open", &[]);
    call(&first, "fail", &[]);
    assert!(
        get(&first, "closed").as_bool().unwrap(),
        "the SDK closes a failed stream itself"
    );
    assert!(
        wait_for(2_000.0, || instances(&es).length() == 2).await,
        "reconnected"
    );
    call(&instances(&es).get(1), "fail", &[]);
    assert!(
        wait_for(2_000.0, || instances(&es).length() == 3).await,
        "reconnected again"
    );

    // The session ends while the stream is down: the check after the next failure reports it.
    Reflect::set(
        &get(&stub, "routes"),
        &"/auth/session".into(),
        &ok(json(r#"{"authenticated": false, "reason": "idle_timeout"}"#)),
    )
    .unwrap();
    call(&instances(&es).get(2), "fail", &[]);
    assert!(wait_for(2_000.0, || calls(&ended).length() == 1).await);
    assert_eq!(reasons(&ended), ["idle_timeout"]);
    sleep(300.0).await;
    assert_eq!(instances(&es).length(), 3, "no reconnect after the end");
    c.stop();
    call(&stub, "restore", &[]);
    call(&es, "restore", &[]);
}

#[wasm_bindgen_test]
async fn idle_warning_fires_before_the_idle_deadline() {
    let body = signed_in_body();
    let now_secs = (js_sys::Date::now() / 1000.0).floor();
    Reflect::set(
        &get(&body, "session"),
        &"idle_expires_at".into(),
        &JsValue::from_f64(now_secs + 4.0),
    )
    .unwrap();
    let stub = install_fetch_stub(&routes(&[("/auth/session", ok(body))]));
    let c = client(&unique_name("idle"), r#", "idleWarningSecs": 3, "events": false"#);
    let warned = recorder();
    let _ = c.on_idle_warning(warned.clone());
    settle(c.start()).await.unwrap();
    assert!(wait_for(4_000.0, || calls(&warned).length() == 1).await, "warned");
    let left = calls(&warned).get(0).as_f64().unwrap();
    assert!((0.0..=4.0).contains(&left), "{left}");
    c.stop();
    call(&stub, "restore", &[]);
}

#[wasm_bindgen_test]
async fn card_events_and_smartcard_removal() {
    let es = install_fake_event_source();
    let stub = install_fetch_stub(&routes(&[
        ("/auth/session", ok(signed_in_body())),
        (
            "/auth/logout",
            ok(json(r#"{"signed_out": true, "end_session_url": null}"#)),
        ),
    ]));
    let events = recorder();
    let unsubscribe = subscribe_card_events(43485, events.clone(), None).unwrap();
    let source = instances(&es).get(0);
    assert_eq!(
        get_str(&source, "url").as_deref(),
        Some("http://localhost:43485/cards/events")
    );
    call(
        &source,
        "emit",
        &[
            "card_inserted".into(),
            r#"{"reader":"Virtual Reader 0","card_id":"8001"}"#.into(),
        ],
    );
    let ev = calls(&events).get(0);
    assert_eq!(get_str(&ev, "type").as_deref(), Some("card_inserted"));
    assert_eq!(get_str(&ev, "reader").as_deref(), Some("Virtual Reader 0"));
    assert_eq!(get_str(&ev, "cardId").as_deref(), Some("8001"));
    assert!(get(&ev, "uid").is_null());
    unsubscribe
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .unwrap();
    assert!(get(&source, "closed").as_bool().unwrap());

    let c = client(&unique_name("card"), r#", "events": false"#);
    settle(c.start()).await.unwrap();
    let ended = recorder();
    let _ = c.on_session_ended(ended.clone());
    let _stop = c
        .watch_smartcard(43485, opts(r#"{"host": "127.0.0.1"}"#))
        .unwrap();
    let watch = instances(&es).get(1);
    assert_eq!(
        get_str(&watch, "url").as_deref(),
        Some("http://127.0.0.1:43485/cards/events")
    );
    call(&watch, "emit", &["card_inserted".into(), "{}".into()]);
    assert_eq!(calls(&ended).length(), 0);
    // Issue #10: another user's card (a second reader) used to end this session too.
    call(
        &watch,
        "emit",
        &[
            "card_removed".into(),
            r#"{"reader":"r2","card_id":"8002","uid":"555000000009"}"#.into(),
        ],
    );
    assert_eq!(calls(&ended).length(), 0, "another user's card ends nothing");
    call(
        &watch,
        "emit",
        &[
            "card_removed".into(),
            r#"{"reader":"r","card_id":"8001","uid":"656005750104"}"#.into(),
        ],
    );
    assert_eq!(reasons(&ended), ["smartcard_removed"]);
    let signed_out = || {
        Array::from(&get(&stub, "calls"))
            .iter()
            .any(|c| get_str(&c, "url").is_some_and(|u| u.ends_with("/auth/logout")))
    };
    assert!(wait_for(2_000.0, signed_out).await, "backend signed out too");
    c.stop();
    call(&stub, "restore", &[]);
    call(&es, "restore", &[]);
}
