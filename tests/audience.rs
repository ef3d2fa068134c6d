//! The audience rule: every recipient, Bcc included, receives the To and Cc
//! headers, so an outsider in To or Cc is seen by every other outside party
//! the mail goes to. Each row of the rule's table is a test here, through the
//! protocol, and so is the move that would leave an outsider on show.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{added, after, chips, evaluate, gmail, grouped_addresses, reason_codes, verify};

const ACCOUNT: &str = "me@corp.example";

fn refs(addresses: &[String]) -> Vec<&str> {
    addresses.iter().map(String::as_str).collect()
}

#[test]
fn one_client_in_to_and_thirty_in_bcc_is_an_exposure_of_the_client() {
    let parents = gmail(30);
    let compose = json!({"account": ACCOUNT, "to": chips(&["client@client-corp.example"]),
                         "bcc": chips(&refs(&parents))});
    let reply = evaluate(Value::Null, compose.clone());
    let verdict = &reply["verdict"];
    assert_eq!(verdict["action"], "warn");
    assert_eq!(verdict["exposedRecipients"], 1);
    assert_eq!(verdict["exposedParties"], 1);
    assert_eq!(verdict["audienceParties"], 31);
    assert_eq!(verdict["bccOnlyParties"], 30);
    assert_eq!(grouped_addresses(&reply), ["client@client-corp.example"]);
    // The dialog explains it as the Bcc recipients seeing the client.
    assert_eq!(reason_codes(&reply), ["audience"]);
    assert_eq!(verdict["reasons"][0]["args"], json!(["1", "30"]));

    // The move takes the client to Bcc and puts the sender in To.
    assert_eq!(added(&reply, "bcc"), ["client@client-corp.example"]);
    assert_eq!(after(&reply, "to"), [ACCOUNT]);
    assert_eq!(after(&reply, "bcc").len(), 31);
    let mut all = refs(&parents);
    all.push("client@client-corp.example");
    let moved = json!({"account": ACCOUNT, "to": chips(&[ACCOUNT]), "bcc": chips(&all)});
    let check = verify(Value::Null, &compose, &moved);
    assert_eq!(check["verification"]["matches"], true, "{check}");
    assert_eq!(check["verification"]["sendable"], true);
}

#[test]
fn two_outsiders_seen_by_a_third_in_bcc() {
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&["a@alpha.example", "b@beta.example"]),
               "bcc": chips(&["c@gamma.example"])}),
    );
    assert_eq!(reply["verdict"]["action"], "warn");
    assert_eq!(reply["verdict"]["audienceParties"], 3);
    assert_eq!(reply["verdict"]["bccOnlyParties"], 1);
    assert_eq!(
        grouped_addresses(&reply),
        ["a@alpha.example", "b@beta.example"]
    );
    assert_eq!(reason_codes(&reply), ["audience"]);
}

#[test]
fn a_colleague_in_bcc_is_not_an_audience() {
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&["a@alpha.example", "b@beta.example"]),
               "bcc": chips(&["boss@corp.example"])}),
    );
    assert_eq!(reply["verdict"]["action"], "none");
    assert_eq!(reply["verdict"]["audienceParties"], 2);
    assert_eq!(reply["plan"], Value::Null);
}

#[test]
fn nothing_on_show_is_never_an_exposure_whatever_bcc_holds() {
    let parents = gmail(30);
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&[ACCOUNT]), "cc": chips(&["team@corp.example"]),
               "bcc": chips(&refs(&parents))}),
    );
    assert_eq!(reply["verdict"]["action"], "none");
    assert_eq!(reply["verdict"]["exposedRecipients"], 0);
    assert_eq!(reply["verdict"]["audienceParties"], 30);
    assert_eq!(reply["plan"], Value::Null);
    // Not even with the strictest threshold, nor with unreadable tokens in Bcc.
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"account": ACCOUNT, "to": chips(&["ally@partner.example"]),
               "bcc": [{"name": "Dan"}, {"text": "not an address"}]}),
    );
    assert_eq!(
        reply["verdict"]["action"], "warn",
        "partner.example is not trusted here"
    );
    let trusted = evaluate(
        json!({"minExposedParties": 2, "trustedDomains": ["partner.example"]}),
        json!({"account": ACCOUNT, "to": chips(&["ally@partner.example"]),
               "bcc": [{"name": "Dan"}, {"text": "not an address"}]}),
    );
    assert_eq!(trusted["verdict"]["action"], "none");
}

#[test]
fn thirty_in_to_is_an_exposure_as_before() {
    let customers = gmail(30);
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&refs(&customers))}),
    );
    assert_eq!(reply["verdict"]["action"], "warn");
    assert_eq!(reply["verdict"]["exposedParties"], 30);
    assert_eq!(reply["verdict"]["bccOnlyParties"], 0);
    assert_eq!(reason_codes(&reply), ["exposure"]);
    assert_eq!(reply["verdict"]["reasons"][0]["args"], json!(["30", "30"]));
}

