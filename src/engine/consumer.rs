//! Consumer-mail domains: providers where every mailbox belongs to a different
//! person, so that 30 addresses at `gmail.com` are 30 parties, not one.
//!
//! Entries are either a domain (matching it and its subdomains) or a brand
//! written `hotmail.*`, which matches the brand under any public suffix
//! (`hotmail.com`, `hotmail.co.jp`, `hotmail.co.uk`).

use super::hashing::FastSet;

use serde::{Serialize, Serializer};

use super::domain::{is_within, normalize_domain, DomainError, DomainPattern, DomainSet};
use super::public_suffix::registrable_domain;

/// The built-in list. Policy can add to it (`consumerDomains`) but not remove
/// from it: a shorter list could only make the guard warn less.
pub const BUILT_IN: &[&str] = &[
    // Global providers.
    "gmail.com",
    "googlemail.com",
    "outlook.*",
    "hotmail.*",
    "live.*",
    "msn.com",
    "windowslive.com",
    "passport.com",
    "yahoo.*",
    "ymail.com",
    "rocketmail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "aim.com",
    "proton.me",
    "protonmail.*",
    "pm.me",
    "gmx.*",
    "web.de",
    "mail.com",
    "zoho.com",
    "zohomail.com",
    "yandex.*",
    "ya.ru",
    "mail.ru",
    "inbox.ru",
    "bk.ru",
    "list.ru",
    "qq.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "naver.com",
    "daum.net",
    "hanmail.net",
    "fastmail.com",
    "fastmail.fm",
    "tutanota.com",
    "tuta.io",
    "tutamail.com",
    "hey.com",
    "duck.com",
    "mailbox.org",
    "posteo.de",
    "hushmail.com",
    "rediffmail.com",
    // Consumer ISPs whose customers are individuals.
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "t-online.de",
    "freenet.de",
    "libero.it",
    "virgilio.it",
    "btinternet.com",
    "sky.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "cox.net",
    // Japan: mobile carriers.
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "ymobile.ne.jp",
    "ymobile1.ne.jp",
    "disney.ne.jp",
    "pdx.ne.jp",
    "willcom.com",
    "emnet.ne.jp",
    "uqmobile.jp",
    "rakumail.jp",
    // Japan: free mail and consumer ISPs.
    "nifty.com",
    "biglobe.ne.jp",
    "ocn.ne.jp",
    "so-net.ne.jp",
    "plala.or.jp",
    "excite.co.jp",
    "livedoor.com",
    "infoseek.jp",
    "goo.jp",
    "dion.ne.jp",
    "zaq.ne.jp",
    "jcom.home.ne.jp",
    "eonet.ne.jp",
    "odn.ne.jp",
    "hi-ho.ne.jp",
    "kcn.ne.jp",
];

/// One consumer-mail entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConsumerPattern {
    /// A domain and its subdomains, such as `docomo.ne.jp`.
    Domain(DomainPattern),
    /// A brand under any public suffix, written `hotmail.*`.
    Brand(String),
}

impl ConsumerPattern {
    /// Parses `example.net`, `*.example.net` or `brand.*`.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match Self::parse_syntax(input)? {
            ConsumerPattern::Domain(_) => {
                let trimmed = input.trim();
                let trimmed = trimmed.strip_prefix('@').unwrap_or(trimmed);
                Ok(ConsumerPattern::Domain(DomainPattern::parse(trimmed)?))
            }
            brand => Ok(brand),
        }
    }

    /// The syntax alone, for the built-in list (see `DomainPattern::parse_syntax`).
    fn parse_syntax(input: &str) -> Result<Self, DomainError> {
        let trimmed = input.trim();
        let trimmed = trimmed.strip_prefix('@').unwrap_or(trimmed);
        match trimmed.strip_suffix(".*") {
            Some(brand) => {
                let label = normalize_domain(brand)?;
                if label.contains('.') {
                    // `a.b.*` has no meaning: the brand is the label in front of the suffix.
                    return Err(DomainError::InvalidCharacter('.'));
                }
                Ok(ConsumerPattern::Brand(label))
            }
            None => Ok(ConsumerPattern::Domain(DomainPattern::parse_syntax(
                trimmed,
            )?)),
        }
    }
}

