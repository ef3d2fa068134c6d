//! Every message the engine can ask the UI to show exists in English and
//! Japanese, with as many placeholders as the engine supplies arguments.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use bcc_guard::engine::exposure::ReasonCode;
use bcc_guard::engine::policy::{SettingError, MIN_PARTIES_RANGE};
use serde_json::Value;

fn catalogue(lang: &str) -> Value {
    let path = format!(
        "{}/www/_locales/{lang}/messages.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check(lang: &str, name: &str, arity: usize) {
    let messages = catalogue(lang);
    let entry = messages
        .get(name)
        .unwrap_or_else(|| panic!("{lang} lacks {name}"));
    let text = entry["message"].as_str().unwrap();
    assert!(!text.trim().is_empty(), "{lang} {name} is empty");
    let placeholders = entry
        .get("placeholders")
        .and_then(Value::as_object)
        .map_or(0, |p| p.len());
    assert_eq!(
        placeholders, arity,
        "{lang} {name} has {placeholders} placeholders, the engine gives {arity} arguments"
    );
    for (placeholder, definition) in entry
        .get("placeholders")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert!(
            text.to_lowercase()
                .contains(&format!("${}$", placeholder.to_lowercase())),
            "{lang} {name} does not use ${placeholder}$"
        );
        assert!(definition["content"].as_str().unwrap().starts_with('$'));
    }
}

#[test]
fn reasons_exist_in_both_languages() {
    for (code, arity) in ReasonCode::ALL {
        let name = format!(
            "reason_{}",
            serde_json::to_value(code).unwrap().as_str().unwrap()
        );
        for lang in ["en", "ja"] {
            check(lang, &name, arity);
        }
    }
}

#[test]
fn setting_errors_exist_in_both_languages() {
    for (code, arity) in SettingError::CODES {
        for lang in ["en", "ja"] {
            check(lang, &format!("settingError_{code}"), arity);
        }
    }
    // The range message quotes the engine's actual bounds.
    let (min, max) = MIN_PARTIES_RANGE;
    for lang in ["en", "ja"] {
        let text = catalogue(lang)["settingError_outOfRange"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            text.contains(&min.to_string()) && text.contains(&max.to_string()),
            "{lang}: {text}"
        );
    }
}

#[test]
fn both_languages_have_the_same_messages() {
    let en = catalogue("en");
    let ja = catalogue("ja");
    let names = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(names(&en), names(&ja));
    for name in names(&en) {
        let count = |v: &Value| {
            v[&name]
                .get("placeholders")
                .and_then(Value::as_object)
                .map_or(0, |p| p.len())
        };
        assert_eq!(count(&en), count(&ja), "{name}");
    }
}
