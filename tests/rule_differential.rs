//! A differential test of the exposure rule: the model in
//! tests/rule_model (README's wording, its own Public Suffix List and IDNA
//! readers) against the engine through its protocol, on generated composes —
//! chips and typed text in every field, settings and thresholds, Public
//! Suffix List wildcards, exceptions and private rules, consumer domains and
//! brands, look-alikes, IDN, full-width and half-width forms, the small
//! `﹫`, addresses in display-name phrases and in comments, duplicates in
//! other spellings and the sender.
//!
//! A *fail-open* is the engine letting a send through that the model stops;
//! a *false alarm* is the engine stopping one the model lets through. Where
//! README leaves two readings open, both are acceptable: a domain UTS #46
//! maps beyond case and width (`ⓖmail.com`) may be read as the name it maps
//! to or be unreadable, and so may the addresses in typed text whose comment
//! or quote never closes.
//!
//! `cargo test --test rule_differential` runs 2,000 composes (`npm test`);
//! `RULE_DIFFERENTIAL_CASES=1000000 cargo test --release --no-default-features
//! --test rule_differential -- --nocapture` a long run (docs/FUZZING.md).

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod rule_model;

use std::collections::HashSet;

use bcc_guard::engine::Engine;
use rule_model::{Decision, Meant, Model, Settings};
use serde_json::{json, Value};

/// A small, seeded generator (SplitMix64): every case can be replayed from
/// its number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A domain the generator may use: how it is written, and whether UTS #46
/// maps it beyond case and width (then unreadable is a right answer too).
struct Domain {
    written: &'static str,
    beyond_case: bool,
}

const fn d(written: &'static str) -> Domain {
    Domain {
        written,
        beyond_case: false,
    }
}

const fn lookalike(written: &'static str) -> Domain {
    Domain {
        written,
        beyond_case: true,
    }
}

const DOMAINS: &[Domain] = &[
    // The organisation and its subdomains; a look-alike of it.
    d("corp.example"),
    d("mail.corp.example"),
    d("Corp.Example"),
    d("ｃｏｒｐ．ｅｘａｍｐｌｅ"),
    d("corp.example."),
    d("notcorp.example"),
    d("corp.example.evil.org"),
    // .co.jp: one organisation per registrable domain.
    d("example.co.jp"),
    d("a.example.co.jp"),
    d("b.example.co.jp"),
    d("other.co.jp"),
    d("co.jp"),
    // Wildcard `*.kawasaki.jp` and its exception `!city.kawasaki.jp`.
    d("x.one.kawasaki.jp"),
    d("y.two.kawasaki.jp"),
    d("z.one.kawasaki.jp"),
    d("city.kawasaki.jp"),
    d("www.city.kawasaki.jp"),
    // Private section: each bucket and page is someone else's.
    d("alice.github.io"),
    d("bob.github.io"),
    d("one.s3.amazonaws.com"),
    d("two.s3.amazonaws.com"),
    d("console.amazonaws.com"),
    // Partners and other organisations.
    d("partner.example"),
    d("sub.partner.example"),
    d("example.com"),
    d("sub.example.com"),
    d("notexample.com"),
    d("example.com.evil.org"),
    d("one.example.org"),
    d("two.example.net"),
    // IDN in every spelling.
    d("bücher.de"),
    d("BÜCHER.de"),
    d("xn--bcher-kva.de"),
    d("テスト.jp"),
    d("ﾃｽﾄ.jp"),
    d("xn--zckzah.jp"),
    d("例え.jp"),
    d("münchen.de"),
    // Consumer-mail providers: each address a party.
    d("gmail.com"),
    d("GMail.com"),
    d("ｇｍａｉｌ．ｃｏｍ"),
    d("googlemail.com"),
    d("hotmail.com"),
    d("hotmail.co.jp"),
    d("outlook.jp"),
    d("yahoo.co.jp"),
    d("docomo.ne.jp"),
    d("i.softbank.jp"),
    d("softbank.jp"),
    d("ezweb.ne.jp"),
    d("freemail.example"),
    d("brandmail.co.uk"),
    d("brandmail.com"),
    // What UTS #46 maps beyond case and width.
    lookalike("ⓖmail.com"),
    lookalike("𝐠𝐦𝐚𝐢𝐥.com"),
    lookalike("g\u{00AD}mail.com"),
    lookalike("bu\u{0308}cher.de"),
    lookalike("ｶﾞｽ.jp"),
];

