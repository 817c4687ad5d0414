//! WebAuthn ceremonies with JSON on both sides, in webauthn-rs-proto's shapes:
//! in, `CreationChallengeResponse` / `RequestChallengeResponse` (`{"publicKey": {…}}`, byte fields as base64url)
//! or the bare `publicKey` object; out, `RegisterPublicKeyCredential` / `PublicKeyCredential`
//! (`{id, rawId, type, response: {…}, extensions: {}}`, byte fields as unpadded base64url).
//!
//! The browser's own `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` and
//! `credential.toJSON()` are used when present; otherwise (or with `useNativeJson: false`) the byte fields
//! are converted here. Only the fields webauthn-rs reads are returned, so both paths give the same JSON.

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::base64url;
use crate::clock::now_ms;
use crate::error::{Error, ErrorCode, Result};
use crate::js::{get, get_f64, get_string, set, set_str};
use crate::text::cat;

/// Which ceremony a credential came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ceremony {
    Registration,
    Assertion,
}

/// Transports webauthn-rs-proto's `AuthenticatorTransport` knows; others are dropped from the response so the
/// server's parser does not fail on a newer browser value.
const KNOWN_TRANSPORTS: [&str; 5] = ["usb", "nfc", "ble", "internal", "hybrid"];

/// The `Cis2Error` code for a failed `navigator.credentials` call, from the `DOMException` name.
/// `NotAllowedError` means "cancelled" unless the ceremony's `timeout` had run out.
pub(crate) fn classify(name: &str, elapsed_ms: f64, timeout_ms: Option<f64>) -> ErrorCode {
    match name {
        "NotAllowedError" if timeout_ms.is_some_and(|t| t > 0.0 && elapsed_ms >= t * 0.95) => {
            ErrorCode::TimedOut
        }
        "NotAllowedError" => ErrorCode::Cancelled,
        "TimeoutError" => ErrorCode::TimedOut,
        "InvalidStateError" => ErrorCode::InvalidState,
        "NotSupportedError" | "SecurityError" => ErrorCode::NotSupported,
        "AbortError" => ErrorCode::Aborted,
        "TypeError" | "EncodingError" | "SyntaxError" => ErrorCode::InvalidOptions,
        _ => ErrorCode::WebAuthn,
    }
}

fn global() -> Object {
    js_sys::global()
}

/// `PublicKeyCredential` when it is an object or a function (`instanceof Object` without importing the check).
fn pk_credential() -> Option<Object> {
    let v = get(&global(), "PublicKeyCredential");
    (v.is_object() || v.is_function()).then(|| v.unchecked_into())
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    get(obj, name).dyn_into::<Function>().ok()
}

fn not_supported(what: &str) -> Error {
    Error::new(
        ErrorCode::NotSupported,
        cat(&["WebAuthn is not available: ", what]),
    )
}

/// Whether this browser has WebAuthn (`PublicKeyCredential` and `navigator.credentials`).
#[wasm_bindgen(js_name = isWebAuthnSupported)]
pub fn is_webauthn_supported() -> bool {
    pk_credential().is_some() && credentials().is_some()
}

fn credentials() -> Option<JsValue> {
    let c = get(&get(&global(), "navigator"), "credentials");
    (c.is_object()).then_some(c)
}

/// Whether passkey autofill (`mediation: "conditional"`) is available.
#[wasm_bindgen(js_name = isConditionalMediationAvailable, unchecked_return_type = "Promise<boolean>")]
pub fn is_conditional_mediation_available() -> Promise {
    crate::task::promise(Box::pin(async {
        Ok(JsValue::from_bool(conditional_available().await))
    }))
}

async fn conditional_available() -> bool {
    let Some(ctor) = pk_credential() else { return false };
    let Some(f) = method(&ctor, "isConditionalMediationAvailable") else {
        return false;
    };
    let Ok(p) = f.call0(&ctor).and_then(|p| p.dyn_into::<Promise>()) else {
        return false;
    };
    JsFuture::from(p)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Accepts a JSON string or an object; unwraps `{"publicKey": …}`.
fn public_key_json(options: JsValue) -> Result<JsValue> {
    let value = match options.as_string() {
        Some(s) => js_sys::JSON::parse(&s).map_err(|e| {
            Error::new(ErrorCode::InvalidOptions, "options JSON does not parse").with_details(e)
        })?,
        None => options,
    };
    if !value.is_object() {
        return Err(Error::new(
            ErrorCode::InvalidOptions,
            "options must be an object or a JSON string",
        ));
    }
    let inner = get(&value, "publicKey");
    Ok(if inner.is_object() { inner } else { value })
}

fn decode_error(e: base64url::DecodeError) -> &'static str {
    match e {
        base64url::DecodeError::InvalidCharacter => "a character outside the base64url alphabet",
        base64url::DecodeError::InvalidLength => "an impossible length or bad padding",
        base64url::DecodeError::NonCanonical => "non-zero trailing bits",
    }
}

