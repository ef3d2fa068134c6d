//! Classification of recipients: internal, trusted, external or unreadable,
//! and for external recipients the *party* they belong to.

use serde::Serialize;

use super::address::Address;
use super::consumer::ConsumerSet;
use super::domain::{is_within_organisation, DomainSet};
use super::hashing::FastMap;
use super::policy::{Placeholder, Settings};
use super::public_suffix::{is_public_suffix, registrable_domain};
use super::recipients::{AddressIds, Recipient};

/// How the engine sees one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// A colleague: an internal domain, or the signed-in account itself.
    Internal,
    /// A partner from a trusted domain: external, but never counted as exposed.
    Trusted,
    /// Anyone else.
    External,
    /// A token whose address could not be read; treated as external.
    Unreadable,
}

/// Who an external recipient belongs to. Recipients of one party already
/// know each other's addresses, so only distinct parties count as exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party<'r> {
    /// An organisation, by its registrable domain (`example.co.jp`).
    Organisation(&'r str),
    /// One person's mailbox at a consumer-mail provider, by its address key.
    Mailbox(&'r str),
    /// An unreadable token, by recipient index: each one is a party of its own.
    Unknown(usize),
}

/// One recipient's class, and its party with the party's number when it
/// has one (external or unreadable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classified<'r> {
    /// How the engine sees the recipient.
    pub class: Class,
    /// Its party and that party's number: recipients of one party share the
    /// number, and every number is below [`Classification::parties`].
    pub party: Option<(Party<'r>, u32)>,
}

/// Every recipient of a compose classified ([`Classifier::classify_all`]).
#[derive(Debug, Clone)]
pub struct Classification<'r> {
    /// One entry per recipient, in the compose's order.
    pub recipients: Vec<Classified<'r>>,
    /// How many party numbers were given out.
    pub parties: usize,
}

/// The settings' domain lists compiled for fast lookups. Built once per
/// policy, not per request.
#[derive(Debug, Clone)]
pub struct Matchers {
    internal: DomainSet,
    trusted: DomainSet,
    consumer: ConsumerSet,
    /// The policy's fixed To placeholder, if any. It is the organisation's
    /// chosen stand-in for the sender (`undisclosed@…`), so like the sender
    /// it is never exposed: the move writes it into To for everyone to see.
    placeholder: Option<String>,
}

impl Matchers {
    /// Compiles the domain lists of `settings`.
    pub fn new(settings: &Settings) -> Self {
        Matchers {
            internal: DomainSet::new(&settings.internal_domains),
            trusted: DomainSet::new(&settings.trusted_domains),
            consumer: ConsumerSet::new(&settings.consumer_domains),
            placeholder: match &settings.to_placeholder {
                Placeholder::Address(address) => Some(address.key().to_owned()),
                Placeholder::Sender | Placeholder::None => None,
            },
        }
    }
}

/// Classifies the recipients of one compose window.
#[derive(Debug)]
pub struct Classifier<'p> {
    matchers: &'p Matchers,
    /// The signed-in account's address key: the sender is never exposed.
    account_key: Option<&'p str>,
    /// The account's organisation, when it is not a consumer-mail domain.
    account_organisation: Option<&'p str>,
}

impl<'p> Classifier<'p> {
    /// A classifier for a compose window of `account` (the signed-in address,
    /// when the content script could read it).
    pub fn new(matchers: &'p Matchers, account: Option<&'p Address>) -> Self {
        // An account at a consumer provider has no organisation, and neither
        // has one whose domain is itself a public suffix (`me@co.jp`): its
        // "organisation" would be every company under the suffix.
        let account_organisation = account
            .map(Address::domain)
            .map(|domain| (domain, registrable_domain(domain)))
            .filter(|&(domain, organisation)| {
                !matchers.consumer.contains_within(domain, organisation)
            })
            .map(|(_, organisation)| organisation)
            .filter(|organisation| !is_public_suffix(organisation));
        Classifier {
            matchers,
            account_key: account.map(Address::key),
            account_organisation,
        }
    }

