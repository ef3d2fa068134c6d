//! The Public Suffix List, embedded: which part of a domain is a public suffix
//! (`com`, `co.jp`, `github.io`) and therefore which part an organisation
//! registered (`example.co.jp`).
//!
//! The engine uses it to put `a.example.co.jp` and `b.example.co.jp` in one
//! party, and to refuse internal-domain patterns that would cover a whole
//! suffix. The table is produced by `build.rs` from
//! `data/public_suffix_list.dat` (ICANN and private sections), grouped by
//! top-level domain. A group is decoded the first time a domain under its
//! top-level domain is looked up.

use std::sync::{Mutex, OnceLock};

use super::hashing::{FastMap, FastSet};
use super::text::parents;

/// Front-coded, label-reversed rules, grouped by TLD; see `build.rs`.
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/public_suffix.bin"));

/// The low six bits of a rule's first byte: bytes shared with the previous
/// rule. The top two bits are its kind: 0 plain, 1 wildcard, 2 exception.
const SHARED_MASK: u8 = 0x3f;

/// The rules under one top-level domain, each kind as a set of domains.
#[derive(Default)]
struct Rules {
    /// `co.jp`: the name itself is a public suffix.
    plain: FastSet<&'static str>,
    /// `*.kawasaki.jp` stored as `kawasaki.jp`: every child is a public suffix.
    wildcard_parents: FastSet<&'static str>,
    /// `!city.kawasaki.jp`: an exception to a wildcard; its parent is the suffix.
    exceptions: FastSet<&'static str>,
}

/// The rules under `tld`, decoded on first use; `None` when the list has no
/// rule under it (the implicit `*` rule then applies).
fn rules(tld: &str) -> Option<&'static Rules> {
    static GROUPS: OnceLock<FastMap<&'static str, (usize, usize)>> = OnceLock::new();
    // Decoded groups are kept for the life of the program. A mutex, not a
    // thread-local, so that the cache is shared by every caller; WASM runs one
    // thread, so it is never contended.
    static DECODED: OnceLock<Mutex<FastMap<&'static str, &'static Rules>>> = OnceLock::new();

    let groups = GROUPS.get_or_init(groups);
    let (&tld, &(start, end)) = groups.get_key_value(tld)?;
    let mut decoded = DECODED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let rules = decoded
        .entry(tld)
        .or_insert_with(|| Box::leak(Box::new(decode(TABLE.get(start..end).unwrap_or(&[])))));
    Some(*rules)
}

