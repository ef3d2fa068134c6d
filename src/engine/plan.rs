//! The move plan: which recipients leave To and Cc for Bcc, and how to check
//! afterwards that the compose window holds exactly what was planned.
//!
//! The plan's invariant, checked by the property tests in `tests/plan.rs`:
//! every address of the original compose ends up in exactly one field, and the
//! only address that may be added is the To placeholder. Unreadable tokens stay
//! where they are (they cannot be written anywhere else) and are listed as
//! *unmovable*, so the dialog can ask the user to deal with them by hand.
//!
//! A plan refers to recipients by their index in the evaluation, so that it
//! stays small however many recipients it moves; the content script already
//! has each recipient's address and element.

use std::collections::BinaryHeap;

use serde::Serialize;
use thiserror::Error;

use super::address::Address;
use super::classify::Class;
use super::exposure::{Action, Verdict};
use super::policy::{MoveStrategy, Placeholder, Settings};
use super::recipients::{AddressIds, Field, Recipient};

/// Recipient indices per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fields {
    /// To.
    pub to: Vec<u32>,
    /// Cc.
    pub cc: Vec<u32>,
    /// Bcc.
    pub bcc: Vec<u32>,
}

impl Fields {
    /// The list for `field`.
    pub fn get(&self, field: Field) -> &[u32] {
        match field {
            Field::To => &self.to,
            Field::Cc => &self.cc,
            Field::Bcc => &self.bcc,
        }
    }

    fn get_mut(&mut self, field: Field) -> &mut Vec<u32> {
        match field {
            Field::To => &mut self.to,
            Field::Cc => &mut self.cc,
            Field::Bcc => &mut self.bcc,
        }
    }
}

/// How to turn the compose window into one without exposure.
///
/// The content script should write `add` before it applies `remove`: if it is
/// interrupted half-way, recipients are then in Bcc *and* still visible —
/// over-protected until the read-back notices — rather than gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovePlan {
    /// Which recipients move.
    pub strategy: MoveStrategy,
    /// Recipients to write into each field (their address is written once
    /// per field however often it occurred).
    pub add: Fields,
    /// Recipients to remove from the field they are in: the moved ones and
    /// every duplicate.
    pub remove: Vec<u32>,
    /// Exposed recipients that cannot be moved because they are unreadable.
    pub unmovable: Vec<u32>,
    /// An address that is in no field yet and is written into To, because
    /// To would otherwise be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The fields after the move (the placeholder, if any, comes after `to`).
    pub after: Fields,
}

/// Plans the move for evaluated recipients.
pub fn plan(
    recipients: &[Recipient],
    classes: &[Class],
    ids: &AddressIds,
    settings: &Settings,
    account: Option<&Address>,
) -> MovePlan {
    let strategy = settings.move_strategy;
    let moves = |recipient: &Recipient, class: Class| {
        recipient.field.is_visible()
            && match strategy {
                MoveStrategy::External => class == Class::External,
                MoveStrategy::All => true,
            }
    };

    // 1. Where each address ends up. An address moves to Bcc if any of its
    //    occurrences in To or Cc moves (the class depends on the address only,
    //    so they all do); one that stays keeps the most visible field it was
    //    in, so that a duplicate in To and Cc becomes one entry in To.
    let count = ids.len();
    let mut destination: Vec<Option<Field>> = vec![None; count];
    let mut moving = vec![false; count];
    let mut unmovable = Vec::new();
    for (index, (recipient, &class)) in recipients.iter().zip(classes).enumerate() {
        let Some(id) = ids.of(index) else {
            if recipient.field.is_visible() && class == Class::Unreadable {
                unmovable.push(index_u32(index));
            }
            continue;
        };
        if let (Some(slot), Some(flag)) = (destination.get_mut(id), moving.get_mut(id)) {
            *flag |= moves(recipient, class);
            *slot = Some(slot.map_or(recipient.field, |field| field.min(recipient.field)));
        }
    }
    for (slot, &flag) in destination.iter_mut().zip(&moving) {
        if flag {
            *slot = Some(Field::Bcc);
        }
    }

    // 2. The placeholder, if To would be empty. If it is already a recipient
    //    it moves to To rather than appearing twice.
    let to_is_empty = !destination.contains(&Some(Field::To))
        && !recipients
            .iter()
            .any(|r| r.address.is_none() && r.field == Field::To);
    let placeholder: Option<Address> = match (&settings.to_placeholder, to_is_empty) {
        (Placeholder::Sender, true) => account.cloned(),
        (Placeholder::Address(address), true) => Some(address.clone()),
        _ => None,
    };
    let mut new_placeholder = placeholder
        .as_ref()
        .map(|address| address.spec().to_owned());
    if let Some(address) = &placeholder {
        let existing = ids.first.iter().position(|&first| {
            recipients
                .get(first)
                .and_then(|r| r.address.as_ref())
                .map(Address::key)
                == Some(address.key())
        });
        if let Some(slot) = existing.and_then(|id| destination.get_mut(id)) {
            *slot = Some(Field::To);
            new_placeholder = None;
        }
    }

    // 3. What stays, and what is removed: every occurrence except the first
    //    one that is already in its destination field.
    let mut kept = vec![false; count];
    let mut remove = Vec::new();
    let mut after = Fields::default();
    for (index, recipient) in recipients.iter().enumerate() {
        let Some(id) = ids.of(index) else {
            after.get_mut(recipient.field).push(index_u32(index));
            continue;
        };
        let target = destination
            .get(id)
            .copied()
            .flatten()
            .unwrap_or(recipient.field);
        match kept.get_mut(id) {
            Some(flag) if target == recipient.field && !*flag => {
                *flag = true;
                after.get_mut(target).push(index_u32(index));
            }
            _ => remove.push(index_u32(index)),
        }
    }

    // 4. What to add: each address whose destination did not already hold it.
    let mut add = Fields::default();
    for (id, &first) in ids.first.iter().enumerate() {
        if kept.get(id).copied().unwrap_or(true) {
            continue;
        }
        if let Some(field) = destination.get(id).copied().flatten() {
            add.get_mut(field).push(index_u32(first));
            after.get_mut(field).push(index_u32(first));
        }
    }

    MovePlan {
        strategy,
        add,
        remove,
        unmovable,
        placeholder: new_placeholder,
        after,
    }
}

