//! Futures to promises through one boxed path, so each async API does not get its own copy of the
//! promise/executor glue (a size decision: the browser build pays bytes per instantiation).

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;

/// A boxed, single-threaded future.
pub(crate) type Task<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs `f`, settling the returned promise with its result.
pub(crate) fn promise(f: Task<Result<JsValue, JsValue>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(f)
}

/// Runs `f` in the background.
pub(crate) fn spawn(f: Task<()>) {
    wasm_bindgen_futures::spawn_local(f);
}
