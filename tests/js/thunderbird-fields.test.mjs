/**
 * @file Thunderbird's recipient fields and the real engine: what the send
 * hook reads from `details`, the fields it writes for a plan, and the
 * engine's verification of those fields read back. Thunderbird itself is
 * in tests/e2e/thunderbird.test.mjs; this covers the cases that suite does
 * not reach (text entries holding several recipients, names, vCards).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { callEngine } from "../../www/lib/engine-host.js";
import { completeRecipients, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { plannedFields, readCompose, senderAddress } from "../../www/thunderbird/compose-fields.js";
import { readVCard } from "../../www/thunderbird/mailing-lists.js";
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
