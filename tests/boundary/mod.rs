//! Checks of the exported JavaScript API, shared by the browser test binaries
//! (`tests/web.rs` runs them in a page, `tests/service_worker.rs` in a service
//! worker like the extension's background). Requests are real JavaScript
//! objects made by `JSON.parse`, and answers are inspected as JavaScript
//! values, exactly as the background sees them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use bcc_guard::wasm::{protocol_version, WasmEngine};

/// Declares one `#[wasm_bindgen_test]` per check below, so that each test
/// binary states only where it runs (`wasm_bindgen_test_configure!`).
macro_rules! boundary_tests {
    ($($check:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            fn $check() {
                boundary::$check();
            }
        )*
    };
}

/// Every check, for `boundary_tests!`.
macro_rules! all_boundary_tests {
    () => {
        boundary_tests!(
            version_is_exported,
            evaluate_through_the_boundary,
            policy_layers_and_locks,
            bad_input_never_throws,
            validation_for_the_options_page,
            ten_thousand_recipients,
        );
    };
}
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

/// `value.a.b.c` for a dotted path (array indices as numbers).
fn at(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &JsValue::from_str(key)).unwrap()
    })
}

fn text(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

fn engine(layers: &str) -> WasmEngine {
    WasmEngine::new(layers)
}

/// The effective policy, as the options page asks for it.
fn policy(engine: &WasmEngine) -> JsValue {
    at(&handle(engine, r#"{"v":1,"kind":"policy"}"#), "policy")
}

/// Sends a request the way the background does: JSON text in, JSON text out.
fn handle(engine: &WasmEngine, request: &str) -> JsValue {
    let reply = engine.handle(request.as_bytes());
    JSON::parse(std::str::from_utf8(&reply).unwrap()).unwrap()
}

const EXPOSED: &str = r#"{"v":1,"kind":"evaluate","compose":{"account":"me@corp.example","host":"mail.google.com",
  "to":[{"address":"a@one.example","name":"A <img src=x onerror=alert(1)>"},{"address":"b@two.example"},
        {"text":"\"ceo@corp.example\" <c@three.example>, x@gmail.com"}],
  "cc":[{"address":"A@ONE.EXAMPLE"},{"name":"Offline person"}]}}"#;

pub fn version_is_exported() {
    assert_eq!(protocol_version(), 1);
}

pub fn evaluate_through_the_boundary() {
    let reply = handle(&engine(r#"{"managed":null,"user":null}"#), EXPOSED);
    assert_eq!(at(&reply, "ok"), JsValue::TRUE);
    assert_eq!(at(&reply, "verdict.action").as_string().unwrap(), "warn");
    // one.example, two.example, three.example, x@gmail.com, and the unreadable chip.
    assert_eq!(at(&reply, "verdict.exposedParties").as_f64().unwrap(), 5.0);
    // Recipients come as columns, one letter or value per recipient.
    assert_eq!(
        at(&reply, "recipients.field").as_string().unwrap(),
        "ttttcc"
    );
    assert_eq!(
        at(&reply, "recipients.class").as_string().unwrap(),
        "eeeeeu"
    );
    // The text entry held two recipients, so the entries are spelled out.
    assert_eq!(text(&at(&reply, "recipients.entry")), "[0,1,2,2,0,1]");
    // A chip's own name is not echoed (the sender has it); a parsed one is.
    assert_eq!(
        text(&at(&reply, "recipients.name")),
        r#"[null,null,"ceo@corp.example",null,null,null]"#
    );
    assert_eq!(text(&at(&reply, "recipients.deceptive")), "[2]");
    assert_eq!(
        at(&reply, "plan.placeholder").as_string().unwrap(),
        "me@corp.example"
    );
    assert_eq!(text(&at(&reply, "plan.after.to")), "[]");
    // Plain objects and arrays only: a JSON round trip loses nothing.
    let round_trip = JSON::parse(&text(&reply)).unwrap();
    assert_eq!(text(&round_trip), text(&reply));
    assert!(!at(&reply, "verdict.groups").is_instance_of::<js_sys::Map>());
    assert!(Array::is_array(&at(&reply, "verdict.groups")));
}

pub fn policy_layers_and_locks() {
    let engine = engine(
        r#"{"managed":{"minExposedParties":2,"action":"sometimes"},"user":{"minExposedParties":9,"trustedDomains":["partner.example","gmail.com"]}}"#,
    );
    let policy = policy(&engine);
    assert_eq!(
        at(&policy, "settings.minExposedParties").as_f64().unwrap(),
        2.0
    );
    assert_eq!(at(&policy, "settings.action").as_string().unwrap(), "warn");
    assert_eq!(
        text(&at(&policy, "locked")),
        r#"["minExposedParties","action"]"#
    );
    assert_eq!(
        text(&at(&policy, "settings.trustedDomains")),
        r#"["partner.example"]"#
    );
    let problems: Array = at(&policy, "problems").into();
    assert_eq!(problems.length(), 2);
    assert_eq!(
        at(&policy, "problems.0.code").as_string().unwrap(),
        "notAChoice"
    );
    assert_eq!(
        at(&policy, "problems.1.code").as_string().unwrap(),
        "consumerDomain"
    );
}

pub fn bad_input_never_throws() {
    // Not even JSON: no exception, the problem is reported, and the
    // strictest settings stand in for a policy that could not be read.
    for layers in ["", "undefined", "[1,2]", "{", r#"{"managed":"HTTP 500"}"#] {
        let engine = WasmEngine::new(layers);
        let policy = policy(&engine);
        assert_eq!(
            at(&policy, "settings.minExposedParties").as_f64().unwrap(),
            2.0,
            "{layers}"
        );
        assert_eq!(at(&policy, "settings.action").as_string().unwrap(), "block");
        assert_eq!(at(&policy, "managedUnreadable"), JsValue::TRUE, "{layers}");
        assert_eq!(
            at(&policy, "problems.0.code").as_string().unwrap(),
            "unreadable",
            "{layers}"
        );
    }
    let engine = WasmEngine::new("null");
    assert_eq!(text(&at(&policy(&engine), "problems")), "[]");
    for request in [
        "null",
        "7",
        "",
        "{",
        r#"{"v":1,"kind":"evaluate","compose":{"to":5}}"#,
        r#"{"v":2}"#,
    ] {
        let reply = handle(&engine, request);
        assert_eq!(at(&reply, "ok"), JsValue::FALSE, "{}", text(&reply));
        assert!(at(&reply, "error.code").as_string().is_some());
    }
}

pub fn validation_for_the_options_page() {
    let reply = handle(
        &engine("{}"),
        r#"{"v":1,"kind":"validate","settings":{"internalDomains":["Example.COM.","co.jp"],"minExposedParties":"2"}}"#,
    );
    let report = at(&reply, "validation");
    assert_eq!(
        text(&at(&report, "normalized")),
        r#"{"internalDomains":["example.com"],"minExposedParties":2}"#
    );
    assert_eq!(
        at(&report, "problems.0.code").as_string().unwrap(),
        "publicSuffix"
    );
    assert_eq!(at(&report, "problems.0.index").as_f64().unwrap(), 1.0);
    let missing = handle(&engine("{}"), r#"{"v":1,"kind":"validate"}"#);
    assert_eq!(at(&missing, "error.code").as_string().unwrap(), "missing");
}

pub fn ten_thousand_recipients() {
    let to: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"address":"u{i}@org{}.example"}}"#, i % 500))
        .collect();
    let request = format!(
        r#"{{"v":1,"kind":"evaluate","compose":{{"account":"me@corp.example","to":[{}]}}}}"#,
        to.join(",")
    );
    let reply = handle(&engine("{}"), &request);
    assert_eq!(
        at(&reply, "verdict.exposedParties").as_f64().unwrap(),
        500.0
    );
    let bcc: Array = at(&reply, "plan.after.bcc").into();
    assert_eq!(bcc.length(), 10_000);
}
