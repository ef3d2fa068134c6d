//! The boundary between JavaScript and the engine.
//!
//! It runs only in extension contexts (the background and the options page),
//! never in a content script: webmail pages send a Content-Security-Policy
//! without `'wasm-unsafe-eval'`, under which Chrome refuses to compile WASM in a
//! content script.
//!
//! Policy layers, the effective policy and settings validation cross through
//! `serde-wasm-bindgen` with `json_compatible()`, so they arrive as plain
//! objects and arrays (never `Map`s) that survive `runtime.sendMessage` and
//! `storage`. Protocol requests and replies cross as JSON text, for speed (see
//! [`WasmEngine::handle`]). Nothing here returns a `Result` to JavaScript: a
//! bad request becomes an error *reply*, so that the background can always
//! answer.
//!
//! A panic cannot be caught inside WASM built with `panic = "abort"`: it would
//! trap with a bare `unreachable`. The panic hook therefore does two things
//! first: it asks wasm-bindgen to replace the poisoned instance with a fresh
//! one on the next call (`schedule_reinit`), and it throws a JavaScript
//! `Error` carrying the panic message. The background catches that error,
//! replies with it, and builds a new `Engine`, because objects of the old
//! instance are gone.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::engine::{self, policy, protocol};

/// Installs the panic hook when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        wasm_bindgen::handler::schedule_reinit();
        wasm_bindgen::throw_str(&format!("BCC Guard engine panicked: {info}"));
    }));
}

/// The protocol version the engine speaks (see `engine::protocol`).
#[wasm_bindgen(js_name = protocolVersion)]
pub fn protocol_version() -> u32 {
    protocol::VERSION
}

/// The engine for one effective policy, as a JavaScript class.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    inner: engine::Engine,
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// `new Engine({managed, user})`: layers the admin's policy over the
    /// user's settings. Missing, `null` or malformed layers never fail the
    /// constructor; their problems are listed by `policy()`.
    #[wasm_bindgen(constructor)]
    pub fn new(layers: JsValue) -> WasmEngine {
        let managed = layer(&layers, "managed");
        let user = layer(&layers, "user");
        WasmEngine {
            inner: engine::Engine::new(&managed, &user),
        }
    }

    /// Answers one protocol request, given as JSON text (UTF-8 bytes), with
    /// the reply as JSON text. The background encodes with `JSON.stringify`
    /// and decodes with `JSON.parse` (see `www/background/engine-host.js`).
    ///
    /// Requests and replies cross as text rather than as objects built by
    /// serde-wasm-bindgen because of their size: a reply about 1,000
    /// recipients holds thousands of strings, and building each as a
    /// separate JS value cost about a microsecond apiece, several
    /// milliseconds per send; as one buffer the crossing is a copy, the
    /// request's strings are borrowed rather than copied, and the browser's
    /// native JSON parser builds the reply. Either way only plain data
    /// crosses — objects, arrays, strings, numbers — never a `Map`.
    pub fn handle(&self, request: &[u8]) -> Vec<u8> {
        self.inner.handle_json_with(request, inject_fault)
    }

    /// The effective policy: `{settings, locked, problems}`.
    pub fn policy(&self) -> JsValue {
        to_js(self.inner.policy())
    }
}

/// Checks user settings for the options page: `{normalized, problems}`.
#[wasm_bindgen(js_name = validateSettings)]
pub fn validate_settings(user: JsValue) -> JsValue {
    let user = serde_wasm_bindgen::from_value::<Value>(user).unwrap_or_else(not_plain_data);
    to_js(&policy::validate_user(&user))
}

/// Reads one policy layer from `layers`. A value that is not plain data (a
/// function, a symbol) is replaced by a text, which the policy reports as
/// "expected an object of settings" rather than silently ignoring.
fn layer(layers: &JsValue, name: &str) -> Value {
    let value = js_sys::Reflect::get(layers, &JsValue::from_str(name)).unwrap_or(JsValue::NULL);
    serde_wasm_bindgen::from_value::<Value>(value).unwrap_or_else(not_plain_data)
}

fn not_plain_data(error: serde_wasm_bindgen::Error) -> Value {
    Value::String(format!("not plain data: {error}"))
}

/// Serialises an answer as plain JSON-compatible JavaScript values.
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|error| {
        // Serialising our own types cannot fail in practice; if it ever does,
        // the caller still gets a well-formed error reply.
        let reply = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&reply, &JsValue::from_str(key), &value);
        };
        set("v", JsValue::from(protocol::VERSION));
        set("ok", JsValue::FALSE);
        set("kind", JsValue::from_str("error"));
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"code".into(), &"internal".into());
        let _ = js_sys::Reflect::set(&detail, &"message".into(), &error.to_string().into());
        set("error", detail.into());
        reply.into()
    })
}

/// With the `fault-injection` feature (test builds only, never a release),
/// a request of kind `injectPanic` panics inside the engine call, so that the
/// tests can prove a real panic becomes an error reply and the background
/// recovers with a fresh instance.
#[cfg(feature = "fault-injection")]
#[allow(clippy::panic)]
fn inject_fault(request: &protocol::Request<'_>) {
    if request.kind == "injectPanic" {
        panic!("injected fault");
    }
}

#[cfg(not(feature = "fault-injection"))]
fn inject_fault(_request: &protocol::Request<'_>) {}
