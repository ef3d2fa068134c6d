//! The recipients parser on arbitrary text, as typed text and as a chip:
//! no panic, no token dropped without trace, and one normalisation — every
//! key is itself an address with the same key, and so is every written form.

#![no_main]

use bcc_guard::engine::address::Address;
use bcc_guard::engine::recipients::{parse_entry, Field, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut out = Vec::new();
    parse_entry(Field::To, 0, Source::Text(text), &mut out);
    parse_entry(
        Field::Cc,
        0,
        Source::Chip {
            name: Some(text),
            address: Some(text),
        },
        &mut out,
    );
    // A chip always stands for someone: its entry yields exactly one recipient.
    assert_eq!(out.iter().filter(|r| r.field == Field::Cc).count(), 1);
    if text.contains(['@', '＠', '﹫']) {
        assert!(
            out.iter().any(|r| r.field == Field::To),
            "{text:?} gave no recipient"
        );
    }
    for recipient in &out {
        match &recipient.address {
            Some(address) => {
                let again = Address::parse(address.key()).expect("a key is an address");
                assert_eq!(again.key(), address.key(), "{text:?}");
                let written = Address::parse(address.spec()).expect("a written form is an address");
                assert_eq!(written.key(), address.key(), "{text:?}");
            }
            // An unreadable token is shown as written: never as nothing.
            None => assert!(
                !recipient.raw.is_empty() || text.trim().is_empty(),
                "{text:?}"
            ),
        }
    }
});
