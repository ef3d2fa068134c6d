/**
 * @file The one move transaction (www/lib/move-transaction.js) with the real
 * engine, over a host whose hands are Thunderbird's field code on an
 * in-memory compose: what it writes, what it asks the engine, and the
 * outcome for every way a move can go. The webmail guard, Thunderbird and
 * the Outlook add-in act on exactly these outcomes (their end-to-end suites
 * run them in the real hosts).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { completeRecipients, errorReply, PROTOCOL_VERSION } from "../../www/lib/engine-client.js";
import { callEngine } from "../../www/lib/engine-host.js";
import { moveToBcc } from "../../www/lib/move-transaction.js";
import { plannedFields, readCompose } from "../../www/thunderbird/compose-fields.js";
import "./address-book.mjs"; // Thunderbird's API as far as reading its fields needs it (no lists).
import { releaseEngine } from "./wasm.mjs";

const { Engine } = await releaseEngine();
const engine = new Engine(JSON.stringify({ managed: null, user: null }));

/**
 * A compose held in memory, the engine, and a log of what was asked.
 * @param {{to: string[], cc?: string[], bcc?: string[]}} fields
 * @param {{answer?: (request: object) => object|undefined}} [options] Replaces
 *   the engine's reply to a request when it returns one.
 */
async function host(fields, { answer = () => undefined } = {}) {
  const mail = { from: "me@corp.example", cc: [], bcc: [], ...fields };
  const asked = [];
  const ask = async (request) => {
    asked.push(request.kind);
    return answer(request) ?? callEngine(engine, { v: PROTOCOL_VERSION, ...request });
  };
  const writes = [];
  const hands = {
    read: () => readCompose(mail),
    write: (plan, recipients, read) => {
      const written = plannedFields(plan, recipients, read);
      writes.push(written);
      Object.assign(mail, written);
    },
  };
  const read = await readCompose(mail);
  const reply = completeRecipients(callEngine(engine, { v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose }), read.compose);
  return { mail, asked, ask, hands, writes, read, reply };
}

const EXPOSED = ["a@one.example", "b@two.example", "c@three.example"];

test("a plan that reads back as written is sendable: one verify, nothing else asked", async () => {
  const h = await host({ to: [...EXPOSED, "Boss <boss@corp.example>"] });
  assert.equal(h.reply.verdict.action, "warn");
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands });
  assert.equal(done.outcome, "sendable");
  assert.equal(done.moved, 3);
  assert.deepEqual(h.asked, ["verify"]);
  assert.deepEqual(h.mail.to, ["Boss <boss@corp.example>"]);
  assert.deepEqual([...h.mail.bcc].sort(), EXPOSED);
  assert.equal(done.verification.matches, true);
  assert.equal(done.reply, h.reply);
  assert.equal(done.read, h.read);
});

test("a host that wrote something else gets mismatch, whatever it claims", async () => {
  const h = await host({ to: EXPOSED });
  const write = h.hands.write;
  const hands = {
    ...h.hands,
    // As if the mail client had dropped one of the moved recipients.
    write: (plan, recipients, read) => {
      write(plan, recipients, read);
      h.mail.bcc = h.mail.bcc.slice(1);
    },
  };
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands });
  assert.equal(done.outcome, "mismatch");
  assert.equal(done.moved, 0);
  assert.equal(done.verification.missing.length, 1);
});

test("a move that leaves an unreadable recipient on show is unsendable, and counts what it moved", async () => {
  const h = await host({ to: [...EXPOSED, "Wrong <b@@x>"] });
  assert.deepEqual(h.reply.plan.unmovable.length, 1);
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands });
  assert.equal(done.outcome, "unsendable");
  assert.equal(done.moved, 3);
  assert.deepEqual(h.mail.to, ["Wrong <b@@x>"]);
});

test("a failure at any step is an outcome with its stage, never a rejection", async () => {
  const boom = () => {
    throw new Error("boom");
  };
  let h = await host({ to: EXPOSED });
  let done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: { ...h.hands, write: boom } });
  assert.deepEqual([done.outcome, done.stage, done.detail, done.moved], ["failed", "write", "boom", 0]);
  assert.deepEqual(h.asked, []);

  h = await host({ to: EXPOSED });
  done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: { ...h.hands, read: boom } });
  assert.deepEqual([done.outcome, done.stage, done.detail], ["failed", "readBack", "boom"]);
  assert.equal(h.writes.length, 1, "the write happened; the read-back did not");

  h = await host({ to: EXPOSED }, { answer: (request) => (request.kind === "verify" ? errorReply("timeout", "no answer") : undefined) });
  done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands });
  assert.deepEqual([done.outcome, done.stage, done.detail], ["failed", "verify", "no answer"]);
  assert.ok(done.after, "what was read back is kept");

  h = await host({ to: ["a@one.example"] });
  assert.ok(!h.reply.plan, "nothing to move");
  done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands });
  assert.deepEqual([done.outcome, done.stage], ["failed", "write"]);
  assert.equal(h.writes.length, 0);
});

test("with recheck, an unchanged compose is written as planned", async () => {
  const h = await host({ to: EXPOSED });
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands, recheck: true });
  assert.equal(done.outcome, "sendable");
  assert.deepEqual(h.asked, ["verify"], "no second plan for the same recipients");
  assert.equal(done.reply, h.reply);
});

test("with recheck, a compose changed since the plan is planned again and verified as it is now", async () => {
  const h = await host({ to: EXPOSED });
  // The user added a recipient while the dialog was up.
  h.mail.to = [...h.mail.to, "d@four.example"];
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands, recheck: true });
  assert.equal(done.outcome, "sendable");
  assert.deepEqual(h.asked, ["evaluate", "verify"]);
  assert.notEqual(done.reply, h.reply);
  assert.equal(done.moved, 4);
  assert.deepEqual([...h.mail.bcc].sort(), [...EXPOSED, "d@four.example"]);
  assert.deepEqual(h.mail.to, ["me@corp.example"], "the placeholder of the fresh plan");
  assert.equal(done.read.compose.to.length, 4);
});

test("with recheck, a compose that needs no move any more is moot: nothing written", async () => {
  const h = await host({ to: EXPOSED });
  h.mail.to = ["a@one.example"];
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands, recheck: true });
  assert.equal(done.outcome, "moot");
  assert.equal(done.reply.verdict.action, "none");
  assert.equal(done.read.compose.to.length, 1);
  assert.equal(h.writes.length, 0);
  assert.deepEqual(h.asked, ["evaluate"]);
});

test("with recheck, a re-plan the engine cannot make fails at the plan, with the reply the user saw", async () => {
  const h = await host({ to: EXPOSED }, { answer: (request) => (request.kind === "evaluate" ? errorReply("internal", "panicked") : undefined) });
  h.mail.cc = ["d@four.example"];
  const done = await moveToBcc({ ask: h.ask, read: h.read, reply: h.reply, hands: h.hands, recheck: true });
  assert.deepEqual([done.outcome, done.stage, done.detail], ["failed", "plan", "panicked"]);
  assert.equal(done.reply, h.reply);
  assert.equal(h.writes.length, 0);

  const unreadable = await host({ to: EXPOSED });
  const done2 = await moveToBcc({
    ask: unreadable.ask,
    read: unreadable.read,
    reply: unreadable.reply,
    hands: { ...unreadable.hands, read: () => Promise.reject(new Error("the compose is gone")) },
    recheck: true,
  });
  assert.deepEqual([done2.outcome, done2.stage, done2.detail], ["failed", "read", "the compose is gone"]);
});
