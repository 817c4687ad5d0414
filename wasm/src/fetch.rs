//! `fetch` for the backend routes: same-origin credentials, JSON in and out, errors as `Cis2Error`.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

use crate::error::{Error, ErrorCode, Result, network};
use crate::text::{cat, uint};

pub(crate) fn window() -> Result<web_sys::Window> {
    web_sys::window().ok_or_else(|| Error::new(ErrorCode::NoWindow, "cis2-browser needs a window"))
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
pub(crate) async fn fetch_json(method: &str, url: &str, json: Option<&str>) -> Result<JsonResponse> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_cache(web_sys::RequestCache::NoStore);
    let headers = web_sys::Headers::new().map_err(|e| network(url, e))?;
    headers
        .set("Accept", "application/json")
        .map_err(|e| network(url, e))?;
    if let Some(body) = json {
        headers
            .set("Content-Type", "application/json")
            .map_err(|e| network(url, e))?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let promise = window()?.fetch_with_str_and_init(url, &init);
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(|e| network(url, e))?
        .dyn_into()
        .map_err(|e| network(url, e))?;
    let server_date_ms = response
        .headers()
        .get("Date")
        .ok()
        .flatten()
        .map(|d| js_sys::Date::parse(&d))
        .filter(|ms| ms.is_finite());
    let body = match response.json() {
        Ok(p) => JsFuture::from(p).await.unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    };
    Ok(JsonResponse {
        status: response.status(),
        body,
        server_date_ms,
    })
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
    crate::js::set(
        &details,
        "error",
        &error.map_or(JsValue::NULL, |e| JsValue::from_str(&e)),
    );
    crate::js::set(
        &details,
        "errorDescription",
        &description.map_or(JsValue::NULL, |d| JsValue::from_str(&d)),
    );
    Err(Error::new(ErrorCode::Http, message).with_details(details.into()))
}