const LOCALS: &[&str] = &["a", "b", "c", "taro", "j.smith", "x+tag", "info", "d-e"];

/// A recipient the generator made: the entry the engine is sent, what the
/// model is told (two readings where README allows two), and a name.
struct Made {
    entry: Value,
    /// Each recipient the entry holds: as UTS #46 reads it, and with a
    /// domain UTS #46 maps beyond case and width unreadable.
    meant: Vec<(Meant, Meant)>,
    /// Typed text whose comment or quote never closes: the addresses in it
    /// may be read out, or the whole entry be one unreadable recipient.
    unclosed: bool,
}

impl Made {
    fn chip(meant: (Meant, Meant)) -> Self {
        Made {
            entry: Value::Null,
            meant: vec![meant],
            unclosed: false,
        }
    }

    /// The recipients under one reading of both ambiguities.
    fn reading(&self, lookalikes_unreadable: bool, unclosed_unreadable: bool) -> Vec<Meant> {
        if self.unclosed && unclosed_unreadable {
            return vec![Meant::Unreadable];
        }
        self.meant
            .iter()
            .map(|(read, strict)| if lookalikes_unreadable { strict } else { read }.clone())
            .collect()
    }
}

/// An address in some spelling, and what the model is told it is.
fn mailbox(rng: &mut Rng) -> (String, Meant, Meant) {
    mailbox_with(rng, 12)
}

/// [`mailbox`]; with `spellings` of 2 or less, never a quoted local part
/// (whose quotes and spaces would be lost among unclosed ones).
fn mailbox_with(rng: &mut Rng, spellings: usize) -> (String, Meant, Meant) {
    let domain = rng.pick(DOMAINS);
    let local = *rng.pick(LOCALS);
    let (written_local, local_key) = match rng.below(spellings) {
        0 => (local.to_uppercase(), local.to_owned()),
        1 => (
            local
                .chars()
                .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
                .collect(),
            local.to_owned(),
        ),
        2 => (format!("\"{local} x\""), format!("\"{local} x\"")),
        3 => (format!("\"{local}\\ x\""), format!("\"{local}\\ x\"")),
        _ => (local.to_owned(), local.to_owned()),
    };
    // The full-width and the small at sign are `@` to UTS #46.
    let at = match rng.below(40) {
        0 | 1 => "＠",
        2 => "﹫",
        _ => "@",
    };
    let written = format!("{written_local}{at}{}", domain.written);
    let meant = Meant::Mailbox {
        local: local_key,
        domain: domain.written.to_owned(),
    };
    let unreadable = if domain.beyond_case {
        Meant::Unreadable
    } else {
        meant.clone()
    };
    (written, meant, unreadable)
}

/// One entry of a field: a chip, or typed text of one or more mailboxes.
fn entry(rng: &mut Rng) -> Made {
    match rng.below(10) {
        // A chip that shows only a name: unreadable.
        0 => Made {
            entry: json!({"name": "Someone"}),
            ..Made::chip((Meant::Unreadable, Meant::Unreadable))
        },
        // Typed text.
        1..=4 => typed(rng),
        _ => {
            let (written, meant, unreadable) = mailbox(rng);
            // Chips' addresses are what webmail shows: no full-width `＠`
            // or small `﹫`, sometimes with spaces around.
            let written = written.replace(['＠', '﹫'], "@");
            let written = if rng.chance(5) {
                format!(" {written} ")
            } else {
                written
            };
            let entry = if rng.chance(50) {
                json!({"address": written, "name": "Person"})
            } else {
                json!({"address": written})
            };
            Made {
                entry,
                ..Made::chip((meant, unreadable))
            }
        }
    }
}

