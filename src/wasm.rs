//! The boundary between JavaScript and the engine.
//!
//! It runs only in extension contexts (the background and the options page),
//! never in a content script: webmail pages send a Content-Security-Policy
//! without `'wasm-unsafe-eval'`, under which Chrome refuses to compile WASM in a
//! content script.
//!
//! Everything crosses as JSON text: the policy layers into the constructor,
//! and every protocol request and reply through [`WasmEngine::handle`]
//! (evaluate, verify, the effective policy, and the options page's
//! validation). serde_json is therefore the only codec in the WASM; building
//! JavaScript values field by field from Rust (serde-wasm-bindgen, used here
//! before) was a second one, and slower for large replies. Nothing here
//! returns a `Result` to JavaScript: a bad request becomes an error *reply*,
//! so that the background can always answer.
//!
//! A panic cannot be caught inside WASM built with `panic = "abort"`: it would
//! trap with a bare `unreachable`. The panic hook therefore does two things
//! first: it asks wasm-bindgen to replace the poisoned instance with a fresh
//! one on the next call (`schedule_reinit`), and it throws a JavaScript
//! `Error` carrying the panic message. The background catches that error,
//! replies with it, and builds a new `Engine`, because objects of the old
//! instance are gone.

use wasm_bindgen::prelude::*;

use crate::engine::{self, protocol};

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
    /// `new Engine(JSON.stringify({managed, user}))`: layers the admin's
    /// policy over the user's settings. Missing, `null` or malformed layers
    /// never fail the constructor, and neither does text that is not JSON:
    /// their problems are listed in the effective policy (request `policy`).
    #[wasm_bindgen(constructor)]
    pub fn new(layers: &str) -> WasmEngine {
        WasmEngine {
            inner: engine::Engine::from_layers_json(layers),
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
