//! What the engine read from each entry before, so that a precheck after one
//! change reads only that change.
//!
//! A content script asks again whenever a field changes, with every entry of
//! the compose; most of them are exactly what it sent the time before.
//! Reading an entry (the address check, a typed text's mailbox list) depends
//! on nothing but the entry's own text: not on the settings, the account or
//! the other entries. So the cache is keyed by the exact entry (a chip's
//! `name` and `address`, or the `text`) and holds the recipients it gave,
//! without their field and position, which are set again on each use.
//!
//! The recipients borrow their text from the request. A cached one keeps,
//! for each piece of text, where it lay in the entry (a *span*), and lends it
//! from the new request's entry, which is the same text: a hit costs no
//! allocation unless the piece was unescaped or normalised into text of its
//! own, which is then copied.
//!
//! The cache lives in the [`super::Engine`], which the background builds
//! anew whenever the settings change; since what it holds does not depend on
//! the settings anyway, no generation is kept. Memory is bounded: at most
//! [`MAX_ENTRIES`] entries and about [`MAX_BYTES`] bytes, and an entry larger
//! than [`MAX_ENTRY_BYTES`] is never kept. When a new entry would exceed a
//! bound, the cache is emptied (the simplest eviction: what a precheck needs
//! is the compose it read last, which the next request keeps again), once
//! per request; should the request itself exceed a bound, the rest of its
//! new entries are read without being kept. A hit must match the exact
//! entry and rebuild every recipient, or the entry is read again: the cache
//! can make a request cheaper, never different.
//!
//! Everything is kept in four growing tables (the keys end to end, the
//! recipients, the text of their own, and the lookup by the key's hash), not
//! in an allocation per entry: a thousand small allocations that outlive the
//! request cost more than the reading they spare, in the allocator's
//! bookkeeping and in the fragmentation the next request's buffers meet.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;

use rustc_hash::FxBuildHasher;

use super::address::Address;
use super::compose::Compose;
use super::hashing::FastMap;
use super::recipients::{parse_entry, Field, Recipient, Source};

/// At most this many entries are kept: two composes of 4,000 recipients.
pub const MAX_ENTRIES: usize = 8_192;
/// About this many bytes are kept (keys, recipients and their text).
pub const MAX_BYTES: usize = 2 << 20;
/// An entry with more text than this is read every time.
pub const MAX_ENTRY_BYTES: usize = 16 << 10;

/// The entries read before, by their exact text.
#[derive(Debug, Default)]
pub struct EntryCache {
    /// By the hash of an entry's key: where its key and recipients are.
    slots: FastMap<u64, Slot>,
    /// Every kept key, end to end.
    keys: Vec<u8>,
    /// Every kept recipient, entry after entry.
    templates: Vec<Template>,
    /// The text recipients made of their own (unescaped, normalised).
    text: String,
    /// The current request emptied the cache once already.
    full: bool,
    /// The key being looked up, kept to spare an allocation per entry.
    scratch: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Slot {
    key: Range<usize>,
    templates: Range<usize>,
}

/// A recipient without its field and position, its text as spans.
#[derive(Debug)]
struct Template {
    name: Option<Piece>,
    address: Option<AddressTemplate>,
    raw: Piece,
    deceptive_name: bool,
    name_from_chip: bool,
    address_from_chip: bool,
}

#[derive(Debug)]
struct AddressTemplate {
    key: Piece,
    spec: Option<Range<usize>>,
    domain_start: usize,
}

/// A piece of a recipient's text: where it lay in one of the entry's texts
/// (`source` 0 is a chip's name or the text, 1 a chip's address), or where
/// it is in the cache's own text.
#[derive(Debug)]
enum Piece {
    Span { source: u8, range: Range<usize> },
    Own(Range<usize>),
}

impl EntryCache {
    /// Every recipient of `compose`, in field then entry order, exactly as
    /// [`Compose::recipients`] reads them, reusing the entries read before.
    pub fn recipients<'a>(&mut self, compose: &'a Compose<'_>) -> Vec<Recipient<'a>> {
        self.full = false;
        let mut out = Vec::with_capacity(compose.to.len() + compose.cc.len() + compose.bcc.len());
        for (field, entries) in compose.fields() {
            for (index, entry) in entries.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                self.read(field, index, entry.source(), &mut out);
            }
        }
        out
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// `true` when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn bytes(&self) -> usize {
        self.keys.len() + self.text.len() + self.templates.len() * std::mem::size_of::<Template>()
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.keys.clear();
        self.templates.clear();
        self.text.clear();
    }

