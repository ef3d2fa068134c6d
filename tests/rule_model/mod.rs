//! The exposure rule as README.md states it ("What it does" → "The rule",
//! "Fail closed"), written from that text and not from the engine, with
//! readers of its own: the `publicsuffix` crate for the Public Suffix List
//! (the same `data/public_suffix_list.dat`) and the `idna` crate for domain
//! names. tests/rule_differential.rs runs it against the engine.
//!
//! README, paraphrased sentence by sentence as the code below follows it:
//! - everyone a mail goes to — To, Cc and Bcc — receives To and Cc;
//! - a send is stopped when an outside recipient is on show in To or Cc and
//!   the outside recipients of the whole mail, Bcc included, belong to at
//!   least `threshold` different parties;
//! - a party is an organisation, by the Public Suffix List, and never
//!   reaching across a public suffix; or, at a consumer-mail provider, each
//!   person;
//! - colleagues (the signed-in account's organisation, and the internal
//!   domains), trusted partners and you are never exposed (not outside);
//! - an unreadable recipient counts as an outside party (of its own);
//! - if recipients cannot all be read, you are warned — and under "block"
//!   the send is blocked: it is never sent as it is;
//! - "warn or block" is a setting.

#![allow(dead_code)]

use std::collections::HashSet;

use publicsuffix::{List, Psl};

/// One recipient as the person typing it meant it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meant {
    /// A mailbox: its local part as the provider reads it (lower case) and
    /// its domain as written (any spelling).
    Mailbox { local: String, domain: String },
    /// Something that names no address the model can read.
    Unreadable,
}

/// The settings of the rule.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `example.com` (and its subdomains) or `*.example.com` (subdomains only).
    pub internal: Vec<String>,
    pub trusted: Vec<String>,
    /// Added to the built-in consumer-mail list: a domain, or `brand.*`.
    pub consumer: Vec<String>,
    pub threshold: usize,
    pub block: bool,
}

/// What the model decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Send,
    Warn,
    Block,
}

/// The Public Suffix List and the consumer list, read once.
pub struct Model {
    list: List,
    built_in_consumer: Vec<String>,
}

impl Model {
    /// `list` is the text of data/public_suffix_list.dat; `built_in_consumer`
    /// the engine's published list (the `policy` reply's
    /// `builtInConsumerDomains`), which is data, not the rule.
    pub fn new(list: &str, built_in_consumer: Vec<String>) -> Self {
        Model {
            list: list.parse().expect("the Public Suffix List parses"),
            built_in_consumer,
        }
    }

    /// A domain as a mail system routes it (UTS #46), or `None` if it is no
    /// host name (an address at it is unreadable).
    pub fn ascii(&self, domain: &str) -> Option<String> {
        // A trailing dot names the same domain, fully qualified.
        let domain = domain.trim();
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        let ascii = idna::domain_to_ascii_strict(domain).ok()?;
        (ascii.contains('.') && !ascii.split('.').any(str::is_empty)).then_some(ascii)
    }

    /// The public suffix of an ASCII domain (`co.jp`, `one.kawasaki.jp`).
    pub fn suffix<'d>(&self, domain: &'d str) -> &'d str {
        match self.list.suffix(domain.as_bytes()) {
            Some(suffix) => &domain[domain.len() - suffix.as_bytes().len()..],
            None => domain,
        }
    }

    /// The organisation a domain belongs to: the registrable domain, one
    /// label left of the public suffix; a domain that is itself a public
    /// suffix is its own.
    pub fn organisation<'d>(&self, domain: &'d str) -> &'d str {
        match self.list.domain(domain.as_bytes()) {
            Some(registrable) => &domain[domain.len() - registrable.as_bytes().len()..],
            None => domain,
        }
    }

    /// `domain` is `base` or under it on a label boundary, and `base` lies
    /// below `domain`'s public suffix (an organisation never reaches across
    /// a public suffix).
    fn within_organisation(&self, domain: &str, base: &str) -> bool {
        within(domain, base) && base.len() > self.suffix(domain).len()
    }

    fn matches_pattern(&self, domain: &str, pattern: &str) -> bool {
        match pattern.strip_prefix("*.") {
            Some(base) => {
                let Some(base) = self.ascii(base) else {
                    return false;
                };
                domain != base && self.within_organisation(domain, &base)
            }
            None => self
                .ascii(pattern)
                .is_some_and(|base| self.within_organisation(domain, &base)),
        }
    }

    fn is_consumer(&self, domain: &str, settings: &Settings) -> bool {
        let organisation = self.organisation(domain);
        let brand = organisation.split('.').next().unwrap_or(organisation);
        self.built_in_consumer
            .iter()
            .chain(&settings.consumer)
            .any(|entry| match entry.strip_suffix(".*") {
                Some(entry_brand) => entry_brand == brand,
                None => self.ascii(entry).is_some_and(|base| within(domain, &base)),
            })
    }

    /// The decision for a compose: `fields` are To, Cc and Bcc; `account` is
    /// the signed-in sender; `complete` whether every field was read.
    pub fn decide(
        &self,
        settings: &Settings,
        account: Option<&Meant>,
        fields: [&[Meant]; 3],
        complete: bool,
    ) -> Decision {
        let account = account.and_then(|a| self.identity(a));
        // "your own organisation, found from the signed-in account": not at
        // a consumer-mail provider (whose mailboxes are unrelated people),
        // and not a public suffix (no organisation at all).
        let own = account.as_ref().and_then(|(_, domain)| {
            let organisation = self.organisation(domain);
            (!self.is_consumer(domain, settings) && organisation != self.suffix(domain))
                .then(|| organisation.to_owned())
        });
        let mut parties: HashSet<String> = HashSet::new();
        let mut on_show = false;
        for (field, recipients) in fields.iter().enumerate() {
            for (index, meant) in recipients.iter().enumerate() {
                let party = match self.identity(meant) {
                    None => format!("unreadable {field} {index}"),
                    Some((key, domain)) => {
                        let colleague = account.as_ref().is_some_and(|(you, _)| *you == key)
                            || own
                                .as_deref()
                                .is_some_and(|o| self.within_organisation(&domain, o))
                            || settings
                                .internal
                                .iter()
                                .any(|p| self.matches_pattern(&domain, p));
                        let trusted = settings
                            .trusted
                            .iter()
                            .any(|p| self.matches_pattern(&domain, p));
                        if colleague || trusted {
                            continue;
                        }
                        if self.is_consumer(&domain, settings) {
                            format!("person {key}")
                        } else {
                            format!("organisation {}", self.organisation(&domain))
                        }
                    }
                };
                on_show |= field < 2;
                parties.insert(party);
            }
        }
        match (
            on_show && parties.len() >= settings.threshold,
            settings.block,
            complete,
        ) {
            (true, true, _) | (false, true, false) => Decision::Block,
            (true, false, _) | (false, false, false) => Decision::Warn,
            (false, _, true) => Decision::Send,
        }
    }

    /// A readable recipient's identity (`local@ascii-domain`) and domain.
    fn identity(&self, meant: &Meant) -> Option<(String, String)> {
        match meant {
            Meant::Mailbox { local, domain } => {
                let domain = self.ascii(domain)?;
                Some((format!("{local}@{domain}"), domain))
            }
            Meant::Unreadable => None,
        }
    }
}

fn within(domain: &str, base: &str) -> bool {
    domain == base
        || domain
            .strip_suffix(base)
            .is_some_and(|head| head.ends_with('.'))
}
