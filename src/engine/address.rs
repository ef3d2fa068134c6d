//! One email address (an RFC 5322 `addr-spec`), validated and normalised.

use email_address::{EmailAddress, Options};
use thiserror::Error;

use super::domain::{fold_width, normalize_domain, DomainError};

/// Why a text is not an address the engine can classify.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AddressError {
    /// There is no `@` at all.
    #[error("there is no @")]
    MissingAt,
    /// The part after the last `@` is not a host name.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// `email_address` refused it: a bad local part, no top-level domain, a
    /// domain literal such as `[127.0.0.1]`, and so on.
    #[error("{0}")]
    Syntax(email_address::Error),
}

/// A validated address.
///
/// Two spellings of one mailbox (`Alice@Example.COM.` and `alice@example.com`,
/// `x@bücher.de` and `x@xn--bcher-kva.de`) have the same [`Address::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Lower-case local part, `@`, ASCII domain: the identity used for
    /// comparisons, de-duplication and the dialog's `data-address`.
    key: String,
    /// The address to write into a field: the local part as the user typed it
    /// (width-folded) and the domain in lower case without a trailing dot.
    spec: String,
    /// Byte offset of the domain in `key`.
    domain_start: usize,
}

impl Address {
    /// Validates an `addr-spec` such as `alice@example.com`. Display names and
    /// angle brackets are the mailbox parser's business, not this function's.
    ///
    /// The rules are `email_address`'s, configured for mail between
    /// organisations: a top-level domain is required (`a@localhost` is
    /// refused) and domain literals (`a@[10.0.0.1]`) are refused.
    pub fn parse(addr_spec: &str) -> Result<Self, AddressError> {
        let folded: String = addr_spec.trim().chars().map(fold_width).collect();
        let (local, domain) = folded.rsplit_once('@').ok_or(AddressError::MissingAt)?;
        let ascii_domain = normalize_domain(domain)?;
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let candidate = format!("{local}@{ascii_domain}");
        EmailAddress::parse_with_options(&candidate, options).map_err(AddressError::Syntax)?;

        let written_domain = domain.trim();
        let written_domain = written_domain
            .strip_suffix('.')
            .unwrap_or(written_domain)
            .to_lowercase();
        let key = format!("{}@{}", local.to_lowercase(), ascii_domain);
        Ok(Address {
            domain_start: key.len() - ascii_domain.len(),
            spec: format!("{local}@{written_domain}"),
            key,
        })
    }

    /// The normalised identity: lower-case local part and ASCII domain.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The address as it should be written into a recipient field.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// The normalised (ASCII, lower-case) domain.
    pub fn domain(&self) -> &str {
        self.key.get(self.domain_start..).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