    /// `true` when some internal domain is known: configured, or the account's.
    pub fn knows_organisation(&self, settings: &Settings) -> bool {
        self.account_organisation.is_some() || !settings.internal_domains.is_empty()
    }

    /// The class of recipient `index`, and its party when it is external or unreadable.
    pub fn classify<'r>(
        &self,
        index: usize,
        recipient: &'r Recipient,
    ) -> (Class, Option<Party<'r>>) {
        let Some(address) = &recipient.address else {
            return (Class::Unreadable, Some(Party::Unknown(index)));
        };
        self.classify_address(address, self.domain_class(address.domain()))
    }

    /// Classifies every recipient. The decision depends only on the address,
    /// and mostly only on its domain, so it is made once per distinct address
    /// and the domain lookups once per distinct domain: a newsletter to 1,000
    /// people at 100 domains costs 100 lookups, not 1,000.
    ///
    /// Each party is numbered as it is met, so that the rule can count
    /// parties in a table instead of hashing each recipient's party: an
    /// organisation once per distinct domain (its number kept with the
    /// domain's class), a mailbox once per distinct address, an unreadable
    /// token once per recipient.
    pub fn classify_all<'r>(
        &self,
        recipients: &'r [Recipient],
        ids: &AddressIds,
    ) -> Classification<'r> {
        let mut domains: FastMap<&'r str, (DomainClass<'r>, Option<u32>)> = FastMap::default();
        let mut organisations: FastMap<&'r str, u32> = FastMap::default();
        let mut parties = 0u32;
        let mut next = || {
            parties = parties.saturating_add(1);
            parties - 1
        };
        let mut per_id: Vec<Classified<'r>> = Vec::with_capacity(ids.first.len());
        per_id.extend(
            ids.first
                .iter()
                .filter_map(|&index| recipients.get(index)?.address.as_ref())
                .map(|address| {
                    let domain = address.domain();
                    let (class, organisation) = *domains.entry(domain).or_insert_with(|| {
                        let class = self.domain_class(domain);
                        let number = match class {
                            DomainClass::Organisation(registrable) => {
                                Some(*organisations.entry(registrable).or_insert_with(&mut next))
                            }
                            _ => None,
                        };
                        (class, number)
                    });
                    let (class, party) = self.classify_address(address, class);
                    // Only an organisation's domain has a number; any other
                    // party gets one of its own, so that none goes uncounted.
                    let party = party.map(|party| match (party, organisation) {
                        (Party::Organisation(_), Some(number)) => (party, number),
                        _ => (party, next()),
                    });
                    Classified { class, party }
                }),
        );
        let recipients = recipients
            .iter()
            .enumerate()
            .map(
                |(index, _)| match ids.of(index).and_then(|id| per_id.get(id)) {
                    Some(&classified) => classified,
                    None => Classified {
                        class: Class::Unreadable,
                        party: Some((Party::Unknown(index), next())),
                    },
                },
            )
            .collect();
        Classification {
            recipients,
            parties: parties as usize,
        }
    }

    fn classify_address<'r>(
        &self,
        address: &'r Address,
        domain: DomainClass<'r>,
    ) -> (Class, Option<Party<'r>>) {
        if self.account_key == Some(address.key())
            || self.matchers.placeholder.as_deref() == Some(address.key())
        {
            return (Class::Internal, None);
        }
        match domain {
            DomainClass::Internal => (Class::Internal, None),
            DomainClass::Trusted => (Class::Trusted, None),
            DomainClass::Consumer => (Class::External, Some(Party::Mailbox(address.key()))),
            DomainClass::Organisation(registrable) => {
                (Class::External, Some(Party::Organisation(registrable)))
            }
        }
    }

    fn domain_class<'r>(&self, domain: &'r str) -> DomainClass<'r> {
        if self.matchers.internal.matches_organisation(domain)
            || self
                .account_organisation
                .is_some_and(|organisation| is_within_organisation(domain, organisation))
        {
            DomainClass::Internal
        } else if self.matchers.trusted.matches_organisation(domain) {
            DomainClass::Trusted
        } else {
            // One lookup of the organisation serves both questions.
            let registrable = registrable_domain(domain);
            if self.matchers.consumer.contains_within(domain, registrable) {
                DomainClass::Consumer
            } else {
                DomainClass::Organisation(registrable)
            }
        }
    }
}

