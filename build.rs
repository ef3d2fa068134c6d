//! Compiles `data/public_suffix_list.dat` into the compact tables that
//! `src/engine/public_suffix.rs` embeds, `data/uts46.txt` into the
//! character table of `src/engine/uts46.rs` (see [`uts46`] below), and
//! `data/webmail-hosts.json` into the engine's `SUPPORTED_HOSTS` (see
//! [`webmail_hosts`]).
//!
//! The list has about 9,500 rules (115 KB of text without comments). Each rule
//! is stored with its labels reversed (`jp.co`), sorted, and front-coded: one
//! byte saying how many leading bytes it shares with the previous rule, then
//! the rest and a newline. Reversed labels make neighbours
//! share long prefixes. The kind (plain, wildcard, exception) rides in the top
//! two bits of the shared-length byte (a rule is shorter than 64 bytes where
//! it differs from its neighbour). The table is about 70 KB. Rules are grouped by
//! top-level domain and each group is coded on its own: its first rule shares
//! nothing with the one before (every other rule shares at least the TLD), so
//! the engine finds the groups by that zero byte and decodes only the groups
//! of the domains it meets; a cold start does not pay for all 9,500 rules.

use std::error::Error;
use std::fs;
use std::path::Path;

#[path = "src/engine/punycode.rs"]
#[allow(dead_code)]
mod punycode;

#[path = "src/engine/fold.rs"]
#[allow(dead_code)]
mod fold;

const LIST: &str = "data/public_suffix_list.dat";
const UTS46: &str = "data/uts46.txt";
const WEBMAIL_HOSTS: &str = "data/webmail-hosts.json";

fn main() -> Result<(), Box<dyn Error>> {
    public_suffix_table()?;
    webmail_hosts()?;
    uts46::table()
}

/// Writes the hosts of `data/webmail-hosts.json` as the array that
/// `src/engine/policy/values.rs` includes as `SUPPORTED_HOSTS`, in the
/// file's order. The file is `{"webmails": [{"hosts": […], …}, …]}`; only
/// `hosts` is read here, and any other member (the adapter's name and
/// whatever the JavaScript side's build needs) is left to that side. A
/// malformed file fails the build rather than leaving the engine with a
/// list the manifest and the adapters do not share: each host must be a
/// lower-case host name as the engine compares them (`Engine::protects`
/// lower-cases and drops a trailing dot before it looks), and none may
/// appear twice.
fn webmail_hosts() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={WEBMAIL_HOSTS}");
    let text = fs::read_to_string(WEBMAIL_HOSTS)?;
    let malformed = |why: String| format!("{WEBMAIL_HOSTS}: {why}");
    let file: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let webmails = file
        .get("webmails")
        .and_then(serde_json::Value::as_array)
        .filter(|list| !list.is_empty())
        .ok_or_else(|| malformed("expected a non-empty list `webmails`".into()))?;
    let mut hosts: Vec<&str> = Vec::new();
    for (index, webmail) in webmails.iter().enumerate() {
        let list = webmail
            .get("hosts")
            .and_then(serde_json::Value::as_array)
            .filter(|list| !list.is_empty())
            .ok_or_else(|| malformed(format!("webmails[{index}] has no list `hosts`")))?;
        for host in list {
            let host = host
                .as_str()
                .ok_or_else(|| malformed(format!("webmails[{index}].hosts holds a non-text")))?;
            let labels_ok = host.split('.').count() >= 2
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                });
            if !labels_ok {
                return Err(malformed(format!(
                    "`{host}` is not a lower-case host name such as mail.example.com"
                ))
                .into());
            }
            if hosts.contains(&host) {
                return Err(malformed(format!("`{host}` is listed twice")).into());
            }
            hosts.push(host);
        }
    }
    let out_dir = std::env::var("OUT_DIR")?;
    fs::write(
        Path::new(&out_dir).join("webmail_hosts.rs"),
        format!("{hosts:?}\n"),
    )?;
    Ok(())
}