/// Where each TLD's group is in the table. A group starts at a rule that
/// shares no byte with the one before; its TLD is that rule's first label.
fn groups() -> FastMap<&'static str, (usize, usize)> {
    let mut groups = FastMap::default();
    let mut current: Option<(&'static str, usize)> = None;
    let mut offset = 0;
    while let Some(&head) = TABLE.get(offset) {
        let line_end = TABLE
            .get(offset..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(TABLE.len(), |end| offset + end);
        if head & SHARED_MASK == 0 {
            if let Some((tld, start)) = current.take() {
                groups.insert(tld, (start, offset));
            }
            // The rule's text: the TLD comes first.
            let text = TABLE.get(offset + 1..line_end).unwrap_or(&[]);
            let first_label = text.split(|&b| b == b'.').next().unwrap_or(&[]);
            if let Ok(tld) = std::str::from_utf8(first_label) {
                current = Some((tld, offset));
            }
        }
        offset = line_end + 1;
    }
    if let Some((tld, start)) = current {
        groups.insert(tld, (start, TABLE.len()));
    }
    groups
}

/// Decodes one group. Its rules are written into one buffer, kept for the
/// life of the program, so that the sets hold slices of it rather than a
/// string per rule.
fn decode(group: &[u8]) -> Rules {
    let mut text = String::with_capacity(group.len() * 2);
    let mut spans: Vec<(u8, usize, usize)> = Vec::new();
    // The current rule as stored: labels right to left.
    let mut scratch: Vec<u8> = Vec::with_capacity(256);
    let mut rest = group;
    while let Some((&head, tail)) = rest.split_first() {
        let end = tail.iter().position(|&b| b == b'\n').unwrap_or(tail.len());
        let (suffix, after) = tail.split_at(end);
        rest = after.get(1..).unwrap_or(&[]);
        let kind = head >> 6;
        scratch.truncate(usize::from(head & SHARED_MASK));
        scratch.extend_from_slice(suffix);
        let Ok(reversed) = std::str::from_utf8(&scratch) else {
            continue;
        };
        // Write the labels back in their normal order.
        let start = text.len();
        for (i, label) in reversed.rsplit('.').enumerate() {
            if i > 0 {
                text.push('.');
            }
            text.push_str(label);
        }
        spans.push((kind, start, text.len()));
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut rules = Rules::default();
    for (kind, start, end) in spans {
        let Some(domain) = text.get(start..end) else {
            continue;
        };
        match kind {
            1 => rules.wildcard_parents.insert(domain),
            2 => rules.exceptions.insert(domain),
            _ => rules.plain.insert(domain),
        };
    }
    rules
}

/// The public suffix of a normalised domain, following the list's algorithm:
/// the longest matching rule wins, exceptions beat wildcards, and a domain no
/// rule matches has its last label as suffix (the implicit `*` rule).
///
/// ```
/// use bcc_guard::engine::public_suffix::public_suffix;
/// assert_eq!(public_suffix("a.example.co.jp"), "co.jp");
/// assert_eq!(public_suffix("example.com"), "com");
/// assert_eq!(public_suffix("example.unknowntld"), "unknowntld");
/// ```
pub fn public_suffix(domain: &str) -> &str {
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    let Some(rules) = rules(tld) else {
        return tld;
    };
    // Candidates from the longest (the domain itself) to the shortest (its TLD).
    let candidates = std::iter::once(domain).chain(parents(domain));
    let mut suffix = None;
    // Most top-level domains have no wildcard and no exception: their
    // empty sets are not asked (a lookup hashes the name first).
    let (exceptions, wildcards) = (
        !rules.exceptions.is_empty(),
        !rules.wildcard_parents.is_empty(),
    );
    for candidate in candidates {
        if exceptions && rules.exceptions.contains(candidate) {
            // An exception's parent is the suffix, and it beats any other rule.
            return parents(candidate).next().unwrap_or(candidate);
        }
        if suffix.is_none() {
            let wildcard = wildcards
                && parents(candidate)
                    .next()
                    .is_some_and(|parent| rules.wildcard_parents.contains(parent));
            if rules.plain.contains(candidate) || wildcard {
                suffix = Some(candidate);
            }
        }
    }
    suffix.unwrap_or_else(|| parents(domain).last().unwrap_or(domain))
}

/// `true` when the domain is itself a public suffix (`com`, `co.jp`, `city.x.jp` excepted).
pub fn is_public_suffix(domain: &str) -> bool {
    public_suffix(domain) == domain
}

/// `true` when every child of the domain is a public suffix (`kawasaki.jp`,
/// from the rule `*.kawasaki.jp`): a pattern for it would cover unrelated
/// organisations although the name itself is not a suffix.
pub fn has_suffix_children(domain: &str) -> bool {
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    rules(tld).is_some_and(|rules| rules.wildcard_parents.contains(domain))
}

/// The registrable domain (suffix plus one label): `example.co.jp` for
/// `a.b.example.co.jp`. A domain that is itself a public suffix is returned as
/// it is, so that every domain has some party.
pub fn registrable_domain(domain: &str) -> &str {
    let suffix = public_suffix(domain);
    if suffix.len() >= domain.len() {
        return domain;
    }
    // The label just left of the suffix, plus the suffix.
    let head = domain
        .get(..domain.len() - suffix.len())
        .and_then(|head| head.strip_suffix('.'));
    match head.and_then(|head| head.rfind('.')) {
        Some(dot) => domain.get(dot + 1..).unwrap_or(domain),
        None => domain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_decodes_every_rule_kind() {
        let jp = rules("jp").unwrap();
        assert!(jp.plain.len() > 1_000, "{}", jp.plain.len());
        assert!(jp.plain.contains("co.jp"));
        assert!(jp.wildcard_parents.contains("kawasaki.jp"));
        assert!(jp.exceptions.contains("city.kawasaki.jp"));
        assert!(
            rules("io").unwrap().plain.contains("github.io"),
            "private section is included"
        );
        // Unicode rules are stored in their ASCII form: 公司.cn.
        assert!(rules("cn").unwrap().plain.contains("xn--55qx5d.cn"));
        assert!(rules("example").is_none());
        let all = groups();
        assert!(all.len() > 1_000, "{}", all.len());
        let total: usize = all
            .keys()
            .filter_map(|tld| rules(tld))
            .map(|r| r.plain.len() + r.wildcard_parents.len() + r.exceptions.len())
            .sum();
        assert!(total > 9_000, "{total}");
    }

    #[test]
    fn registrable_domains() {
        for (domain, expected) in [
            ("a.example.co.jp", "example.co.jp"),
            ("b.example.co.jp", "example.co.jp"),
            ("example.com", "example.com"),
            ("mail.example.com", "example.com"),
            ("x.y.kawasaki.jp", "x.y.kawasaki.jp"),
            ("a.city.kawasaki.jp", "city.kawasaki.jp"),
            ("user.github.io", "user.github.io"),
            ("a.b.unknowntld", "b.unknowntld"),
            ("com", "com"),
            ("co.jp", "co.jp"),
            ("docomo.ne.jp", "docomo.ne.jp"),
        ] {
            assert_eq!(registrable_domain(domain), expected, "{domain}");
        }
    }
}
