//! The lexer of RFC 5322 mailbox lists: what a text entry holds (what is
//! still typed in a field, or an old-style hidden input), such as
//! `"Smith, J." <j@example.com>, team: a@x.org, b@y.org;`.
//!
//! The lexer is lenient about what people paste — `;` and newlines as
//! separators, full-width `＠`, `，` and `；`, `Name addr@example.com` without
//! brackets — and strict about one thing: it never drops a token. Whatever is
//! not a valid address becomes an *unreadable* mailbox, which the exposure
//! rule treats as an external party of its own and the dialog shows verbatim.
//!
//! It knows nothing of fields and entries: it hands each mailbox to its
//! caller (`recipients::parse_entry`) as it finds it, so that a text entry
//! needs no list of its own.

use std::borrow::Cow;

use super::address::Address;
use super::text::trim;

/// A mailbox as the lexer read it, before it is placed in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mailbox<'a> {
    /// The display name, if any.
    pub(crate) name: Option<Cow<'a, str>>,
    /// The address, or `None` when the token is unreadable.
    pub(crate) address: Option<Address<'a>>,
    /// The token as written, trimmed.
    pub(crate) raw: &'a str,
}

impl<'a> Mailbox<'a> {
    /// An unreadable token, shown verbatim as `raw`.
    pub(crate) fn unreadable(raw: &'a str, name: Option<&'a str>) -> Self {
        Mailbox {
            name: name.map(Cow::Borrowed),
            address: None,
            raw,
        }
    }

    /// A mailbox whose address is `spec` if that validates, unreadable otherwise.
    pub(crate) fn with_address(spec: &'a str, name: Option<Cow<'a, str>>) -> Self {
        Mailbox {
            address: Address::parse(strip_route(spec)).ok(),
            name,
            raw: trim(spec),
        }
    }
}

/// Removes what may precede the real address inside angle brackets: a
/// `mailto:` scheme or an obsolete source route (`@relay.example:`).
fn strip_route(spec: &str) -> &str {
    let spec = trim(spec);
    let spec = strip_prefix_ignore_case(spec, "mailto:").unwrap_or(spec);
    if spec.starts_with('@') {
        if let Some((_, rest)) = spec.split_once(':') {
            return rest;
        }
    }
    spec
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Lexical state while scanning RFC 5322 text: inside quotes, comments or angle
/// brackets, separators do not separate.
#[derive(Default)]
struct Scanner {
    quoted: bool,
    escaped: bool,
    comment_depth: u32,
    in_angle: bool,
}

impl Scanner {
    /// Advances over `c` and reports whether it is at top level (outside
    /// quotes, comments and brackets) *before* `c` changes the state.
    fn step(&mut self, c: char) -> bool {
        if self.escaped {
            self.escaped = false;
            return false;
        }
        let top = !self.quoted && self.comment_depth == 0 && !self.in_angle;
        match c {
            '\\' if self.quoted || self.comment_depth > 0 => self.escaped = true,
            '"' if self.comment_depth == 0 => self.quoted = !self.quoted,
            '(' if !self.quoted => self.comment_depth += 1,
            ')' if !self.quoted && self.comment_depth > 0 => self.comment_depth -= 1,
            '<' | '＜' if !self.quoted && self.comment_depth == 0 => self.in_angle = true,
            '>' | '＞' if !self.quoted && self.comment_depth == 0 => self.in_angle = false,
            _ => {}
        }
        top
    }

    fn is_balanced(&self) -> bool {
        !self.quoted && self.comment_depth == 0 && !self.in_angle
    }
}

/// The at signs that make a word an address: `@`, the full-width `＠` and
/// the small `﹫`, all three `@` to UTS #46 (and [`super::fold::fold_width`]).
pub(crate) const AT_SIGNS: [char; 3] = ['@', '＠', '﹫'];

/// Whether `text` holds one of the [`AT_SIGNS`]: a byte scan, decoding
/// characters only when a byte could start `＠` or `﹫` (both `EF …`).
pub(crate) fn has_at_sign(text: &str) -> bool {
    // Eight bytes at a time, with the "has a zero byte" test of each word
    // (`(w - 0x01…) & !w & 0x80…`, exact for whether any byte is zero) on
    // the word xor `@` and xor `EF`; then byte by byte. `<[u8]>::contains`
    // calls memchr, which costs more than it saves on a name or an address.
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGH != 0;
    let bytes = text.as_bytes();
    let mut wide = false;
    let mut at = 0;
    while let Some(word) = bytes
        .get(at..at + 8)
        .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
    {
        let word = u64::from_le_bytes(word);
        if has_zero(word ^ (ONES * u64::from(b'@'))) {
            return true;
        }
        wide |= has_zero(word ^ (ONES * 0xEF));
        at += 8;
    }
    for &b in bytes.get(at..).unwrap_or_default() {
        if b == b'@' {
            return true;
        }
        wide |= b == 0xEF;
    }
    wide && text.contains(AT_SIGNS)
}

fn is_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '\n' | '\r' | '，' | '；')
}

