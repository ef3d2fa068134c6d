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

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use thiserror::Error;

use std::hash::Hash;

use super::address::Address;
use super::consumer::{ConsumerPattern, ConsumerSet};
use super::domain::{DomainError, DomainPattern};
use super::hashing::FastSet;

/// The webmail hosts the extension's content scripts run on.
pub const SUPPORTED_HOSTS: [&str; 5] = [
    "mail.google.com",
    "outlook.office.com",
    "outlook.office365.com",
    "outlook.live.com",
    "outlook.cloud.microsoft",
];

/// The lowest and highest party threshold a policy may set.
pub const MIN_PARTIES_RANGE: (u32, u32) = (2, 50);

/// The most entries a domain list may have; more are reported and cut off.
pub const MAX_LIST_ENTRIES: usize = 2_000;

/// How many bad entries of one list are reported individually; the rest are
/// skipped silently, so that a policy of garbage does not become a reply of
/// garbage.
pub const MAX_REPORTED_ENTRIES: usize = 50;

/// What happens when recipients would be exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyAction {
    /// Stop the send and explain; the user may move, send anyway or cancel.
    Warn,
    /// Stop the send; the user may move or cancel, never send as it is.
    Block,
}

/// Which recipients the move puts in Bcc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoveStrategy {
    /// Only the exposed (external, untrusted) recipients.
    External,
    /// Every recipient of To and Cc.
    All,
}

/// What goes into To when the move would leave it empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// The signed-in account's own address.
    Sender,
    /// Nothing: To stays empty.
    None,
    /// A fixed address, such as `undisclosed-recipients@example.com`.
    Address(Address<'static>),
}

impl Serialize for Placeholder {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Placeholder::Sender => serializer.serialize_str("sender"),
            Placeholder::None => serializer.serialize_str("none"),
            Placeholder::Address(address) => serializer.serialize_str(address.spec()),
        }
    }
}

/// The effective settings the engine decides with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Domains whose recipients are colleagues. The signed-in account's
    /// organisation is always added (unless it is a consumer-mail domain).
    pub internal_domains: Vec<DomainPattern>,
    /// Partners: external, but never counted as exposed and never moved.
    pub trusted_domains: Vec<DomainPattern>,
    /// Additions to the built-in consumer-mail list.
    pub consumer_domains: Vec<ConsumerPattern>,
    /// How many distinct external parties in To/Cc count as an exposure.
    pub min_exposed_parties: u32,
    /// Warn or block.
    pub action: PolicyAction,
    /// Whether the dialog offers "Send anyway" (never when `action` is block).
    pub allow_send_anyway: bool,
    /// What the move puts into an emptied To.
    pub to_placeholder: Placeholder,
    /// Move only the exposed recipients, or all of To and Cc.
    pub move_strategy: MoveStrategy,
    /// The webmail hosts where the guard runs.
    pub protected_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            internal_domains: Vec::new(),
            trusted_domains: Vec::new(),
            consumer_domains: Vec::new(),
            min_exposed_parties: 3,
            action: PolicyAction::Warn,
            allow_send_anyway: true,
            to_placeholder: Placeholder::Sender,
            move_strategy: MoveStrategy::External,
            protected_hosts: SUPPORTED_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
        }
    }
}

/// The name of each setting, as written in storage, policy files and the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Key {
    /// `internalDomains`
    InternalDomains,
    /// `trustedDomains`
    TrustedDomains,
    /// `consumerDomains`
    ConsumerDomains,
    /// `minExposedParties`
    MinExposedParties,
    /// `action`
    Action,
    /// `allowSendAnyway`
    AllowSendAnyway,
    /// `toPlaceholder`
    ToPlaceholder,
    /// `moveStrategy`
    MoveStrategy,
    /// `protectedHosts`
    ProtectedHosts,
}

impl Key {
    /// Every setting.
    pub const ALL: [Key; 9] = [
        Key::InternalDomains,
        Key::TrustedDomains,
        Key::ConsumerDomains,
        Key::MinExposedParties,
        Key::Action,
        Key::AllowSendAnyway,
        Key::ToPlaceholder,
        Key::MoveStrategy,
        Key::ProtectedHosts,
    ];