/// base64url → `ArrayBuffer`.
pub(crate) fn buffer_from_b64(s: &str) -> Result<ArrayBuffer> {
    let bytes = base64url::decode(s).map_err(|e| {
        Error::new(
            ErrorCode::InvalidBase64Url,
            cat(&["not base64url: ", decode_error(e)]),
        )
    })?;
    Ok(get(&Uint8Array::from(bytes.as_slice()), "buffer").unchecked_into())
}

/// `ArrayBuffer` or any `ArrayBufferView` → unpadded base64url.
pub(crate) fn b64_from_buffer(v: &JsValue) -> Option<String> {
    let bytes = if let Some(buf) = v.dyn_ref::<ArrayBuffer>() {
        Uint8Array::new(buf)
    } else if ArrayBuffer::is_view(v) {
        let buffer = get(v, "buffer");
        let offset = get_f64(v, "byteOffset")? as u32;
        let len = get_f64(v, "byteLength")? as u32;
        Uint8Array::new_with_byte_offset_and_length(&buffer, offset, len)
    } else {
        return None;
    };
    Some(base64url::encode(&bytes.to_vec()))
}

fn convert_field(obj: &JsValue, key: &str, required: bool) -> Result<()> {
    match get(obj, key).as_string() {
        Some(s) => {
            let _ = Reflect::set(obj, &JsValue::from_str(key), &buffer_from_b64(&s)?.into());
            Ok(())
        }
        None if required => Err(Error::new(
            ErrorCode::InvalidOptions,
            cat(&[key, " must be a base64url string"]),
        )),
        None => Ok(()),
    }
}

fn convert_descriptors(obj: &JsValue, key: &str) -> Result<()> {
    let list = get(obj, key);
    if list.is_undefined() || list.is_null() {
        return Ok(());
    }
    let list: Array = list
        .dyn_into()
        .map_err(|_| Error::new(ErrorCode::InvalidOptions, cat(&[key, " must be an array"])))?;
    for d in list.iter() {
        convert_field(&d, "id", true)?;
    }
    Ok(())
}

fn deep_copy(v: &JsValue) -> Result<JsValue> {
    let text = js_sys::JSON::stringify(v)
        .map_err(|e| Error::new(ErrorCode::InvalidOptions, "options are not JSON").with_details(e))?;
    js_sys::JSON::parse(&String::from(text))
        .map_err(|e| Error::new(ErrorCode::InvalidOptions, "options are not JSON").with_details(e))
}

fn native_parse(name: &str, pk: &JsValue) -> Option<Result<JsValue>> {
    let ctor = pk_credential()?;
    let f = method(&ctor, name)?;
    Some(f.call1(&ctor, pk).map_err(|e| {
        let code = classify(&get_string(&e, "name").unwrap_or_default(), 0.0, None);
        let code = if code == ErrorCode::WebAuthn {
            ErrorCode::InvalidOptions
        } else {
            code
        };
        Error::new(code, cat(&[name, " refused the options"])).with_details(e)
    }))
}

/// Turns creation-options JSON into what `navigator.credentials.create({publicKey})` takes.
fn creation_options(pk: &JsValue, use_native: bool) -> Result<JsValue> {
    if use_native && let Some(r) = native_parse("parseCreationOptionsFromJSON", pk) {
        return r;
    }
    let copy = deep_copy(pk)?;
    convert_field(&copy, "challenge", true)?;
    let user = get(&copy, "user");
    if !user.is_object() {
        return Err(Error::new(ErrorCode::InvalidOptions, "user must be an object"));
    }
    convert_field(&user, "id", true)?;
    convert_descriptors(&copy, "excludeCredentials")?;
    Ok(copy)
}

/// Turns request-options JSON into what `navigator.credentials.get({publicKey})` takes.
fn request_options(pk: &JsValue, use_native: bool) -> Result<JsValue> {
    if use_native && let Some(r) = native_parse("parseRequestOptionsFromJSON", pk) {
        return r;
    }
    let copy = deep_copy(pk)?;
    convert_field(&copy, "challenge", true)?;
    convert_descriptors(&copy, "allowCredentials")?;
    Ok(copy)
}