/// Parses a mailbox list and hands each mailbox to `out`, in the order of
/// the text. Groups (`team: a@x.org, b@y.org;`) contribute their
/// members; their names, and empty groups such as `undisclosed-recipients:;`,
/// contribute nothing because they are not addresses.
pub(crate) fn parse_mailbox_list<'a>(text: &'a str, out: &mut impl FnMut(Mailbox<'a>)) {
    match plain_item(text) {
        Some(mailbox) => out(mailbox),
        None => parse_general(text, out),
    }
}

/// The commonest typed entry, one mailbox in printable ASCII —
/// `local@domain`, `Name Words <local@domain>` or `"Quoted Name"
/// <local@domain>` — read from its bytes in a few scans, with no separator,
/// quote, comment or bracket state to keep. `None` for anything else (or
/// empty text), which [`parse_general`] reads; for what this accepts, it
/// gives the same mailbox as that (a property test compares them).
fn plain_item(text: &str) -> Option<Mailbox<'_>> {
    // No control characters (so `' '` is the only white space) and nothing
    // beyond ASCII (so no full-width forms or Unicode spaces).
    if classes(text) & BEYOND != 0 {
        return None;
    }
    let item = trim_spaces(text);
    let Some(open) = item.bytes().position(|b| b == b'<') else {
        // One word: an address, or a word the general path finds unreadable
        // (the same mailbox without an address).
        let word = !item.is_empty() && classes(item) & (SPACE | SPECIAL) == 0;
        return word.then(|| Mailbox {
            name: None,
            address: Address::parse(item).ok(),
            raw: item,
        });
    };
    let spec = item.get(open + 1..)?.strip_suffix('>')?;
    if classes(spec) & (SPACE | SPECIAL) != 0 {
        return None;
    }
    let phrase = trim_spaces(item.get(..open)?);
    // An at sign in a name calls for `phrase_name`.
    let name = match phrase.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        Some(inner) if classes(inner) & (SPECIAL | AT) == 0 => trim_spaces(inner),
        Some(_) => return None,
        None if classes(phrase) & (SPECIAL | AT) != 0 || has_double_space(phrase) => return None,
        None => phrase,
    };
    Some(Mailbox {
        name: (!name.is_empty()).then_some(Cow::Borrowed(name)),
        address: Address::parse(spec).ok(),
        raw: item,
    })
}

/// [`plain_item`]'s byte classes: beyond printable ASCII, a space, an at
/// sign, and what else would need the lexer (separators and a group's
/// colon, quotes, comments, escapes and brackets).
const BEYOND: u8 = 1;
const SPACE: u8 = 2;
const AT: u8 = 4;
const SPECIAL: u8 = 8;
static PLAIN_ITEM_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b' ' => SPACE,
            b'@' => AT,
            b',' | b';' | b':' | b'"' | b'(' | b')' | b'\\' | b'<' | b'>' => SPECIAL,
            0x21..=0x7E => 0,
            _ => BEYOND,
        };
        b += 1;
    }
    table
};

/// The classes of every byte of `text`, together: one table lookup per byte.
fn classes(text: &str) -> u8 {
    text.bytes()
        .fold(0, |all, b| all | PLAIN_ITEM_CLASS[usize::from(b)])
}

/// Whether `text` holds two spaces in a row.
fn has_double_space(text: &str) -> bool {
    let mut previous = 0;
    text.bytes().any(|b| {
        let double = b == b' ' && previous == b' ';
        previous = b;
        double
    })
}

/// `text` without the spaces around it, by bytes.
fn trim_spaces(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |i| i + 1);
    text.get(start..end).unwrap_or("")
}

/// [`parse_mailbox_list`] for any text: the RFC 5322 lexer.
fn parse_general<'a>(text: &'a str, out: &mut impl FnMut(Mailbox<'a>)) {
    // Text without a separator or a group's colon is one item, as
    // `split_items` would find, without a list of items.
    if !text.contains(|c| is_separator(c) || c == ':') {
        if !text.trim().is_empty() {
            parse_item(text, out);
        }
        return;
    }
    for item in split_items(text) {
        parse_item(item, out);
    }
}

