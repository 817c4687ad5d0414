//! Smartcard-bridge discovery (cis2.md §12): probe the NHS Port Service's loopback ports in parallel, ask the
//! one that answers for the per-user Credential Management port, and say what blocks access when nothing does.
//!
//! A browser cannot see why a cross-origin `fetch` failed, so the blocker is inferred:
//! - the CORS request fails but a `mode: "no-cors"` request to the same URL succeeds (an opaque response):
//!   something listens and does not allow this origin → `cors` (the Credential Management allow-list);
//! - both fail and `navigator.permissions.query({name: "local-network-access"})` (or `"loopback-network"`)
//!   says `denied` → `localNetworkAccess` (Chrome 142+);
//! - both fail otherwise (a closed port fails in milliseconds) → `notRunning`.
//!
//! A faulting Port Service (`PR20002`, `PR30007`) is `notRunning` with the fault attached.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, EventSource, MessageEvent, RequestInit, Response};

use crate::clock::{Timer, now_ms};
use crate::error::{Error, ErrorCode};
use crate::fetch::{json_body, status};
use crate::js::{opt_num, opt_str, set, set_str};
use crate::port_service::{
    BridgeKind, Connected, Fault, PORT_SERVICE_PORTS, PortServiceError, from_js, interpret_connect,
    interpret_port,
};
use crate::text::{cat, uint};

/// Default overall time limit for discovery.
const DEFAULT_TIMEOUT_MS: f64 = 1_000.0;

/// `discoverBridge` options (camelCase in JS).
#[derive(Debug, Default)]
pub(crate) struct DiscoveryOptions {
    pub(crate) ports: Option<Vec<u16>>,
    pub(crate) timeout_ms: Option<f64>,
    pub(crate) host: Option<String>,
    pub(crate) scheme: Option<String>,
}

/// What one probed port did.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Ok(Connected),
    Cors,
    NotListening,
    Timeout,
    Http(u16),
    BadResponse,
    Fault(Fault),
    Skipped,
}

impl Outcome {
    fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Cors => "cors",
            Outcome::NotListening => "notListening",
            Outcome::Timeout => "timeout",
            Outcome::Http(_) => "httpError",
            Outcome::BadResponse => "badResponse",
            Outcome::Fault(_) => "fault",
            Outcome::Skipped => "skipped",
        }
    }
}

/// What blocks access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Blocker {
    Cors,
    LocalNetworkAccess,
    NotRunning,
}

impl Blocker {
    fn as_str(self) -> &'static str {
        match self {
            Blocker::Cors => "cors",
            Blocker::LocalNetworkAccess => "localNetworkAccess",
            Blocker::NotRunning => "notRunning",
        }
    }
}

struct Target {
    scheme: String,
    host: String,
}

impl Target {
    fn url(&self, port: u16, path: &str) -> String {
        cat(&[&self.scheme, "://", &self.host, ":", &uint(u64::from(port)), path])
    }
}

/// Reads `discoverBridge` options.
pub(crate) fn options_from(js: Option<JsValue>) -> Result<DiscoveryOptions, Error> {
    const WHAT: &str = "discoverBridge options";
    let o = crate::js::options_object(WHAT, js)?;
    Ok(DiscoveryOptions {
        ports: crate::js::opt_ports(&o, "ports", WHAT)?,
        timeout_ms: crate::js::opt_number(&o, "timeoutMs", WHAT)?,
        host: crate::js::opt_string(&o, "host", WHAT)?,
        scheme: crate::js::opt_string(&o, "scheme", WHAT)?,
    })
}

fn target_from(host: Option<String>, scheme: Option<String>) -> Result<Target, Error> {
    let scheme = scheme.unwrap_or_else(|| "http".to_owned());
    if scheme != "http" && scheme != "https" {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "scheme must be \"http\" or \"https\"",
        ));
    }
    let host = host.unwrap_or_else(|| "localhost".to_owned());
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "host must be a bare host name",
        ));
    }
    Ok(Target { scheme, host })
}

/// Finds the smartcard bridge: probes the Port Service ports (default 43487, 44213, 45031, 46478, 48853) in
/// parallel within `timeoutMs` (default 1000), then asks the first that answers for the per-user port.
/// Never rejects for "nothing found": that is `{kind: "none", blockedBy: …}`. Rejects (`invalid_options`) only
/// for bad options.
#[wasm_bindgen(js_name = discoverBridge, unchecked_return_type = "Promise<BridgeDiscovery>")]
pub fn discover_bridge(
    #[wasm_bindgen(unchecked_optional_param_type = "BridgeDiscoveryOptions")] options: Option<JsValue>,
) -> Promise {
    let parsed = options_from(options);
    crate::task::promise(Box::pin(async move {
        let o = parsed?;
        Ok(discover(o).await?)
    }))
}

