//! The compose a host that carried out a plan faithfully would read back.
//!
//! Hosts read the page after a move and the engine verifies what they read;
//! the property tests (`tests/plan.rs`) and the fuzz target
//! `protocol_structured` have no page, so they build that read-back here.
//! It is test support, not engine: the engine never assumes a move went as
//! planned. The fuzz crate (`fuzz/`, a crate of its own) compiles this very
//! file with `#[path]`, so that both check plans against one definition;
//! it may therefore use nothing but the engine's public API.

use std::borrow::Cow;

use bcc_guard::engine::compose::{Compose, Entry};
use bcc_guard::engine::plan::MovePlan;
use bcc_guard::engine::recipients::{Field, Recipient};

/// Each field's `after` recipients as chips (an address as it is to be
/// written, an unreadable token by its text), the placeholder last in To.
pub fn applied(
    plan: &MovePlan,
    recipients: &[Recipient],
    account: Option<&str>,
) -> Compose<'static> {
    let entries = |field: Field| -> Vec<Entry<'static>> {
        let mut list: Vec<Entry<'static>> = plan
            .after
            .get(field)
            .iter()
            .filter_map(|&i| recipients.get(i as usize))
            .map(|r| match &r.address {
                Some(address) => Entry::chip(None, Some(address.spec())),
                None => Entry::chip(Some(r.raw), None),
            })
            .collect();
        if field == Field::To {
            list.extend(plan.placeholder.iter().map(|p| Entry::chip(None, Some(p))));
        }
        list
    };
    Compose {
        account: account.map(|a| Cow::Owned(a.to_owned())),
        to: entries(Field::To),
        cc: entries(Field::Cc),
        bcc: entries(Field::Bcc),
        complete: true,
        host: None,
    }
}
