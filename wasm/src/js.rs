//! Small helpers for reading and building plain JS objects without a serializer.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};

#[wasm_bindgen]
extern "C" {
    /// An `EventTarget` with a `close()` (`EventSource`, `BroadcastChannel`), or `window`: one import per method
    /// for every kind of target, where web-sys has one per type and overload.
    pub(crate) type Target;
    #[wasm_bindgen(method, catch, js_name = addEventListener)]
    pub(crate) fn listen(this: &Target, kind: &str, f: &JsValue, capture: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = removeEventListener)]
    pub(crate) fn unlisten(this: &Target, kind: &str, f: &JsValue, capture: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub(crate) fn close(this: &Target);
}

/// `obj` as a [`Target`].
pub(crate) fn target(obj: &JsValue) -> &Target {
    obj.unchecked_ref()
}

/// `obj[name](arg)`, for a method called in one place (no import of its own); `Err` when it is not a function
/// or throws.
pub(crate) fn call_method(obj: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    get(obj, name).dyn_into::<js_sys::Function>()?.call1(obj, arg)
}

/// `obj[key]`, or `undefined` when `obj` is neither an object nor a function.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    // Functions have members too: `PublicKeyCredential.isConditionalMediationAvailable` and the
    // `parse…OptionsFromJSON` statics hang off a constructor.
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` when it is a string.
pub(crate) fn get_string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// `obj[key]` when it is a number.
pub(crate) fn get_f64(obj: &JsValue, key: &str) -> Option<f64> {
    get(obj, key).as_f64()
}

/// `obj[key] = value` (ignores the impossible failure on a plain object).
pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `obj[key] = value` for a string value.
pub(crate) fn set_str(obj: &Object, key: &str, value: &str) {
    set(obj, key, &JsValue::from_str(value));
}

/// A string as a JS value, `null` for `None`.
pub(crate) fn opt_str(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

/// A number as a JS value, `null` for `None`.
pub(crate) fn opt_num(n: Option<f64>) -> JsValue {
    n.map_or(JsValue::NULL, JsValue::from_f64)
}

/// `undefined` or `null`.
pub(crate) fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn invalid(what: &str, key: &str, expected: &str) -> Error {
    Error::new(
        ErrorCode::InvalidOptions,
        crate::text::cat(&[what, ": ", key, " must be ", expected]),
    )
}

/// Checks that an options argument is absent or an object.
pub(crate) fn options_object(what: &str, v: Option<JsValue>) -> Result<JsValue, Error> {
    match v {
        Some(v) if !absent(&v) && !v.is_object() => Err(Error::new(
            ErrorCode::InvalidOptions,
            crate::text::cat(&[what, " must be an object"]),
        )),
        Some(v) => Ok(v),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// An optional string option.
pub(crate) fn opt_string(o: &JsValue, key: &str, what: &str) -> Result<Option<String>, Error> {
    let v = get(o, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid(what, key, "a string"))
}

/// An optional boolean option.
pub(crate) fn opt_bool(o: &JsValue, key: &str, what: &str) -> Result<Option<bool>, Error> {
    let v = get(o, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| invalid(what, key, "a boolean"))
}

/// An optional finite, non-negative number option.
pub(crate) fn opt_number(o: &JsValue, key: &str, what: &str) -> Result<Option<f64>, Error> {
    let v = get(o, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(Some)
        .ok_or_else(|| invalid(what, key, "a non-negative number"))
}

/// An optional list of TCP ports (integers 1–65535).
pub(crate) fn opt_ports(o: &JsValue, key: &str, what: &str) -> Result<Option<Vec<u16>>, Error> {
    let v = get(o, key);
    if absent(&v) {
        return Ok(None);
    }
    if !js_sys::Array::is_array(&v) {
        return Err(invalid(what, key, "an array of ports"));
    }
    let mut ports = Vec::new();
    for p in v.unchecked_into::<js_sys::Array>().iter() {
        match p.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) => ports.push(n as u16),
            _ => return Err(invalid(what, key, "an array of ports (1-65535)")),
        }
    }
    Ok(Some(ports))
}

/// `obj[key]` as a list of strings (non-strings skipped; missing → empty).
pub(crate) fn get_strings(obj: &JsValue, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let v = get(obj, key);
    if js_sys::Array::is_array(&v) {
        for s in v.unchecked_into::<js_sys::Array>().iter() {
            if let Some(s) = s.as_string() {
                out.push(s);
            }
        }
    }
    out
}