pub(crate) async fn discover(o: DiscoveryOptions) -> Result<JsValue, Error> {
    let started = now_ms();
    let target = Rc::new(target_from(o.host, o.scheme)?);
    let ports = o.ports.unwrap_or_else(|| PORT_SERVICE_PORTS.to_vec());
    let timeout = o.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS).clamp(0.0, 60_000.0);
    let controller = AbortController::new()
        .map_err(|e| Error::new(ErrorCode::NotSupported, "AbortController is missing").with_details(e))?;
    let deadline_abort = abort_after(&controller, timeout);
    let lna = local_network_access_denied();

    // Every probe records its outcome; its promise fulfils on success and rejects otherwise, so `Promise.any`
    // settles at the first success, or once every probe has failed.
    let mut initial = Vec::with_capacity(ports.len());
    for p in &ports {
        initial.push((*p, Outcome::Skipped));
    }
    let outcomes: Rc<RefCell<Vec<(u16, Outcome)>>> = Rc::new(RefCell::new(initial));
    let probes = Array::new();
    for (i, port) in ports.iter().copied().enumerate() {
        let (target, outcomes, signal) = (target.clone(), outcomes.clone(), signal_of(&controller));
        probes.push(&crate::task::promise(Box::pin(async move {
            let outcome = probe(&target, port, &signal).await;
            let success = matches!(outcome, Outcome::Ok(_));
            if let Some(slot) = outcomes.borrow_mut().get_mut(i) {
                slot.1 = outcome;
            }
            if success {
                Ok(JsValue::UNDEFINED)
            } else {
                Err(JsValue::UNDEFINED)
            }
        })));
    }
    let _ = JsFuture::from(Promise::any(&probes)).await;
    drop(deadline_abort);
    controller.abort();
    let lna_denied = lna.await;

    // Late probes write into an empty list: the result is what had settled by now.
    let snapshot = std::mem::take(&mut *outcomes.borrow_mut());
    let found = snapshot.iter().find_map(|(p, o)| match o {
        Outcome::Ok(c) => Some((*p, c)),
        _ => None,
    });
    let mut result = Discovery {
        kind: BridgeKind::None,
        port: None,
        port_service_port: None,
        blocked_by: None,
        fault: None,
        version: None,
    };
    if let Some((ps_port, connected)) = found {
        result.kind = connected.kind;
        result.version = connected.version.clone();
        result.port_service_port = Some(ps_port);
        let remaining = (timeout - (now_ms() - started)).max(250.0);
        match get_port_number(&target, ps_port, remaining).await {
            Ok(p) => result.port = Some(p),
            Err(PortLookup::Fault(f)) => {
                if f.means_not_running() {
                    result.blocked_by = Some(Blocker::NotRunning);
                }
                result.fault = Some(f);
            }
            Err(PortLookup::Cors) => result.blocked_by = Some(Blocker::Cors),
            Err(PortLookup::Failed) => result.blocked_by = Some(Blocker::NotRunning),
        }
    } else {
        let cors = snapshot.iter().find(|(_, o)| matches!(o, Outcome::Cors));
        let fault = snapshot.iter().find_map(|(p, o)| match o {
            Outcome::Fault(f) => Some((*p, f)),
            _ => None,
        });
        if let Some((p, _)) = cors {
            result.blocked_by = Some(Blocker::Cors);
            result.port_service_port = Some(*p);
        } else if let Some((p, f)) = fault {
            result.blocked_by = Some(Blocker::NotRunning);
            result.port_service_port = Some(p);
            result.fault = Some(f.clone());
        } else if lna_denied {
            result.blocked_by = Some(Blocker::LocalNetworkAccess);
        } else {
            result.blocked_by = Some(Blocker::NotRunning);
        }
    }
    Ok(result.to_js(&snapshot, now_ms() - started))
}

struct Discovery {
    kind: BridgeKind,
    port: Option<u16>,
    port_service_port: Option<u16>,
    blocked_by: Option<Blocker>,
    fault: Option<Fault>,
    version: Option<String>,
}

impl Discovery {
    fn to_js(&self, probes_seen: &[(u16, Outcome)], elapsed_ms: f64) -> JsValue {
        let o = Object::new();
        set_str(&o, "kind", self.kind.as_str());
        set(&o, "port", &opt_num(self.port.map(f64::from)));
        set(
            &o,
            "portServicePort",
            &opt_num(self.port_service_port.map(f64::from)),
        );
        set(&o, "blockedBy", &opt_str(self.blocked_by.map(Blocker::as_str)));
        set(&o, "fault", &self.fault.as_ref().map_or(JsValue::NULL, fault_js));
        set(&o, "version", &opt_str(self.version.as_deref()));
        set(&o, "elapsedMs", &JsValue::from_f64(elapsed_ms.round()));
        let probes = Array::new();
        for (port, outcome) in probes_seen {
            let p = Object::new();
            set(&p, "port", &JsValue::from(*port));
            set_str(&p, "outcome", outcome.as_str());
            if let Outcome::Http(status) = outcome {
                set(&p, "status", &JsValue::from(*status));
            }
            probes.push(&p);
        }
        set(&o, "probes", &probes);
        o.into()
    }
}

