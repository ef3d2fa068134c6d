//! The engine through its protocol, on the test vectors that other tools get
//! wrong: look-alike domains, the display-name trick, consumer-mail domains,
//! duplicates, case and IDN spellings, `.co.jp` parties, unreadable tokens
//! and very large recipient lists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{added, after, ask, chips, class_of, evaluate, grouped_addresses};

#[test]
fn look_alike_domains_are_external() {
    let reply = evaluate(
        json!({"internalDomains": ["example.com"]}),
        json!({"to": chips(&["a@example.com", "b@mail.example.com", "c@notexample.com",
                             "d@example.com.evil.org", "e@third.example"])}),
    );
    assert_eq!(class_of(&reply, "a@example.com"), "internal");
    assert_eq!(class_of(&reply, "b@mail.example.com"), "internal");
    assert_eq!(class_of(&reply, "c@notexample.com"), "external");
    assert_eq!(class_of(&reply, "d@example.com.evil.org"), "external");
    assert_eq!(reply["verdict"]["exposedParties"], 3);
    assert_eq!(reply["verdict"]["action"], "warn");
}

#[test]
fn display_name_trick_shows_the_real_address() {
    let reply = evaluate(
        json!({"internalDomains": ["example.com"], "minExposedParties": 2}),
        json!({"to": [{"text": "\"ceo@example.com\" <x@evil.example>, y@other.example"}]}),
    );
    assert_eq!(class_of(&reply, "x@evil.example"), "external");
    let trick = &reply["recipients"][0];
    assert_eq!(trick["name"], "ceo@example.com");
    assert_eq!(trick["deceptive"], true);
    let reasons: Vec<&str> = reply["verdict"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"deceptiveName"), "{reasons:?}");
}

#[test]
fn thirty_gmail_addresses_are_thirty_parties() {
    let addresses: Vec<String> = (0..30).map(|i| format!("customer{i}@gmail.com")).collect();
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let reply = evaluate(
        Value::Null,
        json!({"account": "news@shop.example", "to": chips(&refs)}),
    );
    let verdict = &reply["verdict"];
    assert_eq!(verdict["action"], "warn");
    assert_eq!(verdict["exposedParties"], 30);
    assert_eq!(verdict["exposedRecipients"], 30);
    assert_eq!(verdict["groups"].as_array().unwrap().len(), 1);
    assert_eq!(verdict["groups"][0]["kind"], "mailboxes");
    assert_eq!(verdict["groups"][0]["domain"], "gmail.com");
    assert_eq!(verdict["groups"][0]["parties"], 30);

    let plan = &reply["plan"];
    assert_eq!(after(&reply, "bcc").len(), 30);
    assert_eq!(after(&reply, "to"), ["news@shop.example"]);
    assert_eq!(plan["placeholder"], "news@shop.example");
    assert_eq!(plan["remove"].as_array().unwrap().len(), 30);
    assert_eq!(added(&reply, "bcc").len(), 30);
    assert!(
        added(&reply, "to").is_empty(),
        "the placeholder is not a recipient yet"
    );
}

#[test]
fn one_organisation_is_one_party_and_co_jp_is_handled() {
    let reply = evaluate(
        Value::Null,
        json!({"account": "me@corp.example", "to": chips(&["a@a.example.co.jp", "b@b.example.co.jp",
                                                             "c@example.co.jp", "d@other.co.jp"])}),
    );
    assert_eq!(reply["verdict"]["exposedParties"], 2);
    assert_eq!(reply["verdict"]["action"], "none");
    assert_eq!(reply["plan"], Value::Null);
    assert_eq!(reply["verdict"]["groups"], json!([]));
}

