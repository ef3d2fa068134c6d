//! Property tests of the move plan's invariant: every original address ends up
//! in exactly one field, nothing is added but the To placeholder, unreadable
//! tokens stay where they were, applying the plan's operations yields its
//! `after`, and `after` exposes no one by the audience rule (Bcc recipients
//! see To and Cc) unless the plan lists unmovable recipients.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

mod support;

use bcc_guard::engine::compose::{Compose, Entry};
use bcc_guard::engine::exposure::Action;
use bcc_guard::engine::plan::{Identity, MovePlan};
use bcc_guard::engine::recipients::{Field, Recipient};
use bcc_guard::engine::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};
use support::applied::applied;

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
    "v@hotmail.co.jp",
    "u@gmail.com",
    "t@five.example",
    "s@six.co.jp",
    "ally2@partner.example",
];
/// Tokens that are not addresses; a chip with only a name.
const UNREADABLE: &[&str] = &["Dan", "Offline Person", "??", "a@one.example"];

fn entry_strategy() -> impl Strategy<Value = Entry<'static>> {
    prop_oneof![
        6 => (0..POOL.len()).prop_map(|i| Entry::chip(None, Some(POOL[i]))),
        1 => (0..UNREADABLE.len()).prop_map(|i| Entry::chip(Some(UNREADABLE[i]), None)),
    ]
}

fn compose_strategy() -> impl Strategy<Value = Compose<'static>> {
    (
        prop::collection::vec(entry_strategy(), 0..12),
        prop::collection::vec(entry_strategy(), 0..8),
        prop::collection::vec(entry_strategy(), 0..6),
    )
        .prop_map(|(to, cc, bcc)| Compose {
            account: Some(ACCOUNT.into()),
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

/// What identifies a recipient in these checks: the engine's own identity.
fn identity(recipients: &[Recipient<'_>], index: u32) -> Identity {
    Identity::of(&recipients[index as usize])
}

/// The identities a plan leaves in `field`, sorted, the placeholder included.
fn after_field(plan: &MovePlan, recipients: &[Recipient<'_>], field: Field) -> Vec<Identity> {
    let mut out: Vec<Identity> = plan
        .after
        .get(field)
        .iter()
        .map(|&i| identity(recipients, i))
        .collect();
    if field == Field::To {
        out.extend(plan.placeholder.as_ref().map(|p| {
            Identity::Address(
                bcc_guard::engine::address::Address::parse(p)
                    .unwrap()
                    .key()
                    .to_owned(),
            )
        }));
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn plan_invariants(compose in compose_strategy(), settings in settings_strategy()) {
        let engine = Engine::new(&Value::Null, &settings);
        let evaluation = engine.evaluate(&compose);
        let Some(plan) = evaluation.plan.clone() else {
            // No plan means no exposure (the read was complete), by the
            // audience rule: nobody on show, or fewer outside parties in all
            // fields than the threshold.
            prop_assert!(!evaluation.verdict.is_exposure(), "{:?}", evaluation.verdict);
            prop_assert_eq!(evaluation.verdict.action, Action::None);
            return Ok(());
        };
        prop_assert!(evaluation.verdict.is_exposure());
        let recipients = &evaluation.recipients;

        // Every original address ends up in exactly one field.
        let mut placed: BTreeMap<String, usize> = BTreeMap::new();
        for field in Field::ALL {
            for entry in after_field(&plan, recipients, field) {
                if let Identity::Address(key) = entry {
                    *placed.entry(key).or_default() += 1;
                }
            }
        }
        let originals: BTreeSet<String> = recipients.iter()
            .filter_map(|r| r.address.as_ref().map(|a| a.key().to_owned())).collect();
        for key in &originals {
            prop_assert_eq!(placed.get(key), Some(&1), "{} placed {:?} times", key, placed.get(key));
        }
        // Nothing is added except the placeholder, and only into To.
        let new: Vec<&String> = placed.keys().filter(|k| !originals.contains(*k)).collect();
        prop_assert!(new.len() <= 1);
        if let Some(key) = new.first() {
            prop_assert!(plan.placeholder.is_some());
            prop_assert!(after_field(&plan, recipients, Field::To).contains(&Identity::Address((*key).clone())));
        }

        // Unreadable tokens stay in their field.
        for field in Field::ALL {
            let mut before: Vec<Identity> = recipients.iter()
                .filter(|r| r.field == field && r.address.is_none())
                .map(Identity::of).collect();
            let mut after: Vec<Identity> = after_field(&plan, recipients, field)
                .into_iter().filter(|e| matches!(e, Identity::Unreadable(_))).collect();
            before.sort();
            after.sort();
            prop_assert_eq!(before, after);
        }

        // Applying remove, then add, to the original fields gives `after`.
        let removed: BTreeSet<u32> = plan.remove.iter().copied().collect();
        for field in Field::ALL {
            let mut applied: Vec<Identity> = recipients.iter().enumerate()
                .filter(|(i, r)| r.field == field && !removed.contains(&(*i as u32)))
                .map(|(i, _)| identity(recipients, i as u32))
                .collect();
            applied.extend(plan.add.get(field).iter().map(|&i| identity(recipients, i)));
            applied.sort();
            let mut expected: Vec<Identity> = plan.after.get(field).iter().map(|&i| identity(recipients, i)).collect();
            expected.sort();
            prop_assert_eq!(applied, expected);
        }

        // The compose after the move verifies, and it exposes no one by the
        // audience rule — or the plan says who could not be moved. Only then
        // may the guard replay the send.
        let verification = engine.verify(&compose, &applied(&plan, recipients, Some(ACCOUNT))).unwrap();
        prop_assert!(verification.matches, "{:?}", verification);
        prop_assert_eq!(
            verification.sendable,
            !verification.verdict.is_exposure(),
            "{:?}", verification.verdict
        );
        if plan.unmovable.is_empty() {
            prop_assert!(verification.sendable, "{:?}", verification.verdict);
        } else {
            // What is left on show is exactly the unmovable recipients.
            let shown: BTreeSet<u32> = plan.unmovable.iter().copied().collect();
            for field in [Field::To, Field::Cc] {
                for &i in plan.after.get(field) {
                    let r = &recipients[i as usize];
                    if r.address.is_none() {
                        prop_assert!(shown.contains(&i));
                    }
                }
            }
        }
    }
}
