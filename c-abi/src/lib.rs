//! BCC Guard's engine behind a C ABI: JSON text in, JSON text out.
//!
//! The extension's WASM is made by wasm-bindgen, whose glue and whose second
//! (externref) table binaryen's `wasm2js` cannot translate, and the pinned
//! wasm-bindgen refuses a build without reference types. This crate exports
//! the same engine without wasm-bindgen, as a few plain functions over the
//! module's own memory, so that it can be built for MVP wasm32 and turned
//! into JavaScript for the one runtime that may lack WebAssembly: classic
//! Outlook for Windows runs the Office add-in's send handler in a
//! JavaScript-only runtime (see `www/office/engine-cabi.js`, the JavaScript
//! side of this boundary).
//!
//! The protocol is the engine's own (`Engine::handle_json`): the same
//! requests get byte-for-byte the same replies as through `src/wasm.rs`,
//! which `tests/js/office-engines.test.mjs` checks.
//!
//! The calling convention:
//!
//! 1. `bcc_alloc(len)` reserves `len` bytes; the caller writes UTF-8 there.
//! 2. `bcc_engine_new(ptr, len)` takes the policy layers
//!    (`{"managed": …, "user": …}`), frees the buffer, and returns an engine
//!    handle. `bcc_handle(engine, ptr, len)` takes a request, frees its
//!    buffer, and returns a reply buffer: a little-endian `u32` length, then
//!    that many bytes of JSON.
//! 3. The caller copies the reply out and hands it back with
//!    `bcc_free(reply, 4 + length)`; `bcc_engine_free` drops an engine.
//!
//! The release profile aborts on panic, so a panic traps; the JavaScript
//! side then throws the instance away and starts a fresh one, as the
//! wasm-bindgen host does.

use bcc_guard::engine::{protocol, Engine};

/// The protocol version the engine speaks (`engine::protocol::VERSION`).
#[no_mangle]
#[allow(unsafe_code)] // `no_mangle`: see `bcc_alloc`.
pub extern "C" fn bcc_protocol_version() -> u32 {
    protocol::VERSION
}

/// Reserves `len` bytes for the caller to write into.
///
/// Returns null when `len` is zero or the memory cannot be had; the caller
/// then treats the engine as failed.
// `no_mangle` counts as unsafe code (an exported name may clash with another
// library's); the names here are prefixed and this module links with nothing.
#[no_mangle]
#[allow(unsafe_code)]
pub extern "C" fn bcc_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return std::ptr::null_mut();
    }
    let mut buffer = Vec::<u8>::new();
    if buffer.try_reserve_exact(len).is_err() {
        return std::ptr::null_mut();
    }
    buffer.resize(len, 0);
    // The buffer's capacity equals `len` (reserved exactly), so `bcc_free`
    // can rebuild it from the pointer and the length alone.
    Box::into_raw(buffer.into_boxed_slice()).cast::<u8>()
}

/// Frees a buffer from `bcc_alloc`, or a reply from `bcc_handle`.
///
/// # Safety
/// `ptr` must come from `bcc_alloc(len)` (or be a reply of total length
/// `len`) and not have been freed.
#[no_mangle]
#[allow(unsafe_code)]
pub unsafe extern "C" fn bcc_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() && len > 0 {
        // SAFETY: per the contract, `ptr` and `len` describe a boxed slice
        // this module leaked with `Box::into_raw`.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
    }
}

/// Builds an engine from the policy layers (JSON text at `ptr`, `len`
/// bytes) and frees that buffer. Never fails: bad layers become policy
/// problems, as in [`Engine::from_layers_json`].
///
/// # Safety
/// `ptr` and `len` must describe a live buffer from `bcc_alloc`.
#[no_mangle]
#[allow(unsafe_code)]
pub unsafe extern "C" fn bcc_engine_new(ptr: *mut u8, len: usize) -> *mut Engine {
    // SAFETY: the caller passes a buffer from `bcc_alloc`, which it gives up.
    let layers = unsafe { take(ptr, len) };
    // Not UTF-8: the engine records the layers as unreadable and locks the
    // strictest settings, as for any text that is not a JSON object.
    let text = std::str::from_utf8(&layers).unwrap_or("");
    Box::into_raw(Box::new(Engine::from_layers_json(text)))
}

/// Drops an engine from `bcc_engine_new`.
///
/// # Safety
/// `engine` must come from `bcc_engine_new` and not have been freed.
#[no_mangle]
#[allow(unsafe_code)]
pub unsafe extern "C" fn bcc_engine_free(engine: *mut Engine) {
    if !engine.is_null() {
        // SAFETY: per the contract, this is the box `bcc_engine_new` leaked.
        drop(unsafe { Box::from_raw(engine) });
    }
}

/// Answers one protocol request (JSON text at `ptr`, `len` bytes), frees
/// the request's buffer, and returns the reply: a little-endian `u32`
/// length followed by the JSON text. Returns null only if the engine handle
/// is null or memory for the reply cannot be had.
///
/// # Safety
/// `engine` must be live (from `bcc_engine_new`); `ptr` and `len` must
/// describe a live buffer from `bcc_alloc`.
#[no_mangle]
#[allow(unsafe_code)]
pub unsafe extern "C" fn bcc_handle(engine: *const Engine, ptr: *mut u8, len: usize) -> *mut u8 {
    // SAFETY: the caller gives up a buffer from `bcc_alloc`.
    let request = unsafe { take(ptr, len) };
    // SAFETY: per the contract, a live engine from `bcc_engine_new`, only read.
    let Some(engine) = (unsafe { engine.as_ref() }) else {
        return std::ptr::null_mut();
    };
    let reply = engine.handle_json(&request);
    let Ok(length) = u32::try_from(reply.len()) else {
        return std::ptr::null_mut();
    };
    let mut framed = Vec::new();
    if framed.try_reserve_exact(4 + reply.len()).is_err() {
        return std::ptr::null_mut();
    }
    framed.extend_from_slice(&length.to_le_bytes());
    framed.extend_from_slice(&reply);
    Box::into_raw(framed.into_boxed_slice()).cast::<u8>()
}

/// Takes back a buffer from `bcc_alloc` as an owned slice (empty for null).
///
/// # Safety
/// As `bcc_free`: `ptr` and `len` describe a live buffer from `bcc_alloc`.
#[allow(unsafe_code)]
unsafe fn take(ptr: *mut u8, len: usize) -> Box<[u8]> {
    if ptr.is_null() || len == 0 {
        return Box::default();
    }
    // SAFETY: per the contract, the boxed slice `bcc_alloc` leaked.
    unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) }
}