/// What a domain alone says about its recipients.
#[derive(Debug, Clone, Copy)]
enum DomainClass<'r> {
    Internal,
    Trusted,
    Consumer,
    Organisation(&'r str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::domain::DomainPattern;
    use crate::engine::recipients::{parse_entry, Field, Source};

    fn recipient(text: &str) -> Recipient<'_> {
        let mut out = Vec::new();
        parse_entry(Field::To, 0, Source::Text(text), &mut out);
        out.remove(0)
    }

    fn settings(internal: &[&str], trusted: &[&str]) -> Settings {
        Settings {
            internal_domains: internal
                .iter()
                .map(|d| DomainPattern::parse(d).unwrap())
                .collect(),
            trusted_domains: trusted
                .iter()
                .map(|d| DomainPattern::parse(d).unwrap())
                .collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn internal_trusted_external() {
        let s = settings(&["example.com"], &["partner.example"]);
        let m = Matchers::new(&s);
        let c = Classifier::new(&m, None);
        let class = |t: &str| c.classify(0, &recipient(t)).0;
        assert_eq!(class("a@example.com"), Class::Internal);
        assert_eq!(class("a@mail.example.com"), Class::Internal);
        assert_eq!(class("a@EXAMPLE.COM"), Class::Internal);
        assert_eq!(class("a@notexample.com"), Class::External);
        assert_eq!(class("a@example.com.evil.org"), Class::External);
        assert_eq!(class("a@partner.example"), Class::Trusted);
        assert_eq!(class("not an address"), Class::Unreadable);
    }

    #[test]
    fn parties() {
        let s = Settings::default();
        let m = Matchers::new(&s);
        let c = Classifier::new(&m, None);
        let a = recipient("a@a.example.co.jp");
        let b = recipient("b@b.example.co.jp");
        assert_eq!(
            c.classify(0, &a).1,
            Some(Party::Organisation("example.co.jp"))
        );
        assert_eq!(
            c.classify(1, &b).1,
            Some(Party::Organisation("example.co.jp"))
        );
        let g = recipient("x@gmail.com");
        assert_eq!(c.classify(2, &g).1, Some(Party::Mailbox("x@gmail.com")));
        assert_eq!(c.classify(3, &recipient("??")).1, Some(Party::Unknown(3)));
    }

    #[test]
    fn zero_configuration_uses_the_account_organisation() {
        let s = Settings::default();
        let m = Matchers::new(&s);
        let account = Address::parse("me@tokyo.example.co.jp").unwrap();
        let c = Classifier::new(&m, Some(&account));
        assert!(c.knows_organisation(&s));
        assert_eq!(
            c.classify(0, &recipient("you@osaka.example.co.jp")).0,
            Class::Internal
        );
        assert_eq!(
            c.classify(0, &recipient("you@other.co.jp")).0,
            Class::External
        );

        // An account whose domain is a public suffix has no organisation.
        let odd = Address::parse("me@co.jp").unwrap();
        let c = Classifier::new(&m, Some(&odd));
        assert!(!c.knows_organisation(&s));
        assert_eq!(
            c.classify(0, &recipient("you@example.co.jp")).0,
            Class::External
        );

        let consumer = Address::parse("me@gmail.com").unwrap();
        let c = Classifier::new(&m, Some(&consumer));
        assert!(!c.knows_organisation(&s));
        assert_eq!(
            c.classify(0, &recipient("friend@gmail.com")).0,
            Class::External
        );
        // The sender's own address is never exposed.
        assert_eq!(c.classify(0, &recipient("Me@Gmail.com")).0, Class::Internal);
    }
}
