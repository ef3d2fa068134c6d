//! One email address (an RFC 5322 `addr-spec`), validated and normalised.

use std::borrow::Cow;

use thiserror::Error;

use super::domain::{normalize_domain_cow, DomainError};
use super::fold::fold_width;
use super::text::lowercase;

/// Why a text is not an address the engine can classify.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AddressError {
    /// There is no `@` at all.
    #[error("there is no @")]
    MissingAt,
    /// The part after the last `@` is not a host name.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The local part or the domain breaks RFC 5322's grammar: a bad local
    /// part, no top-level domain, a domain literal such as `[127.0.0.1]`, and
    /// so on.
    #[error("{0}")]
    Syntax(&'static str),
}

/// A validated address.
///
/// Two spellings of one mailbox (`Alice@Example.COM.` and `alice@example.com`,
/// `x@bücher.de` and `x@xn--bcher-kva.de`) have the same [`Address::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address<'a> {
    /// Lower-case local part, `@`, ASCII domain: the identity used for
    /// comparisons, de-duplication and the dialog's `data-address`. Borrowed
    /// from the request when the address arrived already normalised, which
    /// is the common case, so that large lists cost no allocation per address.
    key: Cow<'a, str>,
    /// The address to write into a field, when it differs from `key`: the
    /// local part as the user typed it (width-folded) and the domain in lower
    /// case, in Unicode if it was typed so, without a trailing dot.
    spec: Option<String>,
    /// Byte offset of the domain in `key`.
    domain_start: usize,
}

impl<'a> Address<'a> {
    /// Validates an `addr-spec` such as `alice@example.com`. Display names and
    /// angle brackets are the mailbox parser's business, not this function's.
    ///
    /// The rules are RFC 5322's `addr-spec` (with RFC 6532's UTF-8), for mail
    /// between organisations: a top-level domain is required (`a@localhost`
    /// is refused) and domain literals (`a@[10.0.0.1]`) are refused.
    pub fn parse(addr_spec: &'a str) -> Result<Self, AddressError> {
        match Self::parse_plain(addr_spec.trim_ascii()) {
            Some(address) => Ok(address),
            None => Self::parse_general(addr_spec),
        }
    }

    /// Every address the engine can accept, including Unicode, full-width
    /// forms, quoted local parts and trailing dots.
    fn parse_general(addr_spec: &str) -> Result<Self, AddressError> {
        let trimmed = addr_spec.trim();
        // Full-width forms only occur in non-ASCII input; skip the copy otherwise.
        let folded: Cow<'_, str> = if trimmed.is_ascii() {
            Cow::Borrowed(trimmed)
        } else {
            Cow::Owned(trimmed.chars().map(fold_width).collect())
        };
        let (local, domain) = folded.rsplit_once('@').ok_or(AddressError::MissingAt)?;
        let ascii_domain = normalize_domain_cow(domain)?;
        validate(local, &ascii_domain)?;

