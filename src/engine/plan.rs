//! The move plan: which recipients leave To and Cc for Bcc, and how to check
//! afterwards that the compose window holds exactly what was planned.
//!
//! The plan's invariant, checked by the property tests in `tests/plan.rs`:
//! every address of the original compose ends up in exactly one field, and the
//! only address that may be added is the To placeholder. Unreadable tokens stay
//! where they are (they cannot be written anywhere else) and are listed as
//! *unmovable*, so the dialog can ask the user to deal with them by hand.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::address::Address;
use super::classify::Class;
use super::exposure::Verdict;
use super::policy::{MoveStrategy, Placeholder, Settings};
use super::recipients::{Field, Recipient};

/// A recipient in a field after the move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// The normalised address; absent for an unreadable token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The verbatim token, for unreadable ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// The display name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Planned {
    /// What identifies the entry when the plan is compared with the compose.
    fn identity(&self) -> String {
        match (&self.address, &self.raw) {
            (Some(address), _) => address.clone(),
            (None, raw) => format!("?{}", raw.as_deref().unwrap_or("")),
        }
    }

    fn of(recipient: &Recipient) -> Self {
        Planned {
            address: recipient.address.as_ref().map(|a| a.key().to_owned()),
            raw: recipient.address.is_none().then(|| recipient.raw.clone()),
            name: recipient.name.clone(),
        }
    }
}

/// The three fields after the move.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    /// To.
    #[serde(default)]
    pub to: Vec<Planned>,
    /// Cc.
    #[serde(default)]
    pub cc: Vec<Planned>,
    /// Bcc.
    #[serde(default)]
    pub bcc: Vec<Planned>,
}

impl Fields {
    /// The list for `field`.
    pub fn get(&self, field: Field) -> &Vec<Planned> {
        match field {
            Field::To => &self.to,
            Field::Cc => &self.cc,
            Field::Bcc => &self.bcc,
        }
    }

    fn get_mut(&mut self, field: Field) -> &mut Vec<Planned> {
        match field {
            Field::To => &mut self.to,
            Field::Cc => &mut self.cc,
            Field::Bcc => &mut self.bcc,
        }
    }
}

/// An address to write into a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addition {
    /// Where to write it.
    pub field: Field,
    /// What to write: the address as the user spelled it.
    pub address: String,
    /// Its normalised form, as the read-back will report it.
    pub key: String,
    /// The display name, for webmail that keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How to turn the compose window into one without exposure.
///
/// The content script should apply `add` before `remove`: if it is interrupted
/// half-way, recipients are then in Bcc *and* still visible — over-protected
/// until the read-back notices — rather than gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovePlan {
    /// Which recipients move.
    pub strategy: MoveStrategy,
    /// Addresses to write.
    pub add: Vec<Addition>,
    /// Recipients (indices into the evaluated recipients) to remove from their
    /// field: the moved ones and every duplicate.
    pub remove: Vec<u32>,
    /// Exposed recipients that cannot be moved because they are unreadable.
    pub unmovable: Vec<u32>,
    /// The address put into an emptied To, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The fields after the move, in the order the dialog shows them.
    pub after: Fields,
}

