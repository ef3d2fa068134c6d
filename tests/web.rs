//! The exported API in a real browser page (`wasm-pack test --headless --chrome`
//! and `--firefox`). The checks are in `tests/boundary/mod.rs`.

#![cfg(target_arch = "wasm32")]

mod boundary;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn version_is_exported() {
    boundary::version_is_exported();
}

#[wasm_bindgen_test]
fn evaluate_through_the_boundary() {
    boundary::evaluate_through_the_boundary();
}

#[wasm_bindgen_test]
fn policy_layers_and_locks() {
    boundary::policy_layers_and_locks();
}

#[wasm_bindgen_test]
fn bad_input_never_throws() {
    boundary::bad_input_never_throws();
}

#[wasm_bindgen_test]
fn validation_for_the_options_page() {
    boundary::validation_for_the_options_page();
}

#[wasm_bindgen_test]
fn ten_thousand_recipients() {
    boundary::ten_thousand_recipients();
}
