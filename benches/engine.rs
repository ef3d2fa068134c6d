//! Native timing of evaluate + plan for 10 to 10,000 recipients
//! (`cargo bench --bench engine`, run by `npm run bench`). Prints one JSON line
//! per size: `{"recipients":N,"median_us":…,"p90_us":…,"iterations":…}`, then
//! one per scaling probe: `{"scaling":"recipients"|"chip names"|"typed names",
//! "n":N,"units":U,"median_us":…}` — the same call with ten times more input
//! each step, to show that the cost per unit of input stays flat (linear);
//! and `{"one_change":"chips"|"raw text","n":1000,"evaluate_us":…,
//! "protocol_us":…}`, a precheck after one entry of the compose changed.
//!
//! The composes mix what real bulk mail holds: recipients at many outside
//! organisations, consumer mailboxes, and a few colleagues, so that every
//! measured call finds an exposure and plans the move.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bcc_guard::engine::compose::{Compose, Entry};
use bcc_guard::engine::Engine;
use serde_json::Value;

/// The same composition as the browser benchmark (scripts/bench.mjs).
pub fn compose(n: usize) -> Compose<'static> {
    let to = (0..n)
        .map(|i| {
            let address = match i % 10 {
                0 => format!("colleague{i}@corp.example"),
                1 | 2 => format!("person{i}@gmail.com"),
                _ => format!("contact{i}@org{}.example", i % 97),
            };
            Entry::chip(Some(&format!("Recipient {i}")), Some(&address))
        })
        .collect();
    Compose {
        account: Some("me@corp.example".into()),
        to,
        cc: Vec::new(),
        bcc: Vec::new(),
        complete: true,
        host: Some("mail.google.com".into()),
    }
}

/// The median time of `iterations` evaluations of `compose`, in µs.
fn median_us(engine: &Engine, compose: &Compose<'_>, iterations: usize) -> f64 {
    let mut samples: Vec<Duration> = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        black_box(engine.evaluate(black_box(compose)));
        samples.push(start.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e6
}

/// The raw-text mix (tests/bench/engine-page.js): four shapes of typed
/// recipient, repeating; the account makes corp.example internal.
fn raw_text(n: usize) -> Compose<'static> {
    let mut compose = compose(0);
    compose.to = (0..n)
        .map(|i| {
            let text = match i % 4 {
                0 => format!("\"User {i}\" <user{i}@gmail.com>"),
                1 => format!("staff{i}@corp.example"),
                2 => format!("Partner {i} <p{i}@dept{i}.partner{i}.co.jp>"),
                _ => format!("x{i}@mail.corp.example"),
            };
            Entry {
                text: Some(text.into()),
                ..Entry::default()
            }
        })
        .collect();
    compose
}

/// The JSON request the background sends for [`compose`]`(n)`: To as
/// columns, as `requestText` (www/lib/request-text.js) writes it.
fn chips_request(n: usize) -> String {
    let to = compose(n).to;
    request_json(serde_json::json!({
        "name": to.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
        "address": to.iter().map(|e| e.address.clone()).collect::<Vec<_>>(),
    }))
}

/// The JSON request the background sends for [`raw_text`]`(n)`.
fn raw_text_request(n: usize) -> String {
    let to = raw_text(n).to;
    request_json(serde_json::json!({
        "text": to.iter().map(|e| e.text.clone()).collect::<Vec<_>>(),
    }))
}

/// Panics unless `reply` is an answer: a request the engine refuses is
/// answered in a few microseconds, and would be counted as a fast call.
fn assert_answered(reply: &[u8]) {
    assert!(
        reply.starts_with(br#"{"v":1,"ok":true"#),
        "the engine refused the benchmark's request: {}",
        String::from_utf8_lossy(reply)
    );
}

fn request_json(to: Value) -> String {
    serde_json::json!({
        "v": 1,
        "kind": "evaluate",
        "compose": { "account": "me@corp.example", "host": "mail.google.com", "to": to, "cc": [], "bcc": [] },
    })
    .to_string()
}

/// A compose of `n` chips, each with a display name of 10,000 characters.
fn long_chip_names(n: usize) -> Compose<'static> {
    let name = "長".repeat(10_000);
    let mut compose = compose(n);
    for (i, entry) in compose.to.iter_mut().enumerate() {
        *entry = Entry::chip(
            Some(&name),
            Some(&format!("contact{i}@org{}.example", i % 97)),
        );
    }
    compose
}

