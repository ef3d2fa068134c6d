//! Domain names: normalisation, patterns such as `example.com` and
//! `*.example.com`, and sets of patterns that match on label boundaries.
//!
//! Every comparison in the engine is made between normalised domains: lower
//! case, no trailing dot, and every internationalised label in its `xn--` form.
//! That way `Example.COM.`, `example.com`, `bücher.de` and `xn--bcher-kva.de`
//! compare the way a mail server would route them.

use std::borrow::Cow;

use super::hashing::FastSet;

use serde::{Serialize, Serializer};
use thiserror::Error;

use super::fold::fold_domain_char;
use super::public_suffix;
use super::punycode;
use super::text::parents;
use super::uts46;

/// The longest domain name DNS allows, in octets of its ASCII form.
const MAX_DOMAIN_LEN: usize = 253;
/// The longest label DNS allows.
const MAX_LABEL_LEN: usize = 63;

/// Why a text is not a usable domain name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// Nothing is left after trimming.
    #[error("the domain is empty")]
    Empty,
    /// Two dots in a row, or a dot at the start.
    #[error("the domain has an empty label")]
    EmptyLabel,
    /// A label or the whole name is longer than DNS allows.
    #[error("the domain is too long")]
    TooLong,
    /// A character that cannot appear in a host name.
    #[error("the domain contains `{0}`, which a host name cannot contain")]
    InvalidCharacter(char),
    /// A label starts or ends with a hyphen.
    #[error("a label starts or ends with a hyphen")]
    Hyphen,
    /// A label in Punycode (`xn--…`) that does not encode a valid label.
    #[error("a label's Punycode does not encode a valid name")]
    Punycode,
    /// The pattern would match a whole public suffix such as `com` or `co.jp`.
    #[error("`{0}` is a public suffix; it would match unrelated organisations")]
    PublicSuffix(String),
}

impl From<uts46::Refusal> for DomainError {
    fn from(refusal: uts46::Refusal) -> Self {
        match refusal {
            uts46::Refusal::Character(c) => DomainError::InvalidCharacter(c),
            uts46::Refusal::Punycode => DomainError::Punycode,
        }
    }
}

/// Normalises a domain for comparison: width-folded, lower case, without a
/// trailing dot, with internationalised labels in their `xn--` form.
///
/// ```
/// use bcc_guard::engine::domain::normalize_domain;
/// assert_eq!(normalize_domain("Mail.Example.COM.").unwrap(), "mail.example.com");
/// assert_eq!(normalize_domain("Bücher.de").unwrap(), "xn--bcher-kva.de");
/// assert_eq!(normalize_domain("ｅｘａｍｐｌｅ．ｃｏ．ｊｐ").unwrap(), "example.co.jp");
/// ```
pub fn normalize_domain(input: &str) -> Result<String, DomainError> {
    normalize_domain_cow(input).map(Cow::into_owned)
}

/// [`normalize_domain`] without an allocation when the input is already
/// normal, which is the common case (webmail lower-cases what it shows).
pub fn normalize_domain_cow(input: &str) -> Result<Cow<'_, str>, DomainError> {
    let trimmed = input.trim();
    // A label in Punycode (`xn--`) must be decoded to be checked, below.
    let is_normal = !trimmed.is_empty()
        && !trimmed.ends_with('.')
        && trimmed.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
        && !trimmed.as_bytes().windows(2).any(|pair| pair == b"--");
    if is_normal {
        check_labels(trimmed)?;
        return Ok(Cow::Borrowed(trimmed));
    }
    // No valid name is longer than 253 octets in its ASCII form, and every
    // character takes at least one octet there: a longer text is refused
    // before any work that grows with it.
    if trimmed.chars().count() > MAX_DOMAIN_LEN + 1 {
        return Err(DomainError::TooLong);
    }
    // UTS #46's mapping, as far as the engine makes it (see `uts46`): what
    // it does not map exactly as UTS #46 does, it refuses.
    let mut mapped = String::with_capacity(trimmed.len());
    for c in trimmed.chars().map(fold_domain_char) {
        if c.is_ascii() {
            mapped.push(c.to_ascii_lowercase());
        } else {
            match uts46::class(c) {
                uts46::REFUSED => return Err(DomainError::InvalidCharacter(c)),
                uts46::MAPPED => mapped.extend(c.to_lowercase()),
                _ => mapped.push(c),
            }
        }
    }
    let trimmed = mapped.trim();
    let without_dot = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if without_dot.is_empty() {
        return Err(DomainError::Empty);
    }
    let mut out = String::with_capacity(without_dot.len());
    for (i, label) in without_dot.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_empty() {
            return Err(DomainError::EmptyLabel);
        }
        if label.is_ascii() {
            if let Some(rest) = label.strip_prefix("xn--") {
                if label.len() > MAX_LABEL_LEN {
                    return Err(DomainError::TooLong);
                }
                uts46::check_punycode(rest)?;
            }
            out.push_str(label);
            continue;
        }
        // A Punycode prefix on a label that is not Punycode (UTS #46 refuses it).
        if label.starts_with("xn--") {
            return Err(DomainError::Punycode);
        }
        // `xn--` and at least one octet per character: a label of more than
        // 59 characters cannot fit in 63 octets, and Punycode's work grows
        // with the square of the label's length.
        if label.chars().count() > MAX_LABEL_LEN - 4 {
            return Err(DomainError::TooLong);
        }
        let label = uts46::check_label(label, true)?;
        let encoded = punycode::encode_label(&label).ok_or(DomainError::TooLong)?;
        out.push_str("xn--");
        out.push_str(&encoded);
    }
    check_host_name(&out)?;
    Ok(Cow::Owned(out))
}

