//! Reading a [`Request`] from JSON text.
//!
//! The request types are read through serde_json's `deserialize_any` by the
//! visitors here instead of `#[derive(Deserialize)]`. The reason is size: a
//! derived visitor reports a value of the wrong type with serde's
//! `invalid_type`, whose message prints the value it found — floats with
//! Rust's float formatting, strings with `Debug` escaping and its Unicode
//! tables. That formatting was about 25 KB of the WASM (10 KB compressed),
//! used only to word an error that only a broken content script could cause.
//! Each visitor here accepts the JSON shapes it understands and answers
//! anything else with "expected …", and strings stay borrowed from the
//! request wherever they need no unescaping, as with the derive.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::Request;
use crate::engine::compose::{Compose, Entry};

impl<'a> Request<'a> {
    /// Reads a request from JSON text, refusing trailing text after it.
    pub fn from_json(json: &'a [u8]) -> Result<Self, serde_json::Error> {
        whole(json)
    }
}

impl<'a> Compose<'a> {
    /// Reads a compose on its own from JSON text (tests and fuzz targets
    /// build composes this way).
    pub fn from_json(json: &'a [u8]) -> Result<Self, serde_json::Error> {
        whole(json)
    }
}

fn whole<'de, T: FromJson<'de>>(json: &'de [u8]) -> Result<T, serde_json::Error> {
    // Checked as UTF-8 once, as a whole: read from bytes, serde_json would
    // check every string on its own, at about a tenth of the whole read.
    let json = std::str::from_utf8(json)
        .map_err(|_| <serde_json::Error as de::Error>::custom("the request is not UTF-8 text"))?;
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = Reader::<T>::new().deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A type that can be read from the JSON shapes it names in [`EXPECTED`].
/// Every shape it does not override is refused.
///
/// [`EXPECTED`]: FromJson::EXPECTED
trait FromJson<'de>: Sized {
    /// What the value should be, for the error message: "expected {EXPECTED}".
    const EXPECTED: &'static str;

    fn from_text(_text: Cow<'de, str>) -> Option<Self> {
        None
    }
    fn from_number(_number: u64) -> Option<Self> {
        None
    }
    fn from_bool(_value: bool) -> Option<Self> {
        None
    }
    fn from_null() -> Option<Self> {
        None
    }
    fn from_list<A: SeqAccess<'de>>(_list: A) -> Result<Self, A::Error> {
        Err(wrong::<A::Error, Self>())
    }
    fn from_object<A: MapAccess<'de>>(_object: A) -> Result<Self, A::Error> {
        Err(wrong::<A::Error, Self>())
    }
}

fn wrong<'de, E: de::Error, T: FromJson<'de>>() -> E {
    E::custom(format_args!("expected {}", T::EXPECTED))
}

/// The visitor, and the seed that starts it, for any [`FromJson`] type.
struct Reader<T>(PhantomData<T>);

impl<T> Reader<T> {
    fn new() -> Self {
        Reader(PhantomData)
    }
}

impl<'de, T: FromJson<'de>> DeserializeSeed<'de> for Reader<T> {
    type Value = T;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: FromJson<'de>> Visitor<'de> for Reader<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(T::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<T, E> {
        T::from_bool(value).ok_or_else(wrong::<E, T>)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::from_number(value).ok_or_else(wrong::<E, T>)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        u64::try_from(value)
            .ok()
            .and_then(T::from_number)
            .ok_or_else(wrong::<E, T>)
    }

    fn visit_f64<E: de::Error>(self, _value: f64) -> Result<T, E> {
        Err(wrong::<E, T>())
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<T, E> {
        T::from_text(Cow::Borrowed(text)).ok_or_else(wrong::<E, T>)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        // Only text with escapes arrives here: it had to be unescaped into a
        // buffer, so it is copied.
        T::from_text(Cow::Owned(text.to_owned())).ok_or_else(wrong::<E, T>)
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<T, E> {
        T::from_text(Cow::Owned(text)).ok_or_else(wrong::<E, T>)
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        T::from_null().ok_or_else(wrong::<E, T>)
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        T::from_null().ok_or_else(wrong::<E, T>)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, list: A) -> Result<T, A::Error> {
        T::from_list(list)
    }

    fn visit_map<A: MapAccess<'de>>(self, object: A) -> Result<T, A::Error> {
        T::from_object(object)
    }
}

impl<'de> FromJson<'de> for Cow<'de, str> {
    const EXPECTED: &'static str = "a string";

    fn from_text(text: Cow<'de, str>) -> Option<Self> {
        Some(text)
    }
}

