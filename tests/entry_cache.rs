//! The entry cache (src/engine/entry_cache.rs) never changes an answer: an
//! engine asked about a sequence of composes, each a small edit of the one
//! before (an entry added, removed, changed, two swapped, one moved to
//! another field, the account changed, the settings changed, which the
//! background answers with a new engine), replies byte for byte as a fresh
//! engine replies to each compose alone, for `evaluate` and for `verify`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bcc_guard::engine::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};

/// One entry of a field, as a content script sends it.
#[derive(Debug, Clone)]
enum Entry {
    Chip {
        name: Option<String>,
        address: Option<String>,
    },
    Text(String),
}

impl Entry {
    fn json(&self) -> Value {
        match self {
            Entry::Chip { name, address } => json!({ "name": name, "address": address }),
            Entry::Text(text) => json!({ "text": text }),
        }
    }
}

/// Names and addresses that take every path of the reader: borrowed and
/// unescaped text (quotes and backslashes arrive escaped in JSON), upper
/// case, Unicode and full-width forms, unreadable chips, names that show
/// another address.
const NAMES: &[&str] = &[
    "Alice",
    " Bob ",
    "\"Quoted\" x",
    "ceo@corp.example",
    "長い 名前",
    "",
    "back\\slash",
];
const ADDRESSES: &[&str] = &[
    "alice@corp.example",
    "Bob@Example.COM",
    "x@bücher.de",
    "ｘ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    " pad@gmail.com ",
    "person@gmail.com",
    "not an address",
    "",
    "a@b@c.example",
    "\"q x\"@org1.example",
    "user@org2.co.jp",
    "user@org2.co.jp.",
    "Carol <carol@example.net>",
];
const TEXTS: &[&str] = &[
    "a@b.example, c@d.example",
    "\"User\" <u@gmail.com>",
    "Partner <p@dept.partner.co.jp>; x@mail.corp.example",
    "garbage ,, ; <>",
    "\"ceo@corp.example\" <x@evil.example>",
    "(comment) a@b.example",
    "Ｕ <u@ｃｏｒｐ．example>",
    "",
    "a@b.example\nc@d.example",
    "staff@corp.example",
    "Name \"with\\\" escape\" <n@org3.example>",
];

fn entry() -> impl Strategy<Value = Entry> {
    let pick = |pool: &'static [&'static str]| {
        prop::option::of(prop::sample::select(pool).prop_map(str::to_owned))
    };
    prop_oneof![
        (pick(NAMES), pick(ADDRESSES)).prop_map(|(name, address)| Entry::Chip { name, address }),
        prop::sample::select(TEXTS).prop_map(|t| Entry::Text(t.to_owned())),
        // Random text in the same alphabet, to reach what the pools do not.
        "[a-cA-C@.<>\", ;()ａ＠]{0,24}".prop_map(Entry::Text),
        ("[a-c ]{0,6}", "[a-cA-C@.\" ]{0,16}").prop_map(|(name, address)| Entry::Chip {
            name: Some(name),
            address: Some(address),
        }),
    ]
}

/// One edit between two prechecks.
#[derive(Debug, Clone)]
enum Edit {
    Add(usize, usize, Entry),
    Remove(usize, usize),
    Change(usize, usize, Entry),
    Swap(usize, usize, usize),
    Move(usize, usize, usize),
    Account(Option<&'static str>),
    Settings(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..3usize, any::<usize>(), entry()).prop_map(|(f, i, e)| Edit::Add(f, i, e)),
        2 => (0..3usize, any::<usize>()).prop_map(|(f, i)| Edit::Remove(f, i)),
        4 => (0..3usize, any::<usize>(), entry()).prop_map(|(f, i, e)| Edit::Change(f, i, e)),
        1 => (0..3usize, any::<usize>(), any::<usize>()).prop_map(|(f, i, j)| Edit::Swap(f, i, j)),
        1 => (0..3usize, any::<usize>(), 0..3usize).prop_map(|(f, i, g)| Edit::Move(f, i, g)),
        1 => prop::sample::select(vec![None, Some("me@corp.example"), Some("me@gmail.com"), Some("Me@Org2.co.jp")])
            .prop_map(Edit::Account),
        1 => (0..SETTINGS.len()).prop_map(Edit::Settings),
    ]
}

