//! The table of settings: each setting's key, name, type, default and reader
//! in one entry, and the types the table writes from it.
//!
//! The settings are listed once, in `settings!`'s invocation below, and
//! the macro writes everything that must name every setting:
//!
//! - [`Settings`], the effective settings, with the name as its serialised
//!   key (the `policy` reply, the options page's stored form) and its
//!   [`Default`];
//! - [`Key`], with [`Key::ALL`] and [`Key::name`];
//! - `LayerValues`, one layer's valid values, and its `read`, `has` and
//!   `apply` for one key, which `layers.rs` runs over [`Key::ALL`].
//!
//! So adding a setting is one entry in the table (and, for a new kind of
//! value, its type in `values.rs` and its reader in `read.rs`); nothing else
//! names the settings one by one. The table's order is the order of
//! [`Key::ALL`], of the serialised settings and of `locked`.

use serde::Serialize;
use serde_json::Value;

use super::read::{self, Report};
use super::values::{supported_hosts, MoveStrategy, Placeholder, PolicyAction, WhenBlind};
use crate::engine::consumer::ConsumerPattern;
use crate::engine::domain::DomainPattern;

/// Writes the types above from the table. Each entry reads
///
/// ```text
/// /// Its rustdoc.
/// Key "name" field: Type = default, reader;
/// ```
///
/// `Key` is the [`Key`] variant, `"name"` the name in storage, policy files
/// and `managed_schema.json`, `field` the [`Settings`] field, `default` an
/// expression for its default, and `reader` a function of `read.rs` that
/// reads the value from JSON (`read::choice` for any type `choice!` made).
macro_rules! settings {
    ($(
        $(#[$doc:meta])*
        $key:ident $name:literal $field:ident: $type:ty = $default:expr, $reader:path;
    )*) => {
        /// The effective settings the engine decides with.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Settings {
            $(
                $(#[$doc])*
                #[serde(rename = $name)]
                pub $field: $type,
            )*
        }

        impl Default for Settings {
            fn default() -> Self {
                Settings {
                    $($field: $default,)*
                }
            }
        }

        /// The name of each setting, as written in storage, policy files and the schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Key {
            $(
                #[doc = concat!("`", $name, "`")]
                #[serde(rename = $name)]
                $key,
            )*
        }

        impl Key {
            /// Every setting, in the table's order.
            pub const ALL: [Key; [$(Key::$key),*].len()] = [$(Key::$key),*];

            /// The name as written in storage and policy.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)*
                }
            }
        }

        /// One layer's valid values; `None` where the layer has no valid value.
        #[derive(Debug, Default)]
        pub(super) struct LayerValues {
            $($field: Option<$type>,)*
        }

        impl LayerValues {
            /// Reads `value` as this layer's value for `key`; what is wrong
            /// with it goes to `report`, and an invalid value leaves none.
            pub(super) fn read(&mut self, key: Key, value: &Value, report: &mut impl Report) {
                match key {
                    $(Key::$key => self.$field = $reader(value, report),)*
                }
            }

            /// Whether this layer has a valid value for `key`.
            pub(super) fn has(&self, key: Key) -> bool {
                match key {
                    $(Key::$key => self.$field.is_some(),)*
                }
            }

            /// Copies this layer's value for `key` into `settings`, or the default.
            pub(super) fn apply(&self, key: Key, settings: &mut Settings) {
                match key {
                    $(Key::$key => {
                        settings.$field = match &self.$field {
                            Some(value) => value.clone(),
                            None => $default,
                        }
                    })*
                }
            }
        }
    };
}

settings! {
    /// Domains whose recipients are colleagues. The signed-in account's
    /// organisation is always added (unless it is a consumer-mail domain).
    InternalDomains "internalDomains" internal_domains: Vec<DomainPattern> = Vec::new(),
        read::organisations;
    /// Partners: external, but never counted as exposed and never moved.
    TrustedDomains "trustedDomains" trusted_domains: Vec<DomainPattern> = Vec::new(),
        read::organisations;
    /// Additions to the built-in consumer-mail list.
    ConsumerDomains "consumerDomains" consumer_domains: Vec<ConsumerPattern> = Vec::new(),
        read::consumer_domains;
    /// How many distinct external parties in To/Cc count as an exposure.
    MinExposedParties "minExposedParties" min_exposed_parties: u32 = 3,
        read::threshold;
    /// Warn or block.
    Action "action" action: PolicyAction = PolicyAction::Warn,
        read::choice;
    /// Whether the dialog offers "Send anyway" (never when `action` is block).
    AllowSendAnyway "allowSendAnyway" allow_send_anyway: bool = true,
        read::boolean;
    /// What the move puts into an emptied To.
    ToPlaceholder "toPlaceholder" to_placeholder: Placeholder = Placeholder::Sender,
        read::placeholder;
    /// Move only the exposed recipients, or all of To and Cc.
    MoveStrategy "moveStrategy" move_strategy: MoveStrategy = MoveStrategy::External,
        read::choice;
    /// The webmail hosts where the guard runs.
    ProtectedHosts "protectedHosts" protected_hosts: Vec<String> = supported_hosts(),
        read::hosts;
    /// What a send in a compose BCC Guard cannot read does: held (ask) or let go after a visible notice.
    WhenBlind "whenBlind" when_blind: WhenBlind = WhenBlind::Ask,
        read::choice;
    /// Whether the compose shows the live notice of what Send would stop.
    ComposeNotice "composeNotice" compose_notice: bool = true,
        read::boolean;
}

impl Key {
    /// The setting called `name` in storage and policy, if there is one.
    pub(super) fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|key| key.name() == name)
    }
}
