//! Steering the running servers from the page (the harness's `/harness/*` routes on this origin) and second
//! tabs running the built `cis2-browser` package (`/harness/tab.html`).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, Response, Window};

use crate::support::*;

/// Seeded users of the mock (`mock-idp/src/users.rs`): a GP with one role, and a user with three roles.
pub(crate) const GP_UID: &str = "656005750108";
pub(crate) const MULTI_ROLE_UID: &str = "555000000001";
pub(crate) const MULTI_ROLE_SECOND_ROLE: &str = "555000000102";
pub(crate) const MULTI_ROLE_THIRD_ROLE: &str = "555000000103";

pub(crate) fn window() -> Window {
    web_sys::window().unwrap()
}

pub(crate) fn stringify(v: &JsValue) -> String {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}

/// `fetch` with cookies (`credentials: "include"`, so cross-origin calls to the mock carry its SSO cookie);
/// answers the status and the JSON body (`null` when empty).
pub(crate) async fn fetch_json(method: &str, url: &str, body: Option<&str>) -> (u16, JsValue) {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::Include);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
        let headers = Headers::new().unwrap();
        headers.set("content-type", "application/json").unwrap();
        init.set_headers(&headers);
    }
    let resp: Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e:?}"))
        .dyn_into()
        .unwrap();
    let status = resp.status();
    let text = JsFuture::from(resp.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap_or_default();
    let value = if text.is_empty() {
        JsValue::NULL
    } else {
        js_sys::JSON::parse(&text).unwrap_or_else(|_| JsValue::from_str(&text))
    };
    (status, value)
}

/// The mock's admin API (through the harness relay); asserts a 2xx answer.
pub(crate) async fn admin(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let (status, v) = fetch_json(method, &format!("/harness/admin{path}"), body).await;
    assert!(
        (200..300).contains(&status),
        "{method} /admin/api{path}: {status} {}",
        stringify(&v)
    );
    v
}

/// Where things are (`GET /harness/config`).
#[derive(Debug)]
pub(crate) struct Config {
    /// The mock's issuer (also the base of its WebAuthn ceremony endpoints).
    pub(crate) issuer: String,
    pub(crate) bridge_ports: Vec<u16>,
    pub(crate) cm_port: u16,
    pub(crate) closed_ports: Vec<u16>,
}

fn ports(v: &JsValue) -> Vec<u16> {
    Array::from(v)
        .iter()
        .filter_map(|p| p.as_f64())
        .map(|p| p as u16)
        .collect()
}

pub(crate) async fn config() -> Config {
    let (status, v) = fetch_json("GET", "/harness/config", None).await;
    assert_eq!(
        status,
        200,
        "no harness: run scripts/wasm-live-test ({})",
        stringify(&v)
    );
    Config {
        issuer: get_str(&v, "issuer").unwrap(),
        bridge_ports: ports(&get(&v, "bridgePorts")),
        cm_port: get(&v, "cmPort").as_f64().unwrap() as u16,
        closed_ports: ports(&get(&v, "closedPorts")),
    }
}

