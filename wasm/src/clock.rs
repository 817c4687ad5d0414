//! The one place the SDK reads the browser's clock and sets timers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_js(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout_js(id: &JsValue);
}

/// Milliseconds since the Unix epoch, from `Date.now()`.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A uniform random number in `[0, 1)` from `Math.random()`: good enough for retry jitter, nothing else.
pub(crate) fn jitter() -> f64 {
    js_sys::Math::random()
}

/// A pending `setTimeout`; cleared when dropped, so a dropped timer never fires into freed memory.
#[derive(Debug)]
pub(crate) struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    /// Runs `f` once after `ms` milliseconds (clamped to `0..=2^31-1`, the range `setTimeout` honours).
    pub(crate) fn once(ms: f64, f: impl FnOnce() + 'static) -> Timer {
        Timer::once_boxed(ms, Box::new(f))
    }

    /// One non-generic body for every caller's closure (a size decision: one `Closure` instance, not one each).
    fn once_boxed(ms: f64, f: Box<dyn FnOnce()>) -> Timer {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let ms = ms.clamp(0.0, 2_147_483_647.0);
        let id = set_timeout_js(callback.as_ref().unchecked_ref(), ms);
        Timer {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout_js(&self.id);
    }
}
