//! Reading a [`Request`] from JSON text, in the shapes it is sent in.
//!
//! Each reader below asks the [`Scanner`] for the value it expects where
//! it expects it and answers anything else with "expected …" and where:
//! `scan.rs` says why requests are not read through serde_json's
//! `Deserializer`. What it accepts is what the serde visitors it replaces
//! accepted, and the column form below (`tests/request_reader.rs` keeps
//! them as the reference, taught the column form too):
//!
//! - members it does not know are skipped (their grammar is still checked);
//! - a member given twice takes the last value;
//! - `null` is the same as an absent member where the member is optional
//!   (`account`, `host`, `name`, `address`, `text`, `compose`, `original`,
//!   `settings`), and refused where it is not (`v`, `kind`, `to`, `cc`,
//!   `bcc`, `complete`), as it can only come from a reader that failed;
//! - `v` is a whole number from 0 to 2³² − 1 written without sign,
//!   fraction or exponent;
//! - a field (`to`, `cc`, `bcc`) is a list of entries, or the same entries
//!   as columns: `{name, address, text}`, each a list of a string or `null`
//!   per entry. A missing column is `null` for every entry, and the columns
//!   given must be equally long: that length is the number of entries.
//!   Unlike everywhere else, a member other than the three is refused, and
//!   so is an object with none of them (an empty field is `[]`), a column
//!   that is `null` and one given twice: an object that only looks like
//!   columns (a `Set` or `Map` that the messaging turned into `{}`, an
//!   array-like `{"0": …}`) must not read as a field with no recipients.
//!   Hosts send columns (`www/lib/request-text.js`; BENCHMARKS.md has what
//!   they save).
//!
//! `settings` is any JSON and is the one value still read by serde_json,
//! into the `Value` the policy validates: it is sent only by the options
//! page, and the policy reports what is wrong with it.

use std::borrow::Cow;

use serde_json::Value;

use super::scan::{Kind, ReadError, Result, Scanner};
use super::Request;
use crate::engine::compose::{Compose, Entry};

impl<'a> Request<'a> {
    /// Reads a request from JSON text, refusing trailing text after it.
    pub fn from_json(json: &'a [u8]) -> std::result::Result<Self, ReadError> {
        whole(json, request)
    }
}

impl<'a> Compose<'a> {
    /// Reads a compose on its own from JSON text (tests and fuzz targets
    /// build composes this way).
    pub fn from_json(json: &'a [u8]) -> std::result::Result<Self, ReadError> {
        whole(json, compose)
    }
}

fn whole<'a, T>(
    json: &'a [u8],
    read: impl FnOnce(&mut Scanner<'a>) -> Result<T>,
) -> std::result::Result<T, ReadError> {
    // Checked as UTF-8 once, as a whole, so that every string is `str`
    // without a check of its own.
    let json =
        std::str::from_utf8(json).map_err(|_| ReadError::whole("the request is not UTF-8 text"))?;
    let mut scanner = Scanner::new(json);
    match read(&mut scanner).and_then(|value| scanner.end().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(_) => Err(scanner.failure()),
    }
}

/// Refuses the value at the scanner as not what was `expected`.
fn wrong<T>(scanner: &Scanner<'_>, expected: &'static str) -> Result<T> {
    Err(scanner.error(expected))
}

const REQUEST: &str = "expected a request: {v, kind, …}";
const COMPOSE: &str = "expected a compose: {account, to, cc, bcc, complete, host}";
const ENTRIES: &str = "expected a list of entries or their columns";
const COLUMN: &str = "expected a column: a list of strings or nulls";
const CELL: &str = "expected a string or null";
const COLUMNS: &str = "expected columns: name, address and text, each once";
const NO_COLUMN: &str = "expected at least one column (an empty field is [])";
const UNEVEN: &str = "the columns of a field differ in length";
const ENTRY: &str = "expected an entry: {name, address} or {text}";
const STRING: &str = "expected a string";

fn request<'a>(scanner: &mut Scanner<'a>) -> Result<Request<'a>> {
    if scanner.peek()? != Kind::Object {
        return wrong(scanner, REQUEST);
    }
    let mut request = Request::default();
    scanner.object(|scanner, key| {
        match key {
            "v" => request.v = whole_number(scanner)?,
            "kind" => request.kind = text(scanner)?,
            "compose" => request.compose = or_null(scanner, compose)?,
            "original" => request.original = or_null(scanner, compose)?,
            "settings" => request.settings = settings(scanner)?,
            _ => {
                scanner.skip_value()?;
            }
        }
        Ok(())
    })?;
    Ok(request)
}

