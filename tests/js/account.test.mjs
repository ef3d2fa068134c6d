/**
 * @file How every host reads the signed-in account's address out of the
 * texts it shows it in (www/lib/account.js). Where each host looks — and
 * where it must not (Outlook's title, Gmail's subject) — is each reader's,
 * and the e2e suites check it on the pages; this is the one rule for what
 * is taken from a text.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { accountAddress, addressIn } from "../../www/lib/account.js";

test("an address in angle brackets at the end wins, whatever the name says", () => {
  assert.equal(addressIn("Alice <alice@corp.example>"), "alice@corp.example");
  assert.equal(addressIn('"Doe, Alice" <alice@corp.example>'), "alice@corp.example");
  assert.equal(addressIn("partner@other.example <alice@corp.example>"), "alice@corp.example");
  assert.equal(addressIn('"a b"@corp.example <"a b"@corp.example> '), '"a b"@corp.example');
});

test("otherwise the first address-like word, without the punctuation around it", () => {
  assert.equal(addressIn("alice@corp.example"), "alice@corp.example");
  assert.equal(addressIn("  From: alice@corp.example  "), "alice@corp.example");
  assert.equal(addressIn("Google Account: Alice (alice@corp.example)"), "alice@corp.example");
  assert.equal(addressIn("差出人: alice@corp.example"), "alice@corp.example");
  assert.equal(addressIn("'alice@corp.example',"), "alice@corp.example");
});

test("a text without an address gives none", () => {
  for (const text of ["", "   ", "Alice", "alice@corp", "Alice <>", "Alice <alice>", null, undefined, 42]) {
    assert.equal(addressIn(text), null, String(text));
  }
});

test("the first candidate with an address is the account; the rest are not read", () => {
  assert.equal(accountAddress([null, undefined, "Inbox", "me@corp.example", "other@x.example"]), "me@corp.example");
  assert.equal(accountAddress(["Alice <alice@corp.example>", "me@corp.example"]), "alice@corp.example");
  assert.equal(accountAddress([]), null);
  assert.equal(accountAddress([null, "no address here"]), null);
});
