//! What the integration tests share: asking an engine through its protocol,
//! exactly as the background does, and reading replies the way a client does.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod applied;

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

/// Turns a reply's recipient columns into one object per recipient and fills
/// in what it leaves out because the sender has it — a chip's own name, and
/// its address when already normalised — exactly as a client does
/// (`completeRecipients` in www/lib/engine-client.js).
pub fn complete_recipients(reply: &mut Value, compose: &Value) {
    let columns = reply["recipients"].take();
    let Some(fields) = columns["field"].as_str() else {
        return;
    };
    let mut next = std::collections::HashMap::new();
    let recipients = fields
        .chars()
        .enumerate()
        .map(|(index, letter)| {
            let field = match letter {
                't' => "to",
                'c' => "cc",
                'b' => "bcc",
                other => panic!("field letter {other}"),
            };
            let entry = match columns["entry"].as_array() {
                Some(entries) => entries[index].as_u64().unwrap(),
                None => {
                    let slot = next.entry(field).or_insert(0u64);
                    *slot += 1;
                    *slot - 1
                }
            };
            let class = match columns["class"].as_str().unwrap().as_bytes()[index] {
                b'i' => "internal",
                b't' => "trusted",
                b'e' => "external",
                b'u' => "unreadable",
                other => panic!("class letter {other}"),
            };
            let sent = &compose[field][entry as usize];
            let mut r = json!({"field": field, "entry": entry, "class": class});
            let address = match &columns["address"][index] {
                Value::Null if class != "unreadable" => sent["address"].clone(),
                other => other.clone(),
            };
            if !address.is_null() {
                r["address"] = address;
            }
            let name = match &columns["name"][index] {
                Value::Null => sent["name"].clone(),
                other => other.clone(),
            };
            if name.as_str().is_some_and(|n| !n.is_empty()) {
                r["name"] = name;
            }
            for key in ["spec", "raw"] {
                if !columns[key][index].is_null() {
                    r[key] = columns[key][index].clone();
                }
            }
            if columns["deceptive"]
                .as_array()
                .is_some_and(|d| d.contains(&json!(index)))
            {
                r["deceptive"] = json!(true);
            }
            r
        })
        .collect();
    reply["recipients"] = Value::Array(recipients);
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
