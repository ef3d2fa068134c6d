//! BCC Guard's decision engine.
//!
//! BCC Guard stops webmail users from exposing recipients' addresses to each
//! other. Everything it decides — parsing recipients, telling internal from
//! external, the exposure rule, the move to Bcc, policy validation and
//! layering — lives in [`engine`], which is plain Rust with no web dependency
//! and is tested natively.
//!
//! [`wasm`] is the thin boundary that exports the engine to the extension's
//! background and options page through wasm-bindgen. It converts values and
//! turns every failure into an error reply; it decides nothing.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod engine;

#[cfg(feature = "wasm")]
pub mod wasm;
