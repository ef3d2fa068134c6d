//! The exported API in a service worker, where the extension's background runs in Chromium
//! (`wasm-pack test --headless --chrome`). The checks are in `tests/boundary/mod.rs`.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod boundary;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

all_boundary_tests!();