/// User settings the background may build an engine for.
const SETTINGS: &[&str] = &[
    "null",
    r#"{"internalDomains": ["corp.example"], "minExposedParties": 2}"#,
    r#"{"trustedDomains": ["org2.co.jp"], "consumerDomains": ["org1.example"], "action": "block"}"#,
    r#"{"moveStrategy": "all", "toPlaceholder": "undisclosed@corp.example"}"#,
];

fn engine(settings: usize) -> Engine {
    let user: Value = serde_json::from_str(SETTINGS[settings]).unwrap();
    Engine::new(&Value::Null, &user)
}

#[derive(Debug, Clone, Default)]
struct Compose {
    account: Option<&'static str>,
    fields: [Vec<Entry>; 3],
}

impl Compose {
    fn json(&self) -> Value {
        let field = |f: usize| Value::Array(self.fields[f].iter().map(Entry::json).collect());
        json!({
            "account": self.account,
            "host": "mail.google.com",
            "to": field(0),
            "cc": field(1),
            "bcc": field(2),
        })
    }

    fn apply(&mut self, edit: &Edit) {
        let fields = &mut self.fields;
        match edit.clone() {
            Edit::Add(f, i, e) => {
                let at = i % (fields[f].len() + 1);
                fields[f].insert(at, e);
            }
            Edit::Remove(f, i) if !fields[f].is_empty() => {
                let at = i % fields[f].len();
                fields[f].remove(at);
            }
            Edit::Change(f, i, e) if !fields[f].is_empty() => {
                let at = i % fields[f].len();
                fields[f][at] = e;
            }
            Edit::Swap(f, i, j) if !fields[f].is_empty() => {
                let n = fields[f].len();
                fields[f].swap(i % n, j % n);
            }
            Edit::Move(f, i, g) if !fields[f].is_empty() => {
                let at = i % fields[f].len();
                let e = fields[f].remove(at);
                fields[g].push(e);
            }
            Edit::Account(account) => self.account = account,
            _ => {}
        }
    }
}

fn request(kind: &str, compose: &Compose, original: Option<&Compose>) -> Vec<u8> {
    let mut request = json!({ "v": 1, "kind": kind, "compose": compose.json() });
    if let Some(original) = original {
        request["original"] = original.json();
    }
    serde_json::to_vec(&request).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_cached_engine_answers_as_a_fresh_one(
        start in prop::collection::vec(entry(), 0..12),
        edits in prop::collection::vec(edit(), 1..24),
    ) {
        let mut settings = 0;
        let mut cached = engine(settings);
        let mut compose = Compose { account: Some("me@corp.example"), ..Compose::default() };
        compose.fields[0] = start;
        let mut previous = compose.clone();
        for edit in &edits {
            compose.apply(edit);
            if let Edit::Settings(s) = edit {
                settings = *s;
                cached = engine(settings);
            }
            let evaluate = request("evaluate", &compose, None);
            let got = String::from_utf8(cached.handle_json(&evaluate)).unwrap();
            let want = String::from_utf8(engine(settings).handle_json(&evaluate)).unwrap();
            prop_assert_eq!(&got, &want, "evaluate after {:?}", edit);
            // The move's check reads both composes through the same cache.
            let verify = request("verify", &compose, Some(&previous));
            let got = String::from_utf8(cached.handle_json(&verify)).unwrap();
            let want = String::from_utf8(engine(settings).handle_json(&verify)).unwrap();
            prop_assert_eq!(&got, &want, "verify after {:?}", edit);
            previous = compose.clone();
        }
    }
}

/// A compose larger than the cache's bounds is still read right, every time:
/// the entries that do not fit are read without being kept.
#[test]
fn a_compose_beyond_the_bounds_is_answered_as_by_a_fresh_engine() {
    let to: Vec<Value> = (0..10_000)
        .map(|i| json!({ "name": format!("R {i}"), "address": format!("r{i}@org{}.example", i % 50) }))
        .collect();
    let mut request = json!({ "v": 1, "kind": "evaluate",
        "compose": { "account": "me@corp.example", "to": to, "cc": [], "bcc": [] } });
    let cached = engine(0);
    for round in 0..3 {
        request["compose"]["to"][round] =
            json!({ "text": format!("New {round} <n{round}@gmail.com>") });
        let bytes = serde_json::to_vec(&request).unwrap();
        assert_eq!(
            cached.handle_json(&bytes),
            engine(0).handle_json(&bytes),
            "round {round}"
        );
    }
}