/// One entry that differs between the plan and the compose window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The field.
    pub field: Field,
    /// The normalised address, or the verbatim token of an unreadable one.
    pub entry: String,
    /// `entry` is an unreadable token, not an address.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unreadable: bool,
}

/// The result of comparing the compose window after the move with the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// The compose holds exactly the planned recipients in each field.
    pub matches: bool,
    /// Safe to replay the send: it matches and nothing is exposed.
    pub sendable: bool,
    /// Planned but not found.
    pub missing: Vec<Difference>,
    /// Found but not planned.
    pub unexpected: Vec<Difference>,
    /// The verdict on the compose as it is now.
    pub verdict: Verdict,
}

/// Why a compose could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The compose the plan would be made for needs no move, so there is no
    /// plan to hold the compose after the move against.
    #[error("the original compose needs no move, so there is nothing to verify")]
    NothingToVerify,
}

/// What identifies a recipient when the plan is compared with the compose:
/// its normalised address, or the verbatim token of an unreadable one. The
/// two kinds never compare equal, whatever their text: an unreadable token
/// `a@x.example` left in To must not pass for the address `a@x.example`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Identity {
    /// A readable recipient, by its address key.
    Address(String),
    /// An unreadable token, verbatim.
    Unreadable(String),
}

impl Identity {
    /// The identity of a parsed recipient.
    pub fn of(recipient: &Recipient) -> Self {
        match &recipient.address {
            Some(address) => Identity::Address(address.key().to_owned()),
            None => Identity::Unreadable(recipient.raw.to_owned()),
        }
    }

    fn into_difference(self, field: Field) -> Difference {
        match self {
            Identity::Address(entry) => Difference {
                field,
                entry,
                unreadable: false,
            },
            Identity::Unreadable(entry) => Difference {
                field,
                entry,
                unreadable: true,
            },
        }
    }
}

/// The identities each field should hold after `plan` is applied to `before`.
pub fn expected(plan: &MovePlan, before: &[Recipient]) -> [(Field, Vec<Identity>); 3] {
    Field::ALL.map(|field| {
        let mut entries: Vec<Identity> = plan
            .after
            .get(field)
            .iter()
            .filter_map(|&index| before.get(index as usize).map(Identity::of))
            .collect();
        if field == Field::To {
            if let Some(placeholder) = &plan.placeholder {
                entries.extend(
                    Address::parse(placeholder)
                        .ok()
                        .map(|a| Identity::Address(a.key().to_owned())),
                );
            }
        }
        (field, entries)
    })
}

/// Compares the recipients read back from the compose with what the plan
/// expects (see [`expected`]), and judges the compose as it now is.
pub fn verify(
    expected: [(Field, Vec<Identity>); 3],
    actual: &[Recipient],
    verdict: Verdict,
) -> Verification {
    let mut missing = Vec::new();
    let mut unexpected = Vec::new();
    for (field, want) in expected {
        let have: Vec<Identity> = actual
            .iter()
            .filter(|r| r.field == field)
            .map(Identity::of)
            .collect();
        // A heap sorts with a fraction of the code `sort_unstable` brings
        // into the WASM (7 KB for this one call).
        let want = BinaryHeap::from(want).into_sorted_vec();
        let have = BinaryHeap::from(have).into_sorted_vec();
        // A merge of the two sorted lists finds the multiset differences.
        let (mut w, mut h) = (want.into_iter().peekable(), have.into_iter().peekable());
        loop {
            match (w.peek(), h.peek()) {
                (Some(a), Some(b)) if a == b => {
                    w.next();
                    h.next();
                }
                (Some(a), Some(b)) if a < b => {
                    missing.extend(w.next().map(|entry| entry.into_difference(field)))
                }
                (_, Some(_)) => {
                    unexpected.extend(h.next().map(|entry| entry.into_difference(field)))
                }
                (Some(_), None) => {
                    missing.extend(w.next().map(|entry| entry.into_difference(field)))
                }
                (None, None) => break,
            }
        }
    }
    let matches = missing.is_empty() && unexpected.is_empty();
    Verification {
        matches,
        sendable: matches && verdict.action == Action::None,
        missing,
        unexpected,
        verdict,
    }
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}
