//! Native timing of evaluate + plan for 10 to 10,000 recipients
//! (`cargo bench --bench engine`, run by `npm run bench`). Prints one JSON line
//! per size: `{"recipients":N,"median_us":…,"p90_us":…,"iterations":…}`.
//!
//! The composes mix what real bulk mail holds: recipients at many outside
//! organisations, consumer mailboxes, and a few colleagues, so that every
//! measured call finds an exposure and plans the move.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bcc_guard::engine::protocol::{Compose, Entry};
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

fn main() {
    let engine = Engine::new(&Value::Null, &Value::Null);
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
}