impl<'de> FromJson<'de> for u32 {
    const EXPECTED: &'static str = "a whole number";

    fn from_number(number: u64) -> Option<Self> {
        u32::try_from(number).ok()
    }
}

impl<'de> FromJson<'de> for bool {
    const EXPECTED: &'static str = "true or false";

    fn from_bool(value: bool) -> Option<Self> {
        Some(value)
    }
}

/// `null` is `None`; anything else must be a `T`.
impl<'de, T: FromJson<'de>> FromJson<'de> for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    fn from_text(text: Cow<'de, str>) -> Option<Self> {
        T::from_text(text).map(Some)
    }
    fn from_number(number: u64) -> Option<Self> {
        T::from_number(number).map(Some)
    }
    fn from_bool(value: bool) -> Option<Self> {
        T::from_bool(value).map(Some)
    }
    fn from_null() -> Option<Self> {
        Some(None)
    }
    fn from_list<A: SeqAccess<'de>>(list: A) -> Result<Self, A::Error> {
        T::from_list(list).map(Some)
    }
    fn from_object<A: MapAccess<'de>>(object: A) -> Result<Self, A::Error> {
        T::from_object(object).map(Some)
    }
}

impl<'de> FromJson<'de> for Vec<Entry<'de>> {
    const EXPECTED: &'static str = "a list of entries";

    fn from_list<A: SeqAccess<'de>>(mut list: A) -> Result<Self, A::Error> {
        let mut entries = Vec::with_capacity(list.size_hint().unwrap_or(0));
        while let Some(entry) = list.next_element_seed(Reader::<Entry>::new())? {
            entries.push(entry);
        }
        Ok(entries)
    }
}

/// Reads each member of an object: `read` takes the keys it knows and
/// returns `false` for the others, whose values are skipped.
fn members<'de, A: MapAccess<'de>>(
    mut object: A,
    mut read: impl FnMut(&str, &mut A) -> Result<bool, A::Error>,
) -> Result<(), A::Error> {
    while let Some(key) = object.next_key_seed(Reader::<Cow<str>>::new())? {
        if !read(&key, &mut object)? {
            object.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

/// The value of the member just read, as a `T`.
fn value<'de, T: FromJson<'de>, A: MapAccess<'de>>(object: &mut A) -> Result<T, A::Error> {
    object.next_value_seed(Reader::<T>::new())
}

impl<'de> FromJson<'de> for Entry<'de> {
    const EXPECTED: &'static str = "an entry: {name, address} or {text}";

    fn from_object<A: MapAccess<'de>>(object: A) -> Result<Self, A::Error> {
        let mut entry = Entry::default();
        members(object, |key, object| {
            match key {
                "name" => entry.name = value(object)?,
                "address" => entry.address = value(object)?,
                "text" => entry.text = value(object)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(entry)
    }
}

impl<'de> FromJson<'de> for Compose<'de> {
    const EXPECTED: &'static str = "a compose: {account, to, cc, bcc, complete, host}";

    fn from_object<A: MapAccess<'de>>(object: A) -> Result<Self, A::Error> {
        let mut compose = Compose {
            account: None,
            to: Vec::new(),
            cc: Vec::new(),
            bcc: Vec::new(),
            complete: true,
            host: None,
        };
        members(object, |key, object| {
            match key {
                "account" => compose.account = value(object)?,
                // A missing field means no entries; `null` is refused, as
                // it can only come from a reader that failed.
                "to" => compose.to = value(object)?,
                "cc" => compose.cc = value(object)?,
                "bcc" => compose.bcc = value(object)?,
                "complete" => compose.complete = value(object)?,
                "host" => compose.host = value(object)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(compose)
    }
}

impl<'de> FromJson<'de> for Request<'de> {
    const EXPECTED: &'static str = "a request: {v, kind, …}";

    fn from_object<A: MapAccess<'de>>(object: A) -> Result<Self, A::Error> {
        let mut request = Request::default();
        members(object, |key, object| {
            match key {
                "v" => request.v = value(object)?,
                "kind" => request.kind = value(object)?,
                "compose" => request.compose = value(object)?,
                "original" => request.original = value(object)?,
                // Settings are any JSON: the policy reports what is wrong
                // with them. serde_json's own `Value` reader refuses nothing.
                "settings" => request.settings = object.next_value::<Option<Value>>()?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Request<'_>, String> {
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
}
