//! No tokens (indeed nothing) in localStorage, sessionStorage or IndexedDB after sign-in-shaped flows.

use cis2_wasm::Cis2Browser;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
async fn flows_leave_web_storage_and_indexeddb_empty() {
    let window = web_sys::window().unwrap();
    let local = window.local_storage().unwrap().unwrap();
    let session_storage = window.session_storage().unwrap().unwrap();
    local.clear().unwrap();
    session_storage.clear().unwrap();
    let before = indexed_db_names().await.length();

    let stub = install_fetch_stub(&routes(&[
        ("/auth/session", ok(signed_in_body())),
        (
            "/auth/logout",
            ok(json(r#"{"signed_out": true, "end_session_url": null}"#)),
        ),
    ]));
    let es = install_fake_event_source();
    let client = Cis2Browser::new(opts(&format!(r#"{{"channelName": "{}"}}"#, unique_name("s")))).unwrap();
    let session = settle(client.start()).await.unwrap();
    assert!(!session.is_undefined());
    settle(client.get_session()).await.unwrap();
    settle(client.sign_out(None)).await.unwrap();
    client.stop();
    call(&stub, "restore", &[]);
    call(&es, "restore", &[]);

    assert_eq!(local.length().unwrap(), 0, "localStorage");
    assert_eq!(session_storage.length().unwrap(), 0, "sessionStorage");
    assert_eq!(indexed_db_names().await.length(), before, "IndexedDB");
}
