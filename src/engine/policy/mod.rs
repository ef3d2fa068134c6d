//! Settings: one model with a default for every field, validation with errors
//! that name the field, and the layering `defaults < user < managed`.
//!
//! Values arrive from `storage.sync` (the user's settings) and
//! `storage.managed` (the admin's policy). Chrome checks managed values
//! against `managed_schema.json`; Firefox passes them through unchecked, and
//! user storage can hold anything. So every field is checked here, and the
//! rules for bad input are:
//!
//! * a bad field is reported and ignored, and the layer below applies;
//! * a bad entry of a list is reported and skipped, the rest of the list stays;
//! * a key the admin set is locked, even if its value was bad (the admin meant
//!   to decide it, so the user's value must not apply; the default does);
//! * no value can switch protection off: there is no "disabled" setting, the
//!   party threshold has an upper bound, at least one host stays protected,
//!   and an internal domain can never be a whole public suffix.
//!
//! The files, from the bottom up:
//!
//! | file          | holds |
//! |---------------|-------|
//! | `errors.rs`   | [`SettingError`]: what can be wrong with a value, with codes for the UI |
//! | `values.rs`   | the types settings hold ([`PolicyAction`], [`MoveStrategy`], [`Placeholder`], [`WhenBlind`]) and [`SUPPORTED_HOSTS`] |
//! | `read.rs`     | reading each kind of value from JSON, leniently, and the limits on values |
//! | `settings.rs` | the table: each setting in one entry, from which [`Settings`], [`Key`] and one layer's values are written |
//! | `layers.rs`   | reading a layer, [`resolve`] (layering and locks) and [`validate_user`] |
//!
//! To add a setting, add its entry to the table in `settings.rs`; a new kind
//! of value also needs its type (`values.rs`, a `choice!` for a word from a
//! list) and, unless it is such a choice, a reader (`read.rs`).

mod errors;
mod layers;
mod read;
mod settings;
#[cfg(test)]
mod tests;
mod values;

pub use errors::SettingError;
pub use layers::{
    resolve, strictest, validate_user, EffectivePolicy, Layer, Problem, UserValidation,
};
pub use read::{MAX_LIST_ENTRIES, MAX_REPORTED_ENTRIES, MIN_PARTIES_RANGE};
pub use settings::{Key, Settings};
pub use values::{MoveStrategy, Placeholder, PolicyAction, WhenBlind, SUPPORTED_HOSTS};