        // The written form keeps the domain as typed when it was Unicode.
        let written_domain = domain.trim();
        let written_domain = written_domain.strip_suffix('.').unwrap_or(written_domain);
        let spec = (!written_domain.is_ascii()).then(|| join(local, &lowercase(written_domain)));
        // The key lower-cases the local part one character at a time, as the
        // domain is: `ǅ`, `ǆ` and `Ǆ` are one mailbox on every path. If the
        // lower-case form is not itself a valid local part (`İ` becomes `i`
        // and a combining dot), the local part is kept as typed, so that a
        // key is always an address that parses back to the same key.
        let lower = lowercase(local);
        let key_local = if lower != local && validate(&lower, &ascii_domain).is_ok() {
            lower
        } else {
            local.to_owned()
        };
        let key = join(&key_local, &ascii_domain);
        let spec = match spec {
            Some(spec) => Some(spec),
            None if key_local != local => Some(join(local, &ascii_domain)),
            None => None,
        };
        Ok(Address {
            domain_start: key.len() - ascii_domain.len(),
            spec,
            key: Cow::Owned(key),
        })
    }

    /// The common case in a single pass over the bytes: an ASCII
    /// `local@domain` whose local part is a dot-atom of letters, digits and
    /// `_+-`, and whose domain has two or more letter-digit-hyphen labels
    /// with no `--` (so no Punycode).
    /// Anything else returns `None` and takes the general path, which gives
    /// the same result for everything this accepts (a property test checks
    /// it). Most recipients of a large list take this path, so it allocates
    /// once and never decodes UTF-8.
    fn parse_plain(text: &'a str) -> Option<Self> {
        let bytes = text.as_bytes();
        // The classes of every byte are OR-ed together and their upper-case
        // bit read once at the end, and a label's length is checked where it
        // ends: per byte, the loops only classify and branch.
        //
        // The local part: dot-separated atoms, none empty, 64 octets at most.
        let (mut in_atom, mut at, mut local_classes) = (false, 0usize, 0u8);
        loop {
            let b = *bytes.get(at)?;
            let class = PLAIN_CLASS[usize::from(b)];
            local_classes |= class;
            if class & ATOM != 0 {
                in_atom = true;
            } else if b == b'.' && in_atom {
                in_atom = false;
            } else if b == b'@' {
                break;
            } else {
                return None;
            }
            at += 1;
        }
        if !in_atom || at > 64 {
            return None;
        }
        // The domain: two or more labels of letters, digits and inner
        // hyphens, 63 octets each and 253 in all.
        let domain = bytes.get(at + 1..)?;
        let (mut label_start, mut labels, mut previous) = (0usize, 1usize, b'.');
        let mut domain_classes = 0u8;
        for (i, &b) in domain.iter().enumerate() {
            let class = PLAIN_CLASS[usize::from(b)];
            domain_classes |= class;
            if class & LABEL != 0 {
            } else if b == b'-' && previous != b'.' && previous != b'-' {
                // `--` (as in `xn--`) takes the general path, whose domain
                // check decodes Punycode.
            } else if b == b'.' && previous != b'.' && previous != b'-' {
                if i - label_start > 63 {
                    return None;
                }
                label_start = i + 1;
                labels += 1;
            } else {
                return None;
            }
            previous = b;
        }
        if previous == b'.'
            || previous == b'-'
            || domain.len() - label_start > 63
            || labels < 2
            || domain.len() > 253
        {
            return None;
        }
        let upper_local = local_classes & UPPER != 0;
        let upper_domain = domain_classes & UPPER != 0;
        if !upper_local && !upper_domain {
            return Some(Address {
                key: Cow::Borrowed(text),
                spec: None,
                domain_start: at + 1,
            });
        }
        let spec = upper_local.then(|| {
            let mut spec = text.to_owned();
            if let Some(domain_part) = spec.get_mut(at + 1..) {
                domain_part.make_ascii_lowercase();
            }
            spec
        });
        Some(Address {
            key: Cow::Owned(text.to_ascii_lowercase()),
            spec,
            domain_start: at + 1,
        })
    }

    /// The same address, owning its text (for settings that outlive a request).
    pub fn into_owned(self) -> Address<'static> {
        Address {
            key: Cow::Owned(self.key.into_owned()),
            spec: self.spec,
            domain_start: self.domain_start,
        }
    }

    /// The normalised identity: lower-case local part and ASCII domain.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The address as it should be written into a recipient field.
    pub fn spec(&self) -> &str {
        self.spec.as_deref().unwrap_or(&self.key)
    }

    /// The written form, only when it differs from the key (an upper-case
    /// local part, a Unicode domain), so that answers need not repeat it.
    pub fn spec_if_different(&self) -> Option<&str> {
        self.spec.as_deref()
    }

    /// The normalised (ASCII, lower-case) domain.
    pub fn domain(&self) -> &str {
        self.key.get(self.domain_start..).unwrap_or("")
    }
}

