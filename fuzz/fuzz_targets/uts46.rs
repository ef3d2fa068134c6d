//! The engine's domain normalisation against UTS #46 as the `idna` crate
//! implements it (a dependency of this fuzz crate only, never of the WASM):
//! for any domain, the engine's ASCII form is UTS #46's, or the engine
//! refuses the domain. And what the engine gives is itself a domain that
//! normalises to itself, and an address at the domain has that domain. tests/uts46.rs tries every code point the same way.

#![no_main]

use bcc_guard::engine::address::Address;
use bcc_guard::engine::domain::normalize_domain;
use libfuzzer_sys::fuzz_target;

// The reference, shared with tests/uts46.rs.
#[path = "../../tests/support/uts46_reference.rs"]
mod uts46_reference;
use uts46_reference::uts46;

fuzz_target!(|domain: &str| {
    // An address's domain takes the same path, fast or not.
    if !domain.contains(['@', '＠']) {
        if let Ok(address) = Address::parse(&format!("x@{domain}")) {
            assert_eq!(
                Ok(address.domain()),
                normalize_domain(domain).as_deref(),
                "{domain:?}"
            );
        }
    }
    let Ok(engine) = normalize_domain(domain) else {
        return;
    };
    let reference = uts46(domain);
    assert_eq!(
        reference.as_deref(),
        Some(engine.as_str()),
        "{domain:?} {:?}",
        domain.chars().map(u32::from).collect::<Vec<_>>()
    );
    assert_eq!(normalize_domain(&engine).as_deref(), Ok(engine.as_str()));
});