/// Splits a list at top-level separators. If quotes, comments or brackets are
/// left open at the end, the text is split again ignoring them, so that one
/// stray `"` cannot glue several addresses into a single token.
fn split_items(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut scanner = Scanner::default();
    let mut start = 0;
    // Whether the item so far holds an `@`, kept as the scan goes rather than
    // searched for at each `:`, which would make `x@` and many colons quadratic.
    let mut head_has_at = false;
    for (i, c) in text.char_indices() {
        if AT_SIGNS.contains(&c) {
            head_has_at = true;
        }
        let top = scanner.step(c);
        if !top {
            continue;
        }
        if is_separator(c) {
            items.push(text.get(start..i).unwrap_or(""));
            start = i + c.len_utf8();
            head_has_at = false;
        } else if c == ':' && !head_has_at {
            // `name:` opens a group, unless what precedes it holds an address
            // (`a@x.org:b@y.org` is a typo, not a group, and must not lose a@x.org).
            start = i + 1;
        }
    }
    items.push(text.get(start..).unwrap_or(""));
    if !scanner.is_balanced() {
        items = text.split(is_separator).collect();
    }
    items.retain(|item| !item.trim().is_empty());
    items
}

/// Parses one list item: `Name <addr>`, `addr (Name)`, `addr`, `Name addr`, or
/// several bracketed or space-separated addresses that lack a separator.
fn parse_item<'a>(item: &'a str, out: &mut impl FnMut(Mailbox<'a>)) {
    let item = item.trim();
    let angles = angle_pairs(item);
    let Some(last) = angles.last() else {
        parse_rest(item, out, true);
        return;
    };
    let last_end = last.end;
    // Each bracketed address, with the text before it as its display name.
    let mut start = 0;
    for angle in &angles {
        let phrase = item.get(start..angle.open).unwrap_or("");
        let spec = item.get(angle.inner.clone()).unwrap_or("");
        let name = if has_at_sign(phrase) {
            phrase_name(phrase, out)
        } else {
            display_name(phrase)
        };
        let raw = item.get(start..angle.end).unwrap_or(item);
        let mut mailbox = Mailbox::with_address(spec, name);
        mailbox.raw = raw.trim();
        out(mailbox);
        start = angle.end;
    }
    // What follows the last bracket is a comment, or a forgotten separator.
    parse_rest(item.get(last_end..).unwrap_or(""), out, false);
}

/// Parses what no bracket pair accounts for: the whole item (`whole`), or
/// what follows its last `<…>`. Text the lexical rules cannot close never
/// hides an address: an unclosed `<` makes the rest one unreadable token, and
/// an unclosed comment or quote that holds an `@` has its addresses read out
/// word by word instead of being swallowed as a comment or a name.
fn parse_rest<'a>(rest: &'a str, out: &mut impl FnMut(Mailbox<'a>), whole: bool) {
    match unclosed(rest) {
        Some(Unclosed::Angle) => out(Mailbox::unreadable(rest.trim(), None)),
        Some(Unclosed::QuoteOrComment(from)) if rest.get(from..).is_some_and(has_at_sign) => {
            read_out(rest, out);
        }
        _ => {
            // After a bracket, a comment alone is the mailbox's remark,
            // unless it holds an at sign (see `unreadable_comments`).
            if whole || has_at_sign(rest) || !words_and_comments(rest).0.is_empty() {
                parse_bare(rest, out);
            }
        }
    }
}

/// What is left open at the end of a text.
enum Unclosed {
    /// A `<` (or `＜`) without its `>`.
    Angle,
    /// A quote or comment (and no bracket), opened at this byte offset.
    QuoteOrComment(usize),
}

/// Whether `text` ends inside a bracket, a quote or a comment.
fn unclosed(text: &str) -> Option<Unclosed> {
    let mut scanner = Scanner::default();
    let mut opened = 0;
    for (i, c) in text.char_indices() {
        let was_open = scanner.quoted || scanner.comment_depth > 0;
        scanner.step(c);
        if !was_open && (scanner.quoted || scanner.comment_depth > 0) {
            opened = i;
        }
    }
    if scanner.in_angle {
        Some(Unclosed::Angle)
    } else if scanner.quoted || scanner.comment_depth > 0 {
        Some(Unclosed::QuoteOrComment(opened))
    } else {
        None
    }
}