/// [`Address::parse_plain`]'s byte classes: a letter, digit, `_`, `+` or `-`
/// may be in an atom of the local part; a letter or digit in a label of the
/// domain; and which of them are upper case. One table lookup per byte
/// instead of a chain of range tests.
const ATOM: u8 = 1;
const LABEL: u8 = 2;
const UPPER: u8 = 4;
static PLAIN_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'a'..=b'z' | b'0'..=b'9' => ATOM | LABEL,
            b'A'..=b'Z' => ATOM | LABEL | UPPER,
            b'_' | b'+' | b'-' => ATOM,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// `local@domain`, without the formatting machinery (this runs per recipient).
fn join(local: &str, domain: &str) -> String {
    let mut out = String::with_capacity(local.len() + 1 + domain.len());
    out.push_str(local);
    out.push('@');
    out.push_str(domain);
    out
}

/// The shape of nearly every real address — `first.last+tag@sub.example.com`
/// in lower-case ASCII — checked byte by byte. Everything it accepts,
/// `validate`'s general rules accept too (a property test checks that). It
/// exists because this runs for every recipient of a 10,000-recipient list.
fn is_plainly_valid(local: &str, domain: &str) -> bool {
    let atom = |part: &str, extra: &[u8]| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || extra.contains(&b))
    };
    let label = |part: &str| {
        atom(part, b"-") && !part.starts_with('-') && !part.ends_with('-') && part.len() <= 63
    };
    local.len() <= 64
        && local.split('.').all(|part| atom(part, b"_+-"))
        && domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(label)
}

/// Validates a local part and a normalised domain by RFC 5322's grammar, as
/// the `email_address` crate reads it (a property test compares the two)
/// with two differences: a quoted pair may escape a space or a tab, as the
/// RFC allows (`"john\ doe"@corp.example`), and the options are those for
/// mail between organisations — at least two labels (a top-level domain), no
/// domain literal (the normalised domain cannot hold brackets).
fn validate(local: &str, ascii_domain: &str) -> Result<(), AddressError> {
    if is_plainly_valid(local, ascii_domain) {
        return Ok(());
    }
    if local.is_empty() || local.len() > 64 || !is_local_part(local) {
        return Err(AddressError::Syntax("the local part is not valid"));
    }
    if !ascii_domain.contains('.') {
        return Err(AddressError::Syntax("the domain has no top-level domain"));
    }
    // The normalised domain is letters, digits, `-` and `_` in labels of
    // 63 octets at most; each label must also begin and end with a letter or
    // a digit.
    let edges_alphanumeric = |label: &str| {
        let bytes = label.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
    };
    if !ascii_domain.split('.').all(edges_alphanumeric) {
        return Err(AddressError::Syntax("the domain is not a host name"));
    }
    Ok(())
}

