//! Compiles `data/public_suffix_list.dat` into the compact tables that
//! `src/engine/public_suffix.rs` embeds.
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

const LIST: &str = "data/public_suffix_list.dat";

fn main() -> Result<(), Box<dyn Error>> {
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
