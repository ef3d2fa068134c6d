//! What UTS #46 (Unicode IDNA Compatibility Processing) says about the
//! characters of a domain, from a table `build.rs` generates out of
//! `data/uts46.txt` (the IdnaMappingTable and the Unicode Character Database
//! of one Unicode version).
//!
//! A mail system delivers `x@Bücher.de` to `xn--bcher-kva.de` because UTS #46
//! maps the name before Punycode encodes it. The engine makes only the
//! mappings it can make exactly as UTS #46 does — lower case, full-width and
//! half-width forms, the NFC compositions of kana voicing marks and Indic
//! vowel signs — and refuses every other character UTS #46 maps or
//! disallows, so that an address such as `x@ⓖmail.com`, which a mail system
//! may deliver to gmail.com, is unreadable rather than an organisation of
//! its own. The rule the fuzz target `uts46` checks against the `idna`
//! crate: for any domain, the engine's ASCII form is UTS #46's, or the
//! engine refuses the domain.
//!
//! The `idna` crate itself is not used in the WASM: its Unicode data costs
//! more than the whole engine (shared/research/test-infra.md, §3).

use std::borrow::Cow;
use std::sync::OnceLock;

use super::punycode;

include!(concat!(env!("OUT_DIR"), "/uts46.rs"));

/// Refused: the address is unreadable.
pub(crate) const REFUSED: u8 = 0;
/// Kept as it is.
const KEPT: u8 = 1;
/// Mapped to its lower case, which is UTS #46's mapping too.
pub(crate) const MAPPED: u8 = 2;
/// The first class of combining marks; a mark whose combining class has rank
/// `r` is `MARK + r`, so that the classes compare as the ranks do.
const MARK: u8 = 3;
/// NFC may compose this mark with the character before it.
const COMPOSES: u8 = 0x80;

/// Why UTS #46 refuses a label. The domain module words it as a
/// `DomainError`; this module knows nothing of domains beyond their labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A character UTS #46 does not keep as the engine would (see the table's
    /// classes), or one in a place or order the validity criteria forbid.
    Character(char),
    /// An `xn--` label whose Punycode does not encode a valid label, or is
    /// not its one encoding.
    Punycode,
}

/// The class of a non-ASCII character (see `build.rs`): refused, kept,
/// mapped, or a combining mark.
pub(crate) fn class(c: char) -> u8 {
    static STARTS: OnceLock<Vec<(u32, u8)>> = OnceLock::new();
    let starts = STARTS.get_or_init(|| {
        let mut starts = Vec::with_capacity(RUNS.len() / 2);
        let (mut start, mut length, mut shift) = (0x80u32, 0u32, 0);
        let mut bytes = RUNS.iter();
        while let Some(&byte) = bytes.next() {
            length |= u32::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                let class = bytes.next().copied().unwrap_or(REFUSED);
                starts.push((start, class));
                start += length;
                (length, shift) = (0, 0);
            }
        }
        starts
    });
    let code = u32::from(c);
    let index = starts.partition_point(|&(start, _)| start <= code);
    match index.checked_sub(1).and_then(|i| starts.get(i)) {
        Some(&(_, class)) => class,
        None => REFUSED,
    }
}

/// Checks one mapped label as UTS #46's validity criteria do, for the
/// characters the engine keeps: each kept, no combining mark first, and in
/// NFC. `compose` lets the NFC compositions the table lists be made (a
/// label as typed); without it any would make the label invalid (a label
/// decoded from Punycode must already be in NFC).
pub(crate) fn check_label(label: &str, compose: bool) -> Result<Cow<'_, str>, Refusal> {
    let refuse = |c: char| Err(Refusal::Character(c));
    let mut composed: Option<String> = None;
    // The combining rank of the previous character, and the last starter
    // (a character of combining class 0) with whether it is the previous
    // character: NFC composes only an adjacent pair, the one case made here.
    let mut previous_rank = 0;
    let mut last_starter: Option<(char, bool)> = None;
    for (index, c) in label.char_indices() {
        let class = if c.is_ascii() { KEPT } else { class(c) };
        let kind = class & !COMPOSES;
        if kind == REFUSED || kind == MAPPED || (index == 0 && kind >= MARK) {
            return refuse(c);
        }
        let rank = kind.saturating_sub(MARK);
        // Combining marks out of canonical order: NFC would reorder them.
        if rank > 0 && previous_rank > rank {
            return refuse(c);
        }
        if class & COMPOSES != 0 {
            if let Some((base, adjacent)) = last_starter {
                if let Some(composite) = composition(base, c) {
                    let made = self::class(composite) & !COMPOSES;
                    if !(compose && adjacent) || made == REFUSED || made == MAPPED {
                        return refuse(c);
                    }
                    let text = composed
                        .get_or_insert_with(|| label.get(..index).unwrap_or_default().to_owned());
                    text.pop();
                    text.push(composite);
                    last_starter = Some((composite, true));
                    previous_rank = 0;
                    continue;
                }
            }
        }
        if let Some(text) = composed.as_mut() {
            text.push(c);
        }
        last_starter = match (rank, last_starter) {
            (0, _) => Some((c, true)),
            (_, Some((base, _))) => Some((base, false)),
            (_, None) => None,
        };
        previous_rank = rank;
    }
    Ok(composed.map_or(Cow::Borrowed(label), Cow::Owned))
}

/// The character NFC composes of `base` and `mark`, if any.
fn composition(base: char, mark: char) -> Option<char> {
    let key = [
        u16::try_from(u32::from(base)).ok()?,
        u16::try_from(u32::from(mark)).ok()?,
    ];
    let index = COMPOSITIONS
        .binary_search_by(|entry| [entry[0], entry[1]].cmp(&key))
        .ok()?;
    COMPOSITIONS
        .get(index)
        .and_then(|entry| char::from_u32(u32::from(entry[2])))
}

/// Checks a label in its ASCII form (`xn--` and `rest`, lower case) as
/// UTS #46 does: the Punycode decodes, to a label that is not plain ASCII
/// and that passes [`check_label`] as it is, and it is the one encoding of
/// that label.
pub(crate) fn check_punycode(rest: &str) -> Result<(), Refusal> {
    let decoded = punycode::decode_label(rest).ok_or(Refusal::Punycode)?;
    if decoded.is_ascii() || decoded.starts_with("xn--") {
        return Err(Refusal::Punycode);
    }
    check_label(&decoded, false)?;
    if punycode::encode_label(&decoded).as_deref() != Some(rest) {
        return Err(Refusal::Punycode);
    }
    Ok(())
}