    /// The name as written in storage and policy.
    pub fn name(self) -> &'static str {
        match self {
            Key::InternalDomains => "internalDomains",
            Key::TrustedDomains => "trustedDomains",
            Key::ConsumerDomains => "consumerDomains",
            Key::MinExposedParties => "minExposedParties",
            Key::Action => "action",
            Key::AllowSendAnyway => "allowSendAnyway",
            Key::ToPlaceholder => "toPlaceholder",
            Key::MoveStrategy => "moveStrategy",
            Key::ProtectedHosts => "protectedHosts",
        }
    }

    fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|key| key.name() == name)
    }
}

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingError {
    /// No setting has this name.
    #[error("there is no such setting")]
    UnknownKey,
    /// The value has the wrong JSON type.
    #[error("expected {expected}")]
    WrongType {
        /// What the setting takes, in words.
        expected: &'static str,
    },
    /// A number outside the allowed range.
    #[error("must be a whole number from {min} to {max}")]
    OutOfRange {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// A word that is not one of the choices.
    #[error("`{value}` is not one of: {allowed}")]
    NotAChoice {
        /// What was given.
        value: String,
        /// The choices, comma-separated.
        allowed: &'static str,
    },
    /// A list entry that is not a domain.
    #[error("`{value}` is not a usable domain: {reason}")]
    InvalidDomain {
        /// What was given.
        value: String,
        /// Why not.
        reason: DomainError,
    },
    /// A consumer-mail domain such as `gmail.com` as internal or trusted: it
    /// would hide every private mailbox there from the rule.
    #[error("`{value}` is a consumer-mail domain; its mailboxes belong to unrelated people")]
    ConsumerDomain {
        /// What was given.
        value: String,
    },
    /// A placeholder that is neither a keyword nor an address.
    #[error("`{value}` is not an email address")]
    InvalidAddress {
        /// What was given.
        value: String,
    },
    /// A host the extension does not run on.
    #[error("`{value}` is not a supported webmail host")]
    UnsupportedHost {
        /// What was given.
        value: String,
    },
    /// An empty host list would switch protection off.
    #[error("at least one webmail host must stay protected")]
    NoHosts,
    /// A list longer than [`MAX_LIST_ENTRIES`].
    #[error("at most {max} entries are used; the rest are ignored")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// The admin's policy exists but could not be read (the host passed why,
    /// or a value that is not an object of settings): the strictest settings
    /// apply instead ([`strictest`]).
    #[error("the policy could not be read ({reason}); the strictest settings apply")]
    Unreadable {
        /// Why, as the host said it (technical, English).
        reason: String,
    },
}

impl SettingError {
    /// Every code [`SettingError::code`] can return, each with the number of
    /// substitutions its message takes (the offending value, or none); the
    /// locale tests check that both languages have a message for each.
    pub const CODES: [(&'static str, usize); 12] = [
        ("unknownKey", 0),
        ("wrongType", 0),
        ("outOfRange", 0),
        ("notAChoice", 1),
        ("publicSuffix", 1),
        ("invalidDomain", 1),
        ("consumerDomain", 1),
        ("invalidAddress", 1),
        ("unsupportedHost", 1),
        ("noHosts", 0),
        ("tooMany", 0),
        ("unreadable", 1),
    ];

    /// A stable code for the UI's message catalogue (`settingError_<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            SettingError::UnknownKey => "unknownKey",
            SettingError::WrongType { .. } => "wrongType",
            SettingError::OutOfRange { .. } => "outOfRange",
            SettingError::NotAChoice { .. } => "notAChoice",
            SettingError::InvalidDomain {
                reason: DomainError::PublicSuffix(_),
                ..
            } => "publicSuffix",
            SettingError::InvalidDomain { .. } => "invalidDomain",
            SettingError::ConsumerDomain { .. } => "consumerDomain",
            SettingError::InvalidAddress { .. } => "invalidAddress",
            SettingError::UnsupportedHost { .. } => "unsupportedHost",
            SettingError::NoHosts => "noHosts",
            SettingError::TooMany { .. } => "tooMany",
            SettingError::Unreadable { .. } => "unreadable",
        }
    }

    /// The offending value, where there is one, for the UI to quote.
    pub fn value(&self) -> Option<&str> {
        match self {
            SettingError::NotAChoice { value, .. }
            | SettingError::InvalidDomain { value, .. }
            | SettingError::ConsumerDomain { value }
            | SettingError::InvalidAddress { value }
            | SettingError::UnsupportedHost { value } => Some(value),
            SettingError::Unreadable { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// The admin's policy (`storage.managed`).
    Managed,
    /// The user's settings (`storage.sync` or `storage.local`).
    User,
}

/// A reported problem: which layer, which setting (and list entry), and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The layer the bad value is in.
    pub layer: Layer,
    /// The setting's name as it was written (unknown names included).
    pub key: String,
    /// The position in a list, for list entries.
    pub index: Option<usize>,
    /// What is wrong.
    pub error: SettingError,
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Problem", 6)?;
        s.serialize_field("layer", &self.layer)?;
        s.serialize_field("key", &self.key)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("code", self.error.code())?;
        s.serialize_field("value", &self.error.value())?;
        s.serialize_field("message", &self.error.to_string())?;
        s.end()
    }
}

/// The settings after layering, which of them the admin locked, and every
/// problem found on the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectivePolicy {
    /// What the engine decides with.
    pub settings: Settings,
    /// Settings the admin set; the user cannot change them.
    pub locked: Vec<Key>,
    /// Bad values that were ignored.
    pub problems: Vec<Problem>,
    /// Whether the admin's policy exists but could not be read, so that the
    /// [`strictest`] settings apply in its place (the problem says why).
    pub managed_unreadable: bool,
    /// The consumer-mail list built into the engine, which `consumerDomains`
    /// adds to: where each address is a party of its own.
    pub built_in_consumer_domains: &'static [&'static str],
}

