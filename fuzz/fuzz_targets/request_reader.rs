//! The request reader against the serde_json reader it replaced
//! (tests/request_reader/serde_reference.rs): on any bytes, both accept
//! and read the same request, or both refuse. `tests/request_reader.rs`
//! runs the same comparison on generated requests in `cargo test`.

#![no_main]

#[path = "../../tests/request_reader/serde_reference.rs"]
mod serde_reference;

use bcc_guard::engine::compose::Compose;
use bcc_guard::engine::protocol::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let new = Request::from_json(data).map(|r| format!("{r:?}"));
    let old = serde_reference::request(data).map(|r| format!("{r:?}"));
    match (&new, &old) {
        (Ok(new), Ok(old)) => assert_eq!(new, old),
        (Err(_), Err(_)) => {}
        _ => panic!(
            "the readers disagree: new {new:?}, old {:?}",
            old.as_ref().map_err(ToString::to_string)
        ),
    }
    let new = Compose::from_json(data).map(|c| format!("{c:?}"));
    let old = serde_reference::compose(data).map(|c| format!("{c:?}"));
    assert_eq!(new.ok(), old.ok(), "the readers disagree on a compose");
});
