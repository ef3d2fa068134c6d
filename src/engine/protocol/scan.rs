//! A JSON scanner made for requests: one pass over the bytes of a request,
//! with nothing generic in between.
//!
//! Why it exists: the requests were read through serde_json's
//! `Deserializer` and visitors of our own (`read.rs` before 2026-12-07),
//! and that cost about 1,500 instructions per chip, 40 % of a 1,000-chip
//! `evaluate`, to read some 60 bytes: every value went through
//! `deserialize_any`, a visitor, a seed and an `Option` per call, and every
//! key was read as a string and matched again. Here `read.rs` asks for the
//! value it expects where it expects it, and a string comes back borrowed
//! from the request unless it holds an escape.
//!
//! It is exactly as strict as the serde_json reader it replaces (the test
//! `tests/request_reader.rs` compares the two on generated and mutated
//! requests): RFC 8259's grammar and whitespace, no trailing commas,
//! control characters refused in strings, a `\u` escape must have four hex
//! digits, and a string that is read (a key, or a value the request uses)
//! must pair its surrogate escapes. A value the request does not use is
//! only checked against the grammar, at any depth, as serde_json's
//! `IgnoredAny` does: its escapes may hold lone surrogates.
//!
//! Nothing here panics: every byte is reached through `get`, and every
//! problem is a [`ReadError`] with where it was found.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// Why a request could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    message: Cow<'static, str>,
    /// 1-based line and column (in bytes) of the problem; 0 when it is not
    /// about one place.
    line: usize,
    column: usize,
}

