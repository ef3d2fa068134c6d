//! The engine's request reader as it was until 2026-12-07: serde_json's
//! `Deserializer` driving visitors of the engine's own (`src/engine/protocol/
//! read.rs` at that date, unchanged but for the paths and the entry points
//! below). It stays here as the reference that the dedicated scanner which
//! replaced it must agree with: same requests accepted, read to the same
//! values, same requests refused. One shape was added here after that date,
//! in the same visitor style, so that the comparison covers it too: a
//! field's entries as columns (`from_object` of `Vec<Entry>` below).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use bcc_guard::engine::compose::{Compose, Entry};
use bcc_guard::engine::protocol::Request;

/// Reads a request as the engine did until 2026-12-07.
pub fn request(json: &[u8]) -> Result<Request<'_>, serde_json::Error> {
    whole(json)
}

/// Reads a compose on its own as the engine did until 2026-12-07.
pub fn compose(json: &[u8]) -> Result<Compose<'_>, serde_json::Error> {
    whole(json)
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
    const EXPECTED: &'static str = "a list of entries or their columns";

    fn from_list<A: SeqAccess<'de>>(mut list: A) -> Result<Self, A::Error> {
        let mut entries = Vec::with_capacity(list.size_hint().unwrap_or(0));
        while let Some(entry) = list.next_element_seed(Reader::<Entry>::new())? {
            entries.push(entry);
        }
        Ok(entries)
    }

    /// `{name, address, text}`: one list per column, a string or `null` per
    /// entry; missing columns are all `null`, the columns given must be
    /// equally long, and no other member, no column twice and no object
    /// without a column is accepted.
    fn from_object<A: MapAccess<'de>>(mut object: A) -> Result<Self, A::Error> {
        let refuse = |why: &str| <A::Error as de::Error>::custom(why);
        let mut columns: [Option<Column<'de>>; 3] = [None, None, None];
        while let Some(key) = object.next_key_seed(Reader::<Cow<str>>::new())? {
            let at = match &*key {
                "name" => 0,
                "address" => 1,
                "text" => 2,
                _ => return Err(refuse("a member that is not a column")),
            };
            if columns[at].is_some() {
                return Err(refuse("a column given twice"));
            }
            columns[at] = Some(value(&mut object)?);
        }
        let lengths: Vec<usize> = columns.iter().flatten().map(|c| c.0.len()).collect();
        let Some(&count) = lengths.first() else {
            return Err(refuse("no column"));
        };
        if lengths.iter().any(|&length| length != count) {
            return Err(refuse("the columns differ in length"));
        }
        let cell =
            |column: &Option<Column<'de>>, i: usize| column.as_ref().and_then(|c| c.0[i].clone());
        Ok((0..count)
            .map(|i| Entry {
                name: cell(&columns[0], i),
                address: cell(&columns[1], i),
                text: cell(&columns[2], i),
            })
            .collect())
    }
}

/// One column of a field: a string or `null` per entry.
struct Column<'de>(Vec<Option<Cow<'de, str>>>);

impl<'de> FromJson<'de> for Column<'de> {
    const EXPECTED: &'static str = "a column: a list of strings or nulls";

    fn from_list<A: SeqAccess<'de>>(mut list: A) -> Result<Self, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = list.next_element_seed(Reader::<Option<Cow<str>>>::new())? {
            values.push(value);
        }
        Ok(Column(values))
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
