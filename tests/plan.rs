//! Property tests of the move plan's invariant: every original address ends up
//! in exactly one field, nothing is added but the To placeholder, unreadable
//! tokens stay where they were, applying the plan's operations yields its
//! `after`, and `after` no longer exposes anyone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

use bcc_guard::engine::plan::{Fields, Planned};
use bcc_guard::engine::protocol::{Compose, Entry};
use bcc_guard::engine::recipients::Field;
use bcc_guard::engine::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};

const ACCOUNT: &str = "me@corp.example";

/// A pool of recipients of every kind, including spellings of one address.
const POOL: &[&str] = &[
    "me@corp.example",
    "Me@Corp.Example",
    "boss@corp.example",
    "dev@tokyo.corp.example",
    "ally@partner.example",
    "a@one.example",
    "b@one.example",
    "A@ONE.EXAMPLE",
    "c@two.example",
    "d@three.co.jp",
    "e@sub.three.co.jp",
    "f@four.example",
    "x@gmail.com",
    "y@gmail.com",
    "z@docomo.ne.jp",
    "w@bücher.de",
    "W@xn--bcher-kva.de",
];
/// Tokens that are not addresses; a chip with only a name.
const UNREADABLE: &[&str] = &["Dan", "Offline Person", "??"];

fn entry_strategy() -> impl Strategy<Value = Entry> {
    prop_oneof![
        6 => (0..POOL.len()).prop_map(|i| Entry { address: Some(POOL[i].to_owned()), ..Entry::default() }),
        1 => (0..UNREADABLE.len()).prop_map(|i| Entry { name: Some(UNREADABLE[i].to_owned()), ..Entry::default() }),
    ]
}

fn compose_strategy() -> impl Strategy<Value = Compose> {
    (
        prop::collection::vec(entry_strategy(), 0..12),
        prop::collection::vec(entry_strategy(), 0..8),
        prop::collection::vec(entry_strategy(), 0..6),
    )
        .prop_map(|(to, cc, bcc)| Compose {
            account: Some(ACCOUNT.to_owned()),
            to,
            cc,
            bcc,
            complete: true,
            host: None,
        })
}

fn settings_strategy() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["external", "all"]),
        prop::sample::select(vec!["sender", "none", "undisclosed@corp.example", "nobody@elsewhere.example"]),
        2u32..5,
    )
        .prop_map(|(strategy, placeholder, parties)| {
            json!({"internalDomains": ["corp.example"], "trustedDomains": ["partner.example"],
                   "moveStrategy": strategy, "toPlaceholder": placeholder, "minExposedParties": parties})
        })
}

fn identity(p: &Planned) -> String {
    p.address
        .clone()
        .unwrap_or_else(|| format!("?{}", p.raw.clone().unwrap_or_default()))
}

fn field_entries(fields: &Fields, field: Field) -> Vec<String> {
    let mut out: Vec<String> = fields.get(field).iter().map(identity).collect();
    out.sort();
    out
}

/// Turns a plan's `after` back into what a content script would read.
fn compose_of(after: &Fields) -> Compose {
    let entries = |list: &Vec<Planned>| -> Vec<Entry> {
        list.iter()
            .map(|p| match &p.address {
                Some(address) => Entry {
                    address: Some(address.clone()),
                    ..Entry::default()
                },
                None => Entry {
                    name: p.raw.clone(),
                    ..Entry::default()
                },
            })
            .collect()
    };
    Compose {
        account: Some(ACCOUNT.to_owned()),
        to: entries(&after.to),
        cc: entries(&after.cc),
        bcc: entries(&after.bcc),
        complete: true,
        host: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn plan_invariants(compose in compose_strategy(), settings in settings_strategy()) {
        let engine = Engine::new(&Value::Null, &settings);
        let evaluation = engine.evaluate(&compose);
        let Some(plan) = evaluation.plan.clone() else {
            // No plan means no exposure (the read was complete).
            prop_assert!(evaluation.verdict.exposed_parties < engine.policy().settings.min_exposed_parties);
            return Ok(());
        };
        let recipients = &evaluation.recipients;

        // Every original address ends up in exactly one field.
        let mut placed: BTreeMap<String, usize> = BTreeMap::new();
        for field in Field::ALL {
            for p in plan.after.get(field) {
                if let Some(address) = &p.address {
                    *placed.entry(address.clone()).or_default() += 1;
                }
            }
        }
        let originals: BTreeSet<String> = recipients.iter()
            .filter_map(|r| r.address.as_ref().map(|a| a.key().to_owned())).collect();
        for key in &originals {
            prop_assert_eq!(placed.get(key), Some(&1), "{} placed {:?} times", key, placed.get(key));
        }
        // Nothing is added except the placeholder, and only into To.
        for key in placed.keys().filter(|k| !originals.contains(*k)) {
            prop_assert_eq!(Some(key), plan.placeholder.as_ref());
            prop_assert!(plan.after.to.iter().any(|p| p.address.as_ref() == Some(key)));
        }

        // Unreadable tokens stay in their field.
        for field in Field::ALL {
            let mut before: Vec<String> = recipients.iter()
                .filter(|r| r.field == field && r.address.is_none())
                .map(|r| format!("?{}", r.raw)).collect();
            let mut after: Vec<String> = plan.after.get(field).iter()
                .filter(|p| p.address.is_none()).map(identity).collect();
            before.sort();
            after.sort();
            prop_assert_eq!(before, after);
        }

        // Applying remove, then add, to the original fields gives `after`.
        let removed: BTreeSet<u32> = plan.remove.iter().copied().collect();
        for field in Field::ALL {
            let mut applied: Vec<String> = recipients.iter().enumerate()
                .filter(|(i, r)| r.field == field && !removed.contains(&(*i as u32)))
                .map(|(_, r)| r.address.as_ref().map_or_else(|| format!("?{}", r.raw), |a| a.key().to_owned()))
                .collect();
            applied.extend(plan.add.iter().filter(|a| a.field == field).map(|a| a.key.clone()));
            applied.sort();
            prop_assert_eq!(applied, field_entries(&plan.after, field));
        }

        // The compose after the move verifies, and only unreadable tokens
        // (which need the user) or a lone placeholder can still be exposed.
        let verification = engine.verify(&compose_of(&plan.after), &plan.after);
        prop_assert!(verification.matches, "{:?}", verification);
        if plan.unmovable.is_empty() {
            prop_assert!(verification.sendable, "{:?}", verification.verdict);
        }
    }
}
