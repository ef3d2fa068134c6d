//! The character mappings the engine makes itself, each one exactly the
//! mapping UTS #46 makes for the same characters (`build.rs` checks that
//! against the IdnaMappingTable when it builds the UTS #46 table):
//! full-width ASCII and the ideographic full stops, which Japanese input
//! methods produce in whole addresses, and half-width katakana in domains.
//!
//! This file is also compiled by `build.rs`, so it depends on nothing.

/// Maps the full-width forms that Japanese input methods produce (`ｅｘａｍｐｌｅ．ｃｏｍ`,
/// `＠`), the small `﹫` and the ideographic full stops to their ASCII counterparts, as IDNA's
/// mapping step does. Everything else is returned unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        // Full-width ASCII variants occupy U+FF01..=U+FF5E, offset 0xFEE0 from ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3002}' | '\u{FF61}' => '.',
        // SMALL COMMERCIAL AT, which UTS #46 (by NFKC) maps to `@` as it
        // does the full-width `＠`: an address written with it is one.
        '\u{FE6B}' => '@',
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// U+FF65..=U+FF9F, half-width katakana and their marks, as the full-width
/// characters UTS #46 maps them to, each `U+3000 +` the byte. The voiced
/// marks ﾞ and ﾟ become the combining U+3099 and U+309A, which
/// [`super::uts46`] composes with the kana before them as NFC does
/// (`ｶﾞ` is `ガ`).
const HALF_WIDTH_KANA: [u8; 59] = [
    0xFB, 0xF2, 0xA1, 0xA3, 0xA5, 0xA7, 0xA9, 0xE3, 0xE5, 0xE7,
    0xC3, // ･ｦｧｨｩｪｫｬｭｮｯ
    0xFC, 0xA2, 0xA4, 0xA6, 0xA8, 0xAA, 0xAB, 0xAD, 0xAF, 0xB1,
    0xB3, // ｰｱｲｳｴｵｶｷｸｹｺ
    0xB5, 0xB7, 0xB9, 0xBB, 0xBD, 0xBF, 0xC1, 0xC4, 0xC6, 0xC8,
    0xCA, // ｻｼｽｾｿﾀﾁﾂﾃﾄﾅ
    0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD2, 0xD5, 0xD8, 0xDB, 0xDE,
    0xDF, // ﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐ
    0xE0, 0xE1, 0xE2, 0xE4, 0xE6, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC,
    0xED, // ﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛ
    0xEF, 0xF3, 0x99, 0x9A, // ﾜﾝﾞﾟ
];

/// [`fold_width`], and half-width katakana as their full-width forms: the
/// mapping a domain's characters take before the UTS #46 table is consulted.
pub fn fold_domain_char(c: char) -> char {
    match c {
        '\u{FF65}'..='\u{FF9F}' => HALF_WIDTH_KANA
            .get((u32::from(c) - 0xFF65) as usize)
            .and_then(|&low| char::from_u32(0x3000 + u32::from(low)))
            .unwrap_or(c),
        _ => fold_width(c),
    }
}
