//! The layers: reading one (the admin's policy or the user's settings) into
//! valid values and problems, layering `defaults < user < managed` with the
//! admin's keys locked, and checking a user layer for the options page. The
//! rules for bad input are the module's (see [`super`]).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::errors::SettingError;
use super::read::MIN_PARTIES_RANGE;
use super::settings::{Key, LayerValues, Settings};
use super::values::{PolicyAction, WhenBlind};

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
            built_in_consumer_domains: crate::engine::consumer::BUILT_IN,
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
        built_in_consumer_domains: crate::engine::consumer::BUILT_IN,
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
        when_blind: WhenBlind::Ask,
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
        normalized: stored_form(&layer.values, &layer.present),
        problems: layer.problems,
    }
}

/// The valid values of a layer among `present`, as JSON in the stored form.
fn stored_form(values: &LayerValues, present: &[Key]) -> Map<String, Value> {
    let keys: Vec<Key> = present
        .iter()
        .copied()
        .filter(|&key| values.has(key))
        .collect();
    let mut settings = Settings::default();
    for &key in &keys {
        values.apply(key, &mut settings);
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
        parsed.values.read(key, value, &mut report);
    }
    parsed
}
