//! String helpers that know nothing of mail: lower case one character at a
//! time, the parents of a dotted name, and a bounded quotation of a bad value.
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

/// The parent domains of `domain` on label boundaries, nearest first:
/// `a.b.example.com` gives `b.example.com`, `example.com`, `com`.
pub fn parents(domain: &str) -> impl Iterator<Item = &str> {
    domain
        .match_indices('.')
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