/// Reads the addresses out of text whose quotes or comments do not close:
/// every word that holds an `@` is a recipient of its own, an address once
/// the stray quotes, parentheses and brackets around it are taken off, or
/// unreadable. The other words hold no address and name no one for sure.
fn read_out<'a>(text: &'a str, out: &mut impl FnMut(Mailbox<'a>)) {
    for word in text.split_whitespace().filter(|w| is_address_like(w)) {
        let spec = word.trim_matches(['"', '(', ')', '<', '>', '＜', '＞']);
        let mut mailbox = Mailbox::with_address(spec, None);
        mailbox.raw = word;
        out(mailbox);
    }
}

/// A top-level `<…>` (or full-width `＜…＞`) in an item, as byte offsets.
struct Angle {
    /// Where the opening bracket starts.
    open: usize,
    /// Between the brackets.
    inner: std::ops::Range<usize>,
    /// Just after the closing bracket.
    end: usize,
}

/// Top-level `<`…`>` pairs. Offsets account for the width of each bracket:
/// the full-width ones take three bytes.
fn angle_pairs(item: &str) -> Vec<Angle> {
    let mut pairs = Vec::new();
    let mut scanner = Scanner::default();
    let mut open: Option<(usize, usize)> = None;
    for (i, c) in item.char_indices() {
        let was_quoted_or_comment = scanner.quoted || scanner.comment_depth > 0;
        scanner.step(c);
        if was_quoted_or_comment {
            continue;
        }
        match c {
            '<' | '＜' => open = Some((i, i + c.len_utf8())),
            '>' | '＞' => {
                if let Some((start, inner_start)) = open.take() {
                    pairs.push(Angle {
                        open: start,
                        inner: inner_start..i,
                        end: i + c.len_utf8(),
                    });
                }
            }
            _ => {}
        }
    }
    pairs
}

/// An item without brackets: `addr`, `addr (Name)`, `Name addr`, or
/// `a@x.org b@y.org` (several addresses separated only by spaces).
fn parse_bare<'a>(item: &'a str, out: &mut impl FnMut(Mailbox<'a>)) {
    // The commonest item, one word with nothing to unquote or skip
    // (`a@x.example`), is read without splitting it into words first.
    let word = item.trim();
    let plain = !word.is_empty()
        && !word.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '\\'));
    if plain {
        out(if is_address_like(word) {
            Mailbox::with_address(word, None)
        } else {
            Mailbox::unreadable(word, None)
        });
        return;
    }
    let (words, comments) = words_and_comments(item);
    let address_words = words.iter().filter(|w| is_address_like(w)).count();
    match address_words {
        // The whole item, comments and all, is shown as one token.
        0 => out(Mailbox::unreadable(item.trim(), None)),
        1 => {
            let names: Vec<String> = words
                .iter()
                .filter(|w| !is_address_like(w))
                .map(|w| unquote(w))
                .collect();
            let name = if names.is_empty() {
                name_comment(&comments)
                    .filter(|c| !c.is_empty())
                    .map(Cow::Borrowed)
            } else {
                Some(Cow::Owned(names.join(" ")))
            };
            let spec = words
                .iter()
                .copied()
                .find(|w| is_address_like(w))
                .unwrap_or("");
            let mut mailbox = Mailbox::with_address(spec, name);
            mailbox.raw = item.trim();
            out(mailbox);
            unreadable_comments(&comments, out);
        }
        // Several addresses and no separators: every word is its own token, so
        // that none is mistaken for another's display name and lost.
        _ => {
            for word in words {
                if is_address_like(word) {
                    out(Mailbox::with_address(word, None));
                } else {
                    out(Mailbox::unreadable(word, None));
                }
            }
            unreadable_comments(&comments, out);
        }
    }
}

fn is_address_like(word: &str) -> bool {
    has_at_sign(word)
}

/// Whether a word holds an at sign outside its quoted strings: `eve@x.example`
/// and `"a b"@x.example` do, `"ceo@example.com"` does not.
fn has_unquoted_at(word: &str) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    word.chars().any(|c| {
        if escaped {
            escaped = false;
            return false;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if AT_SIGNS.contains(&c) => return !quoted,
            _ => {}
        }
        false
    })
}

/// Hands out every comment that holds an at sign as an unreadable mailbox
/// of its own, shown as written, parentheses included.
///
/// By RFC 5322 a comment is no address, but `boss@corp.example
/// (eve@evil.example)` may well be two recipients whose separator was
/// lost, and reading the comment as a remark would make eve vanish. Of the
/// two readings that keep her, unreadable is the one that fails closed: it
/// always counts as an outside party of its own (even `(x@corp.example)`,
/// which read out would be a colleague), it is never moved or written
/// back as an address the user did not write, and the dialog shows it
/// verbatim for the user to fix. It is also what the same comment gets
/// as an item of its own (`boss@corp.example, (eve@evil.example)`), so the
/// two texts are read alike.
fn unreadable_comments<'a>(comments: &[Comment<'a>], out: &mut impl FnMut(Mailbox<'a>)) {
    for comment in comments.iter().filter(|c| is_address_like(c.text)) {
        out(Mailbox::unreadable(comment.raw, None));
    }
}