    fn read<'a>(
        &mut self,
        field: Field,
        entry: u32,
        source: Source<'a>,
        out: &mut Vec<Recipient<'a>>,
    ) {
        let sources = match source {
            Source::Text(text) => [Some(text), None],
            Source::Chip { name, address } => [name, address],
        };
        let size = sources.iter().flatten().map(|s| s.len()).sum::<usize>();
        if size > MAX_ENTRY_BYTES {
            parse_entry(field, entry, source, out);
            return;
        }
        encode_key(&mut self.scratch, source);
        let hash = FxBuildHasher.hash_one(self.scratch.as_slice());
        let start = out.len();
        let slot = self.slots.get(&hash).cloned();
        if let Some(slot) = &slot {
            if self.keys.get(slot.key.clone()) == Some(self.scratch.as_slice()) {
                if let Some(templates) = self.templates.get(slot.templates.clone()) {
                    let rebuilt = templates.iter().all(|template| {
                        match template.rebuild(&sources, &self.text, field, entry) {
                            Some(recipient) => {
                                out.push(recipient);
                                true
                            }
                            None => false,
                        }
                    });
                    if rebuilt {
                        return;
                    }
                }
                // Cannot happen for a key of the same text; read it again.
                out.truncate(start);
            }
        }
        parse_entry(field, entry, source, out);
        // Another entry with the same hash keeps its place.
        if slot.is_none() {
            self.keep(hash, &sources, out.get(start..).unwrap_or_default());
        }
    }

    /// Keeps what the entry in `scratch` gave, if it fits.
    fn keep(&mut self, hash: u64, sources: &[Option<&str>; 2], recipients: &[Recipient<'_>]) {
        let size = self.scratch.len()
            + recipients.len() * std::mem::size_of::<Template>()
            + recipients
                .iter()
                .map(|r| {
                    r.name.as_ref().map_or(0, |n| n.len())
                        + r.address.as_ref().map_or(0, |a| 2 * a.key().len())
                })
                .sum::<usize>();
        if self.slots.len() >= MAX_ENTRIES || self.bytes() + size > MAX_BYTES {
            if self.full {
                return;
            }
            self.full = true;
            self.clear();
        }
        let templates_start = self.templates.len();
        let text_start = self.text.len();
        for recipient in recipients {
            match Template::of(recipient, sources, &mut self.text) {
                Some(template) => self.templates.push(template),
                None => {
                    self.templates.truncate(templates_start);
                    self.text.truncate(text_start);
                    return;
                }
            }
        }
        let key_start = self.keys.len();
        self.keys.extend_from_slice(&self.scratch);
        self.slots.insert(
            hash,
            Slot {
                key: key_start..self.keys.len(),
                templates: templates_start..self.templates.len(),
            },
        );
    }
}

/// The exact entry as bytes: `T` and the text, or `C`, which of name and
/// address are present, the name's length and both texts. No two entries
/// share a key.
fn encode_key(key: &mut Vec<u8>, source: Source<'_>) {
    key.clear();
    match source {
        Source::Text(text) => {
            key.push(b'T');
            key.extend_from_slice(text.as_bytes());
        }
        Source::Chip { name, address } => {
            key.push(b'C');
            key.push(u8::from(name.is_some()) | u8::from(address.is_some()) << 1);
            let name = name.unwrap_or_default();
            key.extend_from_slice(&u64::try_from(name.len()).unwrap_or(u64::MAX).to_le_bytes());
            key.extend_from_slice(name.as_bytes());
            key.extend_from_slice(address.unwrap_or_default().as_bytes());
        }
    }
}

impl Template {
    /// The template of `recipient`, read from `sources`, its own text added
    /// to `own`; `None` when its raw text does not lie in the sources (it
    /// must be lent, never owned).
    fn of(
        recipient: &Recipient<'_>,
        sources: &[Option<&str>; 2],
        own: &mut String,
    ) -> Option<Self> {
        let raw = Piece::of(recipient.raw, sources, own);
        if matches!(&raw, Piece::Own(range) if !range.is_empty()) {
            return None;
        }
        Some(Template {
            name: recipient
                .name
                .as_deref()
                .map(|name| Piece::of(name, sources, own)),
            address: recipient.address.as_ref().map(|address| AddressTemplate {
                key: Piece::of(address.key(), sources, own),
                spec: address.spec_if_different().map(|spec| {
                    let start = own.len();
                    own.push_str(spec);
                    start..own.len()
                }),
                domain_start: address.domain_start(),
            }),
            raw,
            deceptive_name: recipient.deceptive_name,
            name_from_chip: recipient.name_from_chip,
            address_from_chip: recipient.address_from_chip,
        })
    }

    /// The recipient again, its text lent from `sources`, which hold the same
    /// text as when the template was made, or copied from `own`.
    fn rebuild<'a>(
        &self,
        sources: &[Option<&'a str>; 2],
        own: &str,
        field: Field,
        entry: u32,
    ) -> Option<Recipient<'a>> {
        let name = match &self.name {
            Some(piece) => Some(piece.rebuild(sources, own)?),
            None => None,
        };
        let address = match &self.address {
            Some(address) => Some(Address::from_parts(
                address.key.rebuild(sources, own)?,
                match &address.spec {
                    Some(range) => Some(own.get(range.clone())?.to_owned()),
                    None => None,
                },
                address.domain_start,
            )),
            None => None,
        };
        let raw = match self.raw.rebuild(sources, own)? {
            Cow::Borrowed(raw) => raw,
            Cow::Owned(_) => "",
        };
        Some(Recipient {
            field,
            entry,
            name,
            address,
            raw,
            deceptive_name: self.deceptive_name,
            name_from_chip: self.name_from_chip,
            address_from_chip: self.address_from_chip,
        })
    }
}

impl Piece {
    /// Where `text` lies in one of `sources`, or where its copy in `own` is.
    fn of(text: &str, sources: &[Option<&str>; 2], own: &mut String) -> Self {
        let at = text.as_ptr() as usize;
        for (index, source) in sources.iter().enumerate() {
            let Some(source) = source else { continue };
            let base = source.as_ptr() as usize;
            if at >= base && at + text.len() <= base + source.len() {
                return Piece::Span {
                    source: u8::try_from(index).unwrap_or(u8::MAX),
                    range: at - base..at - base + text.len(),
                };
            }
        }
        let start = own.len();
        own.push_str(text);
        Piece::Own(start..own.len())
    }

    fn rebuild<'a>(&self, sources: &[Option<&'a str>; 2], own: &str) -> Option<Cow<'a, str>> {
        match self {
            Piece::Span { source, range } => sources
                .get(usize::from(*source))
                .copied()
                .flatten()?
                .get(range.clone())
                .map(Cow::Borrowed),
            Piece::Own(range) if range.is_empty() => Some(Cow::Borrowed("")),
            Piece::Own(range) => own
                .get(range.clone())
                .map(|text| Cow::Owned(text.to_owned())),
        }
    }
}