/// Not exported to JS (size); public for the browser tests. The polyfill for WebAuthn options JSON: `{"publicKey": …}` (or the bare `publicKey` object, or a JSON
/// string) → `PublicKeyCredentialCreationOptions` with `ArrayBuffer`s, always through this package's own
/// base64url code (for browsers without `parseCreationOptionsFromJSON`).
#[doc(hidden)]
pub fn creation_options_from_json(options: JsValue) -> std::result::Result<JsValue, JsValue> {
    Ok(creation_options(&public_key_json(options)?, false)?)
}

/// The polyfill for request options: like `creationOptionsFromJson`, for `navigator.credentials.get`.
#[doc(hidden)]
pub fn request_options_from_json(options: JsValue) -> std::result::Result<JsValue, JsValue> {
    Ok(request_options(&public_key_json(options)?, false)?)
}

/// The JSON a credential's `toJSON()` gives, built by hand.
fn polyfill_to_json(cred: &JsValue) -> Result<JsValue> {
    let bad = || Error::new(ErrorCode::WebAuthn, "the credential lacks byte fields");
    let raw_id = b64_from_buffer(&get(cred, "rawId")).ok_or_else(bad)?;
    let response = get(cred, "response");
    let out_response = Object::new();
    for key in [
        "clientDataJSON",
        "attestationObject",
        "authenticatorData",
        "signature",
        "userHandle",
    ] {
        if let Some(s) = b64_from_buffer(&get(&response, key)) {
            set_str(&out_response, key, &s);
        }
    }
    if let Some(f) = method(&response, "getTransports")
        && let Ok(t) = f.call0(&response)
    {
        set(&out_response, "transports", &t);
    }
    let out = Object::new();
    set_str(
        &out,
        "id",
        &get_string(cred, "id").unwrap_or_else(|| raw_id.clone()),
    );
    set_str(&out, "rawId", &raw_id);
    set_str(
        &out,
        "type",
        &get_string(cred, "type").unwrap_or_else(|| "public-key".to_owned()),
    );
    set(&out, "response", &out_response);
    Ok(out.into())
}

/// Picks webauthn-rs-proto's fields out of `toJSON()`-shaped JSON.
fn to_proto(j: &JsValue, ceremony: Ceremony) -> Result<JsValue> {
    let response = get(j, "response");
    let out_response = Object::new();
    let keys: &[&str] = match ceremony {
        Ceremony::Registration => &["attestationObject", "clientDataJSON"],
        Ceremony::Assertion => &["authenticatorData", "clientDataJSON", "signature"],
    };
    for key in keys {
        let v = get_string(&response, key)
            .ok_or_else(|| Error::new(ErrorCode::WebAuthn, cat(&["the credential lacks response.", key])))?;
        set_str(&out_response, key, &v);
    }
    match ceremony {
        Ceremony::Registration => {
            if let Ok(list) = get(&response, "transports").dyn_into::<Array>() {
                let known = Array::new();
                for t in list.iter() {
                    if t.as_string()
                        .is_some_and(|s| KNOWN_TRANSPORTS.contains(&s.as_str()))
                    {
                        known.push(&t);
                    }
                }
                set(&out_response, "transports", &known);
            }
        }
        Ceremony::Assertion => {
            let handle = get_string(&response, "userHandle").filter(|h| !h.is_empty());
            set(
                &out_response,
                "userHandle",
                &crate::js::opt_str(handle.as_deref()),
            );
        }
    }
    let out = Object::new();
    for key in ["id", "rawId", "type"] {
        let v = get_string(j, key)
            .ok_or_else(|| Error::new(ErrorCode::WebAuthn, cat(&["the credential lacks ", key])))?;
        set_str(&out, key, &v);
    }
    set(&out, "response", &out_response);
    set(&out, "extensions", &Object::new());
    Ok(out.into())
}

fn credential_json(cred: &JsValue, ceremony: Ceremony, use_native: bool) -> Result<JsValue> {
    let j = match method(cred, "toJSON").filter(|_| use_native) {
        Some(f) => f
            .call0(cred)
            .map_err(|e| Error::new(ErrorCode::WebAuthn, "credential.toJSON() failed").with_details(e))?,
        None => polyfill_to_json(cred)?,
    };
    to_proto(&j, ceremony)
}

/// The polyfill for `credential.toJSON()`: a registration credential (from `navigator.credentials.create`) →
/// webauthn-rs-proto `RegisterPublicKeyCredential` JSON.
#[doc(hidden)]
pub fn registration_to_json(credential: JsValue) -> std::result::Result<JsValue, JsValue> {
    Ok(credential_json(&credential, Ceremony::Registration, false)?)
}

