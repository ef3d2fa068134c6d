//! The exported API in a real browser page (`wasm-pack test --headless --chrome`
//! and `--firefox`). The checks are in `tests/boundary/mod.rs`.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod boundary;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

all_boundary_tests!();
