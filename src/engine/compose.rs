//! What a host read from one compose window: the engine's input.
//!
//! The protocol reads a [`Compose`] from a request's JSON
//! (`protocol/read.rs`); tests, benchmarks and the fuzz targets build one in
//! Rust. Either way the engine sees the same type, and nothing in it knows
//! how it arrived.

use std::borrow::Cow;

use super::address::Address;
use super::recipients::{parse_entry, Field, Recipient, Source};

/// What the host read from one compose window.
#[derive(Debug, Clone)]
pub struct Compose<'a> {
    /// The signed-in account's address, if the page shows it.
    pub account: Option<Cow<'a, str>>,
    /// Entries of To.
    pub to: Vec<Entry<'a>>,
    /// Entries of Cc.
    pub cc: Vec<Entry<'a>>,
    /// Entries of Bcc.
    pub bcc: Vec<Entry<'a>>,
    /// `false` when the host could not read every field; the verdict is
    /// then at least a warning. `true` when absent.
    pub complete: bool,
    /// The webmail host the compose is on. When given and not among the
    /// policy's `protectedHosts`, the verdict is always "none".
    pub host: Option<Cow<'a, str>>,
}

/// One entry of a field: a chip (`name`, `address`) or free `text`.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    /// The chip's display name.
    pub name: Option<Cow<'a, str>>,
    /// The chip's address.
    pub address: Option<Cow<'a, str>>,
    /// Free text (typed, or an old-style input); when present the entry is text.
    pub text: Option<Cow<'a, str>>,
}

impl Entry<'static> {
    /// A chip, for callers that build composes in Rust (tests, benchmarks).
    pub fn chip(name: Option<&str>, address: Option<&str>) -> Self {
        Entry {
            name: name.map(|n| Cow::Owned(n.to_owned())),
            address: address.map(|a| Cow::Owned(a.to_owned())),
            text: None,
        }
    }
}

impl<'a> Compose<'a> {
    /// Parses every entry of every field, in field then entry order.
    pub fn recipients(&self) -> Vec<Recipient<'_>> {
        let mut out = Vec::with_capacity(self.to.len() + self.cc.len() + self.bcc.len());
        for (field, entries) in [
            (Field::To, &self.to),
            (Field::Cc, &self.cc),
            (Field::Bcc, &self.bcc),
        ] {
            for (index, entry) in entries.iter().enumerate() {
                let source = match &entry.text {
                    Some(text) => Source::Text(text),
                    None => Source::Chip {
                        name: entry.name.as_deref(),
                        address: entry.address.as_deref(),
                    },
                };
                parse_entry(
                    field,
                    u32::try_from(index).unwrap_or(u32::MAX),
                    source,
                    &mut out,
                );
            }
        }
        out
    }

    /// The signed-in account, if it was given and is an address.
    pub fn account(&self) -> Option<Address<'_>> {
        self.account.as_deref().and_then(|a| Address::parse(a).ok())
    }
}