/// Layers `user` over the defaults and `managed` over both. Either may be any
/// JSON value; `null` means the layer is absent.
///
/// A managed layer that is neither `null` nor an object is a policy that
/// exists but could not be read: the host passes why as text (a policy file
/// that did not arrive, `storage.managed` failing), and any other value is
/// no readable policy either. Not knowing what the admin decided must not
/// weaken protection, so every setting is then locked at its [`strictest`]
/// and the user's layer is not applied (the admin may have locked any of
/// it); its problems are still reported.
pub fn resolve(managed: &Value, user: &Value) -> EffectivePolicy {
    if !(managed.is_null() || managed.is_object()) {
        let reason = managed.as_str().map_or_else(
            || "the policy is not an object of settings".to_owned(),
            str::to_owned,
        );
        let mut problems = vec![Problem {
            layer: Layer::Managed,
            key: String::new(),
            index: None,
            error: SettingError::Unreadable { reason },
        }];
        problems.extend(parse_layer(user, Layer::User).problems);
        return EffectivePolicy {
            settings: strictest(),
            locked: Key::ALL.to_vec(),
            problems,
            managed_unreadable: true,
            built_in_consumer_domains: super::consumer::BUILT_IN,
        };
    }
    let managed = parse_layer(managed, Layer::Managed);
    let user = parse_layer(user, Layer::User);
    let mut settings = Settings::default();
    let mut locked = Vec::new();
    for key in Key::ALL {
        let source = if managed.present.contains(&key) {
            locked.push(key);
            &managed.values
        } else {
            &user.values
        };
        source.apply(key, &mut settings);
    }
    let mut problems = managed.problems;
    problems.extend(user.problems);
    EffectivePolicy {
        settings,
        locked,
        problems,
        managed_unreadable: false,
        built_in_consumer_domains: super::consumer::BUILT_IN,
    }
}

/// The settings that stand in for an admin's policy that could not be read:
/// the defaults, made as strict as a policy can make them — two unrelated
/// parties are an exposure, and the send is blocked (no "Send anyway"). The
/// admin's internal and trusted domains are unknown, so only the account's
/// own organisation is internal: more recipients count as outsiders, never
/// fewer.
pub fn strictest() -> Settings {
    Settings {
        min_exposed_parties: MIN_PARTIES_RANGE.0,
        action: PolicyAction::Block,
        allow_send_anyway: false,
        ..Settings::default()
    }
}

/// The result of checking what the options page is about to save.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserValidation {
    /// The valid values, normalised (`Example.COM.` → `example.com`), ready to store.
    #[serde(serialize_with = "whole_numbers")]
    pub normalized: Map<String, Value>,
    /// What is wrong, per field.
    pub problems: Vec<Problem>,
}

/// Writes settings as JSON without serde_json's formatting of fractions,
/// which no setting holds (the threshold is a whole number) and which would
/// otherwise be the only float formatting in the WASM.
fn whole_numbers<S: Serializer>(
    map: &Map<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Whole<'v>(&'v Value);
    impl Serialize for Whole<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Bool(b) => serializer.serialize_bool(*b),
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(whole), _) => serializer.serialize_u64(whole),
                    (None, Some(whole)) => serializer.serialize_i64(whole),
                    (None, None) => serializer.serialize_unit(),
                },
                Value::String(text) => serializer.serialize_str(text),
                Value::Array(items) => serializer.collect_seq(items.iter().map(Whole)),
                Value::Object(map) => {
                    serializer.collect_map(map.iter().map(|(k, v)| (k, Whole(v))))
                }
                Value::Null => serializer.serialize_unit(),
            }
        }
    }
    serializer.collect_map(map.iter().map(|(k, v)| (k, Whole(v))))
}

