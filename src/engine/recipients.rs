//! Recipients: what the content script read from the To, Cc and Bcc fields,
//! parsed into addresses.
//!
//! Webmail gives us two shapes. A *chip* is a recipient the webmail already
//! recognised, with a display name and (usually) an address. *Text* is what is
//! still typed in a field, or an old-style hidden input: an RFC 5322 mailbox
//! list, which [`super::mailbox_list`] reads. Neither ever drops a token:
//! whatever is not a valid address becomes an *unreadable* recipient, which
//! the exposure rule treats as an external party of its own and the dialog
//! shows verbatim.

use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use super::address::Address;
use super::hashing::FastMap;
use super::mailbox_list::{has_at_sign, parse_mailbox_list, Mailbox, AT_SIGNS};
use super::text::trim;

/// A recipient field of a compose window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// Visible to every recipient.
    To,
    /// Visible to every recipient.
    Cc,
    /// Hidden from the other recipients.
    Bcc,
}

impl Field {
    /// The three fields in order of visibility.
    pub const ALL: [Field; 3] = [Field::To, Field::Cc, Field::Bcc];

    /// `true` for To and Cc, whose addresses every recipient sees.
    pub fn is_visible(self) -> bool {
        self != Field::Bcc
    }
}

/// One entry the content script read from a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A recognised recipient. `address` may be missing or not an address when
    /// the webmail shows only a name; the recipient is then unreadable.
    Chip {
        /// The display name shown on the chip.
        name: Option<&'a str>,
        /// The address the chip stands for, or an `addr-spec` with a name.
        address: Option<&'a str>,
    },
    /// Free text: a mailbox list that may hold any number of recipients.
    Text(&'a str),
}

/// A recipient after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient<'a> {
    /// The field it was read from.
    pub field: Field,
    /// The position of its source entry in that field, so that the content
    /// script can find the chip again when it moves the recipient.
    pub entry: u32,
    /// The display name, if any.
    pub name: Option<Cow<'a, str>>,
    /// The address, or `None` when the token is unreadable.
    pub address: Option<Address<'a>>,
    /// The token as the user wrote it, shown verbatim; kept only for
    /// unreadable recipients (empty otherwise), since nothing else needs it.
    pub raw: &'a str,
    /// The display name contains a different address than the real one, as in
    /// `"ceo@example.com" <x@evil.example>`.
    pub deceptive_name: bool,
    /// The name is the chip's own `name`, which the content script already
    /// has, so answers need not repeat it.
    pub name_from_chip: bool,
    /// The normalised address is exactly the chip's `address` as sent, so
    /// answers need not repeat it either.
    pub address_from_chip: bool,
}

/// Which recipients share an address: a number (an *id*) for each distinct
/// address. Ids are given in order of first appearance, so iterating ids
/// visits addresses in compose order. (What identifies a recipient when a
/// plan is compared with the compose is [`super::plan::Identity`].)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressIds {
    /// For each recipient, the id of its address; `None` if unreadable.
    pub ids: Vec<Option<u32>>,
    /// For each id, the index of the first recipient with that address.
    pub first: Vec<usize>,
}

impl AddressIds {
    /// Numbers the distinct addresses among `recipients`.
    pub fn new(recipients: &[Recipient<'_>]) -> Self {
        let mut by_key: FastMap<&str, u32> = FastMap::default();
        by_key.reserve(recipients.len());
        let mut first = Vec::with_capacity(recipients.len());
        let ids = recipients
            .iter()
            .enumerate()
            .map(|(index, recipient)| {
                let key = recipient.address.as_ref()?.key();
                Some(*by_key.entry(key).or_insert_with(|| {
                    first.push(index);
                    u32::try_from(first.len() - 1).unwrap_or(u32::MAX)
                }))
            })
            .collect();
        AddressIds { ids, first }
    }

    /// How many distinct addresses there are.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    /// `true` when no recipient is readable.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The id of recipient `index`, as a usize for indexing per-id tables.
    pub fn of(&self, index: usize) -> Option<usize> {
        self.ids.get(index).copied().flatten().map(|id| id as usize)
    }
}

/// Parses one entry of `field` and appends the recipients it holds to `out`.
/// A chip always yields at least one recipient; text yields as many as it names.
pub fn parse_entry<'a>(field: Field, entry: u32, source: Source<'a>, out: &mut Vec<Recipient<'a>>) {
    match source {
        Source::Text(text) => parse_mailbox_list(text, &mut |mailbox| {
            out.push(Recipient::placed(mailbox, field, entry));
        }),
        Source::Chip { name, address } => {
            let name = name.map(trim).filter(|n| !n.is_empty());
            let sent = address;
            let address = address.map(trim).filter(|a| !a.is_empty());
            let Some(text) = address else {
                let mailbox = Mailbox::unreadable(name.unwrap_or_default(), name);
                let mut recipient = Recipient::placed(mailbox, field, entry);
                recipient.name_from_chip = name.is_some();
                out.push(recipient);
                return;
            };
            // A chip stands for exactly one mailbox, so its address must be
            // one `addr-spec` or the chip is unreadable. Parsing it as a
            // mailbox list would let a crafted value such as
            // `"a"@corp.example<NEL>.evil.com` split into a colleague's
            // address and a display name.
            let mut mailbox = Mailbox::with_address(text, None);
            if let Some(chip_name) = name {
                mailbox.name = Some(Cow::Borrowed(chip_name));
            }
            // Only the exact text sent may be left out of the answer: a
            // client fills the gap with what it sent, spaces and all.
            let same = mailbox
                .address
                .as_ref()
                .is_some_and(|a| Some(a.key()) == sent);
            let mut recipient = Recipient::placed(mailbox, field, entry);
            recipient.name_from_chip = name.is_some();
            recipient.address_from_chip = same;
            out.push(recipient);
        }
    }
}