/// The label structure of an already lower-case ASCII name: no empty labels.
fn check_labels(domain: &str) -> Result<(), DomainError> {
    if domain.split('.').any(str::is_empty) {
        return Err(DomainError::EmptyLabel);
    }
    check_host_name(domain)
}

/// Checks the LDH rule (letters, digits, hyphens) on a normalised domain.
fn check_host_name(domain: &str) -> Result<(), DomainError> {
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(DomainError::TooLong);
    }
    for label in domain.split('.') {
        if label.len() > MAX_LABEL_LEN {
            return Err(DomainError::TooLong);
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(DomainError::InvalidCharacter(bad));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainError::Hyphen);
        }
    }
    Ok(())
}

/// `true` when `domain` is `base` or one of its subdomains, on a label boundary:
/// `mail.example.com` is within `example.com`; `notexample.com` and
/// `example.com.evil.org` are not.
pub fn is_within(domain: &str, base: &str) -> bool {
    domain == base
        || (domain.len() > base.len()
            && domain.ends_with(base)
            && domain.as_bytes().get(domain.len() - base.len() - 1) == Some(&b'.'))
}

/// [`is_within`], and without crossing a public suffix: `a.one.kawasaki.jp`
/// is not within `kawasaki.jp`, because `one.kawasaki.jp` is a public suffix
/// (the rule `*.kawasaki.jp`) and so `a.one.kawasaki.jp` is an organisation
/// of its own. This is what "the same organisation" means for internal and
/// trusted domains: `base` must lie strictly below `domain`'s public suffix.
pub fn is_within_organisation(domain: &str, base: &str) -> bool {
    is_within(domain, base) && base.len() > public_suffix::public_suffix(domain).len()
}

/// A configured domain: either a domain with all its subdomains, or (written
/// `*.example.com`) only the subdomains.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainPattern {
    domain: String,
    subdomains_only: bool,
}

impl DomainPattern {
    /// Parses what an admin or user typed. Surrounding space, a leading `@` and
    /// a trailing dot are forgiven; a pattern that covers a whole public suffix
    /// (`com`, `co.jp`, `*.co.jp`) is refused because it would make unrelated
    /// organisations look like one.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let pattern = Self::parse_syntax(input)?;
        if public_suffix::is_public_suffix(&pattern.domain)
            || public_suffix::has_suffix_children(&pattern.domain)
        {
            return Err(DomainError::PublicSuffix(pattern.domain));
        }
        Ok(pattern)
    }

    /// [`DomainPattern::parse`] without the public-suffix check, for the
    /// built-in lists, which a unit test runs through the full check once;
    /// skipping it keeps the Public Suffix List out of the engine's start-up.
    pub(crate) fn parse_syntax(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let trimmed = trimmed.strip_prefix('@').unwrap_or(trimmed);
        let (subdomains_only, rest) = match trimmed.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        Ok(DomainPattern {
            domain: normalize_domain(rest)?,
            subdomains_only,
        })
    }

    /// The normalised domain the pattern is anchored at.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `true` for `*.example.com`, which matches subdomains but not the apex.
    pub fn subdomains_only(&self) -> bool {
        self.subdomains_only
    }

    /// Whether the pattern matches `domain` (already normalised) within one
    /// organisation (see [`is_within_organisation`]).
    pub fn matches(&self, domain: &str) -> bool {
        (!self.subdomains_only || domain != self.domain)
            && is_within_organisation(domain, &self.domain)
    }
}

impl std::fmt::Display for DomainPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.subdomains_only {
            f.write_str("*.")?;
        }
        f.write_str(&self.domain)
    }
}

impl Serialize for DomainPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A set of [`DomainPattern`]s answering "does any pattern match?" in time
/// proportional to the number of labels of the domain, not the number of
/// patterns, so that thousands of configured domains stay cheap.
#[derive(Debug, Clone, Default)]
pub struct DomainSet {
    with_apex: FastSet<String>,
    subdomains_only: FastSet<String>,
}