fn public_suffix_table() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={LIST}");
    println!("cargo::rerun-if-changed=src/engine/punycode.rs");

    let text = fs::read_to_string(LIST)?;
    let mut entries = Vec::new();
    for line in text.lines() {
        // A rule is the first whitespace-free word of a line; `//` starts a comment.
        let Some(rule) = line.split_whitespace().next() else {
            continue;
        };
        if rule.starts_with("//") {
            continue;
        }
        // The kind byte tells the three rule kinds apart: '=' a plain rule,
        // '*' a wildcard `*.parent` (stored as its parent), '!' an exception.
        let (kind, body) = if let Some(body) = rule.strip_prefix('!') {
            ('!', body)
        } else if let Some(body) = rule.strip_prefix("*.") {
            ('*', body)
        } else {
            ('=', rule)
        };
        if body.contains('*') {
            return Err(format!("unsupported inner wildcard in rule `{rule}`").into());
        }
        let mut labels = Vec::new();
        for label in body.split('.') {
            if label.is_ascii() {
                labels.push(label.to_ascii_lowercase());
            } else {
                let encoded = punycode::encode_label(&label.to_lowercase())
                    .ok_or_else(|| format!("cannot encode rule `{rule}`"))?;
                labels.push(format!("xn--{encoded}"));
            }
        }
        labels.reverse();
        entries.push((labels.join("."), kind));
    }
    entries.sort();
    entries.dedup();

    let mut table = Vec::with_capacity(80_000);
    let mut group_tld = String::new();
    let mut previous: &[u8] = &[];
    for (reversed, kind) in &entries {
        let tld = reversed.split('.').next().unwrap_or(reversed);
        if tld != group_tld {
            group_tld = tld.to_owned();
            previous = &[];
        }
        let bytes = reversed.as_bytes();
        let shared = bytes
            .iter()
            .zip(previous)
            .take(255)
            .take_while(|(a, b)| a == b)
            .count();
        if shared >= 64 {
            return Err(
                format!("rule `{reversed}` shares {shared} bytes; the format allows 63").into(),
            );
        }
        let kind_bits: u8 = match kind {
            '*' => 1 << 6,
            '!' => 2 << 6,
            _ => 0,
        };
        table.push(kind_bits | u8::try_from(shared)?);
        table.extend_from_slice(&bytes[shared..]);
        table.push(b'\n');
        previous = bytes;
    }
    let out_dir = std::env::var("OUT_DIR")?;
    fs::write(Path::new(&out_dir).join("public_suffix.bin"), table)?;
    Ok(())
}

/// The UTS #46 table: for every character the engine may meet in a domain
/// (after its own folding, `src/engine/fold.rs`), whether it keeps it, maps
/// it by lower-casing, or refuses it, and what the label checks need to know.
///
/// The engine keeps a character only where its result is exactly UTS #46's:
/// - *kept*: UTS #46 says valid (or the deviations ß and ς, which
///   nontransitional processing keeps) and lower-casing leaves it as it is;
/// - *mapped*: UTS #46 maps it to exactly what `char::to_lowercase` gives
///   (this is decided here with the same standard library the engine runs
///   on), and every character of that is kept;
/// - everything else is refused, and the address is unreadable: other
///   mappings (`ⓖ`, `𝐠`, `ﬁ`, `①`), ignored and disallowed characters,
///   the joiners (their context rules are not implemented), right-to-left
///   characters (so no domain the engine accepts is subject to the Bidi
///   rule), characters NFC changes, the combining marks that NFC composes
///   with Latin, Greek and Cyrillic letters (decomposed `bu\u0308cher.de`)
///   and with Hangul jamo, and, to keep the table small, every character
///   outside the Basic Multilingual Plane except the CJK ideographs of
///   planes 2 and 3.
///
/// Kept combining marks carry their canonical combining class (as a rank)
/// so that the engine can refuse a label NFC would reorder, and a flag if
/// NFC may compose them with what precedes them; the compositions of those
/// marks (Indic vowel signs, the kana voicing marks) go into a small list,
/// with which the engine composes them exactly as NFC does.
///
/// Encoding: runs from U+0080, each a LEB128 length then its class byte
/// (0 refused, 1 kept, 2 mapped, 3 a mark of class 0, 3 + r a mark whose
/// class has rank r; bit 7 when NFC may compose it).
mod uts46 {
    use std::collections::{BTreeSet, HashMap};
    use std::error::Error;
    use std::fs;
    use std::path::Path;