fn compose<'a>(scanner: &mut Scanner<'a>) -> Result<Compose<'a>> {
    if scanner.peek()? != Kind::Object {
        return wrong(scanner, COMPOSE);
    }
    let mut compose = Compose {
        account: None,
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        complete: true,
        host: None,
    };
    scanner.object(|scanner, key| {
        match key {
            "account" => compose.account = or_null(scanner, text)?,
            // A missing field means no entries; `null` is refused, as it
            // can only come from a reader that failed.
            "to" => compose.to = entries(scanner)?,
            "cc" => compose.cc = entries(scanner)?,
            "bcc" => compose.bcc = entries(scanner)?,
            "complete" => compose.complete = boolean(scanner)?,
            "host" => compose.host = or_null(scanner, text)?,
            _ => {
                scanner.skip_value()?;
            }
        }
        Ok(())
    })?;
    Ok(compose)
}

fn entries<'a>(scanner: &mut Scanner<'a>) -> Result<Vec<Entry<'a>>> {
    match scanner.peek()? {
        Kind::List => entry_list(scanner),
        Kind::Object => entry_columns(scanner),
        _ => wrong(scanner, ENTRIES),
    }
}

fn entry_list<'a>(scanner: &mut Scanner<'a>) -> Result<Vec<Entry<'a>>> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    scanner.list(|scanner| {
        // Read in place: an entry is moved into the list once, not through
        // every return on the way.
        entries.push(Entry::default());
        match entries.last_mut() {
            Some(last) => entry(scanner, last),
            None => Err(scanner.error(ENTRY)),
        }
    })?;
    Ok(entries)
}

/// A field as columns, read into one list per column and then zipped into
/// entries. Stricter than the other objects of a request (the module's
/// header says why): only the three columns, each at most once, and one
/// at least.
fn entry_columns<'a>(scanner: &mut Scanner<'a>) -> Result<Vec<Entry<'a>>> {
    let start = scanner.offset();
    let mut names = None;
    let mut addresses = None;
    let mut texts = None;
    scanner.object(|scanner, key| {
        let slot = match key {
            "name" => &mut names,
            "address" => &mut addresses,
            "text" => &mut texts,
            _ => return Err(scanner.error(COLUMNS)),
        };
        if slot.is_some() {
            return Err(scanner.error(COLUMNS));
        }
        *slot = Some(column(scanner)?);
        Ok(())
    })?;
    let lengths = [&names, &addresses, &texts].map(|column| column.as_ref().map(Vec::len));
    let Some(count) = lengths.iter().flatten().copied().max() else {
        return Err(scanner.error_at(start, NO_COLUMN));
    };
    if lengths.iter().flatten().any(|&length| length != count) {
        return Err(scanner.error_at(start, UNEVEN));
    }
    // A missing column is an empty one: its iterator gives `None` throughout.
    let mut names = names.unwrap_or_default().into_iter();
    let mut addresses = addresses.unwrap_or_default().into_iter();
    let mut texts = texts.unwrap_or_default().into_iter();
    Ok((0..count)
        .map(|_| Entry {
            name: names.next().flatten(),
            address: addresses.next().flatten(),
            text: texts.next().flatten(),
        })
        .collect())
}

fn column<'a>(scanner: &mut Scanner<'a>) -> Result<Vec<Option<Cow<'a, str>>>> {
    if scanner.peek()? != Kind::List {
        return wrong(scanner, COLUMN);
    }
    let mut values = Vec::new();
    scanner.list(|scanner| {
        // `or_null(scanner, text)` in one match: the column's cells are
        // most of a request.
        values.push(match scanner.peek()? {
            Kind::Text => Some(scanner.text()?),
            Kind::Null => {
                scanner.null()?;
                None
            }
            _ => return wrong(scanner, CELL),
        });
        Ok(())
    })?;
    Ok(values)
}

fn entry<'a>(scanner: &mut Scanner<'a>, entry: &mut Entry<'a>) -> Result<()> {
    if scanner.peek()? != Kind::Object {
        return wrong(scanner, ENTRY);
    }
    scanner.object(|scanner, key| {
        match key {
            "name" => entry.name = or_null(scanner, text)?,
            "address" => entry.address = or_null(scanner, text)?,
            "text" => entry.text = or_null(scanner, text)?,
            _ => {
                scanner.skip_value()?;
            }
        }
        Ok(())
    })
}

/// `None` for `null`, otherwise what `read` reads.
fn or_null<'a, T>(
    scanner: &mut Scanner<'a>,
    read: impl FnOnce(&mut Scanner<'a>) -> Result<T>,
) -> Result<Option<T>> {
    if scanner.peek()? == Kind::Null {
        scanner.null()?;
        Ok(None)
    } else {
        read(scanner).map(Some)
    }
}

fn text<'a>(scanner: &mut Scanner<'a>) -> Result<Cow<'a, str>> {
    match scanner.peek()? {
        Kind::Text => scanner.text(),
        _ => wrong(scanner, STRING),
    }
}

fn boolean(scanner: &mut Scanner<'_>) -> Result<bool> {
    match scanner.peek()? {
        Kind::Bool => scanner.bool(),
        _ => wrong(scanner, "expected true or false"),
    }
}

