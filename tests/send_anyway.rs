//! Whether a verdict stops a send and offers "Send anyway", for every cell
//! of policy action × `allowSendAnyway` × complete read × exposure, with
//! the settings in the user's layer and in the admin's (managed) one. A
//! blocking policy never offers it, not even when the read was incomplete,
//! and every verdict agrees with `policyAllowsSendAnyway`, which hosts fall
//! back on when the engine cannot be asked. The admin's block and refusal
//! of "Send anyway" also hold against a user layer that asks for the
//! opposite.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{ask, chips, complete_recipients, evaluate};

/// The reasons' codes, in order.
fn codes(reply: &Value) -> Vec<&str> {
    reply["verdict"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect()
}

/// An `evaluate` reply with `settings` in one layer (`"user"` or
/// `"managed"`) and `other` in the other layer.
fn evaluate_in(layer: &str, settings: Value, other: Value, compose: Value) -> Value {
    let (managed, user) = match layer {
        "managed" => (settings, other),
        _ => (other, settings),
    };
    let mut reply = ask(
        managed,
        user,
        json!({"v": 1, "kind": "evaluate", "compose": compose}),
    );
    assert_eq!(reply["ok"], true, "{reply}");
    complete_recipients(&mut reply, &compose);
    reply
}

#[test]
fn every_cell_of_layer_action_complete_and_exposure() {
    // Three outside parties in To (the default threshold) is an exposure; a
    // colleague and one outsider is not.
    let exposing = ["ann@one.example", "bob@two.example", "cy@three.example"];
    let harmless = ["boss@corp.example", "ann@one.example"];
    let mut cells = 0;
    for layer in ["user", "managed"] {
        for action in ["warn", "block"] {
            for allow in [true, false] {
                for complete in [true, false] {
                    for exposure in [true, false] {
                        cells += 1;
                        let cell = format!(
                        "{layer} layer: action {action}, allowSendAnyway {allow}, complete {complete}, exposure {exposure}"
                    );
                        let to = if exposure {
                            &exposing[..]
                        } else {
                            &harmless[..]
                        };
                        let reply = evaluate_in(
                            layer,
                            json!({"action": action, "allowSendAnyway": allow}),
                            Value::Null,
                            json!({"account": "me@corp.example", "complete": complete, "to": chips(to)}),
                        );
                        let verdict = &reply["verdict"];
                        let stops = exposure || !complete;
                        let expected = match (stops, action) {
                            (false, _) => "none",
                            (true, "block") => "block",
                            (true, _) => "warn",
                        };
                        let allowed = action == "warn" && allow;
                        assert_eq!(verdict["action"], expected, "{cell}");
                        assert_eq!(verdict["policyAllowsSendAnyway"], allowed, "{cell}");
                        assert_eq!(verdict["sendAnyway"], stops && allowed, "{cell}");
                        // Only a complete read of an exposure has a move to offer.
                        assert_eq!(
                            reply["plan"].is_object(),
                            exposure && complete,
                            "{cell}: {reply}"
                        );
                        let codes = codes(&reply);
                        assert_eq!(
                            codes.contains(&"incompleteRead"),
                            !complete,
                            "{cell}: {codes:?}"
                        );
                        assert_eq!(codes.contains(&"exposure"), exposure, "{cell}: {codes:?}");
                        // The admin's block is the organisation's; the
                        // user's own is said to be the user's settings.
                        let (said, other) = if layer == "managed" {
                            ("blocked", "blockedBySettings")
                        } else {
                            ("blockedBySettings", "blocked")
                        };
                        assert_eq!(
                            codes.contains(&said),
                            expected == "block",
                            "{cell}: {codes:?}"
                        );
                        assert!(!codes.contains(&other), "{cell}: {codes:?}");
                    }
                }
            }
        }
    }
    assert_eq!(cells, 32);
}

#[test]
fn the_admins_block_holds_against_a_user_layer_that_asks_for_less() {
    // The user's layer asks for a warning with "Send anyway" and a high
    // threshold; the admin's block, refusal and threshold are what count.
    let exposing = ["ann@one.example", "bob@two.example"];
    for complete in [true, false] {
        let reply = evaluate_in(
            "managed",
            json!({"action": "block", "allowSendAnyway": false, "minExposedParties": 2}),
            json!({"action": "warn", "allowSendAnyway": true, "minExposedParties": 9}),
            json!({"account": "me@corp.example", "complete": complete, "to": chips(&exposing)}),
        );
        let verdict = &reply["verdict"];
        assert_eq!(verdict["action"], "block", "complete {complete}: {reply}");
        assert_eq!(verdict["sendAnyway"], false, "complete {complete}");
        assert_eq!(
            verdict["policyAllowsSendAnyway"], false,
            "complete {complete}"
        );
        assert!(codes(&reply).contains(&"blocked"), "complete {complete}");
    }
    // Settings the admin left alone are still the user's: the user's own block.
    let reply = evaluate_in(
        "managed",
        json!({"minExposedParties": 2}),
        json!({"action": "block"}),
        json!({"account": "me@corp.example", "to": chips(&exposing)}),
    );
    assert_eq!(reply["verdict"]["action"], "block", "{reply}");
    assert_eq!(reply["verdict"]["sendAnyway"], false);
    assert!(codes(&reply).contains(&"blockedBySettings"), "{reply}");
}

#[test]
fn an_unprotected_host_stops_nothing_and_still_tells_the_policy() {
    let reply = evaluate(
        json!({"action": "block", "protectedHosts": ["outlook.office.com"]}),
        json!({"account": "me@corp.example", "host": "mail.google.com", "complete": false,
               "to": chips(&["ann@one.example", "bob@two.example", "cy@three.example"])}),
    );
    assert_eq!(reply["verdict"]["action"], "none");
    assert_eq!(reply["verdict"]["sendAnyway"], false);
    assert_eq!(reply["verdict"]["policyAllowsSendAnyway"], false);
}

#[test]
fn an_unreadable_admin_policy_blocks_with_the_strictest_settings() {
    // Two unrelated outsiders: under the defaults (three parties) they pass;
    // a host that knows the admin's policy exists but could not read it
    // passes why as text, and the engine locks the strictest settings.
    let compose = json!({"account": "me@corp.example",
                         "to": chips(&["a@one.example", "b@two.example"])});
    let request = json!({"v": 1, "kind": "evaluate", "compose": compose});
    let none = support::ask(Value::Null, Value::Null, request.clone());
    assert_eq!(none["verdict"]["action"], "none");

    let reply = support::ask(
        json!("policy.json could not be read: HTTP 500"),
        json!({"minExposedParties": 9, "allowSendAnyway": true}),
        request,
    );
    let verdict = &reply["verdict"];
    assert_eq!(verdict["action"], "block", "{reply}");
    assert_eq!(verdict["sendAnyway"], false);
    assert_eq!(verdict["policyAllowsSendAnyway"], false);
    assert_eq!(codes(&reply), ["exposure", "policyUnreadable"]);
    assert!(reply["plan"].is_object(), "the move is still offered");

    // The policy request says so, for the options page and the task pane.
    let policy = support::ask(
        json!("HTTP 500"),
        Value::Null,
        json!({"v": 1, "kind": "policy"}),
    );
    assert_eq!(policy["policy"]["managedUnreadable"], true, "{policy}");
    assert_eq!(policy["policy"]["problems"][0]["code"], "unreadable");
    assert_eq!(policy["policy"]["problems"][0]["value"], "HTTP 500");
}
