//! Valid-shaped `evaluate` requests built from the pieces real composes and
//! attacks are made of — full-width `＠，；＜＞`, quotes, comments, groups,
//! IDN and punycode domains, public-suffix edges, long labels, random
//! Unicode — under varied settings. Besides panics it checks the plan: every
//! address ends up in exactly one field, and the compose after the move
//! verifies, and is sendable exactly when the audience rule finds no
//! exposure, which it always does unless the plan names unmovable recipients.

#![no_main]

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
use bcc_guard::engine::compose::Compose;
use bcc_guard::engine::recipients::Field;
use bcc_guard::engine::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

// The read-back of a faithfully applied plan, shared with the property tests.
#[path = "../../tests/support/applied.rs"]
mod applied;

/// Pieces of recipient text.
const PIECES: &[&str] = &[
    "a",
    "Bob",
    "o'brien",
    "\"Smith, J.\"",
    "x.y+tag",
    "İ",
    "ǅ",
    "ΑΣ",
    "ς",
    "山田 太郎",
    " ",
    "\u{3000}",
    "@",
    "＠",
    "@@",
    ".",
    "。",
    "..",
    ",",
    ";",
    "，",
    "；",
    "\n",
    ":",
    "team:",
    "undisclosed-recipients:;",
    "<",
    ">",
    "＜",
    "＞",
    "(",
    ")",
    "(comment)",
    "\\",
    "\"",
    "mailto:",
    "@relay.example:",
    "corp.example",
    "sales.corp.example",
    "partner.example",
    "one.example",
    "two.example",
    "three.co.jp",
    "sub.three.co.jp",
    "gmail.com",
    "GMAIL.COM",
    "docomo.ne.jp",
    "hotmail.co.uk",
    "x.one.kawasaki.jp",
    "city.kawasaki.jp",
    "kawasaki.jp",
    "s3.amazonaws.com",
    "bücher.de",
    "xn--bcher-kva.de",
    "例え.jp",
    "ασ.βγ.gr",
    "ΑΣ.ΒΓ.gr",
    "co.jp",
    "com",
    "localhost",
    "[127.0.0.1]",
    "\u{0085}",
    "\u{200B}",
    "\u{FEFF}",
    "-bad-.example",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
];

/// A text made of pieces, with now and then an arbitrary string between them.
#[derive(Debug)]
struct Text(String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut text = String::new();
        for _ in 0..u.int_in_range(0..=12)? {
            if u.ratio(1, 8)? {
                text.push_str(<&str>::arbitrary(u)?);
            } else {
                text.push_str(u.choose(PIECES)?);
            }
        }
        Ok(Text(text))
    }
}

#[derive(Debug, Arbitrary)]
enum EntryShape {
    Chip {
        name: Option<Text>,
        address: Option<Text>,
    },
    Address(Text, Text),
    Typed(Text),
}

#[derive(Debug, Arbitrary)]
struct Input {
    account: Option<Text>,
    to: Vec<EntryShape>,
    cc: Vec<EntryShape>,
    bcc: Vec<EntryShape>,
    complete: bool,
    strategy_all: bool,
    placeholder: u8,
    threshold: u8,
    internal: Vec<Text>,
    trusted: Vec<Text>,
}

fn entry(shape: &EntryShape) -> Value {
    match shape {
        EntryShape::Chip { name, address } => {
            json!({"name": name.as_ref().map(|t| &t.0), "address": address.as_ref().map(|t| &t.0)})
        }
        // A plain `local@domain` chip, the common case.
        EntryShape::Address(local, domain) => {
            json!({"address": format!("{}@{}", local.0, domain.0)})
        }
        EntryShape::Typed(text) => json!({"text": text.0}),
    }
}

fuzz_target!(|input: Input| {
    let placeholder = [
        "sender",
        "none",
        "undisclosed@corp.example",
        "nobody@elsewhere.example",
    ][usize::from(input.placeholder % 4)];
    let settings = json!({
        "internalDomains": input.internal.iter().map(|t| &t.0).collect::<Vec<_>>(),
        "trustedDomains": input.trusted.iter().map(|t| &t.0).collect::<Vec<_>>(),
        "moveStrategy": if input.strategy_all { "all" } else { "external" },
        "toPlaceholder": placeholder,
        "minExposedParties": 2 + u32::from(input.threshold % 4),
    });
    let engine = Engine::new(&Value::Null, &settings);
    let list = |shapes: &[EntryShape]| shapes.iter().map(entry).collect::<Vec<_>>();
    let request = json!({"v": 1, "kind": "evaluate", "compose": {
        "account": input.account.as_ref().map(|t| &t.0),
        "to": list(&input.to), "cc": list(&input.cc), "bcc": list(&input.bcc),
        "complete": input.complete,
    }})
    .to_string();
    let reply: Value =
        serde_json::from_slice(&engine.handle_json(request.as_bytes())).expect("JSON reply");
    assert_eq!(reply["ok"], true, "{reply}");

    // The plan, checked on the engine's own types.
    let parsed: Value = serde_json::from_str(&request).expect("our own JSON");
    let compose_text = parsed["compose"].to_string();
    let compose = Compose::from_json(compose_text.as_bytes()).expect("a compose");
    let evaluation = engine.evaluate(&compose);
    let Some(plan) = &evaluation.plan else {
        assert!(
            !input.complete || !evaluation.verdict.is_exposure(),
            "{:?}",
            evaluation.verdict
        );
        return;
    };
    let recipients = &evaluation.recipients;
    let mut placed: BTreeMap<&str, usize> = BTreeMap::new();
    for field in Field::ALL {
        for &i in plan.after.get(field) {
            if let Some(address) = &recipients[i as usize].address {
                *placed.entry(address.key()).or_default() += 1;
            }
        }
    }
    for recipient in recipients {
        if let Some(address) = &recipient.address {
            assert_eq!(
                placed.get(address.key()),
                Some(&1),
                "{} is not in exactly one field",
                address.key()
            );
        }
    }

    // What a faithful host would read back after applying the plan.
    let after = applied::applied(plan, recipients, compose.account.as_deref());
    let verification = engine.verify(&compose, &after).expect("a plan to verify");
    assert!(verification.matches, "{verification:?}");
    assert_eq!(
        verification.sendable,
        !verification.verdict.is_exposure(),
        "{verification:?}"
    );
    if plan.unmovable.is_empty() {
        assert!(
            verification.sendable,
            "a complete move left an exposure: {:?}",
            verification.verdict
        );
    }
});
