//! The policy's unit tests: layering, locks, lenient values, problems.

use super::*;
use crate::engine::domain::DomainError;
use serde_json::{json, Value};

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

/// Every entry of the settings table agrees with itself: the default, as
/// the options page stores it, reads back as the default without a
/// problem, under the same names `Key` uses. A new entry whose name, reader
/// or choice words disagree fails here.
#[test]
fn every_default_reads_back_as_itself() {
    let stored = serde_json::to_value(Settings::default()).unwrap();
    let report = validate_user(&stored);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(Value::Object(report.normalized), stored);
    let policy = resolve(&stored, &Value::Null);
    assert_eq!(policy.settings, Settings::default());
    assert_eq!(policy.locked, Key::ALL);

    let names: Vec<&str> = stored
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names.len(), Key::ALL.len());
    for key in Key::ALL {
        assert!(names.contains(&key.name()), "{}", key.name());
        assert_eq!(serde_json::to_value(key).unwrap(), key.name());
        assert_eq!(settings::Key::from_name(key.name()), Some(key));
    }
}

#[test]
fn choices_name_their_words() {
    use values::Choice;
    fn words<T: Choice>() -> String {
        T::CHOICES
            .iter()
            .map(|(word, _)| *word)
            .collect::<Vec<_>>()
            .join(", ")
    }
    assert_eq!(PolicyAction::ALLOWED, words::<PolicyAction>());
    assert_eq!(MoveStrategy::ALLOWED, "external, all");
    assert_eq!(MoveStrategy::ALLOWED, words::<MoveStrategy>());
    for (word, choice) in PolicyAction::CHOICES {
        assert_eq!(serde_json::to_value(choice).unwrap(), *word);
    }
}

/// `SUPPORTED_HOSTS` is every host of `data/webmail-hosts.json`, in order
/// (build.rs writes it from the file), and all of them are protected by default.
#[test]
fn supported_hosts_are_the_data_files() {
    let file: Value =
        serde_json::from_str(include_str!("../../../data/webmail-hosts.json")).unwrap();
    let hosts: Vec<&str> = file["webmails"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|webmail| webmail["hosts"].as_array().unwrap())
        .map(|host| host.as_str().unwrap())
        .collect();
    assert_eq!(SUPPORTED_HOSTS, hosts);
    assert_eq!(Settings::default().protected_hosts, hosts);
}
