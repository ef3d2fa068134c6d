//! What the integration tests share: asking an engine through its protocol,
//! exactly as the background does, and reading replies the way a client does.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bcc_guard::engine::protocol::Request;
use bcc_guard::engine::Engine;
use serde_json::{json, Value};

/// Runs one request against an engine with the given policy layers and
/// returns the reply as JSON, exactly as the background would send it on.
pub fn ask(managed: Value, user: Value, request: Value) -> Value {
    let engine = Engine::new(&managed, &user);
    let text = request.to_string();
    let request = Request::from_json(text.as_bytes()).unwrap();
    serde_json::to_value(engine.handle(&request)).unwrap()
}

pub fn evaluate(user: Value, compose: Value) -> Value {
    let mut reply = ask(
        Value::Null,
        user,
        json!({"v": 1, "kind": "evaluate", "compose": compose}),
    );
    assert_eq!(reply["ok"], true, "{reply}");
    complete_recipients(&mut reply, &compose);
    reply
}

/// Fills in what a reply leaves out because the sender has it — a chip's own
/// name, and its address when already normalised — exactly as a client does.
pub fn complete_recipients(reply: &mut Value, compose: &Value) {
    let Some(recipients) = reply["recipients"].as_array_mut() else {
        return;
    };
    for r in recipients {
        let entry = &compose[r["field"].as_str().unwrap()][r["entry"].as_u64().unwrap() as usize];
        if r.get("address").is_none() && r["class"] != "unreadable" {
            r["address"] = entry["address"].clone();
        }
        if r.get("name").is_none() && !entry["name"].is_null() {
            r["name"] = entry["name"].clone();
        }
    }
}

pub fn chips(addresses: &[&str]) -> Value {
    Value::Array(addresses.iter().map(|a| json!({"address": a})).collect())
}

pub fn class_of(reply: &Value, address: &str) -> String {
    reply["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("{address} not in {reply}"))["class"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The recipients a list of indices into the reply's `recipients` names,
/// each as the first of `keys` it has.
pub fn named(reply: &Value, indices: &Value, keys: &[&str]) -> Vec<String> {
    let recipients = reply["recipients"].as_array().unwrap();
    indices
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let r = &recipients[i.as_u64().unwrap() as usize];
            keys.iter()
                .find_map(|key| r[*key].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The addresses a plan leaves in `field` (the placeholder last, in To).
pub fn after(reply: &Value, field: &str) -> Vec<String> {
    let mut out = named(reply, &reply["plan"]["after"][field], &["address", "raw"]);
    if field == "to" {
        out.extend(reply["plan"]["placeholder"].as_str().map(str::to_owned));
    }
    out
}

/// The addresses a plan writes into `field`.
pub fn added(reply: &Value, field: &str) -> Vec<String> {
    named(reply, &reply["plan"]["add"][field], &["spec", "address"])
}

pub fn grouped_addresses(reply: &Value) -> Vec<String> {
    let mut out: Vec<String> = reply["verdict"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| named(reply, &g["recipients"], &["address", "raw"]))
        .collect();
    out.sort();
    out
}

/// The reason codes of a reply's verdict, in order.
pub fn reason_codes(reply: &Value) -> Vec<String> {
    reply["verdict"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

/// `n` distinct mailboxes at gmail.com: `n` parties.
pub fn gmail(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("parent{i}@gmail.com")).collect()
}

/// A `verify` of `after` against the plan for `before`.
pub fn verify(user: Value, before: &Value, after: &Value) -> Value {
    ask(
        Value::Null,
        user,
        json!({"v": 1, "kind": "verify", "original": before, "compose": after}),
    )
}