fn whole_number(scanner: &mut Scanner<'_>) -> Result<u32> {
    const EXPECTED: &str = "expected a whole number";
    if scanner.peek()? != Kind::Number {
        return wrong(scanner, EXPECTED);
    }
    let start = scanner.offset();
    match scanner.number()?.and_then(|n| u32::try_from(n).ok()) {
        Some(number) => Ok(number),
        None => Err(scanner.error_at(start, EXPECTED)),
    }
}

/// The settings as serde_json's `Value`, which the policy validates; `null`
/// is `None`. The value is skipped first to find its text, then read by
/// serde_json, which refuses what its own reader of the whole request did:
/// a lone surrogate escape, a number out of range, and a value more than
/// 126 lists and objects deep (its depth limit of 128, less the request
/// object and one level it keeps in hand).
fn settings(scanner: &mut Scanner<'_>) -> Result<Option<Value>> {
    scanner.peek()?;
    let start = scanner.offset();
    if scanner.skip_value()? > 126 {
        return Err(scanner.error_whole("the settings are nested too deeply".to_owned()));
    }
    serde_json::from_str(scanner.since(start))
        .map_err(|error| scanner.error_whole(format!("settings: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> std::result::Result<Request<'_>, String> {
        Request::from_json(json.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn every_member_and_its_default() {
        let request = read(
            r#"{"v":1,"kind":"evaluate","extra":{"a":[1,2.5,null]},"compose":{"account":"me@x.example",
                "to":[{"name":"A","address":"a@x.example","unknown":true},{"text":"b@y.example"}],
                "cc":[],"complete":false,"host":"mail.google.com"},"original":null,"settings":{"k":[1.5]}}"#,
        )
        .unwrap();
        assert_eq!((request.v, &*request.kind), (1, "evaluate"));
        let compose = request.compose.unwrap();
        assert_eq!(compose.account.as_deref(), Some("me@x.example"));
        assert_eq!(compose.to.len(), 2);
        assert_eq!(compose.to[0].name.as_deref(), Some("A"));
        assert_eq!(compose.to[1].text.as_deref(), Some("b@y.example"));
        assert!(compose.bcc.is_empty() && !compose.complete);
        assert_eq!(compose.host.as_deref(), Some("mail.google.com"));
        assert!(request.original.is_none());
        assert_eq!(request.settings.unwrap()["k"][0], 1.5);

        let empty = read(r#"{"compose":{}}"#).unwrap();
        assert_eq!((empty.v, &*empty.kind), (0, ""));
        assert!(
            empty.compose.unwrap().complete,
            "complete is true when absent"
        );
    }

    #[test]
    fn text_is_borrowed_unless_it_had_escapes() {
        let request = read(r#"{"kind":"evaluate","compose":{"to":[{"name":"Plain","address":"a\u0040x.example"}]}}"#).unwrap();
        assert!(matches!(request.kind, Cow::Borrowed("evaluate")));
        let entry = &request.compose.unwrap().to[0];
        assert!(matches!(entry.name, Some(Cow::Borrowed("Plain"))));
        assert!(matches!(entry.address.as_deref(), Some("a@x.example")));
        assert!(matches!(entry.address, Some(Cow::Owned(_))));
    }

    #[test]
    fn wrong_shapes_are_refused_with_what_was_expected() {
        for (json, expected) in [
            ("7", "expected a request"),
            (r#"{"v":"1"}"#, "expected a whole number"),
            (r#"{"v":-1}"#, "expected a whole number"),
            (r#"{"v":1.0}"#, "expected a whole number"),
            (r#"{"v":4294967296}"#, "expected a whole number"),
            (r#"{"kind":5}"#, "expected a string"),
            (r#"{"compose":[]}"#, "expected a compose"),
            (r#"{"compose":{"to":5}}"#, "expected a list of entries"),
            (r#"{"compose":{"to":null}}"#, "expected a list of entries"),
            (r#"{"compose":{"to":["a@x.example"]}}"#, "expected an entry"),
            (r#"{"compose":{"to":[{"name":7}]}}"#, "expected a string"),
            (
                r#"{"compose":{"complete":"yes"}}"#,
                "expected true or false",
            ),
            (r#"{"v":1} trailing"#, "trailing characters"),
        ] {
            let error = read(json).unwrap_err();
            assert!(error.starts_with(expected), "{json}: {error}");
        }
    }

    #[test]
    fn an_error_says_where() {
        assert_eq!(
            read("{\"v\":1,\n  \"compose\": {\"to\": [{\"name\": 7}]}}").unwrap_err(),
            "expected a string at line 2 column 31"
        );
        assert_eq!(
            read("{\"v\": -1}").unwrap_err(),
            "expected a whole number at line 1 column 7"
        );
        assert_eq!(
            read("{\"kind\": \"\\ud800\"}").unwrap_err(),
            "a lone surrogate in an escape at line 1 column 17"
        );
        assert_eq!(
            Request::from_json(b"{\"kind\": \"\xff\"}")
                .unwrap_err()
                .to_string(),
            "the request is not UTF-8 text"
        );
    }
}