impl std::fmt::Display for ConsumerPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsumerPattern::Domain(pattern) => pattern.fmt(f),
            ConsumerPattern::Brand(brand) => write!(f, "{brand}.*"),
        }
    }
}

impl Serialize for ConsumerPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The built-in list plus the policy's additions, ready for lookups.
#[derive(Debug, Clone, Default)]
pub struct ConsumerSet {
    domains: DomainSet,
    brands: FastSet<String>,
}

impl ConsumerSet {
    /// The built-in list plus `extra`.
    pub fn new(extra: &[ConsumerPattern]) -> Self {
        let mut set = Self::built_in().clone();
        for pattern in extra {
            set.insert(pattern);
        }
        set
    }

    /// The built-in list alone, compiled once.
    pub fn built_in() -> &'static ConsumerSet {
        static BUILT_IN_SET: std::sync::OnceLock<ConsumerSet> = std::sync::OnceLock::new();
        BUILT_IN_SET.get_or_init(|| {
            let mut set = ConsumerSet::default();
            for entry in BUILT_IN {
                if let Ok(pattern) = ConsumerPattern::parse_syntax(entry) {
                    set.insert(&pattern);
                }
            }
            set
        })
    }

    fn insert(&mut self, pattern: &ConsumerPattern) {
        match pattern {
            ConsumerPattern::Domain(domain) => self.domains.insert(domain),
            ConsumerPattern::Brand(brand) => {
                self.brands.insert(brand.clone());
            }
        }
    }

    /// A built-in consumer-mail domain at or under `domain`, if any: an
    /// internal or trusted pattern for `softbank.jp` would otherwise make the
    /// `i.softbank.jp` carrier mailboxes colleagues.
    pub fn built_in_within(domain: &str) -> Option<String> {
        static DOMAINS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        DOMAINS
            .get_or_init(|| {
                BUILT_IN
                    .iter()
                    .filter_map(|entry| match ConsumerPattern::parse_syntax(entry) {
                        Ok(ConsumerPattern::Domain(pattern)) => Some(pattern.domain().to_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .iter()
            .find(|consumer| is_within(consumer, domain))
            .cloned()
    }

    /// Whether the normalised `domain` is a consumer-mail domain.
    pub fn contains(&self, domain: &str) -> bool {
        self.contains_within(domain, registrable_domain(domain))
    }

    /// [`ConsumerSet::contains`] for a caller that has already looked up the
    /// domain's `registrable` domain, which costs a Public Suffix List lookup.
    pub fn contains_within(&self, domain: &str, registrable: &str) -> bool {
        if self.domains.matches(domain) {
            return true;
        }
        let brand = registrable.split('.').next().unwrap_or(registrable);
        self.brands.contains(brand)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_entry_parses() {
        for entry in BUILT_IN {
            assert!(ConsumerPattern::parse(entry).is_ok(), "{entry}");
        }
    }

    #[test]
    fn matches_domains_and_brands() {
        let set = ConsumerSet::new(&[ConsumerPattern::parse("example-mail.jp").unwrap()]);
        for domain in [
            "gmail.com",
            "hotmail.co.jp",
            "hotmail.com",
            "yahoo.co.jp",
            "i.softbank.jp",
            "docomo.ne.jp",
            "gmx.de",
            "example-mail.jp",
            "live.jp",
        ] {
            assert!(set.contains(domain), "{domain}");
        }
        for domain in [
            "example.com",
            "notgmail.com",
            "gmail.com.evil.org",
            "softbank.jp",
            "hotmailer.com",
        ] {
            assert!(!set.contains(domain), "{domain}");
        }
    }

    #[test]
    fn brand_patterns() {
        assert_eq!(
            ConsumerPattern::parse("Brand.*").unwrap(),
            ConsumerPattern::Brand("brand".into())
        );
        assert!(ConsumerPattern::parse("a.b.*").is_err());
        assert_eq!(
            ConsumerPattern::parse("brand.*").unwrap().to_string(),
            "brand.*"
        );
    }
}
