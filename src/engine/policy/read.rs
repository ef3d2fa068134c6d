//! Reading each kind of setting value from JSON, leniently: what a registry
//! value, a policy file or a pasted line holds is accepted where its meaning
//! is plain (`"3"` for 3, `0` for false, `"a.example, b.example"` for a
//! list), and everything else is reported, never guessed.
//!
//! Each setting of the table (`settings.rs`) names one reader here; every
//! reader has the same shape, `fn(&Value, &mut impl Report) -> Option<T>`:
//! `None` when the layer has no valid value, every problem reported.

use std::hash::Hash;

use serde_json::Value;

use super::errors::SettingError;
use super::values::{Choice, Placeholder, SUPPORTED_HOSTS};
use crate::engine::address::Address;
use crate::engine::consumer::{ConsumerPattern, ConsumerSet};
use crate::engine::domain::{DomainError, DomainPattern};
use crate::engine::hashing::FastSet;
use crate::engine::text::truncate;

/// The lowest and highest party threshold a policy may set.
pub const MIN_PARTIES_RANGE: (u32, u32) = (2, 50);

/// The most entries a domain list may have; more are reported and cut off.
pub const MAX_LIST_ENTRIES: usize = 2_000;

/// How many bad entries of one list are reported individually; the rest are
/// skipped silently, so that a policy of garbage does not become a reply of
/// garbage.
pub const MAX_REPORTED_ENTRIES: usize = 50;

/// Where a reader reports what is wrong: the position in a list (for a list
/// entry) and the error. The layer reader (`layers.rs`) turns each report
/// into a [`Problem`](super::Problem) naming the layer and the setting.
pub(super) trait Report: FnMut(Option<usize>, SettingError) {}

impl<F: FnMut(Option<usize>, SettingError)> Report for F {}

/// The value of a single-valued setting, or `None` and its error reported.
fn one<T>(report: &mut impl Report, parsed: Result<T, SettingError>) -> Option<T> {
    parsed.map_err(|error| report(None, error)).ok()
}

/// The strings of a list value. A single string is accepted too, split at
/// commas, semicolons and white space, because that is what a registry value
/// or a pasted line holds.
fn list_items<'v>(value: &'v Value, report: &mut impl Report) -> Option<Vec<(usize, &'v str)>> {
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item.as_str() {
                    Some(text) => Some((i, text)),
                    None => {
                        report(Some(i), SettingError::WrongType { expected: "a text" });
                        None
                    }
                })
                .collect(),
        ),
        Value::String(text) => Some(
            text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .enumerate()
                .collect(),
        ),
        _ => {
            report(
                None,
                SettingError::WrongType {
                    expected: "a list of texts",
                },
            );
            None
        }
    }
}

/// A list of patterns: bad entries are reported and skipped, duplicates
/// dropped, and the list cut at [`MAX_LIST_ENTRIES`]. Duplicates are found
/// with a hash set, so that a list padded with copies costs linear time, and
/// at most [`MAX_REPORTED_ENTRIES`] bad entries are reported one by one.
fn parse_list<T: Eq + Hash + Clone>(
    value: &Value,
    report: &mut impl Report,
    parse: impl Fn(&str) -> Result<T, SettingError>,
) -> Option<Vec<T>> {
    let items = list_items(value, report)?;
    let mut out: Vec<T> = Vec::new();
    let mut seen: FastSet<T> = FastSet::default();
    // A text met before gives the same answer again: skip it before parsing.
    let mut texts: FastSet<&str> = FastSet::default();
    let mut reported = 0;
    for (index, text) in items {
        if text.trim().is_empty() || !texts.insert(text) {
            continue;
        }
        match parse(text) {
            Ok(pattern) if seen.contains(&pattern) => {}
            Ok(_) if out.len() >= MAX_LIST_ENTRIES => {
                report(
                    Some(index),
                    SettingError::TooMany {
                        max: MAX_LIST_ENTRIES,
                    },
                );
                break;
            }
            Ok(pattern) => {
                seen.insert(pattern.clone());
                out.push(pattern);
            }
            Err(error) => {
                if reported < MAX_REPORTED_ENTRIES {
                    report(Some(index), error);
                }
                reported += 1;
            }
        }
    }
    Some(out)
}

/// `internalDomains`, `trustedDomains`: a list of organisations' domains.
pub(super) fn organisations(value: &Value, report: &mut impl Report) -> Option<Vec<DomainPattern>> {
    parse_list(value, report, parse_organisation)
}

/// `consumerDomains`: a list of consumer-mail domains, `brand.*` allowed.
pub(super) fn consumer_domains(
    value: &Value,
    report: &mut impl Report,
) -> Option<Vec<ConsumerPattern>> {
    parse_list(value, report, |text| {
        ConsumerPattern::parse(text).map_err(|reason| invalid_domain(text, reason))
    })
}