/// RFC 5322's `local-part` (with RFC 6532's UTF-8): a `dot-atom`, or a
/// `quoted-string` of text, spaces and quoted pairs. An empty quoted string
/// is refused, as `email_address` refuses it.
fn is_local_part(local: &str) -> bool {
    if let Some(inner) = local
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        let mut chars = inner.chars();
        let mut any = false;
        while let Some(c) = chars.next() {
            any = true;
            let valid = match c {
                '\\' => chars
                    .next()
                    .is_some_and(|escaped| matches!(escaped, ' ' | '\t' | '!'..='~')),
                ' ' | '\t' | '!' | '#'..='[' | ']'..='~' => true,
                c => !c.is_ascii(),
            };
            if !valid {
                return false;
            }
        }
        return any;
    }
    let atext = |c: char| c.is_alphanumeric() || !c.is_ascii() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(atext))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `validate` accepts exactly what `parse_with_options` accepts with the
    /// options the engine is meant to use, on normalised domains (the only
    /// ones it is given). (proptest runs natively only.)
    #[cfg(not(target_arch = "wasm32"))]
    mod agreement {
        use super::super::{join, validate};
        use email_address::{EmailAddress, Options};
        use proptest::prelude::*;

        proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]
        #[test]
        fn validate_agrees_with_parse_with_options(local in "[a-zA-Z0-9.\"<> \t\\\\_+()\\-]{0,12}", domain in "[a-z0-9._-]{0,14}") {
            // The one difference by design: `email_address` refuses a quoted
            // pair that escapes a space or a tab, which RFC 5322 allows.
            prop_assume!(!local.contains("\\ ") && !local.contains("\\\t"));
            let options = Options::default().with_required_tld().without_domain_literal().without_display_text();
            let reference = EmailAddress::parse_with_options(&join(&local, &domain), options).is_ok();
            prop_assert_eq!(validate(&local, &domain).is_ok(), reference, "{}@{}", local, domain);
        }

        #[test]
        fn the_single_pass_agrees_with_the_general_path(text in "[a-zA-Z0-9._+@-]{0,16}") {
            if let Some(fast) = super::super::Address::parse_plain(&text) {
                let general = super::super::Address::parse_general(&text);
                prop_assert_eq!(Ok(fast), general, "{}", text);
            }
        }

        #[test]
        fn the_single_pass_agrees_at_the_length_limits(local in 62usize..67, label in 61usize..66, labels in 1usize..6, cut in 0usize..3) {
            // Around 64 octets of local part, 63 of a label and 253 of a
            // domain, where the single pass checks lengths at a label's end.
            let domain = vec!["d".repeat(label); labels].join(".");
            let domain = &domain[..domain.len() - cut.min(domain.len() - 1)];
            let text = format!("{}@example.{domain}", "l".repeat(local));
            let general = super::super::Address::parse_general(&text);
            match super::super::Address::parse_plain(&text) {
                Some(fast) => prop_assert_eq!(Ok(fast), general, "{}", text),
                // Everything the single pass refuses here is long, not wrong
                // in form: the general path must refuse it too.
                None => prop_assert!(general.is_err(), "{}", text),
            }
        }

        #[test]
        fn the_fast_path_accepts_only_what_email_address_accepts(local in "[a-z0-9._+-]{0,10}", domain in "[a-z0-9.-]{0,14}") {
            if super::super::is_plainly_valid(&local, &domain) {
                let options = Options::default().with_required_tld().without_domain_literal().without_display_text();
                prop_assert!(EmailAddress::parse_with_options(&join(&local, &domain), options).is_ok(), "{}@{}", local, domain);
            }
        }
        }
    }

    #[test]
    fn normalises_spellings_of_one_mailbox() {
        let a = Address::parse("Alice@Example.COM.").unwrap();
        let b = Address::parse("alice@example.com").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), "alice@example.com");
        assert_eq!(a.spec(), "Alice@example.com");
        assert_eq!(a.domain(), "example.com");

        let idn = Address::parse("x@Bücher.de").unwrap();
        let puny = Address::parse("x@xn--bcher-kva.de").unwrap();
        assert_eq!(idn.key(), puny.key());
        assert_eq!(idn.spec(), "x@bücher.de");

        let wide = Address::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ").unwrap();
        assert_eq!(wide.key(), "taro@example.co.jp");
    }

    #[test]
    fn refuses_what_is_not_an_inter_organisation_address() {
        assert_eq!(Address::parse("nobody"), Err(AddressError::MissingAt));
        assert!(Address::parse("a@localhost").is_err());
        assert!(Address::parse("a@[127.0.0.1]").is_err());
        assert!(Address::parse("@example.com").is_err());
        assert!(Address::parse("a b@example.com").is_err());
        assert!(Address::parse("a@exa mple.com").is_err());
        assert!(Address::parse("a@@example.com").is_err());
        assert!(Address::parse("\"a b\"@example.com").is_ok());
        // RFC 5322's quoted pairs, a space and a tab among them.
        assert!(Address::parse("\"john\\ doe\"@corp.example").is_ok());
        assert!(Address::parse("\"a\\\tb\\\"c\"@corp.example").is_ok());
        assert!(Address::parse("\"a\\\u{1}\"@corp.example").is_err());
        assert!(Address::parse("\"\"@corp.example").is_err());
    }
}