/// The polyfill for `credential.toJSON()`: an assertion credential (from `navigator.credentials.get`) →
/// webauthn-rs-proto `PublicKeyCredential` JSON.
#[doc(hidden)]
pub fn assertion_to_json(credential: JsValue) -> std::result::Result<JsValue, JsValue> {
    Ok(credential_json(&credential, Ceremony::Assertion, false)?)
}

struct Ceremonial {
    use_native: bool,
    conditional: bool,
    signal: JsValue,
}

fn ceremony_options(o: &Option<JsValue>) -> Ceremonial {
    let o = o.clone().unwrap_or(JsValue::UNDEFINED);
    Ceremonial {
        use_native: get(&o, "useNativeJson").as_bool().unwrap_or(true),
        conditional: get(&o, "conditional").as_bool().unwrap_or(false),
        signal: get(&o, "signal"),
    }
}

async fn run(ceremony: Ceremony, options: JsValue, c: Ceremonial) -> Result<JsValue> {
    let pk = public_key_json(options)?;
    if pk_credential().is_none() {
        return Err(not_supported("no PublicKeyCredential"));
    }
    let container = credentials().ok_or_else(|| not_supported("no navigator.credentials"))?;
    let (public_key, call) = match ceremony {
        Ceremony::Registration => (creation_options(&pk, c.use_native)?, "create"),
        Ceremony::Assertion => (request_options(&pk, c.use_native)?, "get"),
    };
    let outer = Object::new();
    set(&outer, "publicKey", &public_key);
    if c.signal.is_object() {
        set(&outer, "signal", &c.signal);
    }
    if c.conditional {
        if ceremony != Ceremony::Assertion || !conditional_available().await {
            return Err(not_supported("conditional mediation"));
        }
        set_str(&outer, "mediation", "conditional");
    }
    let timeout = get_f64(&pk, "timeout");
    let started = now_ms();
    let f = method(&container, call).ok_or_else(|| not_supported("navigator.credentials"))?;
    let promise: Promise = f
        .call1(&container, &outer)
        .and_then(|p| p.dyn_into())
        .map_err(|e| dom_error(e, started, timeout))?;
    match JsFuture::from(promise).await {
        Ok(cred) if cred.is_null() || cred.is_undefined() => {
            Err(Error::new(ErrorCode::Cancelled, "no credential was returned"))
        }
        Ok(cred) => credential_json(&cred, ceremony, c.use_native),
        Err(e) => Err(dom_error(e, started, timeout)),
    }
}

fn dom_error(e: JsValue, started: f64, timeout: Option<f64>) -> Error {
    let name = get_string(&e, "name").unwrap_or_default();
    let message = get_string(&e, "message").unwrap_or_default();
    let code = classify(&name, now_ms() - started, timeout);
    Error::new(code, cat(&["WebAuthn ", &name, ": ", &message])).with_details(e)
}

/// Registers a credential: `options` is the server's JSON (`{"publicKey": {…}}` or its string), the result is
/// `RegisterPublicKeyCredential` JSON for the server. Rejects with `Cis2Error` codes `cancelled`, `timed_out`,
/// `invalid_state` (already registered), `not_supported`, `aborted`, `invalid_options` or `webauthn`.
#[wasm_bindgen(js_name = createCredential, unchecked_return_type = "Promise<RegistrationResponseJSON>")]
pub fn create_credential(
    #[wasm_bindgen(unchecked_param_type = "string | CreationOptionsJSON")] options: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CeremonyOptions")] ceremony: Option<JsValue>,
) -> Promise {
    let c = ceremony_options(&ceremony);
    crate::task::promise(Box::pin(async move {
        Ok(run(Ceremony::Registration, options, c).await?)
    }))
}

/// Signs in with a credential: `options` is the server's JSON (`{"publicKey": {…}}` or its string), the result
/// is `PublicKeyCredential` JSON for the server. `{conditional: true}` waits for passkey autofill (rejects with
/// `not_supported` where the browser lacks it). Same error codes as `createCredential`.
#[wasm_bindgen(js_name = getAssertion, unchecked_return_type = "Promise<AuthenticationResponseJSON>")]
pub fn get_assertion(
    #[wasm_bindgen(unchecked_param_type = "string | RequestOptionsJSON")] options: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CeremonyOptions")] ceremony: Option<JsValue>,
) -> Promise {
    let c = ceremony_options(&ceremony);
    crate::task::promise(Box::pin(async move {
        Ok(run(Ceremony::Assertion, options, c).await?)
    }))
}

#[cfg(test)]
mod tests;