/// An internal or trusted domain: a domain pattern that is neither a public
/// suffix nor a consumer-mail domain.
fn parse_organisation(text: &str) -> Result<DomainPattern, SettingError> {
    let pattern = DomainPattern::parse(text).map_err(|reason| invalid_domain(text, reason))?;
    if ConsumerSet::built_in().contains(pattern.domain())
        || ConsumerSet::built_in_within(pattern.domain()).is_some()
    {
        return Err(SettingError::ConsumerDomain {
            value: truncate(text),
        });
    }
    Ok(pattern)
}

fn invalid_domain(text: &str, reason: DomainError) -> SettingError {
    SettingError::InvalidDomain {
        value: truncate(text),
        reason,
    }
}

/// `protectedHosts`: a list of [`SUPPORTED_HOSTS`], never empty.
pub(super) fn hosts(value: &Value, report: &mut impl Report) -> Option<Vec<String>> {
    let items = list_items(value, report)?;
    let mut hosts: Vec<String> = Vec::new();
    for (index, text) in items {
        let host = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if !SUPPORTED_HOSTS.contains(&host.as_str()) {
            report(
                Some(index),
                SettingError::UnsupportedHost {
                    value: truncate(text),
                },
            );
        } else if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        report(None, SettingError::NoHosts);
        return None;
    }
    Some(hosts)
}

/// `minExposedParties`: a whole number within [`MIN_PARTIES_RANGE`], also
/// written as text (`"3"`, `3.0`).
pub(super) fn threshold(value: &Value, report: &mut impl Report) -> Option<u32> {
    one(report, whole_number_in_range(value))
}

fn whole_number_in_range(value: &Value) -> Result<u32, SettingError> {
    let (min, max) = MIN_PARTIES_RANGE;
    let out_of_range = || SettingError::OutOfRange { min, max };
    let wrong_type = SettingError::WrongType {
        expected: "a whole number",
    };
    let number = match value {
        Value::Number(n) => match n.as_u64() {
            Some(whole) => whole,
            // `3.0` is whole; a fraction or a negative number is out of range.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            None => match n.as_f64() {
                Some(float) if float.fract() == 0.0 && (0.0..1e18).contains(&float) => float as u64,
                _ => return Err(out_of_range()),
            },
        },
        // Registry values and form fields arrive as text.
        Value::String(s) => whole_number_text(s.trim())
            .ok_or(wrong_type)?
            .ok_or_else(out_of_range)?,
        _ => return Err(wrong_type),
    };
    u32::try_from(number)
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(out_of_range)
}

/// Reads a whole number written as text: digits, optionally followed by a
/// decimal point and zeros (`"3"`, `"3.0"`). `None` when the text is not a
/// number; `Some(None)` for a number that is not a whole one that fits
/// (`"3.5"`, never rounded, or more digits than a u64 holds). Parsed by hand
/// rather than as an `f64`: the float parser and its tables would be the
/// only float code in the WASM.
fn whole_number_text(text: &str) -> Option<Option<u64>> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    Some(
        whole
            .parse::<u64>()
            .ok()
            .filter(|_| fraction.bytes().all(|b| b == b'0')),
    )
}

/// `true` or `false`, also as a number or a word.
pub(super) fn boolean(value: &Value, report: &mut impl Report) -> Option<bool> {
    let parsed = match value {
        Value::Bool(b) => Ok(*b),
        // A REG_DWORD of 0 or 1, as Windows policy writes booleans.
        Value::Number(n) if n.as_f64() == Some(0.0) => Ok(false),
        Value::Number(n) if n.as_f64() == Some(1.0) => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(SettingError::WrongType {
            expected: "true or false",
        }),
    };
    one(report, parsed)
}

/// One of a [`Choice`]'s words, in any case, with space around it forgiven.
pub(super) fn choice<T: Choice>(value: &Value, report: &mut impl Report) -> Option<T> {
    let parsed = value
        .as_str()
        .ok_or(SettingError::WrongType { expected: "a text" })
        .and_then(|text| {
            T::CHOICES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
                .map(|(_, choice)| *choice)
                .ok_or_else(|| SettingError::NotAChoice {
                    value: truncate(text),
                    allowed: T::ALLOWED,
                })
        });
    one(report, parsed)
}

/// `toPlaceholder`: `sender`, `none` or an address.
pub(super) fn placeholder(value: &Value, report: &mut impl Report) -> Option<Placeholder> {
    one(report, placeholder_value(value))
}

fn placeholder_value(value: &Value) -> Result<Placeholder, SettingError> {
    let text = value.as_str().ok_or(SettingError::WrongType {
        expected: "\"sender\", \"none\" or an address",
    })?;
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case("sender") {
        Ok(Placeholder::Sender)
    } else if trimmed.eq_ignore_ascii_case("none") {
        Ok(Placeholder::None)
    } else {
        Address::parse(trimmed)
            .map(|address| Placeholder::Address(address.into_owned()))
            .map_err(|_| SettingError::InvalidAddress {
                value: truncate(text),
            })
    }
}