#[test]
fn duplicates_count_once_and_are_merged() {
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"account": "me@corp.example",
               "to": chips(&["x@one.example", "boss@corp.example"]),
               "cc": chips(&["X@ONE.EXAMPLE", "y@two.example", "boss@corp.example"]),
               "bcc": chips(&["y@two.example"])}),
    );
    let verdict = &reply["verdict"];
    assert_eq!(verdict["exposedRecipients"], 2);
    assert_eq!(verdict["internalRecipients"], 1);
    assert_eq!(after(&reply, "to"), ["boss@corp.example"]);
    assert!(after(&reply, "cc").is_empty());
    let mut bcc = after(&reply, "bcc");
    bcc.sort();
    assert_eq!(bcc, ["x@one.example", "y@two.example"]);
    // y is already in Bcc: only x is written.
    assert_eq!(added(&reply, "bcc"), ["x@one.example"]);
}

#[test]
fn case_and_idn_spellings_are_one_address() {
    let reply = evaluate(
        json!({"internalDomains": ["Example.COM"], "minExposedParties": 2}),
        json!({"to": chips(&["Boss@EXAMPLE.com.", "x@bücher.de", "X@xn--bcher-kva.de", "z@zwei.example"])}),
    );
    assert_eq!(class_of(&reply, "boss@example.com"), "internal");
    assert_eq!(reply["verdict"]["exposedRecipients"], 2);
    assert_eq!(reply["verdict"]["exposedParties"], 2);
    // The address is written back as the user spelled it, IDN included.
    let written = added(&reply, "bcc");
    assert!(written.contains(&"x@bücher.de".to_owned()), "{written:?}");
}