#[test]
fn two_outsiders_alone_are_below_the_threshold_as_before() {
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&["a@alpha.example", "b@beta.example"])}),
    );
    assert_eq!(reply["verdict"]["action"], "none");
    assert_eq!(reply["plan"], Value::Null);
}

#[test]
fn an_address_in_to_and_bcc_counts_once_where_it_is_on_show() {
    let reply = evaluate(
        Value::Null,
        json!({"account": ACCOUNT, "to": chips(&["a@alpha.example", "b@beta.example"]),
               "bcc": chips(&["A@Alpha.Example", "b2@beta.example"])}),
    );
    // alpha and beta are both on show; nothing new is reached through Bcc.
    assert_eq!(reply["verdict"]["audienceParties"], 2);
    assert_eq!(reply["verdict"]["bccOnlyParties"], 0);
    assert_eq!(reply["verdict"]["action"], "none");
}

#[test]
fn the_sender_in_bcc_is_no_audience() {
    let reply = evaluate(
        Value::Null,
        json!({"account": "me@gmail.com", "to": chips(&["a@alpha.example", "b@beta.example"]),
               "bcc": chips(&["Me@Gmail.com"])}),
    );
    assert_eq!(reply["verdict"]["audienceParties"], 2);
    assert_eq!(reply["verdict"]["action"], "none");
}

/// Outlook's address-less chip: the plan cannot move it, so after moving the
/// two readable outsiders it would still be seen by them in Bcc. The move is
/// planned, but the result is not sendable, and the unmovable recipient is
/// named.
#[test]
fn a_move_that_leaves_an_outsider_on_show_is_not_sendable() {
    let compose = json!({"account": ACCOUNT,
                         "to": [{"name": "Dana Whitfield"}, {"address": "ann@one.example"},
                                {"address": "bob@two.example"}]});
    let reply = evaluate(Value::Null, compose.clone());
    assert_eq!(reply["verdict"]["action"], "warn");
    assert_eq!(reply["plan"]["unmovable"], json!([0]));
    assert_eq!(added(&reply, "bcc"), ["ann@one.example", "bob@two.example"]);
    assert_eq!(after(&reply, "to"), ["Dana Whitfield"]);

    let moved = json!({"account": ACCOUNT, "to": [{"name": "Dana Whitfield"}],
                       "bcc": chips(&["ann@one.example", "bob@two.example"])});
    let check = verify(Value::Null, &compose, &moved);
    let verification = &check["verification"];
    assert_eq!(verification["matches"], true, "{check}");
    assert_eq!(
        verification["sendable"], false,
        "Dana would be seen by both"
    );
    assert_eq!(verification["verdict"]["action"], "warn");
    assert_eq!(verification["verdict"]["audienceParties"], 3);
    assert_eq!(verification["verdict"]["exposedRecipients"], 1);

    // Once the user removes Dana's chip (or fixes it), it is sendable.
    let fixed = json!({"account": ACCOUNT, "to": chips(&[ACCOUNT]),
                       "bcc": chips(&["ann@one.example", "bob@two.example"])});
    let check = verify(Value::Null, &compose, &fixed);
    assert_eq!(check["verification"]["matches"], false);
    assert_eq!(check["verification"]["verdict"]["action"], "none");
}

#[test]
fn an_unreadable_token_does_not_pass_for_an_address_of_the_same_text() {
    // A chip showing only the name `a@x.example` is unreadable; `?a@x.example`
    // is a valid address. Before, an unreadable token was identified by `?`
    // and its text, so the two were the same in verification.
    let before = json!({"account": ACCOUNT,
                        "to": [{"address": "?a@x.example"}, {"name": "a@x.example"},
                               {"address": "b@y.example"}]});
    let reply = evaluate(Value::Null, before.clone());
    assert_eq!(reply["plan"]["unmovable"], json!([1]));
    assert_eq!(added(&reply, "bcc"), ["?a@x.example", "b@y.example"]);
    // The address stayed in To and the unreadable chip went to Bcc.
    let swapped = json!({"account": ACCOUNT, "to": [{"address": "?a@x.example"}],
                         "bcc": [{"name": "a@x.example"}, {"address": "b@y.example"}]});
    let check = verify(Value::Null, &before, &swapped);
    let verification = &check["verification"];
    assert_eq!(verification["matches"], false, "{check}");
    assert!(verification["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["entry"] == "a@x.example" && d["unreadable"] == true && d["field"] == "bcc"));
    assert!(verification["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["entry"] == "?a@x.example"
            && d.get("unreadable").is_none()
            && d["field"] == "to"));
}