impl ReadError {
    /// A problem with no place (the value as a whole).
    pub(super) fn whole(message: impl Into<Cow<'static, str>>) -> Self {
        ReadError {
            message: message.into(),
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.line > 0 {
            write!(f, " at line {} column {}", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {}

/// What a value is, from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `{`
    Object,
    /// `[`
    List,
    /// `"`
    Text,
    /// `-` or a digit.
    Number,
    /// `t` or `f`.
    Bool,
    /// `n`
    Null,
}

/// A cursor over the text of one request.
pub(super) struct Scanner<'a> {
    text: &'a str,
    at: usize,
    /// Why the scan failed and where: kept here rather than in each
    /// `Result`, so that a `Result` of a string is no larger than the string
    /// (they are moved through every call).
    failure: Cell<Option<(&'static str, usize)>>,
    /// A failure worded elsewhere (by serde_json, for the settings).
    detail: Option<String>,
}

/// A scan failed; the scanner holds why ([`Scanner::failure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Failed;

pub(super) type Result<T> = std::result::Result<T, Failed>;

impl<'a> Scanner<'a> {
    /// A scanner at the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Scanner {
            text,
            at: 0,
            failure: Cell::new(None),
            detail: None,
        }
    }

    /// Records the problem `message` at the current byte.
    pub(super) fn error(&self, message: &'static str) -> Failed {
        self.error_at(self.at, message)
    }

    /// Records the problem `message` at byte `at`.
    pub(super) fn error_at(&self, at: usize, message: &'static str) -> Failed {
        self.failure.set(Some((message, at)));
        Failed
    }

    /// Records a problem worded elsewhere, about the value as a whole.
    pub(super) fn error_whole(&mut self, message: String) -> Failed {
        self.detail = Some(message);
        Failed
    }

    /// What the last [`Failed`] was about, with its line and column.
    pub(super) fn failure(&self) -> ReadError {
        if let Some(detail) = &self.detail {
            return ReadError::whole(detail.clone());
        }
        let Some((message, at)) = self.failure.get() else {
            return ReadError::whole("the request could not be read");
        };
        let before = self.text.as_bytes().get(..at).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        ReadError {
            message: Cow::Borrowed(message),
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + at - line_start,
        }
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.byte() {
            self.at += 1;
        }
    }

    /// Skips whitespace and tells what the next value is, or refuses a byte
    /// that starts none.
    pub(super) fn peek(&mut self) -> Result<Kind> {
        self.skip_whitespace();
        match self.byte() {
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::List),
            Some(b'"') => Ok(Kind::Text),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'n') => Ok(Kind::Null),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("the request ends where a value should be")),
        }
    }

    /// After the value: only whitespace may follow.
    pub(super) fn end(&mut self) -> Result<()> {
        self.skip_whitespace();
        match self.byte() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the request")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<()> {
        let end = self.at + word.len();
        if self.text.as_bytes().get(self.at..end) == Some(word.as_bytes()) {
            self.at = end;
            Ok(())
        } else {
            Err(self.error("expected a value"))
        }
    }

    /// Reads `null` (the caller has peeked [`Kind::Null`]).
    pub(super) fn null(&mut self) -> Result<()> {
        self.literal("null")
    }

    /// Reads `true` or `false` (the caller has peeked [`Kind::Bool`]).
    pub(super) fn bool(&mut self) -> Result<bool> {
        if self.byte() == Some(b't') {
            self.literal("true").map(|()| true)
        } else {
            self.literal("false").map(|()| false)
        }
    }

    /// Reads a number (the caller has peeked [`Kind::Number`]) and answers
    /// its value when it is a whole number from 0 to `u64::MAX` written
    /// without a sign, fraction or exponent, the numbers serde_json reads as
    /// a `u64`; `None` for any other number.
    pub(super) fn number(&mut self) -> Result<Option<u64>> {
        let negative = self.byte() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let mut value = Some(0u64);
        match self.byte() {
            Some(b'0') => {
                self.at += 1;
                if let Some(b'0'..=b'9') = self.byte() {
                    return Err(self.error("a number with a leading zero"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.byte() {
                    value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(digit - b'0')));
                    self.at += 1;
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut whole = !negative;
        if self.byte() == Some(b'.') {
            whole = false;
            self.at += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.byte() {
            whole = false;
            self.at += 1;
            if let Some(b'+' | b'-') = self.byte() {
                self.at += 1;
            }
            self.digits()?;
        }
        Ok(value.filter(|_| whole))
    }

    /// One digit or more.
    fn digits(&mut self) -> Result<()> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.byte() {
            self.at += 1;
        }
        if self.at == start {
            Err(self.error("invalid number"))
        } else {
            Ok(())
        }
    }

    /// Reads a string (the caller has peeked [`Kind::Text`]): borrowed from
    /// the request unless it holds an escape. Surrogate escapes must pair.
    // Always inlined: a request is mostly strings, and as a call of its own
    // this took 1.7 % of a 1,000-chip call in its entry and exit alone; the
    // escaped case stays out of line in `unescape`.
    #[inline(always)]
    pub(super) fn text(&mut self) -> Result<Cow<'a, str>> {
        let start = self.at + 1;
        self.at = special(self.text.as_bytes(), start);
        match self.byte() {
            Some(b'"') => {
                let text = self.slice(start)?;
                self.at += 1;
                Ok(Cow::Borrowed(text))
            }
            Some(b'\\') => self.unescape(start).map(Cow::Owned),
            Some(_) => Err(self.control()),
            None => Err(self.unterminated()),
        }
    }

    /// The text from `start` to the current byte (both are always at the
    /// boundaries of characters: after a quote and at a quote or backslash).
    fn slice(&self, start: usize) -> Result<&'a str> {
        self.text
            .get(start..self.at)
            .ok_or_else(|| self.error("a string split inside a character"))
    }

    fn control(&self) -> Failed {
        self.error("a control character in a string")
    }

    fn unterminated(&self) -> Failed {
        self.error("the request ends inside a string")
    }

    /// The rest of a string that holds an escape, from its `start` (the
    /// current byte is the first backslash).
    fn unescape(&mut self, start: usize) -> Result<String> {
        // Room for a typed entry's usual length after its first escape
        // (`\"Name\" <local@domain>` escapes at its first byte): starting
        // at 16 bytes, regrowing cost the bench's 1,000 typed recipients
        // 1.7 % of their call.
        let mut out = String::with_capacity(self.at - start + 64);
        out.push_str(self.slice(start)?);
        let bytes = self.text.as_bytes();
        loop {
            // The current byte is a backslash.
            self.at += 1;
            let c = match bytes.get(self.at) {
                Some(b'u') => {
                    self.at += 1;
                    self.unicode_escape()?
                }
                Some(&b) => {
                    self.at += 1;
                    simple_escape(b).ok_or_else(|| self.error("invalid escape"))?
                }
                None => return Err(self.unterminated()),
            };
            out.push(c);
            let run = self.at;
            self.at = special(bytes, run);
            out.push_str(self.slice(run)?);
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {}
                Some(_) => return Err(self.control()),
                None => return Err(self.unterminated()),
            }
        }
    }

    /// The character of a `\u` escape after the `u`, with its low surrogate
    /// if it is a high one; a lone surrogate is refused.
    fn unicode_escape(&mut self) -> Result<char> {
        let high = self.hex4()?;
        let code = match high {
            0xDC00..=0xDFFF => return Err(self.error("a lone surrogate in an escape")),
            0xD800..=0xDBFF => {
                let bytes = self.text.as_bytes();
                if bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                    return Err(self.error("a lone surrogate in an escape"));
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error("a lone surrogate in an escape"));
                }
                0x1_0000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
            }
            other => u32::from(other),
        };
        char::from_u32(code).ok_or_else(|| self.error("a lone surrogate in an escape"))
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u16> {
        let digits = self
            .text
            .as_bytes()
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.unterminated())?;
        let mut value = 0u16;
        for &digit in digits {
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            value = value << 4 | u16::from(nibble);
        }
        self.at += 4;
        Ok(value)
    }

    /// Skips a string that is not used: its escapes are checked only for
    /// their form, as serde_json checks a string it ignores.
    fn skip_text(&mut self) -> Result<()> {
        self.at += 1;
        let bytes = self.text.as_bytes();
        loop {
            self.at = special(bytes, self.at);
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match bytes.get(self.at) {
                        Some(b'u') => {
                            self.at += 1;
                            self.hex4()?;
                        }
                        Some(&b) if simple_escape(b).is_some() => self.at += 1,
                        Some(_) => return Err(self.error("invalid escape")),
                        None => return Err(self.unterminated()),
                    }
                }
                Some(&b) if b < 0x20 => return Err(self.control()),
                Some(_) => self.at += 1,
                None => return Err(self.unterminated()),
            }
        }
    }

    /// Skips one value of any kind and depth, checking its grammar, and
    /// answers its depth (how many lists and objects deep it goes). It does
    /// not recurse: the open lists and objects are kept in a vector, as
    /// serde_json does, so no input can exhaust the stack.
    pub(super) fn skip_value(&mut self) -> Result<usize> {
        // `true` for an object, `false` for a list.
        let mut open: Vec<bool> = Vec::new();
        let mut depth = 0;
        loop {
            // A value.
            match self.peek()? {
                Kind::Object | Kind::List => {
                    let object = self.byte() == Some(b'{');
                    self.at += 1;
                    open.push(object);
                    depth = depth.max(open.len());
                    self.skip_whitespace();
                    let close = if object { b'}' } else { b']' };
                    if self.byte() == Some(close) {
                        self.at += 1;
                        open.pop();
                    } else {
                        if object {
                            self.skip_key()?;
                        }
                        continue;
                    }
                }
                Kind::Text => self.skip_text()?,
                Kind::Number => {
                    self.number()?;
                }
                Kind::Bool => {
                    self.bool()?;
                }
                Kind::Null => self.null()?,
            }
            // After a value: a comma and the next, or the ends of what holds it.
            loop {
                let Some(&object) = open.last() else {
                    return Ok(depth);
                };
                self.skip_whitespace();
                match self.byte() {
                    Some(b',') => {
                        self.at += 1;
                        if object {
                            self.skip_key()?;
                        }
                        break;
                    }
                    Some(b'}') if object => {
                        self.at += 1;
                        open.pop();
                    }
                    Some(b']') if !object => {
                        self.at += 1;
                        open.pop();
                    }
                    Some(_) => return Err(self.error(comma_or_end(object))),
                    None => return Err(self.error("the request ends inside a list or object")),
                }
            }
        }
    }

    /// Skips an object's key and its colon.
    fn skip_key(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.byte() != Some(b'"') {
            return Err(self.error("a key must be a string"));
        }
        self.skip_text()?;
        self.colon()
    }

    fn colon(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.byte() == Some(b':') {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error("expected `:`"))
        }
    }

    /// Reads an object (the caller has peeked [`Kind::Object`]): `member`
    /// gets each key, read as a string, and must read its value.
    pub(super) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &str) -> Result<()>,
    ) -> Result<()> {
        self.at += 1;
        self.skip_whitespace();
        if self.byte() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if self.byte() != Some(b'"') {
                return Err(self.error("a key must be a string"));
            }
            let key = self.text()?;
            self.colon()?;
            member(self, &key)?;
            if !self.comma_or_end(b'}')? {
                return Ok(());
            }
        }
    }

    /// Reads a list (the caller has peeked [`Kind::List`]): `element` must
    /// read each element.
    pub(super) fn list(&mut self, mut element: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.at += 1;
        self.skip_whitespace();
        if self.byte() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            if !self.comma_or_end(b']')? {
                return Ok(());
            }
        }
    }

    /// After a member or an element: `true` after a comma, `false` after
    /// the `close` that ends the object or list.
    fn comma_or_end(&mut self, close: u8) -> Result<bool> {
        self.skip_whitespace();
        match self.byte() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(false)
            }
            Some(_) => Err(self.error(comma_or_end(close == b'}'))),
            None => Err(self.error("the request ends inside a list or object")),
        }
    }

    /// Where the scanner is, as a byte offset (the start of a value whose
    /// text [`Scanner::since`] then gives).
    pub(super) fn offset(&self) -> usize {
        self.at
    }

    /// The text from `start` to where the scanner is.
    pub(super) fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.at).unwrap_or_default()
    }
}

/// The first byte from `at` on that ends a string's plain run: a quote, a
/// backslash or a control character (`bytes.len()` if none does). Eight
/// bytes at a time, with the "has a zero byte" test of each word
/// (`(w - 0x01…) & !w & 0x80…`): a byte that matches borrows only from
/// the bytes above it, so the lowest flag is always the first match.
pub(super) fn special(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    while let Some(word) = bytes
        .get(at..at + 8)
        .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
    {
        let word = u64::from_le_bytes(word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | word.wrapping_sub(ONES * 0x20) & !word)
            & HIGH;
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

fn comma_or_end(object: bool) -> &'static str {
    if object {
        "expected `,` or `}`"
    } else {
        "expected `,` or `]`"
    }
}

/// The character an escape other than `\u` stands for.
fn simple_escape(b: u8) -> Option<char> {
    Some(match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}
