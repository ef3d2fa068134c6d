//! The engine's domain normalisation against UTS #46 as the `idna` crate
//! implements it (native only: the crate is a dev-dependency, never in the
//! WASM). The rule: for any domain, the engine's ASCII form is UTS #46's, or
//! the engine refuses the domain (its addresses are then unreadable). Every
//! code point is tried in a few positions here (`cargo test --release --test
//! uts46`; a seventh of them above U+3000 in a debug build); the fuzz target
//! `uts46` (fuzz/fuzz_targets/uts46.rs) tries arbitrary domains.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bcc_guard::engine::address::Address;
use bcc_guard::engine::domain::normalize_domain;
// The reference, shared with the fuzz target `uts46`.
#[path = "support/uts46_reference.rs"]
mod uts46_reference;
use uts46_reference::uts46;

/// `None` when the engine and UTS #46 agree by the rule, else what each said.
fn disagreement(domain: &str) -> Option<String> {
    let engine = normalize_domain(domain).ok()?;
    let reference = uts46(domain);
    (reference.as_deref() != Some(engine.as_str())).then(|| {
        format!(
            "{domain:?} ({}): engine {engine:?}, UTS #46 {reference:?}",
            escape(domain)
        )
    })
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_code_point_in_every_position() {
    let mut wrong = Vec::new();
    let (mut tried, mut accepted) = (0, 0);
    // Unoptimised (as `npm test` runs it) every code point below U+3000 and
    // every seventh above, which takes 10 s; `--release` tries them all.
    let stride = |code: u32| cfg!(debug_assertions) && code >= 0x3000 && code % 7 != 0;
    for code in (0x80..0x11_0000u32).filter(|&code| !stride(code)) {
        let Some(c) = char::from_u32(code) else {
            continue;
        };
        // Alone, between letters, and as a Punycode label; a character the
        // engine keeps between letters also after a Japanese, Tamil and
        // Devanagari base (the compositions NFC makes).
        let mut forms = vec![format!("{c}.example"), format!("a{c}b.example")];
        if normalize_domain(&forms[1]).is_ok() {
            forms.extend([format!("か{c}.jp"), format!("க{c}.in"), format!("न{c}.in")]);
        }
        if let Some(encoded) = bcc_guard::engine::punycode::encode_label(&format!("a{c}")) {
            forms.push(format!("xn--{encoded}.example"));
        }
        for form in forms {
            tried += 1;
            if normalize_domain(&form).is_ok() {
                accepted += 1;
            }
            wrong.extend(disagreement(&form));
        }
    }
    println!("{tried} domains tried, {accepted} accepted by the engine, each as UTS #46 has it");
    assert!(
        wrong.is_empty(),
        "{} disagreements, first: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
    // The engine keeps most of Unicode's letters, not just refuses everything.
    let expected = if cfg!(debug_assertions) {
        40_000
    } else {
        250_000
    };
    assert!(accepted > expected, "only {accepted} forms accepted");
}

#[test]
fn every_composition_nfc_makes() {
    let data = std::fs::read_to_string("data/uts46.txt").unwrap();
    let mut wrong = Vec::new();
    for line in data.lines().filter_map(|l| l.strip_prefix("C ")) {
        let points: Vec<char> = line
            .split(';')
            .map(|p| char::from_u32(u32::from_str_radix(p.trim(), 16).unwrap()).unwrap())
            .collect();
        let (base, mark, composite) = (points[0], points[1], points[2]);
        for form in [
            format!("{base}{mark}.jp"),
            format!("a{base}{mark}{mark}.jp"),
            format!("{composite}{mark}.jp"),
        ] {
            wrong.extend(disagreement(&form));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Look-alike domains: what UTS #46 maps to another name is that
/// name in the engine too, or unreadable — never an organisation of its own.
#[test]
fn look_alikes_are_the_name_uts46_makes_or_refused() {
    for domain in [
        "ⓖmail.com",
        "𝐠𝐦𝐚𝐢𝐥.com",
        "ﬁle.com",
        "①.com",
        "Ⅻ.com",
        "bu\u{0308}cher.de",
        "g\u{00AD}mail.com",
        "xn--gmail-.com",
    ] {
        assert!(normalize_domain(domain).is_err(), "{domain}");
        assert_eq!(disagreement(domain), None);
    }
    // Punycode that encodes no valid label is refused on every path,
    // including the single-pass one for plain ASCII addresses.
    for domain in [
        "xn--a.example",
        "xn--bcher-kva-.de",
        "XN--ZZZZ.jp",
        "xn--.example",
    ] {
        assert!(normalize_domain(domain).is_err(), "{domain}");
        assert!(Address::parse(&format!("x@{domain}")).is_err(), "{domain}");
    }
    for (domain, ascii) in [
        ("ﾃｽﾄ.jp", "xn--zckzah.jp"),
        ("テスト.jp", "xn--zckzah.jp"),
        ("ｶﾞｽ.jp", "xn--mck0a.jp"),
        ("カ\u{3099}ス.jp", "xn--mck0a.jp"),
        ("ｇｍａｉｌ．ｃｏｍ", "gmail.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("XN--BCHER-KVA.de", "xn--bcher-kva.de"),
        ("\u{212A}.example", "k.example"),
    ] {
        assert_eq!(normalize_domain(domain).as_deref(), Ok(ascii), "{domain}");
        assert_eq!(uts46(domain).as_deref(), Some(ascii), "{domain}");
        let text = format!("x@{domain}");
        assert_eq!(Address::parse(&text).unwrap().domain(), ascii, "{domain}");
    }
}