/// Checks a user layer on its own, for live validation in the options page.
pub fn validate_user(value: &Value) -> UserValidation {
    let layer = parse_layer(value, Layer::User);
    UserValidation {
        normalized: layer.values.to_json(&layer.present),
        problems: layer.problems,
    }
}

/// One layer's valid values; `None` where the layer has no valid value.
#[derive(Debug, Default)]
struct LayerValues {
    internal_domains: Option<Vec<DomainPattern>>,
    trusted_domains: Option<Vec<DomainPattern>>,
    consumer_domains: Option<Vec<ConsumerPattern>>,
    min_exposed_parties: Option<u32>,
    action: Option<PolicyAction>,
    allow_send_anyway: Option<bool>,
    to_placeholder: Option<Placeholder>,
    move_strategy: Option<MoveStrategy>,
    protected_hosts: Option<Vec<String>>,
}

impl LayerValues {
    /// Copies this layer's value for `key` into `settings`, or the default.
    fn apply(&self, key: Key, settings: &mut Settings) {
        let defaults = Settings::default();
        match key {
            Key::InternalDomains => {
                settings.internal_domains = self
                    .internal_domains
                    .clone()
                    .unwrap_or(defaults.internal_domains)
            }
            Key::TrustedDomains => {
                settings.trusted_domains = self
                    .trusted_domains
                    .clone()
                    .unwrap_or(defaults.trusted_domains)
            }
            Key::ConsumerDomains => {
                settings.consumer_domains = self
                    .consumer_domains
                    .clone()
                    .unwrap_or(defaults.consumer_domains)
            }
            Key::MinExposedParties => {
                settings.min_exposed_parties = self
                    .min_exposed_parties
                    .unwrap_or(defaults.min_exposed_parties)
            }
            Key::Action => settings.action = self.action.unwrap_or(defaults.action),
            Key::AllowSendAnyway => {
                settings.allow_send_anyway =
                    self.allow_send_anyway.unwrap_or(defaults.allow_send_anyway)
            }
            Key::ToPlaceholder => {
                settings.to_placeholder = self
                    .to_placeholder
                    .clone()
                    .unwrap_or(defaults.to_placeholder)
            }
            Key::MoveStrategy => {
                settings.move_strategy = self.move_strategy.unwrap_or(defaults.move_strategy)
            }
            Key::ProtectedHosts => {
                settings.protected_hosts = self
                    .protected_hosts
                    .clone()
                    .unwrap_or(defaults.protected_hosts)
            }
        }
    }

    /// The valid values among `present`, as JSON in the stored form.
    fn to_json(&self, present: &[Key]) -> Map<String, Value> {
        let keys: Vec<Key> = present
            .iter()
            .copied()
            .filter(|&key| self.has(key))
            .collect();
        let mut settings = Settings::default();
        for &key in &keys {
            self.apply(key, &mut settings);
        }
        // Through JSON text rather than `serde_json::to_value`: the engine
        // already writes settings as text (the `policy` reply) and reads
        // text into values (layers, `validate`), so this adds no code, while
        // `to_value` would compile a second serializer for every setting type.
        let all = serde_json::to_string(&settings)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok());
        let Some(Value::Object(mut all)) = all else {
            return Map::new();
        };
        // Removing what is absent, rather than collecting what is present
        // into a new map: collecting builds the map by sorting, and that
        // sort would be the only one of its kind in the WASM.
        all.retain(|name, _| keys.iter().any(|key| key.name() == name));
        all
    }

    fn has(&self, key: Key) -> bool {
        match key {
            Key::InternalDomains => self.internal_domains.is_some(),
            Key::TrustedDomains => self.trusted_domains.is_some(),
            Key::ConsumerDomains => self.consumer_domains.is_some(),
            Key::MinExposedParties => self.min_exposed_parties.is_some(),
            Key::Action => self.action.is_some(),
            Key::AllowSendAnyway => self.allow_send_anyway.is_some(),
            Key::ToPlaceholder => self.to_placeholder.is_some(),
            Key::MoveStrategy => self.move_strategy.is_some(),
            Key::ProtectedHosts => self.protected_hosts.is_some(),
        }
    }
}

struct ParsedLayer {
    values: LayerValues,
    /// Keys the layer set, whether or not their values were valid.
    present: Vec<Key>,
    problems: Vec<Problem>,
}