/// A clean start: nothing armed, Identity Agent mode with the bridge up and allowing loopback sites, every mock session ended (which
/// logs the RP's sessions out over the back channel), and this browser's RP session signed out.
pub(crate) async fn reset() {
    set_rp_clock(0).await;
    admin("DELETE", "/auto-login", None).await;
    admin(
        "PUT",
        "/bridge",
        Some(r#"{"state": "ok", "mode": "identity_agent"}"#),
    )
    .await;
    admin("DELETE", "/sessions", None).await;
    let (status, body) = fetch_json("POST", "/auth/logout", Some("{}")).await;
    assert_eq!(status, 200, "sign-out: {}", stringify(&body));
}

/// Runs the RP's clock `offset_secs` ahead of real time (`PUT /harness/rp-clock`; the mock's clock stays).
pub(crate) async fn set_rp_clock(offset_secs: i64) {
    let body = format!(r#"{{"offsetSecs": {offset_secs}}}"#);
    let (status, v) = fetch_json("PUT", "/harness/rp-clock", Some(&body)).await;
    assert_eq!(status, 200, "rp clock: {}", stringify(&v));
}

/// Arms the mock's auto-login: the next sign-in page answers as `uid` with `method` (and `role` when the
/// service asked for role selection) without showing the form.
pub(crate) async fn arm_auto_login(uid: &str, method: &str, role: Option<&str>) {
    let role = role.map_or_else(String::new, |r| format!(r#", "role": "{r}""#));
    let body = format!(r#"{{"uid": "{uid}", "method": "{method}"{role}}}"#);
    admin("PUT", "/auto-login", Some(&body)).await;
}

/// Polls `cond` (async) every 50 ms for up to `ms`.
pub(crate) async fn eventually<F, Fut>(ms: f64, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = js_sys::Date::now();
    loop {
        if cond().await {
            return true;
        }
        if js_sys::Date::now() - start > ms {
            return false;
        }
        sleep(50.0).await;
    }
}

/// Calls `obj[method](args)` and awaits the promise it returns.
pub(crate) async fn call_async(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let p: js_sys::Promise = call(obj, method, args).unchecked_into();
    JsFuture::from(p).await
}

/// `{key: value}` from pairs of JSON-able values.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

/// Another tab of the app (`/harness/tab.html`): the `cis2-browser` package with one client.
#[derive(Debug)]
pub(crate) struct Tab(Window);

impl Tab {
    /// Opens a tab and waits until its client has started. `query`: `""` or `"?events=0"` (no event stream,
    /// so only other tabs can tell it the session ended).
    pub(crate) async fn open(query: &str) -> Tab {
        let url = format!("/harness/tab.html{query}");
        let w = window()
            .open_with_url_and_target(&url, &unique_name("tab"))
            .unwrap()
            .expect("the popup was blocked");
        let tab = Tab(w);
        tab.wait_ready(query).await;
        tab
    }

    /// A global of the tab's page; `undefined` while it shows another origin (the mock) or is loading.
    pub(crate) fn global(&self, name: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    /// Waits until the tab shows a page whose query holds `marker` and its client has started.
    pub(crate) async fn wait_ready(&self, marker: &str) {
        let w = self.0.clone();
        let ready = wait_for(20_000.0, || {
            let here = w.location().search().is_ok_and(|s| s.contains(marker));
            here && Reflect::get(&w, &JsValue::from_str("ready"))
                .ok()
                .and_then(|r| r.as_bool())
                == Some(true)
        })
        .await;
        let where_ = self.0.location().href().unwrap_or_else(|_| {
            "another origin (a mock page: its login form or a refusal, so the auto-login did not answer)"
                .into()
        });
        assert!(ready, "tab not ready at {where_}");
        let failure = self.global("failure");
        assert!(failure.is_undefined(), "tab failed: {failure:?}");
    }

    /// The tab's `Cis2Browser`.
    pub(crate) fn client(&self) -> JsValue {
        self.global("client")
    }

    /// What the tab's `client.start()` answered (`null` when signed out).
    pub(crate) fn session(&self) -> JsValue {
        self.global("session")
    }

    /// The reasons the tab's `onSessionEnded` heard.
    pub(crate) fn ended(&self) -> Vec<String> {
        Array::from(&self.global("ended"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    }

    /// Calls a navigation method of the tab's client (`signIn`, `stepUp`, `changeRole`) with `options` plus
    /// `returnTo: /harness/tab.html?<marker>`, and waits until the tab is back and started again.
    pub(crate) async fn navigate(&self, method: &str, options: &str, marker: &str) {
        let o = json(options);
        let back = format!("/harness/tab.html?{marker}");
        Reflect::set(&o, &JsValue::from_str("returnTo"), &JsValue::from_str(&back)).unwrap();
        call(&self.client(), method, &[o]);
        self.wait_ready(marker).await;
    }
}

impl Drop for Tab {
    fn drop(&mut self) {
        let _ = self.0.close();
    }
}

/// Signs in through a second tab: arms the mock's auto-login, then the tab's `client.signIn(options)` goes
/// to the RP's `/auth/login`, the mock and back. Answers the tab, signed in.
pub(crate) async fn sign_in(uid: &str, method: &str, role: Option<&str>, options: &str) -> Tab {
    arm_auto_login(uid, method, role).await;
    let tab = Tab::open("?before-sign-in").await;
    assert!(tab.session().is_null(), "signed in already");
    tab.navigate("signIn", options, "signed-in").await;
    assert!(!tab.session().is_null(), "the tab came back without a session");
    tab
}

/// The signed-in user of a session object (`Session.user`).
pub(crate) fn user_of(session: &JsValue) -> JsValue {
    get(session, "user")
}