impl DomainSet {
    /// Builds a set from patterns.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a DomainPattern>) -> Self {
        let mut set = DomainSet::default();
        for pattern in patterns {
            set.insert(pattern);
        }
        set
    }

    /// Adds a pattern.
    pub fn insert(&mut self, pattern: &DomainPattern) {
        let target = if pattern.subdomains_only {
            &mut self.subdomains_only
        } else {
            &mut self.with_apex
        };
        target.insert(pattern.domain.clone());
    }

    /// The longest pattern domain that matches the normalised `domain` on
    /// label boundaries, if any.
    fn longest_match<'d>(&self, domain: &'d str) -> Option<&'d str> {
        if self.with_apex.is_empty() && self.subdomains_only.is_empty() {
            return None;
        }
        if self.with_apex.contains(domain) {
            return Some(domain);
        }
        // Parents come nearest first, so the first hit is the longest.
        parents(domain).find(|parent| {
            self.with_apex.contains(*parent) || self.subdomains_only.contains(*parent)
        })
    }

    /// Whether any pattern matches the normalised `domain` on label
    /// boundaries, public suffixes regardless (for consumer-mail domains,
    /// where a wrong match only makes more parties).
    pub fn matches(&self, domain: &str) -> bool {
        self.longest_match(domain).is_some()
    }

    /// Whether any pattern matches the normalised `domain` within one
    /// organisation (see [`is_within_organisation`]), as [`DomainPattern::matches`]
    /// does: for internal and trusted domains, where a match across a public
    /// suffix would hide outsiders. The longest match is enough to look at:
    /// if it lies above the suffix, every shorter one does too.
    pub fn matches_organisation(&self, domain: &str) -> bool {
        self.longest_match(domain)
            .is_some_and(|base| base.len() > public_suffix::public_suffix(domain).len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_dot_width_and_idn() {
        assert_eq!(normalize_domain(" EXAMPLE.com. ").unwrap(), "example.com");
        assert_eq!(
            normalize_domain("xn--BCHER-kva.de").unwrap(),
            "xn--bcher-kva.de"
        );
        assert_eq!(normalize_domain("BÜCHER.de").unwrap(), "xn--bcher-kva.de");
        assert_eq!(normalize_domain("例え。jp").unwrap(), "xn--r8jz45g.jp");
        assert_eq!(normalize_domain("..com"), Err(DomainError::EmptyLabel));
        assert_eq!(
            normalize_domain("a b.com"),
            Err(DomainError::InvalidCharacter(' '))
        );
        assert_eq!(normalize_domain("-a.com"), Err(DomainError::Hyphen));
        assert_eq!(normalize_domain("."), Err(DomainError::Empty));
    }

    #[test]
    fn patterns_match_on_label_boundaries_only() {
        let p = DomainPattern::parse("example.com").unwrap();
        assert!(p.matches("example.com"));
        assert!(p.matches("mail.example.com"));
        assert!(!p.matches("notexample.com"));
        assert!(!p.matches("example.com.evil.org"));
        let sub = DomainPattern::parse("*.example.com").unwrap();
        assert!(!sub.matches("example.com"));
        assert!(sub.matches("a.example.com"));
        assert!(!sub.matches("aexample.com"));
    }

    #[test]
    fn set_agrees_with_patterns() {
        let patterns: Vec<_> = ["example.com", "*.corp.example", "@Shop.Example.NET."]
            .iter()
            .map(|p| DomainPattern::parse(p).unwrap())
            .collect();
        let set = DomainSet::new(&patterns);
        for domain in [
            "example.com",
            "x.example.com",
            "notexample.com",
            "example.com.evil.org",
            "corp.example",
            "a.corp.example",
            "shop.example.net",
            "a.b.shop.example.net",
            "example.net",
        ] {
            let expected = patterns.iter().any(|p| p.matches(domain));
            assert_eq!(set.matches(domain), expected, "{domain}");
        }
    }

    #[test]
    fn refuses_public_suffixes() {
        assert!(matches!(
            DomainPattern::parse("com"),
            Err(DomainError::PublicSuffix(_))
        ));
        assert!(matches!(
            DomainPattern::parse("co.jp"),
            Err(DomainError::PublicSuffix(_))
        ));
        assert!(matches!(
            DomainPattern::parse("*.co.jp"),
            Err(DomainError::PublicSuffix(_))
        ));
        assert!(DomainPattern::parse("example.co.jp").is_ok());
        // Every child of kawasaki.jp is a suffix (`*.kawasaki.jp`).
        assert!(matches!(
            DomainPattern::parse("kawasaki.jp"),
            Err(DomainError::PublicSuffix(_))
        ));
        assert!(DomainPattern::parse("city.kawasaki.jp").is_ok());
    }
}