fn parse_layer(value: &Value, layer: Layer) -> ParsedLayer {
    let mut parsed = ParsedLayer {
        values: LayerValues::default(),
        present: Vec::new(),
        problems: Vec::new(),
    };
    let object = match value {
        Value::Null => return parsed,
        Value::Object(object) => object,
        _ => {
            parsed.problems.push(Problem {
                layer,
                key: String::new(),
                index: None,
                error: SettingError::WrongType {
                    expected: "an object of settings",
                },
            });
            return parsed;
        }
    };
    for (name, value) in object {
        let Some(key) = Key::from_name(name) else {
            parsed.problems.push(Problem {
                layer,
                key: name.clone(),
                index: None,
                error: SettingError::UnknownKey,
            });
            continue;
        };
        if value.is_null() {
            continue;
        }
        parsed.present.push(key);
        let mut report = |index: Option<usize>, error: SettingError| {
            parsed.problems.push(Problem {
                layer,
                key: name.clone(),
                index,
                error,
            });
        };
        let values = &mut parsed.values;
        match key {
            Key::InternalDomains => {
                values.internal_domains = parse_list(value, &mut report, parse_organisation)
            }
            Key::TrustedDomains => {
                values.trusted_domains = parse_list(value, &mut report, parse_organisation)
            }
            Key::ConsumerDomains => {
                values.consumer_domains = parse_list(value, &mut report, |text| {
                    ConsumerPattern::parse(text).map_err(|reason| invalid_domain(text, reason))
                })
            }
            Key::MinExposedParties => {
                values.min_exposed_parties =
                    parse_threshold(value).map_err(|e| report(None, e)).ok()
            }
            Key::Action => {
                values.action = parse_choice(
                    value,
                    &[("warn", PolicyAction::Warn), ("block", PolicyAction::Block)],
                    "warn, block",
                )
                .map_err(|e| report(None, e))
                .ok()
            }
            Key::AllowSendAnyway => {
                values.allow_send_anyway = parse_bool(value).map_err(|e| report(None, e)).ok()
            }
            Key::ToPlaceholder => {
                values.to_placeholder = parse_placeholder(value).map_err(|e| report(None, e)).ok()
            }
            Key::MoveStrategy => {
                values.move_strategy = parse_choice(
                    value,
                    &[
                        ("external", MoveStrategy::External),
                        ("all", MoveStrategy::All),
                    ],
                    "external, all",
                )
                .map_err(|e| report(None, e))
                .ok()
            }
            Key::ProtectedHosts => values.protected_hosts = parse_hosts(value, &mut report),
        }
    }
    parsed
}

/// The strings of a list value. A single string is accepted too, split at
/// commas, semicolons and white space, because that is what a registry value
/// or a pasted line holds.
fn list_items<'v>(
    value: &'v Value,
    report: &mut impl FnMut(Option<usize>, SettingError),
) -> Option<Vec<(usize, &'v str)>> {
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item.as_str() {
                    Some(text) => Some((i, text)),
                    None => {
                        report(Some(i), SettingError::WrongType { expected: "a text" });
                        None
                    }
                })
                .collect(),
        ),
        Value::String(text) => Some(
            text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .enumerate()
                .collect(),
        ),
        _ => {
            report(
                None,
                SettingError::WrongType {
                    expected: "a list of texts",
                },
            );
            None
        }
    }
}

/// A list of patterns: bad entries are reported and skipped, duplicates
/// dropped, and the list cut at [`MAX_LIST_ENTRIES`]. Duplicates are found
/// with a hash set, so that a list padded with copies costs linear time, and
/// at most [`MAX_REPORTED_ENTRIES`] bad entries are reported one by one.
fn parse_list<T: Eq + Hash + Clone>(
    value: &Value,
    report: &mut impl FnMut(Option<usize>, SettingError),
    parse: impl Fn(&str) -> Result<T, SettingError>,
) -> Option<Vec<T>> {
    let items = list_items(value, report)?;
    let mut out: Vec<T> = Vec::new();
    let mut seen: FastSet<T> = FastSet::default();
    // A text met before gives the same answer again: skip it before parsing.
    let mut texts: FastSet<&str> = FastSet::default();
    let mut reported = 0;
    for (index, text) in items {
        if text.trim().is_empty() || !texts.insert(text) {
            continue;
        }
        match parse(text) {
            Ok(pattern) if seen.contains(&pattern) => {}
            Ok(_) if out.len() >= MAX_LIST_ENTRIES => {
                report(
                    Some(index),
                    SettingError::TooMany {
                        max: MAX_LIST_ENTRIES,
                    },
                );
                break;
            }
            Ok(pattern) => {
                seen.insert(pattern.clone());
                out.push(pattern);
            }
            Err(error) => {
                if reported < MAX_REPORTED_ENTRIES {
                    report(Some(index), error);
                }
                reported += 1;
            }
        }
    }
    Some(out)
}

