//! Raw bytes into the protocol entry the WASM boundary calls. Whatever they
//! are, the answer must be a well-formed reply, and short when it is an error.

#![no_main]

use std::sync::OnceLock;

use bcc_guard::engine::Engine;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn engines() -> &'static [Engine; 2] {
    static ENGINES: OnceLock<[Engine; 2]> = OnceLock::new();
    ENGINES.get_or_init(|| {
        [
            Engine::new(&Value::Null, &Value::Null),
            Engine::new(
                &json!({"action": "block", "minExposedParties": 2}),
                &json!({"internalDomains": ["corp.example"], "trustedDomains": ["partner.example"],
                        "moveStrategy": "all", "toPlaceholder": "undisclosed@corp.example"}),
            ),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    for engine in engines() {
        let reply = engine.handle_json(data);
        let reply: Value = serde_json::from_slice(&reply).expect("every reply is JSON");
        assert_eq!(reply["v"], 1);
        match reply["ok"].as_bool() {
            Some(true) => {}
            Some(false) => {
                let message = reply["error"]["message"]
                    .as_str()
                    .expect("an error has a message");
                assert!(
                    message.len() <= 4 * 1024,
                    "an error message echoes {} bytes",
                    message.len()
                );
            }
            None => panic!("a reply without `ok`: {reply}"),
        }
    }
});
