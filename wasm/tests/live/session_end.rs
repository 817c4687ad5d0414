//! Session ends reaching `onSessionEnded`: back-channel logout from the mock and the backend's idle and
//! absolute timeouts (over the backend's event stream), smartcard removal (over the virtual bridge's card
//! events), and sign-out in another tab (over `BroadcastChannel`).

use cis2_wasm::Cis2Browser;
use js_sys::Array;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::live::*;
use crate::support::*;

/// A started client of this page and the recorder of its `onSessionEnded` calls.
async fn started_client() -> (Cis2Browser, js_sys::Function) {
    let client = Cis2Browser::new(None).unwrap();
    let ended = recorder();
    client.on_session_ended(ended.clone());
    let session = settle(client.start()).await.unwrap();
    assert!(!session.is_undefined(), "this page is not signed in");
    (client, ended)
}

fn reasons(recorder: &js_sys::Function) -> Vec<String> {
    calls(recorder)
        .iter()
        .map(|reason| reason.as_string().unwrap_or_default())
        .collect()
}

async fn wait_for_reason(recorder: &js_sys::Function, reason: &str) {
    let heard = wait_for(15_000.0, || calls(recorder).length() > 0).await;
    assert!(heard, "no session end reported (expected {reason})");
    assert_eq!(reasons(recorder), [reason]);
}

async fn backend_signed_out(client: &Cis2Browser) -> bool {
    eventually(10_000.0, || async {
        settle(client.get_session()).await.unwrap().is_undefined()
    })
    .await
}

#[wasm_bindgen_test]
async fn backchannel_logout_ends_the_session_in_every_tab() {
    reset().await;
    let tab = sign_in(GP_UID, "smartcard", None, "{}").await;
    let (client, ended) = started_client().await;

    // The mock ends its session (as CIS2 does on sign-out elsewhere) and posts a logout token to the RP.
    let gone = admin("DELETE", "/sessions", None).await;
    assert_eq!(
        Array::from(&get(&gone, "ended")).length(),
        1,
        "{}",
        stringify(&gone)
    );

    wait_for_reason(&ended, "backchannel_logout").await;
    let tab_heard = wait_for(10_000.0, || !tab.ended().is_empty()).await;
    assert!(tab_heard, "the other tab heard nothing");
    assert_eq!(tab.ended(), ["backchannel_logout"]);
    assert!(backend_signed_out(&client).await);
}

#[wasm_bindgen_test]
async fn card_removal_ends_the_session_as_smartcard_removed() {
    reset().await;
    let config = config().await;
    // Credential Management mode: removing the card does not end the IdP session, so only the bridge's card
    // event can tell the page (in Identity Agent mode the back-channel logout would race it).
    admin("PUT", "/bridge", Some(r#"{"mode": "smartcard_connect"}"#)).await;
    let _tab = sign_in(GP_UID, "smartcard", None, "{}").await;
    let (client, ended) = started_client().await;

    let ports = config
        .bridge_ports
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let found =
        settle(client.discover_bridge(opts(&format!(r#"{{"ports": [{ports}], "timeoutMs": 3000}}"#))))
            .await
            .unwrap();
    assert_eq!(
        get_str(&found, "kind").as_deref(),
        Some("credentialManagement"),
        "{}",
        stringify(&found)
    );
    let port = get(&found, "port").as_f64().unwrap() as u16;
    assert_eq!(port, config.cm_port);

    let _unwatch = client.watch_smartcard(port, None).unwrap();
    let listening = eventually(10_000.0, || async {
        let bridge = admin("GET", "/bridge", None).await;
        get(&bridge, "card_event_subscribers").as_f64().unwrap_or(0.0) >= 1.0
    })
    .await;
    assert!(listening, "the page never subscribed to card events");

    let cards = admin("GET", "/cards", None).await;
    let card = Array::from(&get(&cards, "cards"))
        .iter()
        .find(|c| get_str(c, "uid").as_deref() == Some(GP_UID) && get(c, "inserted").as_bool() == Some(true))
        .unwrap_or_else(|| panic!("no inserted card for {GP_UID}: {}", stringify(&cards)));
    let serial = get_str(&card, "serial").unwrap();
    admin("POST", &format!("/cards/{serial}/remove"), None).await;

    wait_for_reason(&ended, "smartcard_removed").await;
    // watchSmartcard also signs the backend session out.
    assert!(backend_signed_out(&client).await);
}

#[wasm_bindgen_test]
async fn sign_out_in_one_tab_reaches_another() {
    reset().await;
    let first = sign_in(GP_UID, "smartcard", None, "{}").await;
    // No event stream in the second tab: only BroadcastChannel can tell it.
    let second = Tab::open("?events=0").await;
    assert_eq!(
        get_str(&user_of(&second.session()), "sub").as_deref(),
        Some(GP_UID)
    );
    let (client, ended) = started_client().await;

    let result = call_async(&first.client(), "signOut", &[]).await.unwrap();
    assert_eq!(
        get(&result, "signedOut").as_bool(),
        Some(true),
        "{}",
        stringify(&result)
    );
    assert_eq!(first.ended(), ["signed_out"]);

    let heard = wait_for(5_000.0, || !second.ended().is_empty()).await;
    assert!(heard, "the second tab heard nothing");
    assert_eq!(second.ended(), ["signed_out"]);
    wait_for_reason(&ended, "signed_out").await;
    assert!(settle(client.get_session()).await.unwrap().is_undefined());
}

/// Signs in (second tab), starts this page's client and moves the RP's clock to `secs_past(session)` seconds
/// ahead; both tabs must then hear `reason` and the backend must be signed out.
async fn timeout_ends_the_session(reason: &str, secs_past: fn(&JsValue, f64) -> f64) {
    reset().await;
    let tab = sign_in(GP_UID, "smartcard", None, "{}").await;
    let (client, ended) = started_client().await;
    let session = settle(client.get_session()).await.unwrap();
    let now = (js_sys::Date::now() / 1000.0).floor();
    let ahead = secs_past(&session, now);
    assert!(ahead > 0.0, "{ahead}: {}", stringify(&session));
    set_rp_clock(ahead as i64).await;

    wait_for_reason(&ended, reason).await;
    let tab_heard = wait_for(10_000.0, || !tab.ended().is_empty()).await;
    assert!(tab_heard, "the other tab heard nothing");
    assert_eq!(tab.ended(), [reason]);
    assert!(backend_signed_out(&client).await);
}

fn secs(session: &JsValue, key: &str) -> f64 {
    get(session, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key}: {}", stringify(session)))
}

#[wasm_bindgen_test]
async fn idle_timeout_on_the_backend_ends_the_session_in_every_tab() {
    timeout_ends_the_session("idle_timeout", |session, now| {
        // Past the idle deadline, well short of the absolute one.
        let ahead = secs(session, "idleExpiresAt") - now + 5.0;
        assert!(now + ahead < secs(session, "expiresAt"), "{}", stringify(session));
        ahead
    })
    .await;
}

#[wasm_bindgen_test]
async fn absolute_lifetime_on_the_backend_ends_the_session_as_expired() {
    timeout_ends_the_session("expired", |session, now| secs(session, "expiresAt") - now + 5.0).await;
}