    use super::{fold, UTS46};

    const REFUSED: u8 = 0;
    const KEPT: u8 = 1;
    const MAPPED: u8 = 2;
    const MARK: u8 = 3;
    const COMPOSES: u8 = 0x80;

    #[derive(Default, Clone)]
    struct Facts {
        status: u8,
        mapping: Vec<char>,
        ccc: u8,
        mark: bool,
        rtl: bool,
        nfc_no: bool,
        nfc_maybe: bool,
    }

    fn code_point(text: &str) -> Result<u32, Box<dyn Error>> {
        Ok(u32::from_str_radix(text.trim(), 16)?)
    }

    pub fn table() -> Result<(), Box<dyn Error>> {
        println!("cargo::rerun-if-changed={UTS46}");
        println!("cargo::rerun-if-changed=src/engine/fold.rs");
        let text = fs::read_to_string(UTS46)?;
        let mut facts = vec![Facts::default(); 0x11_0000];
        let mut compositions = Vec::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split(';').map(str::trim).collect();
            if let Some(base) = fields[0].strip_prefix("C ") {
                compositions.push((
                    code_point(base)?,
                    code_point(fields[1])?,
                    code_point(fields[2])?,
                ));
                continue;
            }
            let (first, last) = match fields[0].split_once("..") {
                Some((a, b)) => (code_point(a)?, code_point(b)?),
                None => (code_point(fields[0])?, code_point(fields[0])?),
            };
            let mut entry = Facts {
                status: fields[1].as_bytes()[0],
                ..Facts::default()
            };
            if let Some(mapping) = fields.get(2).filter(|m| !m.is_empty()) {
                for point in mapping.split_whitespace() {
                    entry
                        .mapping
                        .push(char::from_u32(code_point(point)?).ok_or("bad mapping")?);
                }
            }
            for fact in fields.get(3).copied().unwrap_or("").split_whitespace() {
                match fact {
                    "mark" => entry.mark = true,
                    "rtl" => entry.rtl = true,
                    "nfc=no" => entry.nfc_no = true,
                    "nfc=maybe" => entry.nfc_maybe = true,
                    ccc => entry.ccc = ccc.strip_prefix("ccc=").ok_or("bad fact")?.parse()?,
                }
            }
            for cp in first..=last {
                facts[cp as usize] = entry.clone();
            }
        }