#[test]
fn unreadable_tokens_are_external_shown_and_unmovable() {
    let reply = evaluate(
        json!({"minExposedParties": 2}),
        json!({"account": "me@corp.example",
               "to": [{"name": "Dan (offline)"}, {"text": "not-an-address, x@one.example"}]}),
    );
    let verdict = &reply["verdict"];
    assert_eq!(verdict["action"], "warn");
    assert_eq!(verdict["exposedParties"], 3);
    assert_eq!(
        grouped_addresses(&reply),
        ["Dan (offline)", "not-an-address", "x@one.example"]
    );
    let recipients = reply["recipients"].as_array().unwrap();
    assert_eq!(recipients[0]["class"], "unreadable");
    assert_eq!(recipients[0]["raw"], "Dan (offline)");
    assert_eq!(reply["plan"]["unmovable"], json!([0, 1]));
    // They stay where they are; the readable one moves.
    assert_eq!(after(&reply, "to"), ["Dan (offline)", "not-an-address"]);
    let codes: Vec<&str> = verdict["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["exposure", "unreadable"]);
}

#[test]
fn trusted_partners_are_never_exposed_and_bcc_recipients_are_the_audience() {
    let many: Vec<String> = (0..50).map(|i| format!("p{i}@org{i}.example")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let reply = evaluate(
        json!({"trustedDomains": ["partner-a.example", "partner-b.example"]}),
        json!({"account": "me@corp.example",
               "to": chips(&["a@partner-a.example", "b@partner-b.example", "c@customer.example"]),
               "bcc": chips(&refs)}),
    );
    let verdict = &reply["verdict"];
    // The customer in To is seen by the fifty in Bcc; the partners are on
    // show too, but seeing a partner is business as usual.
    assert_eq!(verdict["action"], "warn");
    assert_eq!(verdict["exposedRecipients"], 1);
    assert_eq!(verdict["exposedParties"], 1);
    assert_eq!(verdict["audienceParties"], 51);
    assert_eq!(verdict["bccOnlyParties"], 50);
    assert_eq!(verdict["trustedRecipients"], 2);
    assert_eq!(grouped_addresses(&reply), ["c@customer.example"]);
    assert_eq!(added(&reply, "bcc"), ["c@customer.example"]);
    assert_eq!(
        after(&reply, "to"),
        ["a@partner-a.example", "b@partner-b.example"]
    );
}

#[test]
fn threshold_two_and_block() {
    let compose =
        json!({"account": "me@corp.example", "to": chips(&["a@one.example", "b@two.example"])});
    assert_eq!(
        evaluate(Value::Null, compose.clone())["verdict"]["action"],
        "none"
    );
    let warn = evaluate(json!({"minExposedParties": 2}), compose.clone());
    assert_eq!(warn["verdict"]["action"], "warn");
    assert_eq!(warn["verdict"]["sendAnyway"], true);
    let block = evaluate(
        json!({"minExposedParties": 2, "action": "block"}),
        compose.clone(),
    );
    assert_eq!(block["verdict"]["action"], "block");
    assert_eq!(block["verdict"]["sendAnyway"], false);
    let codes: Vec<&str> = block["verdict"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    // The user's own block: said to be the user's settings, not the organisation's.
    assert_eq!(codes, ["exposure", "blockedBySettings"]);
    let no_override = evaluate(
        json!({"minExposedParties": 2, "allowSendAnyway": false}),
        compose,
    );
    assert_eq!(no_override["verdict"]["sendAnyway"], false);
}

#[test]
fn zero_configuration_knows_the_organisation_from_the_account() {
    let compose = |account: &str| json!({"account": account, "to": chips(&["a@corp.example", "b@sales.corp.example", "c@x.example", "d@y.example"])});
    // At corp.example, two colleagues and two outside parties: no exposure.
    assert_eq!(
        evaluate(Value::Null, compose("me@corp.example"))["verdict"]["action"],
        "none"
    );
    // From a Gmail account nothing is internal: four parties, and the dialog says why.
    let reply = evaluate(Value::Null, compose("me@gmail.com"));
    assert_eq!(reply["verdict"]["exposedParties"], 3);
    let codes: Vec<&str> = reply["verdict"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["exposure", "noOrganisation"]);
}

#[test]
fn incomplete_read_warns_without_a_plan() {
    let reply = evaluate(
        Value::Null,
        json!({"to": chips(&["a@x.example"]), "complete": false}),
    );
    assert_eq!(reply["verdict"]["action"], "warn");
    assert_eq!(reply["verdict"]["reasons"][0]["code"], "incompleteRead");
    assert_eq!(reply["plan"], Value::Null);
}

#[test]
fn move_all_and_placeholders() {
    let compose = json!({"account": "me@corp.example",
                         "to": chips(&["boss@corp.example", "a@one.example"]),
                         "cc": chips(&["b@two.example", "c@three.example", "me@corp.example"])});
    let all = evaluate(json!({"moveStrategy": "all"}), compose.clone());
    assert_eq!(
        after(&all, "to"),
        ["me@corp.example"],
        "the sender in Cc moves to To, not twice"
    );
    assert_eq!(all["plan"]["placeholder"], Value::Null);
    assert_eq!(added(&all, "to"), ["me@corp.example"]);
    assert!(after(&all, "cc").is_empty());
    assert_eq!(after(&all, "bcc").len(), 4);

    let none = evaluate(
        json!({"moveStrategy": "all", "toPlaceholder": "none"}),
        compose.clone(),
    );
    assert!(after(&none, "to").is_empty());
    assert_eq!(none["plan"]["placeholder"], Value::Null);

    let fixed = evaluate(
        json!({"moveStrategy": "all", "toPlaceholder": "undisclosed@corp.example"}),
        compose.clone(),
    );
    assert_eq!(after(&fixed, "to"), ["undisclosed@corp.example"]);

    // With the default strategy the colleague stays in To and no placeholder is needed.
    let external = evaluate(Value::Null, compose);
    assert_eq!(after(&external, "to"), ["boss@corp.example"]);
    assert_eq!(after(&external, "cc"), ["me@corp.example"]);
}

#[test]
fn verify_accepts_the_planned_state_and_rejects_anything_else() {
    let before = json!({"account": "me@corp.example", "to": chips(&["a@one.example", "b@two.example", "c@three.example"])});
    let verify = |after: Value| {
        ask(
            Value::Null,
            Value::Null,
            json!({"v": 1, "kind": "verify", "original": before, "compose": after}),
        )
    };
    let moved = json!({"account": "me@corp.example", "to": chips(&["me@corp.example"]),
                       "bcc": chips(&["a@one.example", "b@two.example", "c@three.example"])});
    let ok = verify(moved);
    assert_eq!(ok["verification"]["matches"], true, "{ok}");
    assert_eq!(ok["verification"]["sendable"], true);

    // Gmail dropped one Bcc address: not sendable, and we say which.
    let partial = json!({"account": "me@corp.example", "to": chips(&["me@corp.example"]),
                         "bcc": chips(&["a@one.example", "b@two.example"])});
    let bad = verify(partial);
    assert_eq!(bad["verification"]["matches"], false);
    assert_eq!(bad["verification"]["sendable"], false);
    assert_eq!(
        bad["verification"]["missing"],
        json!([{"field": "bcc", "entry": "c@three.example"}])
    );

    // Nothing moved at all: mismatched and still exposed.
    let same = verify(before.clone());
    assert_eq!(same["verification"]["sendable"], false);
    assert_eq!(same["verification"]["verdict"]["action"], "warn");
    assert_eq!(
        same["verification"]["unexpected"].as_array().unwrap().len(),
        3
    );

    // Asking to verify a compose that needed no move is an error, not a pass.
    let harmless = json!({"account": "me@corp.example", "to": chips(&["a@one.example"])});
    let nothing = ask(
        Value::Null,
        Value::Null,
        json!({"v": 1, "kind": "verify", "original": harmless, "compose": harmless}),
    );
    assert_eq!(nothing["error"]["code"], "nothingToVerify");
}

#[test]
fn ten_thousand_recipients() {
    let to: Vec<Value> = (0..10_000)
        .map(|i| json!({"address": format!("user{i}@org{}.example", i % 997)}))
        .collect();
    let reply = evaluate(Value::Null, json!({"account": "me@corp.example", "to": to}));
    assert_eq!(reply["verdict"]["exposedRecipients"], 10_000);
    assert_eq!(reply["verdict"]["exposedParties"], 997);
    assert_eq!(
        reply["plan"]["after"]["bcc"].as_array().unwrap().len(),
        10_000
    );
}

#[test]
fn unprotected_hosts_are_left_alone() {
    let compose = |host: &str| json!({"host": host, "account": "me@corp.example", "to": chips(&["a@one.example", "b@two.example", "c@three.example"])});
    let policy = json!({"protectedHosts": ["outlook.office.com"]});
    let gmail = evaluate(policy.clone(), compose("mail.google.com"));
    assert_eq!(gmail["verdict"]["action"], "none");
    assert_eq!(gmail["plan"], Value::Null);
    let outlook = evaluate(policy.clone(), compose("Outlook.Office.com"));
    assert_eq!(outlook["verdict"]["action"], "warn");
    // A frame that cannot tell its host is protected, never exempt.
    assert_eq!(
        evaluate(policy.clone(), compose(""))["verdict"]["action"],
        "warn"
    );
    // A webmail outside the built-in list (a Roundcube the user granted) is
    // protected: the setting only chooses among the built-in ones.
    assert_eq!(
        evaluate(policy, compose("webmail.example.org"))["verdict"]["action"],
        "warn"
    );
}

#[test]
fn protocol_errors_are_replies() {
    let wrong_version = ask(
        Value::Null,
        Value::Null,
        json!({"v": 99, "kind": "evaluate"}),
    );
    assert_eq!(wrong_version["ok"], false);
    assert_eq!(wrong_version["error"]["code"], "unsupportedVersion");
    let unknown = ask(Value::Null, Value::Null, json!({"v": 1, "kind": "launch"}));
    assert_eq!(unknown["error"]["code"], "unknownKind");
    let missing = ask(
        Value::Null,
        Value::Null,
        json!({"v": 1, "kind": "verify", "compose": {}}),
    );
    assert_eq!(missing["error"]["code"], "missing");
    let policy = ask(
        json!({"action": "block"}),
        Value::Null,
        json!({"v": 1, "kind": "policy"}),
    );
    assert_eq!(policy["policy"]["settings"]["action"], "block");
    assert_eq!(policy["policy"]["locked"], json!(["action"]));
    // The options page validates a draft through the protocol too.
    let validation = ask(
        Value::Null,
        Value::Null,
        json!({"v": 1, "kind": "validate", "settings": {"minExposedParties": "4", "action": "never"}}),
    );
    assert_eq!(validation["kind"], "validate");
    assert_eq!(
        validation["validation"]["normalized"],
        json!({"minExposedParties": 4})
    );
    assert_eq!(validation["validation"]["problems"][0]["key"], "action");
    let missing = ask(
        Value::Null,
        Value::Null,
        json!({"v": 1, "kind": "validate"}),
    );
    assert_eq!(missing["error"]["code"], "missing");
}

/// The threshold is a whole number however it is written: as a JSON number
/// (`3`, `3.0`), or as text from the registry or a form (`"3"`, `" 3.00 "`).
/// A fraction is out of range rather than rounded; other text is not a number.
#[test]
fn threshold_spellings() {
    let code = |value: Value| {
        let engine =
            bcc_guard::engine::Engine::new(&Value::Null, &json!({ "minExposedParties": value }));
        let policy = engine.policy();
        (
            policy.settings.min_exposed_parties,
            policy.problems.first().map(|p| p.error.code()),
        )
    };
    for whole in [
        json!(4),
        json!(4.0),
        json!("4"),
        json!(" 4 "),
        json!("4.00"),
    ] {
        assert_eq!(code(whole.clone()), (4, None), "{whole}");
    }
    for out_of_range in [
        json!(2.5),
        json!("2.5"),
        json!(-4),
        json!(0),
        json!("99999999999999999999999"),
    ] {
        assert_eq!(
            code(out_of_range.clone()).1,
            Some("outOfRange"),
            "{out_of_range}"
        );
    }
    for not_a_number in [
        json!("four"),
        json!("4e0"),
        json!("-4"),
        json!(""),
        json!("."),
        json!(true),
    ] {
        assert_eq!(
            code(not_a_number.clone()).1,
            Some("wrongType"),
            "{not_a_number}"
        );
    }
}

#[test]
fn the_verdict_says_whether_the_compose_shows_the_notice() {
    let compose = json!({"account": "me@corp.example", "to": chips(&["a@x.example", "b@y.example", "c@z.example"])});
    let request = json!({"v": 1, "kind": "evaluate", "compose": compose});
    // On by default, in every verdict (a harmless one too, so that a host
    // hides the notice it showed).
    assert_eq!(
        evaluate(Value::Null, compose.clone())["verdict"]["composeNotice"],
        true
    );
    assert_eq!(
        evaluate(Value::Null, json!({"to": chips(&["a@x.example"])}))["verdict"]["composeNotice"],
        true
    );
    // The user may turn it off…
    let off = ask(
        Value::Null,
        json!({"composeNotice": false}),
        request.clone(),
    );
    assert_eq!(off["verdict"]["composeNotice"], false);
    assert_eq!(
        off["verdict"]["action"], "warn",
        "the send is still stopped"
    );
    // …unless the organisation set it: the managed value wins and is locked.
    let managed = ask(
        json!({"composeNotice": true}),
        json!({"composeNotice": false}),
        request,
    );
    assert_eq!(managed["verdict"]["composeNotice"], true);
    let policy = ask(
        json!({"composeNotice": true}),
        Value::Null,
        json!({"v": 1, "kind": "policy"}),
    );
    assert!(
        policy["policy"]["locked"]
            .as_array()
            .unwrap()
            .contains(&json!("composeNotice")),
        "{policy}"
    );
    // A value of the wrong kind is reported and the default applies.
    let bad = ask(
        Value::Null,
        json!({"composeNotice": "sometimes"}),
        json!({"v": 1, "kind": "policy"}),
    );
    assert_eq!(bad["policy"]["settings"]["composeNotice"], true);
    assert_eq!(bad["policy"]["problems"][0]["key"], "composeNotice");
}
