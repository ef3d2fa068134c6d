//! Arbitrary JSON as the admin's and the user's settings, then one evaluate
//! and one validation: bad policy never panics, never switches protection
//! off, and never produces a reply of unbounded size.

#![no_main]

use bcc_guard::engine::compose::{Compose, Entry};
use bcc_guard::engine::exposure::Action;
use bcc_guard::engine::policy::validate_user;
use bcc_guard::engine::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Splits the input at the first NUL into two layers; a part that is not
/// JSON becomes a JSON string, which is also a malformed policy.
fn layers(data: &[u8]) -> (Value, Value) {
    let mut parts = data.splitn(2, |&b| b == 0);
    let mut layer = || {
        let bytes = parts.next().unwrap_or_default();
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    };
    (layer(), layer())
}

fuzz_target!(|data: &[u8]| {
    let (managed, user) = layers(data);
    let engine = Engine::new(&managed, &user);
    let policy = engine.policy();
    assert!(
        policy.problems.len() <= 64 * 50,
        "{} problems",
        policy.problems.len()
    );
    let _ = validate_user(&user);

    // Sixty mailboxes in To are an exposure under every policy: the
    // threshold is at most 50, and validation refuses consumer-mail domains
    // as internal or trusted, so no policy can make them colleagues.
    let to: Vec<Entry<'static>> = (0..60)
        .map(|i| Entry::chip(None, Some(&format!("p{i}@gmail.com"))))
        .collect();
    let compose = Compose {
        account: Some("me@corp.example".into()),
        to,
        cc: Vec::new(),
        bcc: Vec::new(),
        complete: true,
        host: None,
    };
    let evaluation = engine.evaluate(&compose);
    assert_ne!(
        evaluation.verdict.action,
        Action::None,
        "sixty mailboxes in To passed under {policy:?}"
    );
    assert!(evaluation.plan.is_some());
});