fn typed(rng: &mut Rng) -> Made {
    // A comment or quote that never closes, around a second address: both
    // addresses may be read out, or the entry be unreadable.
    if rng.chance(15) {
        let (first, first_meant, first_strict) = mailbox_with(rng, 2);
        let (second, second_meant, second_strict) = mailbox_with(rng, 2);
        let open = *rng.pick(&["(", "\"", "<"]);
        let text = format!("{first} {open}{second}");
        // An unclosed `<` makes the entry one unreadable token (README); an
        // unclosed comment or quote has the addresses in it read out
        // (src/engine/mailbox_list.rs).
        let meant = if open == "<" {
            vec![(Meant::Unreadable, Meant::Unreadable)]
        } else {
            vec![(first_meant, first_strict), (second_meant, second_strict)]
        };
        return Made {
            entry: json!({ "text": text }),
            meant,
            unclosed: true,
        };
    }
    let count = 1 + rng.below(3);
    let mut parts = Vec::new();
    let mut meant = Vec::new();
    for _ in 0..count {
        let (written, read, strict) = mailbox(rng);
        // Another address in the display-name phrase or in a comment (the
        // review of phase A, item 12): unquoted in a phrase it is a
        // recipient of its own, before the bracketed one; in a comment,
        // wherever the comment is, an unreadable one.
        let (other, other_read, other_strict) = mailbox(rng);
        let unreadable = (Meant::Unreadable, Meant::Unreadable);
        let (part, before, after) = match rng.below(13) {
            0 => (format!("Name {} <{written}>", rng.below(9)), None, None),
            1 => (format!("\"Last, First\" <{written}>"), None, None),
            2 => (format!("{written} (Name)"), None, None),
            3 => (format!("<{written}>"), None, None),
            4 => (format!("山田 ＜{written}＞"), None, None),
            5 => (format!("<mailto:{written}>"), None, None),
            6 => (
                format!("{other} <{written}>"),
                Some((other_read, other_strict)),
                None,
            ),
            7 => (
                format!("Name {other} <{written}>"),
                Some((other_read, other_strict)),
                None,
            ),
            8 => (format!("{written} ({other})"), None, Some(unreadable)),
            9 => (format!("<{written}> ({other})"), None, Some(unreadable)),
            10 => (format!("({other}) <{written}>"), Some(unreadable), None),
            _ => (written, None, None),
        };
        parts.push(part);
        meant.extend(before);
        meant.push((read, strict));
        meant.extend(after);
    }
    if rng.chance(10) {
        meant.push((Meant::Unreadable, Meant::Unreadable));
        parts.push("John Smith".to_owned());
    }
    let separator = *rng.pick(&[", ", "; ", "\n", "，", "；", ","]);
    let mut text = parts.join(separator);
    if rng.chance(10) {
        text = format!("Team: {text};");
    }
    Made {
        entry: json!({ "text": text }),
        meant,
        unclosed: false,
    }
}

/// A generated case: the policy, the compose, and the model's readings.
struct Case {
    settings: Settings,
    managed: Value,
    compose: Value,
    account: Option<(Meant, Meant)>,
    fields: [Vec<Made>; 3],
    complete: bool,
}

fn case(number: u64) -> Case {
    let mut rng = Rng(number);
    let mut settings = Settings {
        threshold: 2 + rng.below(5),
        block: rng.chance(20),
        ..Settings::default()
    };
    for pattern in ["corp.example", "example.co.jp", "*.example.com"] {
        let chance = if pattern == "corp.example" { 60 } else { 30 };
        if rng.chance(chance) {
            settings.internal.push(pattern.to_owned());
        }
    }
    for pattern in ["partner.example", "amazonaws.com", "city.kawasaki.jp"] {
        if rng.chance(25) {
            settings.trusted.push(pattern.to_owned());
        }
    }
    for pattern in ["freemail.example", "brandmail.*"] {
        if rng.chance(40) {
            settings.consumer.push(pattern.to_owned());
        }
    }
    let mut managed = json!({
        "minExposedParties": settings.threshold,
        "action": if settings.block { "block" } else { "warn" },
    });
    for (key, list) in [
        ("internalDomains", &settings.internal),
        ("trustedDomains", &settings.trusted),
        ("consumerDomains", &settings.consumer),
    ] {
        if !list.is_empty() {
            managed[key] = json!(list);
        }
    }
    let account = match rng.below(6) {
        0 => None,
        1 => Some(("me@corp.example".to_owned(), "me", "corp.example")),
        2 => Some(("Me@A.Example.co.jp".to_owned(), "me", "a.example.co.jp")),
        3 => Some(("me@gmail.com".to_owned(), "me", "gmail.com")),
        4 => Some(("me@co.jp".to_owned(), "me", "co.jp")),
        _ => Some(("me@corp.example".to_owned(), "me", "corp.example")),
    };
    let fields: [Vec<Made>; 3] = std::array::from_fn(|field| {
        let count = match field {
            0 => 1 + rng.below(3),
            1 => rng.below(3),
            _ => rng.below(4),
        };
        let mut made: Vec<Made> = (0..count).map(|_| entry(&mut rng)).collect();
        // The sender among the recipients, or a duplicate in another spelling.
        if rng.chance(10) {
            if let Some((written, _, domain)) = &account {
                let me = Meant::Mailbox {
                    local: "me".into(),
                    domain: domain.to_uppercase(),
                };
                made.push(Made {
                    entry: json!({ "address": written.to_uppercase() }),
                    ..Made::chip((me.clone(), me))
                });
            }
        }
        made
    });
    let complete = !rng.chance(3);
    let entries =
        |field: usize| Value::Array(fields[field].iter().map(|m| m.entry.clone()).collect());
    let mut compose = json!({
        "host": "mail.google.com",
        "complete": complete,
        "to": entries(0),
        "cc": entries(1),
        "bcc": entries(2),
    });
    if let Some((written, _, _)) = &account {
        compose["account"] = json!(written);
    }
    let account = account.map(|(_, local, domain)| {
        let meant = Meant::Mailbox {
            local: local.into(),
            domain: domain.into(),
        };
        (meant.clone(), meant)
    });
    Case {
        settings,
        managed,
        compose,
        account,
        fields,
        complete,
    }
}