/// An internal or trusted domain: a domain pattern that is neither a public
/// suffix nor a consumer-mail domain.
fn parse_organisation(text: &str) -> Result<DomainPattern, SettingError> {
    let pattern = DomainPattern::parse(text).map_err(|reason| invalid_domain(text, reason))?;
    if ConsumerSet::built_in().contains(pattern.domain())
        || ConsumerSet::built_in_within(pattern.domain()).is_some()
    {
        return Err(SettingError::ConsumerDomain {
            value: truncate(text),
        });
    }
    Ok(pattern)
}

fn invalid_domain(text: &str, reason: DomainError) -> SettingError {
    SettingError::InvalidDomain {
        value: truncate(text),
        reason,
    }
}

fn parse_hosts(
    value: &Value,
    report: &mut impl FnMut(Option<usize>, SettingError),
) -> Option<Vec<String>> {
    let items = list_items(value, report)?;
    let mut hosts: Vec<String> = Vec::new();
    for (index, text) in items {
        let host = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if !SUPPORTED_HOSTS.contains(&host.as_str()) {
            report(
                Some(index),
                SettingError::UnsupportedHost {
                    value: truncate(text),
                },
            );
        } else if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        report(None, SettingError::NoHosts);
        return None;
    }
    Some(hosts)
}

fn parse_threshold(value: &Value) -> Result<u32, SettingError> {
    let (min, max) = MIN_PARTIES_RANGE;
    let out_of_range = || SettingError::OutOfRange { min, max };
    let wrong_type = SettingError::WrongType {
        expected: "a whole number",
    };
    let number = match value {
        Value::Number(n) => match n.as_u64() {
            Some(whole) => whole,
            // `3.0` is whole; a fraction or a negative number is out of range.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            None => match n.as_f64() {
                Some(float) if float.fract() == 0.0 && (0.0..1e18).contains(&float) => float as u64,
                _ => return Err(out_of_range()),
            },
        },
        // Registry values and form fields arrive as text.
        Value::String(s) => whole_number_text(s.trim())
            .ok_or(wrong_type)?
            .ok_or_else(out_of_range)?,
        _ => return Err(wrong_type),
    };
    u32::try_from(number)
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(out_of_range)
}

/// Reads a whole number written as text: digits, optionally followed by a
/// decimal point and zeros (`"3"`, `"3.0"`). `None` when the text is not a
/// number; `Some(None)` for a number that is not a whole one that fits
/// (`"3.5"`, never rounded, or more digits than a u64 holds). Parsed by hand
/// rather than as an `f64`: the float parser and its tables would be the
/// only float code in the WASM.
fn whole_number_text(text: &str) -> Option<Option<u64>> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    Some(
        whole
            .parse::<u64>()
            .ok()
            .filter(|_| fraction.bytes().all(|b| b == b'0')),
    )
}

fn parse_bool(value: &Value) -> Result<bool, SettingError> {
    match value {
        Value::Bool(b) => Ok(*b),
        // A REG_DWORD of 0 or 1, as Windows policy writes booleans.
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(SettingError::WrongType {
            expected: "true or false",
        }),
    }
}

fn parse_choice<T: Copy>(
    value: &Value,
    choices: &[(&str, T)],
    allowed: &'static str,
) -> Result<T, SettingError> {
    let text = value
        .as_str()
        .ok_or(SettingError::WrongType { expected: "a text" })?;
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
        .map(|(_, choice)| *choice)
        .ok_or_else(|| SettingError::NotAChoice {
            value: truncate(text),
            allowed,
        })
}

fn parse_placeholder(value: &Value) -> Result<Placeholder, SettingError> {
    let text = value.as_str().ok_or(SettingError::WrongType {
        expected: "\"sender\", \"none\" or an address",
    })?;
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("sender") {
        Ok(Placeholder::Sender)
    } else if trimmed.eq_ignore_ascii_case("none") {
        Ok(Placeholder::None)
    } else {
        Address::parse(trimmed)
            .map(|address| Placeholder::Address(address.into_owned()))
            .map_err(|_| SettingError::InvalidAddress {
                value: truncate(text),
            })
    }
}

