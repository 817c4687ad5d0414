//! `fetch` for the backend routes: same-origin credentials, JSON in and out, errors as `Cis2Error`.

use js_sys::Object;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use crate::error::{Error, ErrorCode, Result, network};
use crate::js::{call_method, get, get_f64, opt_str, set, set_str};
use crate::text::{cat, uint};

/// `window`, when the SDK runs in a window context: `globalThis.window` through the `Reflect.get` import, where
/// `web_sys::window()` adds an `instanceof Window` import (a size decision).
pub(crate) fn window_opt() -> Option<web_sys::Window> {
    let w = get(&js_sys::global(), "window");
    w.is_object().then(|| w.unchecked_into())
}

pub(crate) fn window() -> Result<web_sys::Window> {
    window_opt().ok_or_else(|| Error::new(ErrorCode::NoWindow, "cis2-browser needs a window"))
}

/// `window.location` (read through `Reflect.get`, like the other one-use getters).
pub(crate) fn location() -> Result<web_sys::Location> {
    Ok(get(window()?.as_ref(), "location").unchecked_into())
}

/// A `fetch` init object `{method, credentials, cache: "no-store"}`.
pub(crate) fn request_init(method: &str, credentials: &str) -> RequestInit {
    let init = Object::new();
    set_str(&init, "method", method);
    set_str(&init, "credentials", credentials);
    set_str(&init, "cache", "no-store");
    init.unchecked_into()
}

/// A backend response: status, parsed JSON (or `undefined` when the body was not JSON) and the `Date` header.
#[derive(Debug)]
pub(crate) struct JsonResponse {
    pub(crate) status: u16,
    pub(crate) body: JsValue,
    /// The server's clock from the `Date` header, in ms since the epoch, when present and parseable.
    pub(crate) server_date_ms: Option<f64>,
}

/// `GET` or `POST` `url` with `credentials: "same-origin"`, `cache: "no-store"`; a POST sends `json` as its body.
/// The init is a plain object (what `fetch` takes anyway): web-sys's typed `RequestInit` and `Headers` setters
/// would each add an import and JS glue to the package.
pub(crate) async fn fetch_json(method: &str, url: &str, json: Option<&str>) -> Result<JsonResponse> {
    let init = request_init(method, "same-origin");
    let headers = Object::new();
    set_str(&headers, "Accept", "application/json");
    if let Some(body) = json {
        set_str(&headers, "Content-Type", "application/json");
        set_str(&init, "body", body);
    }
    set(&init, "headers", &headers);
    let promise = window()?.fetch_with_str_and_init(url, &init);
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(|e| network(url, e))?
        .dyn_into()
        .map_err(|e| network(url, e))?;
    let server_date_ms = call_method(&get(&response, "headers"), "get", &JsValue::from_str("Date"))
        .ok()
        .and_then(|d| d.as_string())
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    Ok(JsonResponse {
        status: status(&response),
        body: json_body(&response).await.unwrap_or(JsValue::UNDEFINED),
        server_date_ms,
    })
}

// `Response` members through `Reflect.get` and `Function.prototype.call`, which the package imports anyway:
// web-sys's typed getters and methods are an import (and JS glue) each.

/// `response.status`.
pub(crate) fn status(response: &Response) -> u16 {
    get_f64(response, "status").unwrap_or(0.0) as u16
}

/// `await response.json()`, or `None` when the body is not JSON.
pub(crate) async fn json_body(response: &Response) -> Option<JsValue> {
    let p = call_method(response, "json", &JsValue::UNDEFINED).ok()?;
    JsFuture::from(js_sys::Promise::resolve(&p)).await.ok()
}

/// Turns a 4xx/5xx into a `Cis2Error` with code `http`, keeping the contract's `error` / `error_description`.
pub(crate) fn check_status(url: &str, r: JsonResponse) -> Result<JsonResponse> {
    if (200..300).contains(&r.status) {
        return Ok(r);
    }
    let error = crate::js::get_string(&r.body, "error");
    let description = crate::js::get_string(&r.body, "error_description");
    let status = uint(u64::from(r.status));
    let message = match (&error, &description) {
        (Some(e), Some(d)) => cat(&[url, ": HTTP ", &status, " ", e, ": ", d]),
        (Some(e), None) => cat(&[url, ": HTTP ", &status, " ", e]),
        _ => cat(&[url, ": HTTP ", &status]),
    };
    let details = js_sys::Object::new();
    crate::js::set(&details, "status", &JsValue::from(r.status));
    crate::js::set(&details, "error", &opt_str(error.as_deref()));
    crate::js::set(&details, "errorDescription", &opt_str(description.as_deref()));
    Err(Error::new(ErrorCode::Http, message).with_details(details.into()))
}
