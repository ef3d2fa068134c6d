/**
 * @file Thunderbird's recipient fields and the real engine: what the send
 * hook reads from `details`, the fields it writes for a plan, and the
 * engine's verification of those fields read back. Thunderbird itself is
 * in tests/e2e/thunderbird.test.mjs; this covers the cases that suite does
 * not reach (text entries holding several recipients, names, vCards, a
 * list whose description looks like an address).
 *
 * The address books are a stand-in (address-book.mjs) for the calls
 * mailing-lists.js makes; the e2e suite has the real ones (and
 * Thunderbird's own expansion at the SMTP server).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { callEngine } from "../../www/lib/engine-host.js";
import { completeRecipients, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { plannedFields, readCompose, senderAddress } from "../../www/thunderbird/compose-fields.js";
import { readVCard } from "../../www/thunderbird/mailing-lists.js";
import { addressBook } from "./address-book.mjs";
import { releaseEngine } from "./wasm.mjs";

async function engine() {
  const { Engine } = await releaseEngine();
  return new Engine(JSON.stringify({ managed: null, user: null }));
}

test("the sender's address comes from From, with or without a name", () => {
  assert.equal(senderAddress("Alice <alice@corp.example>"), "alice@corp.example");
  assert.equal(senderAddress('"Doe, Alice" <alice@corp.example>'), "alice@corp.example");
  assert.equal(senderAddress("alice@corp.example"), "alice@corp.example");
  assert.equal(senderAddress(""), null);
  assert.equal(senderAddress(undefined), null);
});

test("a plan becomes whole fields that the engine then verifies", async () => {
  const e = await engine();
  const details = {
    from: "Alice <alice@corp.example>",
    to: ['"Doe, Ann" <ann@one.example>', "Boss <boss@corp.example>", "bob@two.example"],
    cc: ["cy@three.example"],
    bcc: ["keep@four.example"],
  };
  const read = await readCompose(details);
  assert.equal(read.compose.account, "alice@corp.example");
  const reply = completeRecipients(callEngine(e, { v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose }), read.compose);
  assert.equal(reply.verdict.action, "warn");
  const fields = plannedFields(reply.plan, reply.recipients, read);
  // Untouched entries stay exactly as Thunderbird gave them; moved ones go to Bcc.
  assert.deepEqual(fields.to, ["Boss <boss@corp.example>"]);
  assert.deepEqual(fields.cc, []);
  assert.deepEqual(fields.bcc.slice(0, 1), ["keep@four.example"]);
  assert.deepEqual([...fields.bcc.slice(1)].sort(), ["ann@one.example", "bob@two.example", "cy@three.example"]);
  const after = await readCompose({ ...details, ...fields });
  const answer = callEngine(e, { v: PROTOCOL_VERSION, kind: "verify", original: read.compose, compose: after.compose });
  assert.equal(answer.verification.matches, true);
  assert.equal(answer.verification.sendable, true);
});

test("a compose that does not hold the plan is not verified", async () => {
  const e = await engine();
  const details = { from: "alice@corp.example", to: ["a@one.example", "b@two.example", "c@three.example"], cc: [], bcc: [] };
  const read = await readCompose(details);
  const reply = completeRecipients(callEngine(e, { v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose }), read.compose);
  const fields = plannedFields(reply.plan, reply.recipients, read);
  // As if Thunderbird had dropped one of the moved recipients.
  const after = await readCompose({ ...details, ...fields, bcc: fields.bcc.slice(1) });
  const answer = callEngine(e, { v: PROTOCOL_VERSION, kind: "verify", original: read.compose, compose: after.compose });
  assert.equal(answer.verification.matches, false);
  assert.equal(answer.verification.missing.length, 1);
});

test("a vCard's primary address is its preferred EMAIL, else the first", () => {
  assert.deepEqual(readVCard("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nEMAIL:ann@one.example\r\nEND:VCARD\r\n"), { name: "Ann", email: "ann@one.example" });
  assert.deepEqual(
    readVCard("BEGIN:VCARD\nFN:Bob\\, Jr.\nEMAIL;TYPE=home:home@two.example\nitem1.EMAIL;PREF=1:work@two.\n example\nEND:VCARD"),
    { name: "Bob, Jr.", email: "work@two.example" },
  );
  assert.deepEqual(readVCard("BEGIN:VCARD\nFN:Nobody\nEND:VCARD"), { name: "Nobody", email: null });
});

test("a mailing list whose description looks like an address is expanded into its members", async () => {
  const vCard = (name, email) => `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${name}\r\nEMAIL:${email}\r\nEND:VCARD\r\n`;
  addressBook.lists = [{ id: "news", name: "News", description: "news@corp.example" }];
  addressBook.members.set("news", [
    { id: "c1", vCard: vCard("Ann", "ann@one.example") },
    { id: "c2", vCard: vCard("Bob", "bob@two.example") },
  ]);
  try {
    const read = await readCompose({ from: "alice@corp.example", to: ["News <news@corp.example>"], cc: ["Cy <cy@three.example>"], bcc: [] });
    // The pill is its members, written back as Thunderbird's contacts; a person stays a person.
    assert.equal(read.lists, 1);
    assert.deepEqual(read.compose.to, [
      { name: "Ann", address: "ann@one.example" },
      { name: "Bob", address: "bob@two.example" },
    ]);
    assert.deepEqual(read.written.to, [
      { type: "contact", nodeId: "c1" },
      { type: "contact", nodeId: "c2" },
    ]);
    assert.deepEqual(read.compose.cc, [{ text: "Cy <cy@three.example>" }]);
    // With the members read, three outside parties see each other: an exposure, not one internal address.
    const e = await engine();
    const reply = callEngine(e, { v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose });
    assert.equal(reply.verdict.action, "warn");

    // Someone called like the list but with another address is not the list.
    const person = await readCompose({ from: "alice@corp.example", to: ["News <editor@press.example>"], cc: [], bcc: [] });
    assert.equal(person.lists, 0);
    assert.deepEqual(person.compose.to, [{ text: "News <editor@press.example>" }]);

    // Bare addresses are never a list's pill, so they cost no address-book lookup.
    const before = addressBook.listings;
    await readCompose({ from: "alice@corp.example", to: ["ann@one.example", "news@corp.example"], cc: [], bcc: [] });
    assert.equal(addressBook.listings, before);
  } finally {
    addressBook.lists = [];
    addressBook.members.clear();
  }
});