        // The ranks of the combining classes of kept marks.
        let in_scope = |cp: u32| cp < 0x1_0000 || (0x2_0000..0x4_0000).contains(&cp);
        let keeps = |cp: u32| -> bool {
            let f = &facts[cp as usize];
            let Some(c) = char::from_u32(cp) else {
                return false;
            };
            in_scope(cp)
                && (f.status == b'V' || (f.status == b'D' && matches!(c, 'ß' | 'ς')))
                && c.to_lowercase().eq([c])
                && !f.rtl
                && !f.nfc_no
                && !(f.nfc_maybe
                    && ((0x300..0x370).contains(&cp) || (0x1100..0x1200).contains(&cp)))
                && (f.ccc == 0 || f.mark)
        };
        let ranks: BTreeSet<u8> = (0x80..0x11_0000u32)
            .filter(|&cp| keeps(cp))
            .map(|cp| facts[cp as usize].ccc)
            .filter(|&ccc| ccc > 0)
            .collect();
        let rank: HashMap<u8, u8> = ranks.iter().zip(1u8..).map(|(&ccc, r)| (ccc, r)).collect();
        if MARK as usize + rank.len() >= COMPOSES as usize {
            return Err("too many combining classes for the class byte".into());
        }
        let class_of = |cp: u32| -> u8 {
            let f = &facts[cp as usize];
            if keeps(cp) {
                let kind = match (f.mark, f.ccc) {
                    (false, _) => KEPT,
                    (true, 0) => MARK,
                    (true, ccc) => MARK + rank[&ccc],
                };
                return kind | if f.nfc_maybe { COMPOSES } else { 0 };
            }
            let Some(c) = char::from_u32(cp) else {
                return REFUSED;
            };
            let lower: Vec<char> = c.to_lowercase().collect();
            let lower_is_kept = lower.iter().all(|&o| {
                (o.is_ascii_lowercase() || o.is_ascii_digit() || o == '-')
                    || (!o.is_ascii() && keeps(u32::from(o)))
            });
            if in_scope(cp) && f.status == b'M' && f.mapping == lower && lower_is_kept {
                MAPPED
            } else {
                REFUSED
            }
        };

        // The engine's own folding must be UTS #46's mapping exactly.
        for cp in (0xFF01..=0xFF5E)
            .chain([0x3002, 0xFF61])
            .chain(0xFF65..=0xFF9F)
        {
            let c = char::from_u32(cp).ok_or("no char")?;
            let folded = fold::fold_domain_char(c);
            let engine: Vec<char> = if folded.is_ascii() {
                if !(folded.is_ascii_alphanumeric() || matches!(folded, '-' | '_' | '.')) {
                    continue; // the engine refuses such ASCII in a domain
                }
                vec![folded.to_ascii_lowercase()]
            } else {
                vec![folded]
            };
            if facts[cp as usize].status != b'M' || facts[cp as usize].mapping != engine {
                return Err(format!("fold.rs maps U+{cp:04X} unlike UTS #46").into());
            }
        }

        let mut runs = Vec::new();
        let (mut start, mut current) = (0x80u32, class_of(0x80));
        for cp in 0x81..=0x11_0000u32 {
            let class = if cp == 0x11_0000 {
                u8::MAX
            } else {
                class_of(cp)
            };
            if class != current {
                let mut length = cp - start;
                loop {
                    let byte = (length & 0x7f) as u8;
                    length >>= 7;
                    runs.push(if length > 0 { byte | 0x80 } else { byte });
                    if length == 0 {
                        break;
                    }
                }
                runs.push(current);
                start = cp;
                current = class;
            }
        }

        // Compositions NFC would make with a kept mark after a kept starter.
        let mut pairs: Vec<[u16; 3]> = Vec::new();
        for (base, mark, composite) in compositions {
            let composes = class_of(mark) & COMPOSES != 0;
            // The base must be a kept character of combining class 0.
            if composes && matches!(class_of(base) & !COMPOSES, KEPT | MARK) {
                pairs.push([
                    u16::try_from(base)?,
                    u16::try_from(mark)?,
                    u16::try_from(composite)?,
                ]);
            }
        }
        pairs.sort();

        let mut out = String::new();
        out.push_str("/// Character classes in runs from U+0080 (see build.rs).\n");
        out.push_str(&format!(
            "static RUNS: [u8; {}] = {:?};\n",
            runs.len(),
            runs
        ));
        out.push_str("/// Base, mark and composite of each composition NFC makes, sorted.\n");
        out.push_str(&format!(
            "static COMPOSITIONS: [[u16; 3]; {}] = {:?};\n",
            pairs.len(),
            pairs
        ));
        let out_dir = std::env::var("OUT_DIR")?;
        fs::write(Path::new(&out_dir).join("uts46.rs"), out)?;
        Ok(())
    }
}