/// One typed text holding `n` mailboxes, each with a quoted name of 10,000 characters.
fn long_typed_names(n: usize) -> Compose<'static> {
    let name = "n".repeat(10_000);
    let text: Vec<String> = (0..n)
        .map(|i| format!("\"{name}\" <contact{i}@org{}.example>", i % 97))
        .collect();
    let mut compose = compose(0);
    compose.to = vec![Entry {
        text: Some(text.join(", ").into()),
        ..Entry::default()
    }];
    compose
}

/// `request` ([`chips_request`] or [`raw_text_request`]) with entry `index`
/// of To changed to a recipient numbered `k`, who was not there before: one
/// change, as a precheck after the user edits one chip.
fn changed_request(request: &str, index: usize, k: usize) -> String {
    let mut value: Value = serde_json::from_str(request).unwrap();
    let to = &mut value["compose"]["to"];
    let address = format!("changed{k}@neworg{k}.example");
    if to.get("text").is_some() {
        to["text"][index] = Value::String(format!("Changed {k} <{address}>"));
    } else {
        to["address"][index] = Value::String(address);
    }
    value.to_string()
}

/// One protocol call, kept out of line so that callgrind can count it alone
/// (`--toggle-collect=*instructions_of*`).
#[inline(never)]
fn instructions_of(engine: &Engine, request: &[u8]) -> Vec<u8> {
    engine.handle_json(black_box(request))
}