fn fault_js(f: &Fault) -> JsValue {
    let o = Object::new();
    set_str(&o, "code", &f.code);
    set_str(&o, "message", &f.message);
    o.into()
}

/// Aborts `controller` after `ms` unless the returned timer is dropped first (one closure for both uses).
fn abort_after(controller: &AbortController, ms: f64) -> Timer {
    let c = controller.clone();
    Timer::once(ms, move || c.abort())
}

/// `controller.signal` (property reads go through the one `Reflect.get` import).
fn signal_of(controller: &AbortController) -> JsValue {
    crate::js::get(controller, "signal")
}

/// `signal.aborted`.
fn aborted(signal: &JsValue) -> bool {
    crate::js::get(signal, "aborted").as_bool() == Some(true)
}

fn request(mode: &str, credentials: &str, signal: &JsValue) -> RequestInit {
    let init = crate::fetch::request_init("GET", credentials);
    crate::js::set_str(&init, "mode", mode);
    set(&init, "signal", signal);
    init
}

async fn send(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    let window = crate::fetch::window_opt().ok_or(JsValue::UNDEFINED)?;
    JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()
}

async fn probe(target: &Target, port: u16, signal: &JsValue) -> Outcome {
    let url = target.url(port, "/PRS/ConnectPRService");
    let cors = request("cors", "omit", signal);
    match send(&url, &cors).await {
        // `!response.ok`, without importing the getter.
        Ok(r) if !(200..300).contains(&status(&r)) => Outcome::Http(status(&r)),
        Ok(r) => match json_body(&r).await.filter(JsValue::is_object) {
            None => Outcome::BadResponse,
            Some(v) => match interpret_connect(from_js::connect(&v)) {
                Ok(c) => Outcome::Ok(c),
                Err(PortServiceError::Fault(f)) => Outcome::Fault(f),
                Err(PortServiceError::Unexpected(_)) => Outcome::BadResponse,
            },
        },
        Err(_) if aborted(signal) => Outcome::Timeout,
        Err(_) => {
            let opaque = request("no-cors", "omit", signal);
            match send(&url, &opaque).await {
                Ok(_) => Outcome::Cors,
                Err(_) if aborted(signal) => Outcome::Timeout,
                Err(_) => Outcome::NotListening,
            }
        }
    }
}

enum PortLookup {
    Fault(Fault),
    Cors,
    Failed,
}

async fn get_port_number(target: &Target, port: u16, timeout_ms: f64) -> Result<u16, PortLookup> {
    let controller = AbortController::new().map_err(|_| PortLookup::Failed)?;
    let _timer = abort_after(&controller, timeout_ms);
    let signal = signal_of(&controller);
    let url = target.url(port, "/PRS/GetPortNumber");
    let init = request("cors", "include", &signal);
    let response = match send(&url, &init).await {
        Ok(r) => r,
        Err(_) if aborted(&signal) => return Err(PortLookup::Failed),
        // The Port Service answered without credentials but this credentialed request failed: its CORS
        // headers do not allow credentials for this origin.
        Err(_) => return Err(PortLookup::Cors),
    };
    let body = json_body(&response)
        .await
        .filter(JsValue::is_object)
        .ok_or(PortLookup::Failed)?;
    match interpret_port(from_js::port(&body)) {
        Ok(p) => Ok(p),
        Err(PortServiceError::Fault(f)) => Err(PortLookup::Fault(f)),
        Err(PortServiceError::Unexpected(_)) => Err(PortLookup::Failed),
    }
}

/// Whether the browser's Local Network Access permission is `denied` (names differ across Chrome versions; an
/// unknown name throws, which counts as "not denied").
async fn local_network_access_denied() -> bool {
    let Some(window) = crate::fetch::window_opt() else {
        return false;
    };
    let permissions = crate::js::get(&crate::js::get(&window, "navigator"), "permissions");
    let Ok(query) = crate::js::get(&permissions, "query").dyn_into::<js_sys::Function>() else {
        return false;
    };
    for name in ["local-network-access", "loopback-network"] {
        let descriptor = Object::new();
        set_str(&descriptor, "name", name);
        let Ok(p) = query.call1(&permissions, &descriptor) else {
            continue;
        };
        let Ok(p) = p.dyn_into::<Promise>() else { continue };
        if let Ok(status) = JsFuture::from(p).await
            && crate::js::get_string(&status, "state").as_deref() == Some("denied")
        {
            return true;
        }
    }
    false
}