impl<'a> Recipient<'a> {
    /// The recipient a mailbox of `field`'s entry `entry` is.
    fn placed(mailbox: Mailbox<'a>, field: Field, entry: u32) -> Self {
        let deceptive_name = match (&mailbox.name, &mailbox.address) {
            (Some(name), Some(address)) => names_other_address(name, address),
            _ => false,
        };
        Recipient {
            field,
            entry,
            raw: if mailbox.address.is_none() {
                mailbox.raw
            } else {
                ""
            },
            name: mailbox.name,
            address: mailbox.address,
            deceptive_name,
            name_from_chip: false,
            address_from_chip: false,
        }
    }
}

/// Whether a display name contains an address that is not `address`.
fn names_other_address(name: &str, address: &Address<'_>) -> bool {
    if !has_at_sign(name) {
        return false;
    }
    name.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '(' | ')' | '<' | '>' | '[' | ']' | ',' | ';' | ':'
            )
    })
    .filter(|word| word.contains(AT_SIGNS))
    .filter_map(|word| Address::parse(word).ok())
    .any(|other| other.key() != address.key())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Vec<Recipient<'_>> {
        let mut out = Vec::new();
        parse_entry(Field::To, 0, Source::Text(text), &mut out);
        out
    }

    fn keys(recipients: &[Recipient<'_>]) -> Vec<String> {
        recipients
            .iter()
            .map(|r| match &r.address {
                Some(a) => a.key().to_owned(),
                None => format!("?{}", r.raw),
            })
            .collect()
    }

    #[test]
    fn display_name_trick_is_flagged() {
        let r = parse_text(r#""ceo@example.com" <x@evil.example>"#);
        assert_eq!(keys(&r), ["x@evil.example"]);
        assert_eq!(r[0].name.as_deref(), Some("ceo@example.com"));
        assert!(r[0].deceptive_name);
        let honest = parse_text(r#""x@evil.example" <X@Evil.Example>"#);
        assert!(!honest[0].deceptive_name);
    }

    #[test]
    fn chips() {
        let mut out = Vec::new();
        parse_entry(
            Field::Cc,
            3,
            Source::Chip {
                name: Some("Alice"),
                address: Some("Alice@Example.com"),
            },
            &mut out,
        );
        parse_entry(
            Field::Cc,
            4,
            Source::Chip {
                name: Some("Bob"),
                address: None,
            },
            &mut out,
        );
        parse_entry(
            Field::Cc,
            5,
            Source::Chip {
                name: None,
                address: Some("Carol <carol@example.net>"),
            },
            &mut out,
        );
        parse_entry(
            Field::Cc,
            6,
            Source::Chip {
                name: Some("Away"),
                address: Some("Dan Offline"),
            },
            &mut out,
        );
        // A chip's address is one addr-spec; a mailbox or a list in its
        // place is unreadable (shown verbatim, counted, never guessed).
        assert_eq!(
            keys(&out),
            [
                "alice@example.com",
                "?Bob",
                "?Carol <carol@example.net>",
                "?Dan Offline"
            ]
        );
        assert_eq!(out[0].entry, 3);
        assert_eq!(out[0].field, Field::Cc);
        assert_eq!(out[1].name.as_deref(), Some("Bob"));
        assert_eq!(out[3].name.as_deref(), Some("Away"));
    }
}
