//! Wrong answers and slow inputs that fuzzing found in earlier engines, each
//! kept as a request through the protocol. The causes are fixed where they
//! were (suffix boundaries, chip parsing, normalisation, identities, linear
//! scans, echoed input); these tests keep them fixed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use bcc_guard::engine::address::Address;
use bcc_guard::engine::domain::{normalize_domain, DomainPattern};
use bcc_guard::engine::Engine;
use serde_json::{json, Value};
use support::{ask, chips, class_of, evaluate};

/// 1. Internal across a public suffix. `*.kawasaki.jp` makes every child of
///    kawasaki.jp a public suffix, so these are three organisations, not the
///    sender's colleagues.
#[test]
fn an_organisation_ends_at_a_public_suffix() {
    let reply = evaluate(
        Value::Null,
        json!({"account": "me@kawasaki.jp",
               "to": chips(&["a@x.one.kawasaki.jp", "b@y.two.kawasaki.jp", "c@z.three.kawasaki.jp"])}),
    );
    for address in [
        "a@x.one.kawasaki.jp",
        "b@y.two.kawasaki.jp",
        "c@z.three.kawasaki.jp",
    ] {
        assert_eq!(class_of(&reply, address), "external", "{address}");
    }
    assert_eq!(reply["verdict"]["exposedParties"], 3);
    assert_eq!(reply["verdict"]["action"], "warn");

    // The same for configured patterns: `amazonaws.com` is no public suffix,
    // but `s3.amazonaws.com` is, and its buckets are other people's.
    let pattern = DomainPattern::parse("amazonaws.com").unwrap();
    assert!(pattern.matches("console.amazonaws.com"));
    assert!(!pattern.matches("bucket.s3.amazonaws.com"));
    let trusted = evaluate(
        json!({"trustedDomains": ["amazonaws.com"], "minExposedParties": 2}),
        json!({"account": "me@corp.example",
               "to": chips(&["a@one.s3.amazonaws.com", "b@two.s3.amazonaws.com", "ops@console.amazonaws.com"])}),
    );
    assert_eq!(class_of(&trusted, "a@one.s3.amazonaws.com"), "external");
    assert_eq!(class_of(&trusted, "ops@console.amazonaws.com"), "trusted");
    assert_eq!(trusted["verdict"]["action"], "warn");
}

/// 2. A chip's address is one addr-spec or unreadable: U+0085 (NEL) must not
///    split it into a colleague's address and a display name.
#[test]
fn a_chip_address_is_never_split() {
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"account": "me@corp.example",
               "to": [{"address": "\"a\"@corp.example.\u{0085}.evil.com"}, {"address": "b@other.example"}]}),
    );
    assert_eq!(reply["recipients"][0]["class"], "unreadable");
    assert_eq!(reply["verdict"]["action"], "warn");
    // Control characters are never part of a domain.
    assert!(normalize_domain("c.example.\u{0085}.jp").is_err());
    assert!(normalize_domain("c.exa\u{200B}mple.jp").is_err());
    assert!(Address::parse("x@c.example.\u{0085}.jp").is_err());
}

/// 3. One address, one key, whichever path it takes.
#[test]
fn one_normalisation_for_every_path() {
    let key = |text: &str| Address::parse(text).unwrap().key().to_owned();
    // Final sigma: lower case one character at a time.
    assert_eq!(key("x@ΑΣ.ΒΓ.gr"), key("x@ασ.βγ.gr"));
    // Title case, upper case and lower case of one letter are one mailbox.
    assert_eq!(key("ǅ@gmail.com"), key("ǆ@gmail.com"));
    assert_eq!(key("Ǆ@gmail.com"), key("ǆ@gmail.com"));
    // A key is itself a valid address with the same key.
    for text in [
        "İİaaa@corp.example",
        "Ǆ@gmail.com",
        "x@ΑΣ.ΒΓ.gr",
        "A.B@Example.COM",
        "x@Bücher.de",
    ] {
        let first = key(text);
        assert_eq!(key(&first), first, "{text}");
    }
    // Text and chip give the same answer for the same address.
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"to": [{"text": "<x@ΑΣ.ΒΓ.gr>"}, {"address": "x@ασ.βγ.gr"}, {"address": "y@other.example"}]}),
    );
    assert_eq!(reply["verdict"]["exposedRecipients"], 2);
    let unreadable = evaluate(
        json!({"minExposedParties": 2}),
        json!({"to": [{"text": "<\"h\"@c.example.\u{0085}.jp>"}, {"address": "\"h\"@c.example.\u{0085}.jp"}]}),
    );
    let classes: Vec<&str> = unreadable["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["unreadable", "unreadable"]);
}