/// A live card-event subscription; closes its `EventSource` when dropped.
#[derive(Debug)]
pub(crate) struct CardSubscription {
    source: EventSource,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for CardSubscription {
    fn drop(&mut self) {
        for name in CARD_EVENTS {
            let _ = crate::js::target(&self.source).unlisten(name, self._listener.as_ref(), false);
        }
        crate::js::target(&self.source).close();
    }
}

const CARD_EVENTS: [&str; 2] = ["card_inserted", "card_removed"];

/// The JS object handed to card-event callbacks: `{type, reader, cardId, uid}`.
pub(crate) fn card_event_js(event_type: &str, data: &str) -> JsValue {
    let parsed = js_sys::JSON::parse(data).unwrap_or(JsValue::UNDEFINED);
    let o = Object::new();
    set_str(&o, "type", event_type);
    set(
        &o,
        "reader",
        &opt_str(crate::js::get_string(&parsed, "reader").as_deref()),
    );
    let card_id =
        crate::js::get_string(&parsed, "card_id").or_else(|| crate::js::get_string(&parsed, "serial"));
    set(&o, "cardId", &opt_str(card_id.as_deref()));
    set(
        &o,
        "uid",
        &opt_str(crate::js::get_string(&parsed, "uid").as_deref()),
    );
    o.into()
}

/// Opens `{scheme}://{host}:{port}/cards/events` and calls `on_event(type, event)` for each card event.
pub(crate) fn open_card_events(
    port: u16,
    host: Option<String>,
    scheme: Option<String>,
    on_event: impl FnMut(&str, JsValue) + 'static,
) -> Result<CardSubscription, Error> {
    open_card_events_boxed(port, host, scheme, Box::new(on_event))
}

/// A card-event callback: `(type, event)`.
type OnCardEvent = Box<dyn FnMut(&str, JsValue)>;

/// One non-generic body for both callers (a size decision: one listener `Closure` instance).
fn open_card_events_boxed(
    port: u16,
    host: Option<String>,
    scheme: Option<String>,
    mut on_event: OnCardEvent,
) -> Result<CardSubscription, Error> {
    let target = target_from(host, scheme)?;
    let url = target.url(port, "/cards/events");
    let source = EventSource::new(&url)
        .map_err(|e| Error::new(ErrorCode::NotSupported, "EventSource failed").with_details(e))?;
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let kind = crate::js::get_string(&e, "type").unwrap_or_default();
        let data = crate::js::get_string(&e, "data").unwrap_or_default();
        on_event(&kind, card_event_js(&kind, &data));
    });
    for name in CARD_EVENTS {
        crate::js::target(&source)
            .listen(name, listener.as_ref(), false)
            .map_err(|e| Error::new(ErrorCode::NotSupported, "EventSource failed").with_details(e))?;
    }
    Ok(CardSubscription {
        source,
        _listener: listener,
    })
}

/// Subscribes to the bridge's card insert/remove events (server-sent events at
/// `{scheme}://{host}:{port}/cards/events`, events `card_inserted` / `card_removed`). `callback` receives
/// `{type, reader, cardId, uid}`. Returns a function that unsubscribes. Where the bridge offers no such stream
/// (real Credential Management today) nothing is ever delivered.
#[wasm_bindgen(js_name = subscribeCardEvents, unchecked_return_type = "() => void")]
pub fn subscribe_card_events(
    port: u16,
    #[wasm_bindgen(unchecked_param_type = "(event: CardEvent) => void")] callback: js_sys::Function,
    #[wasm_bindgen(unchecked_optional_param_type = "CardEventOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let (host, scheme) = card_target(options);
    let sub = open_card_events(port, host, scheme, move |_, ev| {
        let _ = callback.call1(&JsValue::NULL, &ev);
    })?;
    Ok(unsubscriber(sub))
}

/// Reads `{host, scheme}` from card-event options.
pub(crate) fn card_target(options: Option<JsValue>) -> (Option<String>, Option<String>) {
    let o = options.unwrap_or(JsValue::UNDEFINED);
    (
        crate::js::get_string(&o, "host"),
        crate::js::get_string(&o, "scheme"),
    )
}

/// A JS function that drops `value` the first time it is called (later calls do nothing).
pub(crate) fn unsubscriber<T: 'static>(value: T) -> JsValue {
    let mut held = Some(value);
    Closure::<dyn FnMut()>::new(move || {
        held.take();
    })
    .into_js_value()
}