/// Plans the move for evaluated recipients.
pub fn plan(
    recipients: &[Recipient],
    classes: &[Class],
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
    let mut destination: HashMap<&str, Field> = HashMap::new();
    let mut moving: HashSet<&str> = HashSet::new();
    let mut first: HashMap<&str, &Recipient> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    let mut unmovable = Vec::new();
    for (index, (recipient, &class)) in recipients.iter().zip(classes).enumerate() {
        let Some(address) = &recipient.address else {
            if recipient.field.is_visible() && class == Class::Unreadable {
                unmovable.push(count(index));
            }
            continue;
        };
        let key = address.key();
        if moves(recipient, class) {
            moving.insert(key);
        }
        destination
            .entry(key)
            .and_modify(|field| *field = (*field).min(recipient.field))
            .or_insert_with(|| {
                order.push(key);
                recipient.field
            });
        first.entry(key).or_insert(recipient);
    }
    for key in &moving {
        destination.insert(key, Field::Bcc);
    }

    // 2. The placeholder, if To would be empty.
    let to_is_empty = !destination.values().any(|&field| field == Field::To)
        && !recipients
            .iter()
            .any(|r| r.address.is_none() && r.field == Field::To);
    let placeholder: Option<Address> = if to_is_empty {
        match &settings.to_placeholder {
            Placeholder::Sender => account.cloned(),
            Placeholder::Address(address) => Some(address.clone()),
            Placeholder::None => None,
        }
    } else {
        None
    };
    if let Some(address) = &placeholder {
        // If the placeholder is already a recipient, it moves to To rather than
        // appearing twice.
        if let Some(field) = destination.get_mut(address.key()) {
            *field = Field::To;
        }
    }

    // 3. What to remove: every occurrence except the first one that is
    //    already in its destination field.
    let mut kept: HashSet<&str> = HashSet::new();
    let mut remove = Vec::new();
    let mut after = Fields::default();
    for (index, recipient) in recipients.iter().enumerate() {
        let Some(address) = &recipient.address else {
            after.get_mut(recipient.field).push(Planned::of(recipient));
            continue;
        };
        let key = address.key();
        let target = destination.get(key).copied().unwrap_or(recipient.field);
        if target == recipient.field && kept.insert(key) {
            after.get_mut(target).push(Planned::of(recipient));
        } else {
            remove.push(count(index));
        }
    }

    // 4. What to add: each address whose destination field did not already hold it.
    let mut add = Vec::new();
    for key in order {
        if kept.contains(key) {
            continue;
        }
        let (Some(&field), Some(recipient)) = (destination.get(key), first.get(key)) else {
            continue;
        };
        let Some(address) = &recipient.address else {
            continue;
        };
        add.push(Addition {
            field,
            address: address.spec().to_owned(),
            key: key.to_owned(),
            name: recipient.name.clone(),
        });
        after.get_mut(field).push(Planned::of(recipient));
    }
    if let Some(address) = &placeholder {
        if !destination.contains_key(address.key()) {
            add.push(Addition {
                field: Field::To,
                address: address.spec().to_owned(),
                key: address.key().to_owned(),
                name: None,
            });
            after.to.push(Planned {
                address: Some(address.key().to_owned()),
                raw: None,
                name: None,
            });
        }
    }
    // Additions to To (the placeholder) come last: Bcc first, as documented.
    add.sort_by_key(|addition| addition.field != Field::Bcc);

    MovePlan {
        strategy,
        add,
        remove,
        unmovable,
        placeholder: placeholder.map(|a| a.key().to_owned()),
        after,
    }
}

/// One entry that differs between the plan and the compose window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The field.
    pub field: Field,
    /// The normalised address, or `?` and the verbatim token.
    pub entry: String,
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

/// Compares the recipients read back from the compose with the plan's `after`.
pub fn verify(expected: &Fields, actual: &[Recipient], verdict: Verdict) -> Verification {
    let mut missing = Vec::new();
    let mut unexpected = Vec::new();
    for field in Field::ALL {
        let mut want: Vec<String> = expected.get(field).iter().map(Planned::identity).collect();
        let mut have: Vec<String> = actual
            .iter()
            .filter(|r| r.field == field)
            .map(|r| Planned::of(r).identity())
            .collect();
        want.sort_unstable();
        have.sort_unstable();
        // A merge of two sorted lists finds the multiset differences.
        let (mut w, mut h) = (want.into_iter().peekable(), have.into_iter().peekable());
        loop {
            match (w.peek(), h.peek()) {
                (Some(a), Some(b)) if a == b => {
                    w.next();
                    h.next();
                }
                (Some(a), Some(b)) if a < b => {
                    missing.push(Difference {
                        field,
                        entry: a.clone(),
                    });
                    w.next();
                }
                (Some(_), Some(b)) | (None, Some(b)) => {
                    unexpected.push(Difference {
                        field,
                        entry: b.clone(),
                    });
                    h.next();
                }
                (Some(a), None) => {
                    missing.push(Difference {
                        field,
                        entry: a.clone(),
                    });
                    w.next();
                }
                (None, None) => break,
            }
        }
    }
    let matches = missing.is_empty() && unexpected.is_empty();
    Verification {
        matches,
        sendable: matches && verdict.action == super::exposure::Action::None,
        missing,
        unexpected,
        verdict,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