/// Quotes at most 200 characters of a bad value, so that a megabyte of garbage
/// in a policy does not become a megabyte of error message.
pub(crate) fn truncate(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_when_nothing_is_set() {
        let policy = resolve(&Value::Null, &Value::Null);
        assert_eq!(policy.settings, Settings::default());
        assert!(policy.locked.is_empty());
        assert!(policy.problems.is_empty());
        assert_eq!(policy.settings.min_exposed_parties, 3);
    }

    #[test]
    fn managed_beats_user_and_locks() {
        let policy = resolve(
            &json!({"minExposedParties": 2, "internalDomains": ["corp.example"]}),
            &json!({"minExposedParties": 10, "action": "block", "internalDomains": ["x.example"]}),
        );
        assert_eq!(policy.settings.min_exposed_parties, 2);
        assert_eq!(policy.settings.action, PolicyAction::Block);
        assert_eq!(
            policy.settings.internal_domains[0].to_string(),
            "corp.example"
        );
        assert_eq!(
            policy.locked,
            vec![Key::InternalDomains, Key::MinExposedParties]
        );
    }

    #[test]
    fn bad_managed_value_is_reported_ignored_and_still_locked() {
        let policy = resolve(
            &json!({"minExposedParties": "two", "action": 7, "bogus": true}),
            &json!({"minExposedParties": 9, "action": "block"}),
        );
        // The admin's intent to decide stands: the default applies, not the user's value.
        assert_eq!(policy.settings.min_exposed_parties, 3);
        assert_eq!(policy.settings.action, PolicyAction::Warn);
        assert!(policy.locked.contains(&Key::MinExposedParties));
        let codes: Vec<_> = policy
            .problems
            .iter()
            .map(|p| (p.key.as_str(), p.error.code()))
            .collect();
        assert!(codes.contains(&("minExposedParties", "wrongType")));
        assert!(codes.contains(&("action", "wrongType")));
        assert!(codes.contains(&("bogus", "unknownKey")));
        assert!(policy.problems.iter().all(|p| p.layer == Layer::Managed));
    }

    #[test]
    fn lists_keep_good_entries() {
        let policy = resolve(
            &Value::Null,
            &json!({"internalDomains": ["Example.COM.", 5, "com", "bad domain", "example.com", "*.corp.example"]}),
        );
        let domains: Vec<String> = policy
            .settings
            .internal_domains
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(domains, ["example.com", "*.corp.example"]);
        let indexed: Vec<_> = policy
            .problems
            .iter()
            .map(|p| (p.index, p.error.code()))
            .collect();
        assert_eq!(
            indexed,
            [
                (Some(1), "wrongType"),
                (Some(2), "publicSuffix"),
                (Some(3), "invalidDomain")
            ]
        );
    }

    #[test]
    fn string_lists_are_split() {
        let policy = resolve(
            &json!({"trustedDomains": "a.example, b.example;c.example\nd.example"}),
            &Value::Null,
        );
        assert_eq!(policy.settings.trusted_domains.len(), 4);
    }

    #[test]
    fn nothing_switches_protection_off() {
        let policy = resolve(
            &json!({"protectedHosts": [], "minExposedParties": 1000}),
            &json!({"protectedHosts": ["evil.example"]}),
        );
        assert_eq!(policy.settings.protected_hosts.len(), SUPPORTED_HOSTS.len());
        assert_eq!(policy.settings.min_exposed_parties, 3);
        // A user layer of the wrong type is reported and the defaults apply.
        assert_eq!(
            resolve(&Value::Null, &json!("garbage")).problems[0]
                .error
                .code(),
            "wrongType"
        );
        assert_eq!(
            resolve(&Value::Null, &json!([1, 2])).settings,
            Settings::default()
        );
    }

    #[test]
    fn an_unreadable_policy_locks_the_strictest_settings() {
        // What a host passes when the admin's policy exists but did not
        // arrive, and values that are no readable policy either.
        for managed in [
            json!("policy.json could not be read: HTTP 500"),
            json!([1, 2]),
            json!(7),
            json!(true),
        ] {
            let policy = resolve(
                &managed,
                &json!({"minExposedParties": 9, "internalDomains": ["partner.example"], "x": 1}),
            );
            assert!(policy.managed_unreadable, "{managed}");
            assert_eq!(policy.settings, strictest(), "{managed}");
            assert_eq!(policy.settings.action, PolicyAction::Block);
            assert_eq!(policy.settings.min_exposed_parties, 2);
            assert!(!policy.settings.allow_send_anyway);
            assert_eq!(
                policy.locked,
                Key::ALL.to_vec(),
                "the user can weaken nothing"
            );
            assert_eq!(policy.problems[0].layer, Layer::Managed);
            assert_eq!(policy.problems[0].error.code(), "unreadable");
            // The user's own mistakes are still reported.
            assert_eq!(policy.problems[1].key, "x");
        }
        let reason = resolve(&json!("HTTP 500"), &Value::Null).problems[0]
            .error
            .value()
            .map(str::to_owned);
        assert_eq!(reason.as_deref(), Some("HTTP 500"));
        // No policy at all, or an empty one, is not unreadable.
        assert!(!resolve(&Value::Null, &Value::Null).managed_unreadable);
        assert!(!resolve(&json!({}), &Value::Null).managed_unreadable);
    }

    #[test]
    fn huge_lists_are_cut_and_reported() {
        let many: Vec<String> = (0..MAX_LIST_ENTRIES + 10)
            .map(|i| format!("d{i}.example"))
            .collect();
        let policy = resolve(&json!({"trustedDomains": many}), &Value::Null);
        assert_eq!(policy.settings.trusted_domains.len(), MAX_LIST_ENTRIES);
        assert_eq!(policy.problems.len(), 1);
        assert_eq!(policy.problems[0].error.code(), "tooMany");
    }

    #[test]
    fn lenient_scalars() {
        let policy = resolve(
            &Value::Null,
            &json!({"minExposedParties": "2", "allowSendAnyway": 0, "action": " BLOCK ",
                    "toPlaceholder": "Undisclosed@Example.com", "moveStrategy": "all"}),
        );
        assert!(policy.problems.is_empty(), "{:?}", policy.problems);
        assert_eq!(policy.settings.min_exposed_parties, 2);
        assert!(!policy.settings.allow_send_anyway);
        assert_eq!(policy.settings.action, PolicyAction::Block);
        assert_eq!(policy.settings.move_strategy, MoveStrategy::All);
        assert!(matches!(
            policy.settings.to_placeholder,
            Placeholder::Address(_)
        ));
        let bad = resolve(
            &Value::Null,
            &json!({"minExposedParties": 2.5, "toPlaceholder": "nobody", "trustedDomains": ["gmail.com", "x.hotmail.co.jp", "softbank.jp"]}),
        );
        let codes: Vec<_> = bad.problems.iter().map(|p| p.error.code()).collect();
        assert_eq!(
            codes,
            [
                "outOfRange",
                "invalidAddress",
                "consumerDomain",
                "consumerDomain",
                "consumerDomain"
            ]
        );
    }

    #[test]
    fn validation_normalises_for_storage() {
        let report = validate_user(
            &json!({"internalDomains": ["Example.COM."], "minExposedParties": "4", "x": 1}),
        );
        assert_eq!(
            report.normalized,
            json!({"internalDomains": ["example.com"], "minExposedParties": 4})
                .as_object()
                .cloned()
                .unwrap()
        );
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].key, "x");
    }

    #[test]
    fn every_error_code_is_listed_with_its_arity() {
        let examples = [
            SettingError::UnknownKey,
            SettingError::WrongType { expected: "x" },
            SettingError::OutOfRange { min: 2, max: 50 },
            SettingError::NotAChoice {
                value: "x".into(),
                allowed: "a",
            },
            SettingError::InvalidDomain {
                value: "x".into(),
                reason: DomainError::PublicSuffix("com".into()),
            },
            SettingError::InvalidDomain {
                value: "x".into(),
                reason: DomainError::Empty,
            },
            SettingError::ConsumerDomain { value: "x".into() },
            SettingError::InvalidAddress { value: "x".into() },
            SettingError::UnsupportedHost { value: "x".into() },
            SettingError::NoHosts,
            SettingError::TooMany { max: 1 },
            SettingError::Unreadable { reason: "x".into() },
        ];
        assert_eq!(examples.len(), SettingError::CODES.len());
        for error in examples {
            let arity = usize::from(error.value().is_some());
            assert!(
                SettingError::CODES.contains(&(error.code(), arity)),
                "{}",
                error.code()
            );
        }
    }

    #[test]
    fn problems_serialize_with_code_and_message() {
        let report = validate_user(&json!({"action": "maybe"}));
        let json = serde_json::to_value(&report.problems[0]).unwrap();
        assert_eq!(json["code"], "notAChoice");
        assert_eq!(json["value"], "maybe");
        assert_eq!(json["key"], "action");
        assert!(json["message"].as_str().unwrap().contains("warn, block"));
    }
}