fn main() {
    let engine = Engine::new(&Value::Null, &Value::Null);
    // BENCH_CALLGRIND=chips (or `typed`) makes one warm call and then the one
    // call that scripts/callgrind.sh counts: instructions, unlike time, are
    // the same on every run on a shared machine.
    if let Ok(mix) = std::env::var("BENCH_CALLGRIND") {
        let n = std::env::var("BENCH_CALLGRIND_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000);
        // `…-one-change` counts a precheck after one change: the engine
        // answered the compose, then is asked again with one entry in the
        // middle changed (what a cache of the entries read before would
        // spare; BENCHMARKS.md, "What was tried").
        let (base, one_change) = match mix.split_once('-') {
            Some((base, "one-change")) => (base, true),
            _ => (mix.as_str(), false),
        };
        let build = match base {
            "chips" => chips_request,
            "typed" => raw_text_request,
            other => panic!(
                "BENCH_CALLGRIND={other}: chips, typed, chips-one-change or typed-one-change"
            ),
        };
        let warm = build(n);
        black_box(engine.handle_json(warm.as_bytes()));
        let request = if one_change {
            changed_request(&warm, n / 2, 0)
        } else {
            warm
        };
        let reply = instructions_of(&engine, request.as_bytes());
        assert_answered(&reply);
        println!(
            "{{\"callgrind\":\"{mix}\",\"reply_bytes\":{}}}",
            reply.len()
        );
        return;
    }
    // BENCH_SIZES=10,1000 limits the sizes, e.g. for profiling one of them.
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![10, 100, 1_000, 10_000]);
    for n in sizes {
        let compose = compose(n);
        let evaluation = engine.evaluate(&compose);
        assert!(
            evaluation.plan.is_some(),
            "the benchmark compose must need a move"
        );
        // Enough iterations for about a second of work per size.
        let iterations = (2_000_000 / n).clamp(20, 20_000);
        let mut samples: Vec<Duration> = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            black_box(engine.evaluate(black_box(&compose)));
            samples.push(start.elapsed());
        }
        samples.sort();
        let micros = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "{{\"recipients\":{n},\"median_us\":{:.2},\"p90_us\":{:.2},\"iterations\":{iterations}}}",
            micros(samples[samples.len() / 2]),
            micros(samples[samples.len() * 9 / 10])
        );
    }
    // The protocol entry the WASM exports, JSON text in and out, natively:
    // what the browser's "inside WASM" column costs without WASM.
    for (mix, request) in [
        ("chips", chips_request(1_000)),
        ("raw text", raw_text_request(1_000)),
    ] {
        assert_answered(&engine.handle_json(request.as_bytes()));
        let mut samples: Vec<Duration> = Vec::with_capacity(2_000);
        for _ in 0..2_000 {
            let start = Instant::now();
            black_box(engine.handle_json(black_box(request.as_bytes())));
            samples.push(start.elapsed());
        }
        samples.sort();
        println!(
            "{{\"protocol\":\"{mix}\",\"recipients\":1000,\"median_us\":{:.2},\"reply_bytes\":{}}}",
            samples[samples.len() / 2].as_secs_f64() * 1e6,
            engine.handle_json(request.as_bytes()).len()
        );
    }

    // A precheck after one change: the engine has read the compose, and one
    // entry in the middle changes to a recipient it has not seen before
    // (each sample a new one, changed outside the timing).
    for (mix, base) in [
        ("chips", chips_request(1_000)),
        ("raw text", raw_text_request(1_000)),
    ] {
        assert_answered(&engine.handle_json(base.as_bytes()));
        assert_answered(&engine.handle_json(changed_request(&base, 500, 0).as_bytes()));
        let mut protocol: Vec<Duration> = Vec::with_capacity(1_000);
        for k in 0..1_000 {
            let request = changed_request(&base, 500, k);
            let start = Instant::now();
            black_box(engine.handle_json(black_box(request.as_bytes())));
            protocol.push(start.elapsed());
        }
        let mut compose = if mix == "chips" {
            compose(1_000)
        } else {
            raw_text(1_000)
        };
        black_box(engine.evaluate(&compose));
        let mut evaluate: Vec<Duration> = Vec::with_capacity(1_000);
        for k in 0..1_000 {
            let address = format!("changed{k}@neworg{k}.example");
            compose.to[500] = if mix == "chips" {
                Entry::chip(Some("Changed"), Some(&address))
            } else {
                Entry {
                    text: Some(format!("Changed {k} <{address}>").into()),
                    ..Entry::default()
                }
            };
            let start = Instant::now();
            black_box(engine.evaluate(black_box(&compose)));
            evaluate.push(start.elapsed());
        }
        let median = |samples: &mut Vec<Duration>| {
            samples.sort();
            samples[samples.len() / 2].as_secs_f64() * 1e6
        };
        println!(
            "{{\"one_change\":\"{mix}\",\"n\":1000,\"evaluate_us\":{:.2},\"protocol_us\":{:.2}}}",
            median(&mut evaluate),
            median(&mut protocol)
        );
    }

    if std::env::var("BENCH_SIZES").is_ok() {
        return;
    }

    // The raw-text mix of the browser benchmark: every recipient typed.
    let raw = raw_text(1_000);
    println!(
        "{{\"raw_text\":1000,\"median_us\":{:.2}}}",
        median_us(&engine, &raw, 2_000)
    );

    // Scaling: each probe at three sizes a factor of ten apart. `units` is
    // the input the cost should be proportional to.
    type Probe = (
        &'static str,
        fn(usize) -> Compose<'static>,
        [usize; 3],
        usize,
    );
    let probes: [Probe; 3] = [
        ("recipients", compose, [1_000, 10_000, 100_000], 1),
        ("chip names", long_chip_names, [10, 100, 1_000], 10_000),
        ("typed names", long_typed_names, [10, 100, 1_000], 10_000),
    ];
    for (name, build, sizes, per) in probes {
        for n in sizes {
            let compose = build(n);
            let iterations = (200_000 / (n * per / 100).max(1)).clamp(5, 2_000);
            let median = median_us(&engine, &compose, iterations);
            println!(
                "{{\"scaling\":\"{name}\",\"n\":{n},\"units\":{},\"median_us\":{median:.2}}}",
                n * per
            );
        }
    }
}