/// The text of the first comment that may serve as a display name: one
/// without an at sign, which `unreadable_comments` hands out instead.
fn name_comment<'a>(comments: &[Comment<'a>]) -> Option<&'a str> {
    comments
        .iter()
        .find(|c| !is_address_like(c.text))
        .map(|c| c.text.trim())
}

/// A top-level comment: its text between the parentheses, and the whole of
/// it as written (a comment left open runs to the end of the text).
struct Comment<'a> {
    text: &'a str,
    raw: &'a str,
}

/// Splits at top-level whitespace, keeping quoted strings inside words and
/// collecting the comments separately.
fn words_and_comments(text: &str) -> (Vec<&str>, Vec<Comment<'_>>) {
    let mut words = Vec::new();
    let mut comments = Vec::new();
    let mut scanner = Scanner::default();
    let mut word_start: Option<usize> = None;
    let mut comment_start = 0;
    for (i, c) in text.char_indices() {
        let depth_before = scanner.comment_depth;
        let quoted_before = scanner.quoted;
        scanner.step(c);
        if depth_before == 0 && scanner.comment_depth == 1 {
            if let Some(start) = word_start.take() {
                words.push(text.get(start..i).unwrap_or(""));
            }
            comment_start = i + 1;
            continue;
        }
        if depth_before == 1 && scanner.comment_depth == 0 {
            comments.push(Comment {
                text: text.get(comment_start..i).unwrap_or(""),
                raw: text.get(comment_start.saturating_sub(1)..=i).unwrap_or(""),
            });
            continue;
        }
        if scanner.comment_depth > 0 {
            continue;
        }
        let splits = !quoted_before && (c.is_whitespace() || c == '\u{3000}');
        match (splits, word_start) {
            (true, Some(start)) => {
                words.push(text.get(start..i).unwrap_or(""));
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    if let Some(start) = word_start {
        words.push(text.get(start..).unwrap_or(""));
    }
    // A comment left open runs to the end; its text is still a comment.
    if scanner.comment_depth > 0 {
        comments.push(Comment {
            text: text.get(comment_start..).unwrap_or(""),
            raw: text.get(comment_start.saturating_sub(1)..).unwrap_or(""),
        });
    }
    (words, comments)
}

/// The display name in a phrase: quotes removed, escapes resolved, comments
/// dropped (used instead when the phrase is only a comment), spaces collapsed.
/// Borrowed from the phrase when it is already in that form.
fn display_name(phrase: &str) -> Option<Cow<'_, str>> {
    match simple_display_name(phrase) {
        Some(simple) => (!simple.is_empty()).then_some(Cow::Borrowed(simple)),
        None => general_display_name(phrase).map(Cow::Owned),
    }
}

/// [`display_name`] for any phrase.
fn general_display_name(phrase: &str) -> Option<String> {
    let (words, comments) = words_and_comments(phrase);
    name_of(&words, &comments)
}

/// The name that `words` (quoted or not) and `comments` of a phrase spell:
/// the words unquoted, or when there are none, the first comment that may
/// be a name ([`name_comment`]).
fn name_of(words: &[&str], comments: &[Comment<'_>]) -> Option<String> {
    let name = words
        .iter()
        .map(|w| unquote(w))
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.trim().is_empty() {
        name_comment(comments).unwrap_or_default().to_owned()
    } else {
        name
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The display name of a phrase that holds an at sign (the rare case).
///
/// RFC 5322 allows no unquoted `@` in a phrase, so a word with one is not
/// part of a name but an address whose separator was lost
/// (`eve@evil.example <boss@corp.example>`): it is handed out as a mailbox
/// of its own, as `parse_bare` does with several addresses, and a comment
/// with an at sign becomes unreadable (`unreadable_comments`). What is left
/// is the name; a quoted `"ceo@example.com"` stays in it, where
/// `recipients` flags it when it names another address.
fn phrase_name<'a>(phrase: &'a str, out: &mut impl FnMut(Mailbox<'a>)) -> Option<Cow<'a, str>> {
    let (words, comments) = words_and_comments(phrase);
    let mut name_words = Vec::with_capacity(words.len());
    for word in words {
        if has_unquoted_at(word) {
            out(Mailbox::with_address(word, None));
        } else {
            name_words.push(word);
        }
    }
    unreadable_comments(&comments, out);
    name_of(&name_words, &comments).map(Cow::Owned)
}

/// The display name of the two commonest phrases without copying: words
/// separated by single spaces (`Partner 3`), or one quoted string without
/// escapes (`"Smith, J."`). `None` sends anything else to the general path
/// of [`display_name`], which gives the same name for these two (a unit test
/// compares them).
fn simple_display_name(phrase: &str) -> Option<&str> {
    let phrase = phrase.trim();
    if let Some(inner) = phrase
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        return (!inner.contains(['"', '\\'])).then(|| inner.trim());
    }
    let mut previous_space = false;
    for c in phrase.chars() {
        match c {
            '"' | '\\' | '(' | ')' => return None,
            ' ' if !previous_space => previous_space = true,
            c if c.is_whitespace() => return None,
            _ => previous_space = false,
        }
    }
    Some(phrase)
}

/// Removes the quotes of RFC 5322 quoted strings and resolves `\` escapes.
fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut escaped = false;
    for c in word.chars() {
        match (escaped, c) {
            (true, _) => {
                out.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '"') => {}
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_display_names_match_the_general_path() {
        for phrase in [
            "Partner 3",
            " Partner 3 ",
            "山田 太郎",
            "\"User 0\"",
            " \"Smith, J.\" ",
            "\"a (b) c\"",
            "\"  spaced  \"",
            "\"\"",
            "",
            "  ",
            "x",
        ] {
            let simple = simple_display_name(phrase).expect(phrase);
            assert_eq!(
                (!simple.is_empty()).then(|| simple.to_owned()),
                general_display_name(phrase),
                "{phrase:?}"
            );
        }
        for phrase in [
            "two  spaces",
            "tab\there",
            "full\u{3000}width",
            "Name (comment)",
            "\"a\" \"b\"",
            "\"esc\\\"aped\"",
            "\"",
            "un\"quoted",
        ] {
            assert_eq!(simple_display_name(phrase), None, "{phrase:?}");
        }
    }

    fn parse_text(text: &str) -> Vec<Mailbox<'_>> {
        let mut out = Vec::new();
        parse_mailbox_list(text, &mut |mailbox| out.push(mailbox));
        out
    }

    fn parse_text_generally(text: &str) -> Vec<Mailbox<'_>> {
        let mut out = Vec::new();
        parse_general(text, &mut |mailbox| out.push(mailbox));
        out
    }

    #[test]
    fn the_plain_item_path_takes_the_common_shapes() {
        for text in [
            "a@x.example",
            " A.B@X.Example ",
            "Partner 3 <p3@dept3.partner3.co.jp>",
            "\"User 0\" <user0@gmail.com>",
            "\"  spaced  \"   <a@x.example>",
            "<a@x.example>",
            "<>",
            "not-an-address",
            "Name <not an address>",
        ] {
            let fast = plain_item(text);
            if text == "Name <not an address>" {
                assert_eq!(fast, None);
                continue;
            }
            assert!(fast.is_some(), "{text:?}");
            assert_eq!(
                fast.into_iter().collect::<Vec<_>>(),
                parse_text_generally(text),
                "{text:?}"
            );
        }
        for text in [
            "",
            "  ",
            "a@x.example, b@y.example",
            "Team: a@x.example;",
            "eve@evil.example <boss@corp.example>",
            "\"ceo@example.com\" <x@evil.example>",
            "two  spaces <a@x.example>",
            "a@x.example (Name)",
            "<a@x.example> trailing",
            "<mailto:a@x.example>",
            "山田 <a@x.example>",
            "a\t<a@x.example>",
        ] {
            assert_eq!(plain_item(text), None, "{text:?}");
        }
    }

    /// The plain path gives what the lexer gives, for every text it takes.
    /// (proptest runs natively only.)
    #[cfg(not(target_arch = "wasm32"))]
    mod agreement {
        use proptest::prelude::*;

        proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn the_plain_item_path_agrees_with_the_lexer(text in "[ aAzZ09.\"<>@(),;:\\\\_+\t-]{0,24}") {
            if let Some(fast) = super::plain_item(&text) {
                prop_assert_eq!(vec![fast], super::parse_text_generally(&text), "{:?}", text);
            }
        }

        #[test]
        fn the_plain_item_path_agrees_on_mailbox_shapes(
            name in "[ aZ\"@.]{0,8}",
            local in "[aZ0._+\"-]{0,6}",
            domain in "[aZ0.-]{0,8}",
            close in "[> ]{0,2}",
        ) {
            let text = format!("{name}<{local}@{domain}{close}");
            if let Some(fast) = super::plain_item(&text) {
                prop_assert_eq!(vec![fast], super::parse_text_generally(&text), "{:?}", text);
            }
        }

        /// The word-at-a-time scan finds an at sign wherever `str::contains` does.
        #[test]
        fn the_at_sign_scan_agrees_with_contains(text in "[a @＠﹫éｅ長\u{FEFF}]{0,40}") {
            prop_assert_eq!(super::super::has_at_sign(&text), text.contains(super::super::AT_SIGNS), "{:?}", text);
        }

        /// Long runs without an at sign, then perhaps one, at every offset
        /// of the eight-byte words (`ｅ` and U+FEFF start with the byte EF).
        #[test]
        fn the_at_sign_scan_finds_a_late_at_sign(text in "[a éｅ長\u{FEFF}]{8,40}(@|＠|﹫)?[a é]{0,9}") {
            prop_assert_eq!(super::super::has_at_sign(&text), text.contains(super::super::AT_SIGNS), "{:?}", text);
        }
        }
    }

    fn keys(recipients: &[Mailbox<'_>]) -> Vec<String> {
        recipients
            .iter()
            .map(|r| match &r.address {
                Some(a) => a.key().to_owned(),
                None => format!("?{}", r.raw),
            })
            .collect()
    }

    #[test]
    fn rfc5322_lists() {
        let r = parse_text(
            r#""Smith, John" <John.Smith@Example.com>, alice@example.org (Alice A.), <bob@x.example>"#,
        );
        assert_eq!(
            keys(&r),
            [
                "john.smith@example.com",
                "alice@example.org",
                "bob@x.example"
            ]
        );
        assert_eq!(r[0].name.as_deref(), Some("Smith, John"));
        assert_eq!(r[1].name.as_deref(), Some("Alice A."));
        assert_eq!(r[2].name, None);
    }

    #[test]
    fn groups_contribute_members_only() {
        let r = parse_text("undisclosed-recipients:;");
        assert!(r.is_empty());
        let r = parse_text("Team: a@x.org, b@y.org; c@z.org");
        assert_eq!(keys(&r), ["a@x.org", "b@y.org", "c@z.org"]);
    }

    #[test]
    fn separators_of_every_kind() {
        let r = parse_text("a@x.org; b@y.org\nc@z.org\r\nd@w.org，e@v.org；f@u.org");
        assert_eq!(
            keys(&r),
            ["a@x.org", "b@y.org", "c@z.org", "d@w.org", "e@v.org", "f@u.org"]
        );
    }

    #[test]
    fn full_width_at_sign() {
        let r = parse_text("山田 太郎 <taro＠example.co.jp>");
        assert_eq!(keys(&r), ["taro@example.co.jp"]);
        assert_eq!(r[0].name.as_deref(), Some("山田 太郎"));
    }

    #[test]
    fn full_width_angle_brackets() {
        let r = parse_text("山田 ＜taro@example.co.jp＞，鈴木 ＜hanako＠example.jp＞");
        assert_eq!(keys(&r), ["taro@example.co.jp", "hanako@example.jp"]);
        assert_eq!(r[0].name.as_deref(), Some("山田"));
    }

    #[test]
    fn never_drops_a_token() {
        let r = parse_text("John Smith, a@x.org, not an address, <broken@, x@localhost");
        assert_eq!(r.len(), 5, "{r:?}");
        assert_eq!(
            keys(&r),
            [
                "?John Smith",
                "a@x.org",
                "?not an address",
                "?<broken@",
                "?x@localhost"
            ]
        );
    }

    #[test]
    fn missing_separators_do_not_hide_addresses() {
        assert_eq!(keys(&parse_text("a@x.org b@y.org")), ["a@x.org", "b@y.org"]);
        assert_eq!(
            keys(&parse_text("A <a@x.org> B <b@y.org>")),
            ["a@x.org", "b@y.org"]
        );
        assert_eq!(
            keys(&parse_text("A <a@x.org> b@y.org")),
            ["a@x.org", "b@y.org"]
        );
        assert_eq!(keys(&parse_text("a@x.org:b@y.org")).len(), 1);
        assert_eq!(keys(&parse_text("Alice a@x.org")), ["a@x.org"]);
        assert_eq!(
            parse_text("Alice a@x.org")[0].name.as_deref(),
            Some("Alice")
        );
    }

    #[test]
    fn unbalanced_quote_does_not_glue_addresses() {
        assert_eq!(
            keys(&parse_text(r#""Alice, a@x.org, b@y.org"#)),
            ["?\"Alice", "a@x.org", "b@y.org"]
        );
    }

    #[test]
    fn unquoted_addresses_in_a_phrase_are_recipients() {
        // RFC 5322 allows no `@` in a phrase: such words are addresses whose
        // separator was lost, never part of the display name.
        assert_eq!(
            keys(&parse_text(
                "eve@evil.example mallory@m.example <boss@corp.example>"
            )),
            ["eve@evil.example", "mallory@m.example", "boss@corp.example"]
        );
        let r = parse_text("Eve eve@evil.example <boss@corp.example>");
        assert_eq!(keys(&r), ["eve@evil.example", "boss@corp.example"]);
        assert_eq!(r[1].name.as_deref(), Some("Eve"));
        let r = parse_text("A <a@x.org> b＠y.org B <c@z.org>");
        assert_eq!(keys(&r), ["a@x.org", "b@y.org", "c@z.org"]);
        assert_eq!(r[2].name.as_deref(), Some("B"));
        // A phrase's own address word that is no address is unreadable.
        assert_eq!(
            keys(&parse_text("eve@ <boss@corp.example>")),
            ["?eve@", "boss@corp.example"]
        );
        // A quoted name stays a name (the recipients flag it as deceptive).
        let r = parse_text(r#""ceo@example.com" <x@evil.example>"#);
        assert_eq!(keys(&r), ["x@evil.example"]);
        assert_eq!(r[0].name.as_deref(), Some("ceo@example.com"));
        // A quoted local part is an address word, its `@` outside the quotes.
        assert_eq!(
            keys(&parse_text(r#""e v"@evil.example <boss@corp.example>"#)),
            ["\"e v\"@evil.example", "boss@corp.example"]
        );
    }

    #[test]
    fn small_commercial_at_is_an_at_sign() {
        assert_eq!(
            keys(&parse_text("boss@corp.example eve﹫evil.example")),
            ["boss@corp.example", "eve@evil.example"]
        );
        assert_eq!(keys(&parse_text("eve﹫evil.example")), ["eve@evil.example"]);
        assert_eq!(
            keys(&parse_text("Eve eve﹫evil.example <boss@corp.example>")),
            ["eve@evil.example", "boss@corp.example"]
        );
        // `a@x.org:…` is no group however its at sign is written.
        assert_eq!(keys(&parse_text("a﹫x.org:b@y.org")).len(), 1);
    }

    #[test]
    fn a_comment_with_an_at_sign_is_unreadable_wherever_it_is() {
        // The same comment, after an address or an item of its own, or
        // before or after a bracket: one unreadable recipient, shown as
        // written, beside the address.
        for (text, expected) in [
            (
                "boss@corp.example (eve@evil.example)",
                ["boss@corp.example", "?(eve@evil.example)"],
            ),
            (
                "boss@corp.example, (eve@evil.example)",
                ["boss@corp.example", "?(eve@evil.example)"],
            ),
            (
                "<boss@corp.example> (eve@evil.example)",
                ["boss@corp.example", "?(eve@evil.example)"],
            ),
            (
                "Boss <boss@corp.example> (eve@evil.example)",
                ["boss@corp.example", "?(eve@evil.example)"],
            ),
            (
                "(eve@evil.example) <boss@corp.example>",
                ["?(eve@evil.example)", "boss@corp.example"],
            ),
            (
                "boss@corp.example (eve＠evil.example)",
                ["boss@corp.example", "?(eve＠evil.example)"],
            ),
        ] {
            let r = parse_text(text);
            assert_eq!(keys(&r), expected, "{text}");
            assert!(r
                .iter()
                .all(|m| m.name.as_deref() != Some("eve@evil.example")));
        }
        assert_eq!(
            keys(&parse_text("a@x.org b@y.org (c@z.org)")),
            ["a@x.org", "b@y.org", "?(c@z.org)"]
        );
        // A comment without one is still the name.
        let r = parse_text("boss@corp.example (eve@evil.example) (Boss)");
        assert_eq!(keys(&r), ["boss@corp.example", "?(eve@evil.example)"]);
        assert_eq!(r[0].name.as_deref(), Some("Boss"));
        let r = parse_text("(Alice) <a@x.org>");
        assert_eq!(keys(&r), ["a@x.org"]);
        assert_eq!(r[0].name.as_deref(), Some("Alice"));
    }

    #[test]
    fn mailto_and_routes() {
        assert_eq!(keys(&parse_text("<mailto:a@x.org>")), ["a@x.org"]);
        assert_eq!(keys(&parse_text("<@relay.example:a@x.org>")), ["a@x.org"]);
    }
}
