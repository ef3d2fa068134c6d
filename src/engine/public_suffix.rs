//! The Public Suffix List, embedded: which part of a domain is a public suffix
//! (`com`, `co.jp`, `github.io`) and therefore which part an organisation
//! registered (`example.co.jp`).
//!
//! The engine uses it to put `a.example.co.jp` and `b.example.co.jp` in one
//! party, and to refuse internal-domain patterns that would cover a whole
//! suffix. The table is produced by `build.rs` from `data/public_suffix_list.dat`
//! (ICANN and private sections) and decoded into hash sets on first use.

use super::hashing::FastSet;
use std::sync::OnceLock;

use super::domain::parents;

/// Front-coded, label-reversed rules; see `build.rs` for the format.
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/public_suffix.bin"));

/// The three kinds of rule in the list, each as a set of domains.
#[derive(Default)]
struct Rules {
    /// `co.jp`: the name itself is a public suffix.
    plain: FastSet<&'static str>,
    /// `*.kawasaki.jp` stored as `kawasaki.jp`: every child is a public suffix.
    wildcard_parents: FastSet<&'static str>,
    /// `!city.kawasaki.jp`: an exception to a wildcard; its parent is the suffix.
    exceptions: FastSet<&'static str>,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(decode)
}

/// Decodes the table, once, when the first domain is looked up; the
/// benchmark reports its cost as part of the background's cold start.
fn decode() -> Rules {
    let mut text = String::with_capacity(TABLE.len() * 2);
    let mut spans: Vec<(u8, usize, usize)> = Vec::with_capacity(10_000);
    // The current rule as stored: kind byte, then labels right to left.
    let mut scratch: Vec<u8> = Vec::with_capacity(256);
    let mut rest = TABLE;
    while let Some((&shared, tail)) = rest.split_first() {
        let end = tail.iter().position(|&b| b == b'\n').unwrap_or(tail.len());
        let (suffix, after) = tail.split_at(end);
        rest = after.get(1..).unwrap_or(&[]);
        scratch.truncate(usize::from(shared));
        scratch.extend_from_slice(suffix);
        let Some((&kind, reversed)) = scratch.split_first() else {
            continue;
        };
        let Ok(reversed) = std::str::from_utf8(reversed) else {
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
    // One buffer for the whole list, kept for the life of the program, so
    // that the sets hold slices of it rather than a string per rule.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut rules = Rules::default();
    for (kind, start, end) in spans {
        let Some(domain) = text.get(start..end) else {
            continue;
        };
        match kind {
            b'*' => rules.wildcard_parents.insert(domain),
            b'!' => rules.exceptions.insert(domain),
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
    let rules = rules();
    // Candidates from the longest (the domain itself) to the shortest (its TLD).
    let candidates = std::iter::once(domain).chain(parents(domain));
    let mut suffix = None;
    for candidate in candidates {
        if rules.exceptions.contains(candidate) {
            // An exception's parent is the suffix, and it beats any other rule.
            return parents(candidate).next().unwrap_or(candidate);
        }
        if suffix.is_none() {
            let wildcard = parents(candidate)
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
        let rules = rules();
        assert!(rules.plain.len() > 5_000, "{}", rules.plain.len());
        assert!(rules.plain.contains("co.jp"));
        assert!(
            rules.plain.contains("github.io"),
            "private section is included"
        );
        assert!(rules.wildcard_parents.contains("kawasaki.jp"));
        assert!(rules.exceptions.contains("city.kawasaki.jp"));
        // Unicode rules are stored in their ASCII form: 公司.cn.
        assert!(rules.plain.contains("xn--55qx5d.cn"));
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