/// 5. Inputs that were quadratic are linear. The sizes are large enough
///    that a quadratic cost would take minutes; the assertions are on the
///    answers, and the benchmark measures the time.
#[test]
fn former_quadratic_inputs_are_answered() {
    let colons = format!("{}@{}", "x".repeat(64_000), ":".repeat(64_000));
    let reply = evaluate(Value::Null, json!({"to": [{"text": colons}]}));
    assert_eq!(reply["verdict"]["exposedRecipients"], 1);

    let label: String = (0..64_000u32)
        .filter_map(|i| char::from_u32(0x4E00 + i % 20_000 + (i / 20_000) * 0x1_0000))
        .collect();
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"to": [{"address": format!("a@{label}.jp")}, {"address": "b@other.example"}]}),
    );
    assert_eq!(reply["recipients"][0]["class"], "unreadable");

    let mut trusted: Vec<String> = (0..1_999).map(|i| format!("p{i}.example")).collect();
    trusted.extend((0..100_000).map(|i| format!("p{}.example", i % 1_999)));
    let engine = Engine::new(&Value::Null, &json!({"trustedDomains": trusted}));
    assert_eq!(engine.policy().settings.trusted_domains.len(), 1_999);
    assert!(engine.policy().problems.is_empty());
}

/// 6. Error replies quote at most a few hundred characters of the input.
#[test]
fn error_replies_do_not_echo_input_in_full() {
    let engine = Engine::new(&Value::Null, &Value::Null);
    let huge = format!(r#"{{"v":"{}"}}"#, "A".repeat(1_000_000));
    let reply: Value = serde_json::from_slice(&engine.handle_json(huge.as_bytes())).unwrap();
    assert_eq!(reply["error"]["code"], "malformed");
    assert!(reply["error"]["message"].as_str().unwrap().chars().count() < 300);
    let reply: Value = serde_json::from_slice(&engine.handle_json(b"\xff\xfe not json")).unwrap();
    assert_eq!(reply["ok"], false);

    // A policy of garbage is reported briefly, not entry by entry.
    let garbage: Vec<String> = (0..10_000)
        .map(|i| format!("bad domain {i} {}", "x".repeat(500)))
        .collect();
    let reply = ask(
        json!({"internalDomains": garbage}),
        Value::Null,
        json!({"v": 1, "kind": "policy"}),
    );
    let problems = reply["policy"]["problems"].as_array().unwrap();
    assert!(problems.len() <= 50, "{} problems", problems.len());
    assert!(serde_json::to_string(&reply).unwrap().len() < 64 * 1024);
}

/// The layers of the repros found by the rule's differential test (issue
/// 16): one internal domain, and two parties make an exposure.
fn strict() -> Value {
    json!({"internalDomains": ["corp.example"], "minExposedParties": 2})
}

/// Asks `evaluate` with `strict()` as the admin's policy and the sender at
/// corp.example, and completes the reply as a client does.
fn evaluate_strict(to: Value) -> Value {
    let compose = json!({"account": "me@corp.example", "host": "mail.google.com",
                         "complete": true, "to": to, "cc": [], "bcc": []});
    let mut reply = ask(
        strict(),
        Value::Null,
        json!({"v": 1, "kind": "evaluate", "compose": compose}),
    );
    assert_eq!(reply["ok"], true, "{reply}");
    support::complete_recipients(&mut reply, &compose);
    reply
}

/// 7. An unclosed `(` or `"` in typed text hid the address after it, and one
///    inside `<…>` made the display name the address. Text the parser cannot
///    close never makes an address disappear: an unclosed `<` makes the rest
///    one unreadable token, an unclosed comment or quote that holds an `@`
///    has its addresses read out.
#[test]
fn unclosed_comments_quotes_and_brackets_hide_no_address() {
    // `(` left open: eve is read out, not swallowed as a comment.
    let reply = evaluate_strict(json!([{"text": "boss@corp.example (eve@evil.example"}]));
    assert_eq!(reply["verdict"]["exposedRecipients"], 1, "{reply}");
    let reply = evaluate_strict(json!([{"text": "a@x.example (b@y.example"}]));
    assert_eq!(reply["verdict"]["exposedRecipients"], 2, "{reply}");
    assert_eq!(reply["verdict"]["action"], "warn");
    assert_eq!(class_of(&reply, "b@y.example"), "external");
    // `"` left open: the same.
    let reply = evaluate_strict(json!([{"text": "a@x.example \"b@y.example"}]));
    assert_eq!(reply["verdict"]["exposedRecipients"], 2, "{reply}");
    let reply = evaluate_strict(json!([{"text": "\"Bob <b@y.example> a@x.example"}]));
    assert_eq!(reply["verdict"]["exposedRecipients"], 2, "{reply}");
    // Inside `<…>`: the bracket never closes, so the item is unreadable,
    // never the colleague in front of it.
    for text in [
        "boss@corp.example <eve(evil.example>",
        "boss@corp.example <eve\"evil.example>",
        "boss@corp.example <eve",
        "Boss (x) boss@corp.example <eve@evil.example",
    ] {
        let reply = evaluate_strict(json!([{"text": text}, {"address": "c@z.example"}]));
        assert_eq!(reply["verdict"]["action"], "warn", "{text}: {reply}");
        assert_eq!(reply["recipients"][0]["class"], "unreadable", "{text}");
        assert_eq!(reply["recipients"][0]["raw"], text, "{text}");
    }
    // A comment left open that holds no address is still a comment.
    let reply =
        evaluate_strict(json!([{"text": "a@x.example (Alice"}, {"address": "c@z.example"}]));
    assert_eq!(reply["verdict"]["exposedRecipients"], 2, "{reply}");
    assert_eq!(reply["recipients"][0]["address"], "a@x.example");
    assert_eq!(reply["recipients"][0]["name"], "Alice");
}

/// 8. Look-alike Unicode domains collapsed people into one organisation:
///    three chips at `ⓖmail.com` were one party, where `gmail.com` gives
///    three. A domain a mail system may deliver elsewhere (UTS #46 maps it)
///    is that domain, or unreadable; never an organisation of its own.
#[test]
fn look_alike_unicode_domains_are_not_one_organisation() {
    for domain in [
        "ⓖmail.com",
        "𝐠𝐦𝐚𝐢𝐥.com",
        "ｇｍａｉｌ．ｃｏｍ",
        "gmail.com",
        "g\u{00AD}mail.com",
    ] {
        let to: Vec<Value> = ["a", "b", "c"]
            .iter()
            .map(|local| json!({"address": format!("{local}@{domain}")}))
            .collect();
        let reply = evaluate_strict(json!(to));
        assert_eq!(reply["verdict"]["action"], "warn", "{domain}: {reply}");
        assert_eq!(reply["verdict"]["audienceParties"], 3, "{domain}");
    }
    // Half-width katakana and `xn--` are the same organisation as
    // `テスト.jp`; a decomposed `ü` is unreadable rather than another domain.
    let reply = evaluate_strict(json!([{"address": "a@ﾃｽﾄ.jp"}, {"address": "b@テスト.jp"},
                                       {"address": "c@xn--zckzah.jp"}, {"address": "d@other.example"}]));
    assert_eq!(reply["verdict"]["audienceParties"], 2, "{reply}");
    assert_eq!(class_of(&reply, "a@xn--zckzah.jp"), "external");
    let reply = evaluate_strict(
        json!([{"address": "a@bu\u{0308}cher.de"}, {"address": "b@xn--bcher-kva.de"}]),
    );
    assert_eq!(reply["verdict"]["audienceParties"], 2, "{reply}");
    assert_eq!(reply["recipients"][0]["class"], "unreadable");
    assert_eq!(normalize_domain("bu\u{0308}cher.de").ok(), None);
    assert_eq!(
        normalize_domain("ｶﾞｽ.jp").unwrap(),
        normalize_domain("ガス.jp").unwrap()
    );
}

/// 9. A quoted pair may escape a space (RFC 5322): `"john\ doe"@corp.example`
///    is a colleague, not an unreadable token that cannot be moved.
#[test]
fn a_quoted_pair_local_part_is_an_address() {
    let reply = evaluate_strict(json!([{"address": "\"john\\ doe\"@corp.example"},
                                       {"address": "a@x.example"}, {"address": "b@y.example"}]));
    assert_eq!(class_of(&reply, "\"john\\ doe\"@corp.example"), "internal");
    assert_eq!(reply["verdict"]["exposedRecipients"], 2);
    // The colleague stays; both outsiders move.
    assert_eq!(
        support::after(&reply, "to"),
        ["\"john\\ doe\"@corp.example"]
    );
}

/// 10. A chip address with spaces around it: the reply leaves out only an
///     address that is exactly the text sent, so a client never hands the
///     hosts the untrimmed text.
#[test]
fn a_chip_address_is_left_out_only_when_exact() {
    let compose = json!({"account": "me@corp.example", "to": [{"address": " eve@org2.com "},
                         {"address": "a@x.example"}, {"address": "b@y.example"}]});
    let reply = ask(
        strict(),
        Value::Null,
        json!({"v": 1, "kind": "evaluate", "compose": compose}),
    );
    assert_eq!(
        reply["recipients"]["address"],
        json!(["eve@org2.com", null, null])
    );
    let reply = evaluate_strict(compose["to"].clone());
    assert_eq!(reply["recipients"][0]["address"], "eve@org2.com");
}

/// 11. The `policy` reply lists the built-in consumer-mail list, so tests and
///     admins can see which providers count each person as a party.
#[test]
fn the_policy_reply_lists_the_built_in_consumer_domains() {
    let reply = ask(
        json!({"consumerDomains": ["freemail.example"]}),
        Value::Null,
        json!({"v": 1, "kind": "policy"}),
    );
    let built_in: Vec<&str> = reply["policy"]["builtInConsumerDomains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(built_in, bcc_guard::engine::consumer::BUILT_IN);
    for domain in ["gmail.com", "outlook.*", "yahoo.*", "docomo.ne.jp"] {
        assert!(built_in.contains(&domain), "{domain}");
    }
    assert!(!built_in.contains(&"freemail.example"));
    assert_eq!(
        reply["policy"]["settings"]["consumerDomains"],
        json!(["freemail.example"])
    );
}

/// 12. Text the parser could not account for made addresses vanish (review
///     of phase A, item 12): unquoted address words in the display-name
///     phrase before `<…>` became the name, `﹫` (U+FE6B) was no at sign,
///     and a comment holding an address was dropped after an address but
///     unreadable as an item of its own. Each of these texts beside a
///     colleague and one outsider now stops the send under `strict()`.
#[test]
fn no_address_vanishes_into_a_name_or_a_comment() {
    for (text, exposed) in [
        ("eve@evil.example mallory@m.example <boss@corp.example>", 3),
        ("eve@evil.example <boss@corp.example>", 2),
        ("Eve eve@evil.example <boss@corp.example>", 2),
        ("boss@corp.example eve﹫evil.example", 2),
        ("boss@corp.example (eve@evil.example)", 2),
        ("boss@corp.example, (eve@evil.example)", 2),
        ("<boss@corp.example> (eve@evil.example)", 2),
        ("(eve@evil.example) <boss@corp.example>", 2),
    ] {
        let reply = evaluate_strict(json!([{"text": text}, {"address": "c@z.example"}]));
        assert_eq!(reply["verdict"]["action"], "warn", "{text}: {reply}");
        assert_eq!(
            reply["verdict"]["exposedParties"], exposed,
            "{text}: {reply}"
        );
        assert_eq!(class_of(&reply, "boss@corp.example"), "internal", "{text}");
    }
    // `﹫` reads as `@`: eve is an address, not unreadable.
    let reply = evaluate_strict(
        json!([{"text": "boss@corp.example eve﹫evil.example"}, {"address": "c@z.example"}]),
    );
    assert_eq!(class_of(&reply, "eve@evil.example"), "external", "{reply}");
    // Both comment forms are the same unreadable recipient, shown as written.
    for text in [
        "boss@corp.example (eve@evil.example)",
        "boss@corp.example, (eve@evil.example)",
    ] {
        let reply = evaluate_strict(json!([{"text": text}, {"address": "c@z.example"}]));
        let recipients = reply["recipients"].as_array().unwrap();
        assert_eq!(recipients.len(), 3, "{text}: {reply}");
        assert_eq!(recipients[1]["class"], "unreadable", "{text}");
        assert_eq!(recipients[1]["raw"], "(eve@evil.example)", "{text}");
    }
}
