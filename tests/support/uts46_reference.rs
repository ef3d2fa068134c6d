//! The UTS #46 reference the engine's domain normalisation is checked
//! against, in one place: tests/uts46.rs (every code point) and the fuzz
//! target `uts46` (fuzz/fuzz_targets/uts46.rs, arbitrary domains) both
//! include this file, so the two differentials test the same rule. It needs
//! the `idna` crate, a native-only dev-dependency of the engine and a
//! dependency of the fuzz crate, never of the WASM.

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// UTS #46 ToASCII, as lenient as a mail system may be: nontransitional, the
/// URL deny list (so `_` is allowed, as the engine allows it), hyphens and
/// lengths unchecked (the engine checks them, and may refuse more), CheckBidi
/// and CheckJoiners on. The trailing dot of a fully qualified name is the
/// same domain, and the engine drops it. `None` when UTS #46 refuses it.
pub fn uts46(domain: &str) -> Option<String> {
    let ascii = Uts46::new()
        .to_ascii(
            domain.trim().as_bytes(),
            AsciiDenyList::URL,
            Hyphens::Allow,
            DnsLength::Ignore,
        )
        .ok()?;
    Some(ascii.strip_suffix('.').unwrap_or(&ascii).to_owned())
}