/// What each side said about one case.
struct Outcome {
    engine: Decision,
    acceptable: HashSet<Decision>,
}

fn run(model: &Model, number: u64) -> (Case, Outcome) {
    let case = case(number);
    let engine = Engine::new(&case.managed, &Value::Null);
    let request = json!({"v": 1, "kind": "evaluate", "compose": case.compose}).to_string();
    let reply: Value = serde_json::from_slice(&engine.handle_json(request.as_bytes())).unwrap();
    let engine_decision = match reply["verdict"]["action"].as_str() {
        Some("none") => Decision::Send,
        Some("warn") => Decision::Warn,
        Some("block") => Decision::Block,
        other => panic!("case {number}: no action ({other:?}): {reply}"),
    };
    let mut acceptable = HashSet::new();
    for reading in 0..4 {
        let fields: [Vec<Meant>; 3] = std::array::from_fn(|field| {
            case.fields[field]
                .iter()
                .flat_map(|m| m.reading(reading & 1 != 0, reading & 2 != 0))
                .collect()
        });
        acceptable.insert(model.decide(
            &case.settings,
            case.account.as_ref().map(|(meant, _)| meant),
            [&fields[0], &fields[1], &fields[2]],
            case.complete,
        ));
    }
    (
        case,
        Outcome {
            engine: engine_decision,
            acceptable,
        },
    )
}

fn model() -> Model {
    let engine = Engine::new(&Value::Null, &Value::Null);
    let reply: Value =
        serde_json::from_slice(&engine.handle_json(br#"{"v":1,"kind":"policy"}"#)).unwrap();
    let built_in = reply["policy"]["builtInConsumerDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect();
    let list = std::fs::read_to_string("data/public_suffix_list.dat").unwrap();
    Model::new(&list, built_in)
}

#[test]
fn the_engine_decides_as_readme_says() {
    let cases: u64 = std::env::var("RULE_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let first: u64 = std::env::var("RULE_DIFFERENTIAL_FIRST")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let model = model();
    let (mut fail_open, mut false_alarm, mut other) = (Vec::new(), Vec::new(), Vec::new());
    let mut decisions = [0u64; 3];
    for number in first..first + cases {
        let (case, outcome) = run(&model, number);
        decisions[outcome.engine as usize] += 1;
        if outcome.acceptable.contains(&outcome.engine) {
            continue;
        }
        let report = format!(
            "case {number}: engine {:?}, model {:?}\n  managed {}\n  compose {}",
            outcome.engine, outcome.acceptable, case.managed, case.compose
        );
        if outcome.engine == Decision::Send {
            fail_open.push(report);
        } else if outcome.acceptable.contains(&Decision::Send) && outcome.acceptable.len() == 1 {
            false_alarm.push(report);
        } else {
            other.push(report);
        }
    }
    println!(
        "rule differential: {cases} composes from {first}; engine sent {}, warned {}, blocked {}; \
         {} fail-opens, {} false alarms, {} other disagreements",
        decisions[0],
        decisions[1],
        decisions[2],
        fail_open.len(),
        false_alarm.len(),
        other.len()
    );
    let show = |list: &[String]| list.iter().take(5).cloned().collect::<Vec<_>>().join("\n");
    assert!(
        fail_open.is_empty() && false_alarm.is_empty() && other.is_empty(),
        "fail-opens:\n{}\nfalse alarms:\n{}\nother:\n{}",
        show(&fail_open),
        show(&false_alarm),
        show(&other)
    );
    // The generator exercises every outcome, not only the harmless one.
    assert!(decisions.iter().all(|&n| n > 0), "{decisions:?}");
}
