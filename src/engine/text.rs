//! String helpers that know nothing of mail: lower case one character at a
//! time, a trim that skips the common case, the parents of a dotted name,
//! and a bounded quotation of a bad value.
//!
//! They sit here, below every other module, so that the modules that use
//! them (`address`, `domain`, `public_suffix`, `policy`, `protocol`) need
//! not import one another for a few lines of text handling: that is what
//! kept the engine's imports from running in one direction only.

/// Lower case one character at a time. `str::to_lowercase` is contextual
/// (a final `Σ` becomes `ς`), which would give one domain two spellings.
pub(crate) fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// `str::trim`, without decoding characters when the text starts and ends
/// with printable ASCII (nearly every address and name a host sends), which
/// is never white space.
pub(crate) fn trim(text: &str) -> &str {
    let printable = |b: &u8| (0x21..0x7F).contains(b);
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if printable(first) && printable(last) => text,
        _ => text.trim(),
    }
}

/// The parent domains of `domain` on label boundaries, nearest first:
/// `a.b.example.com` gives `b.example.com`, `example.com`, `com`.
pub fn parents(domain: &str) -> impl Iterator<Item = &str> {
    // A byte scan: `.` is one byte in UTF-8 and never part of another
    // character, and a char search costs far more on names this short.
    domain
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'.')
        .map(move |(i, _)| domain.get(i + 1..).unwrap_or(""))
}

/// Quotes at most 200 characters of a bad value, so that a megabyte of garbage
/// in a policy does not become a megabyte of error message.
pub(crate) fn truncate(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")),
        None => text.to_owned(),
    }
}
